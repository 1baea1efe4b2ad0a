"""月度评比通报 — the monthly bulletin (SPEC §6.1).

Laid out as a notice (GB/T 9704 spirit): red masthead with the issuing body,
title, salutation, body text, then 一、总体情况 (summary figures) 二、评比排名
(every indicator, 加减分, 总分, rank change) 三、红榜与黑榜 四、总分对比 (bar
chart) 五、加减分情况 (with reasons) 六、评比办法 (the scheme in force), and the
signature/date block.

``data`` is ``models.reporting.evaluation_data.BulletinData`` (rows are ``Figures`` in rank order).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from reports.styles import getStyleSheet
from reports.templates import (BarChart, PageInfo, bar_chart, data_table, empty_note, esc, key_value_table, masthead,
                               num, portrait_width, render_story, signature_block, signed, table_section)

#: bars per chart: more grids are charted in several blocks of this size
BARS_PER_CHART = 50
#: up to this many grids the chart is vertical (one bar per grid side by side)
VERTICAL_MAX = 16

RED_LIST_COLOUR = colors.HexColor("#C00000")
BLACK_LIST_COLOUR = colors.HexColor("#333333")


def _status_line(data) -> Paragraph:
    sheet = getStyleSheet()
    if data.published_version:
        text = f"（定稿第 {data.published_version} 版，数据截至 {esc(data.as_of)}）"
        return Paragraph(text, sheet["Subtitle"])
    return Paragraph(f'<font color="#C00000">（未定稿，仅供核对；数据截至 {esc(data.as_of)}）</font>',
                     sheet["Subtitle"])


def _multi_community(data) -> bool:
    return len({r.community_name for r in data.rows}) > 1


def ranking_table(data, *, width: float | None = None) -> Flowable:
    """The ranking table: every indicator's rate, 加减分, 总分, 较上月."""
    width = width or portrait_width()
    multi = _multi_community(data)
    names = [f"{n}（{_weight(data, k)}分）" for k, n in zip(data.indicator_keys, data.indicator_names)]
    header = ["排名"] + (["社区"] if multi else []) + ["网格"] + names + ["加减分", "总分", "较上月"]
    rows = []
    red_ids = {id(r) for r in data.red_list}
    black_ids = {id(r) for r in data.black_list}
    row_styles: dict[int, list] = {}
    for i, r in enumerate(data.rows):
        cells: list[Any] = [r.rank] + ([r.community_name] if multi else []) + [r.name]
        cells += [r.indicators[k].percent for k in data.indicator_keys]
        cells += [signed(r.adjustments), num(r.total), r.rank_change_text]
        rows.append(cells)
        if id(r) in red_ids:
            row_styles[i] = [("TEXTCOLOR", (0, i), (0, i), RED_LIST_COLOUR)]
        elif id(r) in black_ids:
            row_styles[i] = [("TEXTCOLOR", (0, i), (0, i), colors.black),
                             ("BACKGROUND", (0, i), (0, i), colors.HexColor("#D9D9D9"))]
    ind_widths = [9.5] * len(data.indicator_keys)
    widths = [5.5] + ([10] if multi else []) + [12] + ind_widths + [7.5, 8, 6.5]
    align = ["C"] + (["L"] if multi else []) + ["L"] + ["R"] * len(ind_widths) + ["R", "R", "C"]
    total_col = len(header) - 2
    return data_table(header, rows, widths, total_width=width, align=align,
                      wrap=(1, 2) if multi else (1,), font_size=8 if multi else 8.5, row_styles=row_styles,
                      extra_style=[("FONT", (total_col, 1), (total_col, -1), "Hei")])


def _weight(data, key: str) -> str:
    weight = data.scheme.indicator(key).weight
    return f"{weight:g}"


