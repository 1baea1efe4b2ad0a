"""街道年度社区考评 — the street's annual assessment of its communities (issue 12).

Landscape A4: community × month matrix of the monthly totals the street computed from the
packages ("—" = not reported, not counted), months reported, annual score, grade, rank.
``data`` is ``models.street.bulletin.StreetAnnualData``.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph

from reports.annual import GRADE_COLOURS
from reports.styles import getStyleSheet
from reports.templates import (PageInfo, data_table, esc, key_value_table, landscape_width, masthead, num,
                               render_story, signature_block, table_section)


def _month_label(month: str) -> str:
    return f"{int(month[5:7])}月"


def matrix_table(data, *, width: float) -> Flowable:
    header = ["排名", "社区"] + [_month_label(m) for m in data.months] + ["报送月数", "年度得分", "等次"]
    rows, row_styles = [], {}
    grade_col = len(header) - 1
    for i, r in enumerate(data.rows):
        cells = [r.rank, r.community]
        cells += [num(r.monthly.get(m)) if r.monthly.get(m) is not None else "—" for m in data.months]
        cells += [r.months_counted, num(r.total), r.grade]
        rows.append(cells)
        colour = GRADE_COLOURS.get(r.grade)
        if colour:
            row_styles[i] = [("TEXTCOLOR", (grade_col, i), (grade_col, i), colour)]
    widths = [5, 12] + [6.2] * len(data.months) + [7, 8, 6]
    align = ["C", "L"] + ["R"] * len(data.months) + ["C", "R", "C"]
    return data_table(header, rows, widths, total_width=width, align=align, wrap=(1,), font_size=7.5,
                      row_styles=row_styles,
                      extra_style=[("FONT", (grade_col - 1, 1), (grade_col, -1), "Hei", 7.5)])


def build_story(data) -> list[Flowable]:
    sheet = getStyleSheet()
    width = landscape_width()
    story: list[Flowable] = masthead(data.issuing_body)
    story.append(Paragraph(esc(data.title), sheet["DocTitle"]))
    months_text = (f"{_month_label(data.months[0])}至{_month_label(data.months[-1])}"
                   if data.months else "（本年度尚无已结束的月份）")
    story.append(Paragraph(f"考评期间：{data.year}年{esc(months_text)}", sheet["Subtitle"]))
    story.append(Paragraph("各社区：", sheet["Salutation"]))
    story.append(Paragraph(
        f"根据考评办法，{esc(data.issuing_body)}以各社区{data.year}年已报送月份的月度评比总分的平均分，"
        f"对{len(data.rows)}个社区进行了年度考评，并按得分评定等次。现将结果公布如下。", sheet["Body"]))
    story.append(Paragraph("一、等次分布", sheet["Heading1"]))
    pairs = [(grade, f"{count} 个") for grade, count in data.grade_counts]
    pairs.append(("参评社区", f"{len(data.rows)} 个"))
    story.append(key_value_table(pairs, total_width=width * 0.7, columns=len(pairs) if len(pairs) <= 5 else 3))
    story += table_section("二、各社区逐月得分与年度等次", matrix_table(data, width=width) if data.rows else None,
                           note="注：月度得分为街道按各社区报送的定稿计数、用街道评比方案计算的总分；“—”表示该月未报送，"
                                "不计入平均；年度得分保留两位小数，相同名次并列。", empty="本年度还没有社区报送。")
    if data.not_assessed:
        story.append(Paragraph(f"全年未报送、未参加考评的社区：{esc('、'.join(data.not_assessed))}。", sheet["Body"]))
    story.append(CondPageBreak(40 * mm))
    story.append(Paragraph("三、考评办法", sheet["Heading1"]))
    for line in data.scheme_lines:
        story.append(Paragraph(esc(line), sheet["Scheme"]))
    story.append(signature_block(data.issuing_body, data.issued_on, lead=[Paragraph("特此公布。", sheet["Body"])]))
    return story


def render(data, target, *, progress=None) -> int:
    """Render the street's annual assessment to ``target`` (a path or a binary file object)."""
    return render_story(build_story(data), target, title=data.title, author=data.issuing_body,
                        subject=f"{data.year}年度社区考评",
                        page_info=PageInfo(header_left=f"{data.issuing_body} · 年度社区考评",
                                           header_right=f"{data.year}年度", header_on_first_page=False),
                        start_landscape=True, progress=progress)
