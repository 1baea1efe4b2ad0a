"""网格评分卡 — one card per grid (SPEC §6.3): each indicator with the counts behind it.

Portrait A4: the formulas once at the top, then the cards in rank order, each
kept whole on one page (two or three to a page).  ``data`` is ``models.reporting.evaluation_data.ScorecardData``.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from reports.styles import HEADER_BG, getStyleSheet
from reports.templates import (PageInfo, data_table, empty_note, esc, layout_table, num, portrait_width,
                               render_story, signed)


def _count(value: float) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


def card(card, data, *, width: float) -> Flowable:
    """One grid's card."""
    sheet = getStyleSheet()
    f = card.figures
    change = f.rank_change_text
    title = f"{esc(f.name)}　第 {f.rank} 名　总分 {num(f.total)}"
    if change:
        title += f"　较上月 {esc(change)}"
    parts: list[Flowable] = [Paragraph(title, sheet["CardTitle"])]
    meta = f"所属社区：{esc(f.community_name)}　　月末在住户数：{f.households} 户　　在住人数：{f.residents} 人"
    parts.append(Paragraph(meta, sheet["Meta"]))
    parts.append(Spacer(1, 1 * mm))
    rows = []
    for line in card.lines:
        counts = f"{line.numerator_label} {_count(line.numerator)}；{line.denominator_label} {_count(line.denominator)}"
        value = "—"
        if line.value is not None and line.target is not None:
            value = f"{line.value:.2f} / 目标 {line.target:g}"
        rows.append([line.name, f"{line.weight:g}", counts, value, f"{line.score * 100:.2f}%", num(line.points)])
    # The total is rounded once from the exact sum; the subtotal is shown so that it adds up.
    rows.append(["指标得分小计", "", "各指标得分之和（按精确值合计后四舍五入）", "", "",
                 num(round(f.total - f.adjustments, 2))])
    rows.append(["加减分", "", "；".join(f"{a.reason}（{signed(a.points)}）" for a in card.adjustments) or "无",
                 "", "", signed(f.adjustments)])
    rows.append(["总分", "", "指标得分 + 加减分", "", "", num(f.total)])
    n = len(card.lines)
    parts.append(data_table(
        ["指标", "权重", "计数", "每百户(人)/目标", "得分率", "得分"], rows,
        [14, 6, 46, 18, 9, 9], total_width=width, align=["L", "C", "L", "C", "R", "R"],
        wrap=(0, 2, 3), zebra=False, font_size=8,
        extra_style=[("SPAN", (2, n + 1), (4, n + 1)), ("SPAN", (2, n + 2), (4, n + 2)),
                     ("SPAN", (2, n + 3), (4, n + 3)),
                     ("BACKGROUND", (0, n + 1), (-1, n + 3), HEADER_BG),
                     ("FONT", (5, n + 3), (5, n + 3), "Hei", 9),
                     ("TOPPADDING", (0, 0), (-1, -1), 1.2), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2)]))
    parts.append(Spacer(1, 2 * mm))
    parts.append(layout_table([[Paragraph("网格长（签字）：__________", sheet["Meta"]),
                                Paragraph("网格员（签字）：__________", sheet["Meta"]),
                                Paragraph("日期：____年__月__日", sheet["MetaRight"])]], [width / 3] * 3))
    parts.append(Spacer(1, 4 * mm))
    return KeepTogether(parts)


def build_story(data) -> list[Flowable]:
    sheet = getStyleSheet()
    width = portrait_width()
    story: list[Flowable] = [Paragraph(esc(data.title), sheet["LedgerTitle"])]
    status = (f"定稿第 {data.published_version} 版" if data.published_version else "未定稿，仅供核对")
    story.append(Paragraph(f"{esc(data.month_text)}　共 {len(data.cards)} 个网格　（{status}）", sheet["Subtitle"]))
    if data.cards:
        story.append(Paragraph("计算方法", sheet["Heading2"]))
        lines = data.cards[0].lines
        story.append(data_table(["指标", "权重", "计算方法"], [[l.name, f"{l.weight:g}", l.formula] for l in lines],
                                [14, 6, 80], total_width=width, align=["L", "C", "L"], wrap=(2,), zebra=False,
                                font_size=8))
        story.append(Spacer(1, 3 * mm))
    else:
        story.append(empty_note("本月没有参评网格。"))
    for c in data.cards:
        story.append(card(c, data, width=width))
    story.append(Paragraph("评比办法：" + esc("；".join(data.scheme_lines)) + "。", sheet["Note"]))
    return story


def render(data, target, *, progress=None) -> int:
    """Render every grid's scorecard to ``target`` (a path or a binary file object)."""
    return render_story(build_story(data), target, title=data.title, author=data.community_name,
                        subject=f"{data.month_text}网格评分卡",
                        page_info=PageInfo(header_left=f"{data.community_name} · 网格评分卡", header_right=data.month_text,
                                           header_on_first_page=False), progress=progress)