def _honour_table(title: str, rows, colour, *, width: float) -> list[Flowable]:
    sheet = getStyleSheet()
    hex_colour = "#" + colour.hexval()[2:]
    out: list[Flowable] = [Paragraph(f'<font color="{hex_colour}">{esc(title)}</font>', sheet["Heading2"])]
    if not rows:
        out.append(empty_note("无。"))
        return out
    body = []
    for r in rows:
        strongest = max(r.indicators.values(), key=lambda i: (i.score, i.weight))
        weakest = min(r.indicators.values(), key=lambda i: (i.score, -i.weight))
        body.append([r.rank, r.name, num(r.total), r.rank_change_text,
                     f"{strongest.name} {strongest.percent}", f"{weakest.name} {weakest.percent}"])
    out.append(data_table(["名次", "网格", "总分", "较上月", "表现最好的指标", "最需改进的指标"], body,
                          [6, 14, 8, 7, 20, 20], total_width=width, align=["C", "L", "R", "C", "L", "L"],
                          wrap=(1, 4, 5), zebra=False,
                          extra_style=[("TEXTCOLOR", (0, 1), (0, -1), colour)]))
    return out


def total_charts(data, *, width: float) -> list[Flowable]:
    """The bar chart(s) of totals in rank order; red list in red, black list in black."""
    rows = data.rows
    if not rows:
        return [empty_note("本月没有参评网格。")]
    red_ids = {id(r) for r in data.red_list}
    black_ids = {id(r) for r in data.black_list}
    top = max(100.0, max(r.total for r in rows))
    axis_max = float(int(top / 10 + 1) * 10) if top > 100 else 100.0
    out: list[Flowable] = []
    if len(rows) <= VERTICAL_MAX:
        chunks = [rows]
    else:
        chunks = [rows[i:i + BARS_PER_CHART] for i in range(0, len(rows), BARS_PER_CHART)]
    for n, chunk in enumerate(chunks):
        highlight = {}
        for i, r in enumerate(chunk):
            if id(r) in red_ids:
                highlight[i] = RED_LIST_COLOUR
            elif id(r) in black_ids:
                highlight[i] = BLACK_LIST_COLOUR
        title = "各网格总分（按排名）"
        if len(chunks) > 1:
            title += f"（第 {chunk[0].rank}—{chunk[-1].rank} 名）"
        labels = [f"{r.rank}. {r.name}" for r in chunk] if len(chunks) > 1 else [r.name for r in chunk]
        chart = bar_chart(labels, [r.total for r in chunk], width=width, title=title,
                          horizontal=len(rows) > VERTICAL_MAX, value_max=axis_max, highlight=highlight)
        out.append(CondPageBreak(min(chart.height + 6, 240 * mm)))
        out.append(chart)
    out.append(Paragraph("注：红色为红榜网格，黑色为黑榜网格。", getStyleSheet()["Note"]))
    return out


def adjustments_table(items, *, width: float) -> Flowable:
    if not items:
        return empty_note("本月无加减分。")
    rows = [[i, a.target_name, signed(a.points), a.source, a.reason, a.author, (a.at or "")[:10]]
            for i, a in enumerate(items, 1)]
    return data_table(["序号", "网格/社区", "分值", "类型", "事由", "给分人", "日期"], rows,
                      [5, 13, 7, 6, 42, 10, 11], total_width=width, align=["C", "L", "R", "C", "L", "L", "C"],
                      wrap=(1, 4, 5))


def community_table(data, *, width: float) -> Flowable:
    names = [f"{n}" for n in data.indicator_names]
    rows = [[c.rank, c.name, c.households, c.residents] + [c.indicators[k].percent for k in data.indicator_keys]
            + [signed(c.adjustments), num(c.total)] for c in data.communities]
    return data_table(["排名", "社区", "户数", "人数"] + names + ["加减分", "总分"], rows,
                      [5, 13, 7, 7] + [9] * len(names) + [7, 8], total_width=width,
                      align=["C", "L", "R", "R"] + ["R"] * len(names) + ["R", "R"], wrap=(1,))


