"""街道社区和网格月度评比通报 — the street office's bulletin over its communities (issue 12).

A notice in the GB/T 9704 layout of the community bulletin (``reports.official``, as
``reports.monthly``), from ``models.street.bulletin.StreetBulletinData``: the notice (总体情况
with who has not reported, the red and black lists of communities and of grids, 工作要求,
落款) and five attachments: 1 社区评比排名表 (pooled counts) and 2 全街道网格评比排名表
(landscape), 3 红榜黑榜与总分对比 (charts), 4 报送情况 (the package version behind each
community, who has not reported), 5 评比办法; the 版记 on the last page.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from reports import official
from reports.fonts import KAI
from reports.monthly import BLACK_LIST_COLOUR, RED_LIST_COLOUR, VERTICAL_MAX
from reports.styles import getStyleSheet
from reports.templates import bar_chart, data_table, empty_note, esc, num, signed

#: bars per chart: the official text block is 225 mm high (as reports.monthly's 40)
BARS_PER_CHART = 40


def _marks(rows, red, black) -> dict[int, list]:
    red_ids, black_ids = {id(r) for r in red}, {id(r) for r in black}
    styles: dict[int, list] = {}
    for i, r in enumerate(rows):
        if id(r) in red_ids:
            styles[i] = [("TEXTCOLOR", (0, i), (0, i), RED_LIST_COLOUR)]
        elif id(r) in black_ids:
            styles[i] = [("BACKGROUND", (0, i), (0, i), colors.HexColor("#D9D9D9"))]
    return styles


def ranking_table(data, rows, *, grids: bool, red, black, width: float) -> Flowable:
    """Communities (or grids, with their community) with every indicator, 加减分, 总分, 较上月."""
    names = [f"{n}（{data.scheme.indicator(k).weight:g}分）" for k, n in zip(data.indicator_keys, data.indicator_names)]
    header = ["排名", "社区"] + (["网格"] if grids else []) + names + ["加减分", "总分", "较上月"]
    body = []
    for r in rows:
        cells: list[Any] = [r.rank, r.community_name] + ([r.name] if grids else [])
        cells += [r.indicators[k].percent for k in data.indicator_keys]
        cells += [signed(r.adjustments), num(r.total), r.rank_change_text]
        body.append(cells)
    widths = [5.5, 11] + ([10] if grids else []) + [9.5] * len(names) + [7.5, 8, 6.5]
    align = ["C", "L"] + (["L"] if grids else []) + ["R"] * len(names) + ["R", "R", "C"]
    total_col = len(header) - 2
    return data_table(header, body, widths, total_width=width, align=align, wrap=(1, 2) if grids else (1,),
                      font_size=8, row_styles=_marks(rows, red, black),
                      extra_style=[("FONT", (total_col, 1), (total_col, -1), "Hei")])


def _honour(title: str, rows, colour, *, grids: bool, width: float) -> list[Flowable]:
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
        body.append([r.rank, r.community_name] + ([r.name] if grids else [])
                    + [num(r.total), f"{strongest.name} {strongest.percent}", f"{weakest.name} {weakest.percent}"])
    header = ["名次", "社区"] + (["网格"] if grids else []) + ["总分", "表现最好的指标", "最需改进的指标"]
    widths = [6, 12] + ([11] if grids else []) + [8, 19, 19]
    align = ["C", "L"] + (["L"] if grids else []) + ["R", "L", "L"]
    out.append(data_table(header, body, widths, total_width=width, align=align, wrap=tuple(range(1, len(header))),
                          zebra=False, extra_style=[("TEXTCOLOR", (0, 1), (0, -1), colour)]))
    return out


def _charts(rows, red, black, *, what: str, label, width: float, horizontal: bool = False) -> list[Flowable]:
    if not rows:
        return [empty_note(f"本月没有参评{what}。")]
    red_ids, black_ids = {id(r) for r in red}, {id(r) for r in black}
    top = max(100.0, max(r.total for r in rows))
    axis_max = float(int(top / 10 + 1) * 10) if top > 100 else 100.0
    chunks = [rows] if len(rows) <= VERTICAL_MAX else [rows[i:i + BARS_PER_CHART]
                                                       for i in range(0, len(rows), BARS_PER_CHART)]
    out: list[Flowable] = []
    for chunk in chunks:
        highlight = {i: RED_LIST_COLOUR if id(r) in red_ids else BLACK_LIST_COLOUR
                     for i, r in enumerate(chunk) if id(r) in red_ids or id(r) in black_ids}
        title = f"各{what}总分（按排名）"
        if len(chunks) > 1:
            title += f"（第 {chunk[0].rank}—{chunk[-1].rank} 名）"
        chart = bar_chart([label(r) for r in chunk], [r.total for r in chunk], width=width, title=title,
                          horizontal=horizontal or len(rows) > VERTICAL_MAX, value_max=axis_max, highlight=highlight)
        out.append(CondPageBreak(min(chart.height + 6, 220 * mm)))
        out.append(chart)
    return out


def _reports_table(data, *, width: float) -> Flowable:
    rows = []
    for c in data.communities:
        r = data.reports[c.name]
        note = f"重新定稿：{r.reason}" if r.version > 1 else ""
        if r.other_scheme:
            note = (note + "；" if note else "") + "社区自评所用方案与街道不同，已按街道方案计算"
        rows.append([c.name, f"第 {r.version} 版", r.published_at[:16], r.published_by, r.imported_at[:16], note])
    for name in data.not_reported:
        rows.append([name, "未报送", "", "", "", ""])
    return data_table(["社区", "定稿版本", "定稿时间", "定稿人", "导入时间", "说明"], rows,
                      [12, 8, 14, 9, 14, 25], total_width=width, align=["L", "C", "C", "L", "C", "L"],
                      wrap=(0, 3, 5))


ATTACHMENTS = ("社区评比排名表", "全街道网格评比排名表", "红榜黑榜与总分对比", "报送情况", "评比办法")


def _names(rows, *, grids: bool) -> str:
    return "、".join(f"{r.community_name + r.name if grids else r.name}（{num(r.total)}分）" for r in rows) or "无"


def _mean(rows) -> str:
    return num(sum(r.total for r in rows) / len(rows))


def _summary_text(data) -> str:
    total = len(data.communities) + len(data.not_reported)
    text = f"{data.month_text}应报送社区{total}个，已报送{len(data.communities)}个，参评网格{len(data.grids)}个。"
    if data.communities:
        best, worst = data.communities[0], data.communities[-1]
        text += (f"社区平均得分{_mean(data.communities)}分，最高为{best.name}（{num(best.total)}分），"
                 f"最低为{worst.name}（{num(worst.total)}分）；")
    if data.grids:
        best = data.grids[0]
        text += f"网格平均得分{_mean(data.grids)}分，最高为{best.community_name}{best.name}（{num(best.total)}分）。"
    return text


def notice_story(data) -> list[Flowable]:
    """The notice itself, in the GB/T 9704 layout (reports/official.py)."""
    out: list[Flowable] = official.head(data.issuing_body)
    out += official.title(data.title)
    out.append(official.GridText(f"（按各社区报送的定稿数据，{len(data.communities)}个社区已报送）", font=KAI,
                                 size=official.SIZE_4, align="center"))
    out += official.recipients("各社区")
    out.append(official.paragraph(
        f"根据网格月度评比办法，{data.issuing_body}对各社区报送的{data.month_text}评比数据进行了汇总评比："
        f"社区按本社区各网格合并的计数计算，全街道网格统一排名。现将结果通报如下。"))
    out.append(official.heading("一、总体情况"))
    out.append(official.paragraph(_summary_text(data)))
    if data.not_reported:
        out.append(official.paragraph(f"未报送：{'、'.join(data.not_reported)}。请尽快定稿并报送。"))
    out.append(official.heading("二、评比结果"))
    out.append(official.paragraph(f"社区红榜（前三名）：{_names(data.red_communities, grids=False)}。"))
    out.append(official.paragraph(f"社区黑榜（后三名）：{_names(data.black_communities, grids=False)}。"))
    out.append(official.paragraph(f"网格红榜（前三名）：{_names(data.red_grids, grids=True)}。"))
    out.append(official.paragraph(f"网格黑榜（后三名）：{_names(data.black_grids, grids=True)}。"))
    out.append(official.paragraph("各社区、各网格的各项得分率、加减分、总分和名次变化见附件1、附件2，红榜黑榜的强项弱项和"
                                  "总分对比图见附件3，各社区报送的版本见附件4，评比办法见附件5。"))
    out.append(official.heading("三、工作要求"))
    out.append(official.paragraph("希望受到表扬的社区和网格再接再厉，排名靠后的对照指标查找差距、认真整改；"
                                  "未按时报送的社区尽快定稿报送。"))
    out += official.ending("特此通报。", ATTACHMENTS, data.issuing_body, data.issued_on)
    return out


def attachments_story(data) -> list[Flowable]:
    """附件1–5: the two rankings (landscape), the honour lists with the charts, the packages, the scheme."""
    sheet = getStyleSheet()
    wide, width = official.LANDSCAPE_BLOCK[0], official.BLOCK_WIDTH
    note = Paragraph("注：各指标为得分率；总分 = Σ（权重 × 得分率）+ 加减分，保留两位小数；总分相同名次并列。"
                     "社区按各网格合并后的计数计算（含全社区志愿活动时长）。", sheet["Note"])
    out: list[Flowable] = official.attachment(1, f"{data.month_text}社区评比排名表", wide=True)
    if data.communities:
        out += [ranking_table(data, data.communities, grids=False, red=data.red_communities,
                              black=data.black_communities, width=wide), note]
    else:
        out.append(empty_note("本月还没有社区报送。"))
    out += official.attachment(2, f"{data.month_text}全街道网格评比排名表", wide=True)
    if data.grids:
        out.append(ranking_table(data, data.grids, grids=True, red=data.red_grids, black=data.black_grids,
                                 width=wide))
    else:
        out.append(empty_note("本月没有参评网格。"))

    out += official.attachment(3, "红榜黑榜与总分对比")
    out.append(KeepTogether(_honour("社区红榜（前三名）", data.red_communities, RED_LIST_COLOUR, grids=False,
                                    width=width)))
    out.append(KeepTogether(_honour("社区黑榜（后三名）", data.black_communities, BLACK_LIST_COLOUR, grids=False,
                                    width=width)))
    out.append(KeepTogether(_honour("网格红榜（前三名）", data.red_grids, RED_LIST_COLOUR, grids=True,
                                    width=width)))
    out.append(KeepTogether(_honour("网格黑榜（后三名）", data.black_grids, BLACK_LIST_COLOUR, grids=True,
                                    width=width)))
    out.append(Spacer(1, 4 * mm))
    out += _charts(data.communities, data.red_communities, data.black_communities, what="社区",
                   label=lambda r: r.name, width=width)
    out += _charts(data.grids, data.red_grids, data.black_grids, what="网格",
                   label=lambda r: f"{r.community_name}{r.name}", width=width, horizontal=True)
    out.append(Paragraph("注：红色为红榜，黑色为黑榜。", sheet["Note"]))

    out += official.attachment(4, "报送情况")
    out.append(_reports_table(data, width=width))
    if data.not_reported:
        out.append(Paragraph(f'<font color="#C00000">未报送：{esc("、".join(data.not_reported))}。</font>',
                             sheet["Body"]))

    out += official.attachment(5, "社区和网格月度评比办法")
    for line in data.scheme_lines:
        out.append(Paragraph(esc(line), sheet["Scheme"]))
    out.append(Paragraph("总分 = Σ（权重 × 得分率）+ 当月加减分；分母为 0 的比率按满分计。", sheet["Scheme"]))
    return out


def build_story(data) -> list[Flowable]:
    """The street bulletin's flowables: the notice, its five attachments, the 版记 on the last page."""
    story = notice_story(data) + attachments_story(data)
    story += official.imprint(official.Imprint(printed_by=data.issuing_body, printed_on=data.issued_on))
    return story


def render(data, target, *, progress=None) -> int:
    """Render the street bulletin to ``target`` (a path or a binary file object).  Returns the page count."""
    return official.render_official(build_story(data), target, title=data.title, author=data.issuing_body,
                                    subject=f"{data.month_text}社区和网格月度评比", progress=progress)


__all__ = ["build_story", "render", "ranking_table"]
