"""年度考评 — the annual assessment (SPEC §6.2): grid × month matrix, mean, adjustments, grade.

Landscape A4 (twelve month columns).  ``data`` is ``models.reporting.evaluation_data.AnnualData``.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph

from reports.styles import getStyleSheet
from reports.templates import (PageInfo, data_table, empty_note, esc, key_value_table, landscape_width,
                               masthead, num, render_story, signature_block, signed, table_section)

GRADE_COLOURS = {"优秀": "#C00000", "不合格": "#000000"}


def _month_label(month: str) -> str:
    return f"{int(month[5:7])}月"


def matrix_table(data, *, width: float) -> Flowable:
    """Rank, grid, each month's total, months counted, mean, adjustments, total, grade."""
    multi = len({r.community_name for r in data.rows}) > 1
    header = ["排名"] + (["社区"] if multi else []) + ["网格"] + [_month_label(m) for m in data.months] \
        + ["参评月数", "月均分", "年度加减分", "年度总分", "等次"]
    rows = []
    row_styles: dict[int, list] = {}
    grade_col = len(header) - 1
    for i, r in enumerate(data.rows):
        cells = [r.rank] + ([r.community_name] if multi else []) + [r.name]
        cells += [num(r.monthly.get(m)) if r.monthly.get(m) is not None else "—" for m in data.months]
        cells += [r.months_counted, num(r.mean), signed(r.adjustments), num(r.total), r.grade]
        rows.append(cells)
        colour = GRADE_COLOURS.get(r.grade)
        if colour:
            row_styles[i] = [("TEXTCOLOR", (grade_col, i), (grade_col, i), colour)]
    widths = [5] + ([10] if multi else []) + [12] + [6.2] * len(data.months) + [6, 7, 7.5, 7.5, 6]
    align = ["C"] + (["L"] if multi else []) + ["L"] + ["R"] * len(data.months) + ["C", "R", "R", "R", "C"]
    total_col = len(header) - 2
    return data_table(header, rows, widths, total_width=width, align=align, wrap=(1, 2) if multi else (1,),
                      font_size=7.5, row_styles=row_styles,
                      extra_style=[("FONT", (total_col, 1), (total_col, -1), "Hei", 7.5),
                                   ("FONT", (grade_col, 1), (grade_col, -1), "Hei", 7.5)])


def build_story(data) -> list[Flowable]:
    sheet = getStyleSheet()
    width = landscape_width()
    story: list[Flowable] = masthead(data.issuing_body)
    story.append(Paragraph(esc(data.title), sheet["DocTitle"]))
    months_text = (f"{_month_label(data.months[0])}至{_month_label(data.months[-1])}"
                   if data.months else "（本年度尚无已结束的月份）")
    story.append(Paragraph(f"考评期间：{data.year}年{esc(months_text)}", sheet["Subtitle"]))
    story.append(Paragraph("各网格：", sheet["Salutation"]))
    if not getattr(data, "has_data", True):
        story.append(Paragraph("一、考评结果", sheet["Heading1"]))
        story.append(Paragraph("本年度无数据", sheet["DocTitle"]))
        story.append(Paragraph(f"{data.year}年已结束的月份里没有登记事项、走访记录或志愿服务活动，"
                               "不评定等次。", sheet["Body"]))
        story.append(signature_block(data.issuing_body, data.issued_on))
        return story
    story.append(Paragraph(
        f"根据网格考评办法，{esc(data.issuing_body)}以各网格{data.year}年各月评比总分的平均分，加年度加减分，"
        f"对{len(data.rows)}个网格进行了年度考评，并按得分评定等次。现将结果公布如下。", sheet["Body"]))

    story.append(Paragraph("一、等次分布", sheet["Heading1"]))
    pairs = [(grade, f"{count} 个") for grade, count in data.grade_counts]
    pairs.append(("参评网格", f"{len(data.rows)} 个"))
    story.append(key_value_table(pairs, total_width=width * 0.7, columns=len(pairs) if len(pairs) <= 5 else 3))

    story += table_section("二、各网格逐月得分与年度等次", matrix_table(data, width=width) if data.rows else None,
                           note="注：“—”表示该月网格未设立或无在住户，不计入月均分；年度总分 = 月均分 + 年度加减分，"
                                "保留两位小数；总分相同名次并列。", empty="本年度没有可考评的网格。")

    story.append(CondPageBreak(40 * mm))
    story.append(Paragraph("三、年度加减分", sheet["Heading1"]))
    if data.adjustments:
        rows = [[i, a.target_name, signed(a.points), a.reason, a.author, (a.at or "")[:10]]
                for i, a in enumerate(data.adjustments, 1)]
        story.append(data_table(["序号", "网格/社区", "分值", "事由", "给分人", "日期"], rows,
                                [5, 14, 7, 50, 10, 11], total_width=width, align=["C", "L", "R", "L", "L", "C"],
                                wrap=(1, 3, 4)))
    else:
        story.append(empty_note("本年度无年度加减分。"))

    story.append(CondPageBreak(40 * mm))
    story.append(Paragraph("四、考评办法", sheet["Heading1"]))
    for line in data.scheme_lines:
        story.append(Paragraph(esc(line), sheet["Scheme"]))
    story.append(signature_block(data.issuing_body, data.issued_on,
                                 lead=[Paragraph("特此公布。", sheet["Body"])]))
    return story


def render(data, target, *, progress=None) -> int:
    """Render the annual assessment to ``target`` (a path or a binary file object)."""
    return render_story(build_story(data), target, title=data.title, author=data.issuing_body,
                        subject=f"{data.year}年度网格考评",
                        page_info=PageInfo(header_left=f"{data.issuing_body} · 年度考评", header_right=f"{data.year}年度",
                                           header_on_first_page=False),
                        start_landscape=True, progress=progress)