def build_story(data) -> list[Flowable]:
    """The bulletin's flowables."""
    sheet = getStyleSheet()
    width = portrait_width()
    story: list[Flowable] = masthead(data.issuing_body)
    story.append(Paragraph(esc(data.title), sheet["DocTitle"]))
    story.append(_status_line(data))
    story.append(Paragraph("各网格：", sheet["Salutation"]))
    story.append(Paragraph(
        f"根据网格月度评比办法，{esc(data.issuing_body)}对{len(data.rows)}个网格{esc(data.month_text)}"
        f"的工作情况进行了评比。评比按按期办结、群众满意、走访覆盖、问题发现、志愿服务、台账完整六项指标计分，"
        f"另计加减分。现将评比结果通报如下。", sheet["Body"]))

    story.append(Paragraph("一、总体情况", sheet["Heading1"]))
    story.append(key_value_table(data.summary, total_width=width, columns=2))
    if len(data.communities) > 1:
        story.append(Spacer(1, 3 * mm))
        story.append(Paragraph("各社区汇总（按社区合并计算）", sheet["Heading2"]))
        story.append(community_table(data, width=width))

    story += table_section("二、评比排名", ranking_table(data, width=width) if data.rows else None,
                           note="注：各指标为得分率；总分 = Σ（权重 × 得分率）+ 加减分，保留两位小数；总分相同名次并列。"
                                "“较上月”中↑表示名次上升，↓表示下降，—表示不变，“新”表示上月未参评。",
                           empty="本月没有参评网格。")

    story.append(CondPageBreak(60 * mm))
    story.append(Paragraph("三、红榜与黑榜", sheet["Heading1"]))
    story.append(KeepTogether(_honour_table("红榜（前三名）", data.red_list, RED_LIST_COLOUR, width=width)))
    story.append(KeepTogether(_honour_table("黑榜（后三名）", data.black_list, BLACK_LIST_COLOUR, width=width)))

    charts = total_charts(data, width=width)
    first = next((f for f in charts if isinstance(f, BarChart)), None)
    # the heading goes with the first chart (it is preceded by its own CondPageBreak)
    story.append(CondPageBreak(min((first.height if first else 0) + 40, 245 * mm)))
    story.append(Paragraph("四、总分对比", sheet["Heading1"]))
    story.extend(charts)

    story.append(Paragraph("五、加减分情况", sheet["Heading1"]))
    story.append(adjustments_table(data.adjustments, width=width))

    story.append(CondPageBreak(50 * mm))
    story.append(Paragraph("六、评比办法", sheet["Heading1"]))
    for line in data.scheme_lines:
        story.append(Paragraph(esc(line), sheet["Scheme"]))
    story.append(Paragraph("总分 = Σ（权重 × 得分率）+ 当月加减分；分母为 0 的比率按满分计。", sheet["Scheme"]))
    if getattr(data, "key_fingerprint", ""):
        story.append(Paragraph(f"报送签名：本台账签名公钥指纹 {esc(data.key_fingerprint)}"
                               f"（街道办导入本社区报送文件时电话核对）。", sheet["Scheme"]))

    story.append(Spacer(1, 4 * mm))
    closing = [Paragraph("希望受到表扬的网格再接再厉，排名靠后的网格对照指标查找差距、认真整改，"
                         "共同提升网格服务水平。", sheet["Body"]),
               Paragraph("特此通报。", sheet["Body"])]
    story.append(signature_block(data.issuing_body, data.issued_on, lead=closing))
    return story


def page_info(data) -> PageInfo:
    return PageInfo(header_left=f"{data.issuing_body} · 月度评比通报", header_right=data.month_text,
                    header_on_first_page=False)


def render(data, target, *, progress=None) -> int:
    """Render the bulletin to ``target`` (a path or a binary file object).  Returns the page count."""
    return render_story(build_story(data), target, title=data.title, author=data.issuing_body,
                        subject=f"{data.month_text}网格月度评比", page_info=page_info(data), progress=progress)


__all__ = ["build_story", "render", "ranking_table", "total_charts", "adjustments_table"]
