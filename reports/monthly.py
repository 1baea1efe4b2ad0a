"""月度评比通报 — the monthly bulletin (SPEC §6.1), in the official format of GB/T 9704-2012.

The notice (reports/official.py: 发文机关标志 in red, 发文字号, the red rule, 标题,
主送机关, 正文 in 三号仿宋 on the 22 × 28 grid — 一、总体情况 二、评比结果 三、工作要求 —
附件说明, 落款 and 成文日期), then the attachments, each on a new page: 附件1 评比排名表
(landscape), 附件2 红榜黑榜与总分图, 附件3 加减分明细, 附件4 评比办法, and the 版记
(抄送, 印发机关, 印发日期) at the foot of the last page.

``data`` is ``models.reporting.evaluation_data.BulletinData`` (rows are ``Figures`` in rank order).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from reports import official
from reports.fonts import KAI
from reports.styles import getStyleSheet
from reports.templates import bar_chart, data_table, empty_note, esc, num, portrait_width, signed, table_section

#: bars per chart: more grids are charted in several blocks of this size
BARS_PER_CHART = 50
#: up to this many grids the chart is vertical (one bar per grid side by side)
VERTICAL_MAX = 16

RED_LIST_COLOUR = colors.HexColor("#C00000")
BLACK_LIST_COLOUR = colors.HexColor("#333333")


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


def total_charts(data, *, width: float, per_chart: int = BARS_PER_CHART) -> list[Flowable]:
    """The bar chart(s) of totals in rank order; red list in red, black list in black.

    ``per_chart``: bars per chart (a chart must fit one page's text block)."""
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
        chunks = [rows[i:i + per_chart] for i in range(0, len(rows), per_chart)]
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


ATTACHMENTS = ("评比排名表", "红榜黑榜与总分图", "加减分明细", "评比方案")


def _summary_text(data) -> str:
    """一、总体情况 in words: how many grids, the average, the best and the worst."""
    if not data.rows:
        return f"{data.month_text}没有参评网格。"
    totals = [r.total for r in data.rows]
    best, worst = data.rows[0], data.rows[-1]
    text = (f"{data.month_text}共有{len(data.rows)}个网格参加评比，平均得分{num(sum(totals) / len(totals))}分，"
            f"最高为{best.name}（{num(best.total)}分），最低为{worst.name}（{num(worst.total)}分）。")
    if data.adjustments:
        text += f"本月共有{len(data.adjustments)}项加减分（详见附件3）。"
    return text


def _names(rows) -> str:
    return "、".join(f"{r.name}（{num(r.total)}分）" for r in rows) or "无"


def notice_story(data) -> list[Flowable]:
    """The notice itself, in the GB/T 9704 layout (reports/official.py)."""
    out: list[Flowable] = official.head(data.issuing_body, data.doc_number)
    out += official.title(data.title)
    if data.published_version:
        status = f"（定稿第{data.published_version}版，数据截至{data.as_of}）"
        out.append(official.GridText(status, font=KAI, size=official.SIZE_4, align="center"))
    else:
        out.append(official.GridText(f"（未定稿，仅供核对；数据截至{data.as_of}）", font=KAI,
                                     size=official.SIZE_4, align="center", colour=RED_LIST_COLOUR))
    out += official.recipients(data.recipients)
    out.append(official.paragraph(
        f"根据网格月度评比办法，{data.issuing_body}对{len(data.rows)}个网格{data.month_text}的工作情况进行了评比。"
        f"评比设{'、'.join(data.indicator_names)}共{len(data.indicator_names)}项指标，另计加减分。"
        f"现将评比结果通报如下。"))
    out.append(official.heading("一、总体情况"))
    out.append(official.paragraph(_summary_text(data)))
    out.append(official.heading("二、评比结果"))
    out.append(official.paragraph(f"红榜（前三名）：{_names(data.red_list)}。"))
    out.append(official.paragraph(f"黑榜（后三名）：{_names(data.black_list)}。"))
    out.append(official.paragraph("各网格的各项得分率、加减分、总分和名次变化见附件1，红榜黑榜的强项弱项和"
                                  "总分对比图见附件2，加减分的事由见附件3，评比办法见附件4。"))
    out.append(official.heading("三、工作要求"))
    out.append(official.paragraph("希望受到表扬的网格再接再厉，排名靠后的网格对照指标查找差距、认真整改，"
                                  "共同提升网格服务水平。"))
    out += official.ending("特此通报。", ATTACHMENTS, data.issuing_body, data.issued_on)
    return out


def attachments_story(data) -> list[Flowable]:
    """附件1–4: the ranking (landscape: 269 grids stay legible at 8.5 pt on a 225 mm line),
    the red/black lists with the chart, the adjustments and the scheme (portrait)."""
    sheet = getStyleSheet()
    wide, width = official.LANDSCAPE_BLOCK[0], official.BLOCK_WIDTH
    out: list[Flowable] = official.attachment(1, f"{data.month_text}网格评比排名表", wide=True)
    out += table_section("", ranking_table(data, width=wide) if data.rows else None,
                         note="注：各指标为得分率；总分 = Σ（权重 × 得分率）+ 加减分，保留两位小数；总分相同名次并列。"
                              "“较上月”中↑表示名次上升，↓表示下降，—表示不变，“新”表示上月未参评。",
                         empty="本月没有参评网格。")[1:]  # the attachment's title is the heading
    if len(data.communities) > 1:
        out.append(Spacer(1, 3 * mm))
        out.append(Paragraph("各社区汇总（按社区合并计算）", sheet["Heading2"]))
        out.append(community_table(data, width=wide))

    out += official.attachment(2, "红榜黑榜与总分对比")
    out.append(KeepTogether(_honour_table("红榜（前三名）", data.red_list, RED_LIST_COLOUR, width=width)))
    out.append(KeepTogether(_honour_table("黑榜（后三名）", data.black_list, BLACK_LIST_COLOUR, width=width)))
    out.append(Spacer(1, 4 * mm))
    # the official text block is 225 mm high: 40 bars a chart keep each on one page
    out.extend(total_charts(data, width=width, per_chart=40))

    out += official.attachment(3, "加减分明细")
    out.append(adjustments_table(data.adjustments, width=width))

    out += official.attachment(4, "网格月度评比办法")
    for line in data.scheme_lines:
        out.append(Paragraph(esc(line), sheet["Scheme"]))
    out.append(Paragraph("总分 = Σ（权重 × 得分率）+ 当月加减分；分母为 0 的比率按满分计。", sheet["Scheme"]))
    if getattr(data, "key_fingerprint", ""):
        out.append(Paragraph(f"报送签名：本台账签名公钥指纹 {esc(data.key_fingerprint)}"
                             f"（街道办导入本社区报送文件时电话核对）。", sheet["Scheme"]))
    return out


def build_story(data) -> list[Flowable]:
    """The bulletin's flowables: the notice, its four attachments, the 版记 on the last page."""
    story = notice_story(data) + attachments_story(data)
    story += official.imprint(official.Imprint(printed_by=data.issuing_body, printed_on=data.issued_on,
                                               copy_to=data.copy_to))
    return story


def render(data, target, *, progress=None) -> int:
    """Render the bulletin to ``target`` (a path or a binary file object).  Returns the page count."""
    return official.render_official(build_story(data), target, title=data.title, author=data.issuing_body,
                                    subject=f"{data.month_text}网格月度评比", progress=progress)


__all__ = ["build_story", "render", "ranking_table", "total_charts", "adjustments_table"]
