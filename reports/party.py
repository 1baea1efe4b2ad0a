"""党组织设置一览表 — the party organisation roster (issue 13).

Portrait A4: the masthead, the totals, then one table: each organisation (联合党委, its
党支部, their 党小组, indented by level) with its place and secretary, followed by its
members (duty, name, gender, kind: 党员居民 / 下沉干部, where they live).  ``data`` is
``models.residents.party.PartyRosterData`` (plain data; no models import here).
"""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph

from reports.styles import getStyleSheet
from reports.templates import (PageInfo, cn_date, data_table, empty_note, esc, key_value_table, masthead,
                               portrait_width, render_story, signature_block)

#: the indent of each level in the 党组织 column (full-width spaces)
INDENT = "　　"


def roster_table(data, *, width: float) -> Flowable:
    """One row per organisation (shaded, indented by level) followed by its members, 书记 first."""
    header = ["党组织", "所在位置", "职务", "姓名", "性别", "类别", "居住网格及楼栋"]
    rows, styles = [], {}
    for org in data.orgs:
        styles[len(rows)] = [("FONT", (0, len(rows)), (-1, len(rows)), "Hei", 9),
                             ("BACKGROUND", (0, len(rows)), (-1, len(rows)), "#FBE9E7")]
        rows.append([INDENT * org.depth + org.name, org.place, "", "" if org.secretary else "（未配备书记）", "",
                     f"{len(org.members)} 名成员", ""])
        for m in org.members:
            rows.append(["", "", m["duty"], m["name"], m.get("gender") or "", m["kind"], m.get("place") or ""])
    return data_table(header, rows, [36, 16, 7, 12, 6.5, 11, 26], total_width=width,
                      align=["L", "L", "C", "L", "C", "C", "L"], wrap=(0, 1, 6), zebra=False, row_styles=styles)


def build_story(data) -> list[Flowable]:
    sheet = getStyleSheet()
    width = portrait_width()
    story: list[Flowable] = masthead(data.issuing_body)
    story.append(Paragraph(esc(data.title), sheet["DocTitle"]))
    story.append(Paragraph(f"截至{cn_date(data.as_of)}", sheet["Subtitle"]))
    story.append(key_value_table(data.totals, total_width=width, columns=3))
    story.append(Paragraph("党组织及成员", sheet["Heading1"]))
    if data.orgs:
        story.append(roster_table(data, width=width))
        story.append(Paragraph("注：党员居民为本社区在册居民（政治面貌为党员或带“党员”标签）；下沉干部为到社区报到服务的"
                               "机关、单位干部。一人可在多个党组织任职，人次分别计算。", sheet["Note"]))
    else:
        story.append(empty_note("尚未建立党组织。请在“网格管理 → 党组织”中建立社区联合党委、网格党支部和楼栋党小组。"))
    story.append(signature_block(data.issuing_body, cn_date(data.as_of)))
    return story


def render(data, target, *, progress=None) -> int:
    """Render the roster to ``target`` (a path or a binary file object)."""
    return render_story(build_story(data), target, title=data.title, author=data.issuing_body,
                        subject="党组织设置一览表",
                        page_info=PageInfo(header_left=f"{data.issuing_body} · 党组织设置一览表",
                                           header_right=f"截至{cn_date(data.as_of)}", header_on_first_page=False),
                        progress=progress)
