"""Report data built in code (no ledger): many grids, known totals, known order."""

from __future__ import annotations

from models.core.periods import month_text
from models.evaluation import annual as ev_annual
from models.evaluation import figures as ev
from models.reporting import evaluation_data as rev
from models.reporting import data as rd
from models.evaluation.scheme import default_scheme


def grid_name(i: int) -> str:
    return f"测试网格{i:03d}"


def figures(i: int, total: float, *, rank: int, previous_rank: int | None = None,
            adjustments: float = 0.0) -> ev.Figures:
    scheme = default_scheme()
    indicators = {}
    for ind in scheme.indicators:
        score = max(0.0, min(1.0, (total - adjustments) / 100.0))
        indicators[ind.key] = ev.IndicatorScore(
            key=ind.key, name=ind.name, weight=ind.weight, numerator=round(score * 40), denominator=40,
            numerator_label="分子", denominator_label="分母", score=score, points=round(ind.weight * score, 2),
            value=None if ind.target is None else score * ind.target, target=ind.target)
    change = None if previous_rank is None else previous_rank - rank
    return ev.Figures(level="网格", grid_id=i, name=grid_name(i), community_id=1, community_name="幸福社区",
                      households=500, residents=1200, indicators=indicators, manual_adjustments=adjustments,
                      card_adjustments=0.0, adjustments=adjustments, total=total, rank=rank,
                      previous_rank=previous_rank, rank_change=change)


def bulletin(n: int = 40, month: str = "2026-10", published: int | None = 1) -> rev.BulletinData:
    """``n`` grids; grid i has total 99 − 0.7·i (so rank i+1) — except two ties at the end."""
    rows = []
    for i in range(n):
        total = round(99 - 0.7 * i, 2)
        rows.append(figures(i + 1, total, rank=i + 1, previous_rank=(i + 3) if i % 3 == 0 else i + 1))
    scheme = default_scheme()
    adjustment = ev.Adjustment(id=1, period=month, grid_id=2, community_id=None, target_name=grid_name(2),
                               points=2.0, reason="红色议事厅化解停车难题", author="王主任", source="手工",
                               at=f"{month}-20 10:00:00")
    card = ev.Adjustment(id=None, period=month, grid_id=n, community_id=None, target_name=grid_name(n),
                         points=-1.0, reason="督办黄牌：事项 2026-10-0042 逾期未办结", author="赵督导",
                         source="督办", at=f"{month}-25 09:00:00", matter_number="2026-10-0042")
    rows[1].adjustments = 2.0
    rows[-1].adjustments = -1.0
    return rev.BulletinData(
        community_name="幸福社区", title=f"幸福社区{month_text(month)}网格月度评比通报",
        issuing_body="幸福社区居民委员会", month=month, month_text=month_text(month),
        as_of=f"{month}-31 23:59:59", published_version=published,
        summary=[("参评网格", f"{n} 个"), ("平均分", "85.00"), ("最高分", f"99.00（{grid_name(1)}）"),
                 ("最低分", f"{rows[-1].total:.2f}（{grid_name(n)}）")],
        indicator_keys=scheme.keys, indicator_names=[i.name for i in scheme.indicators], rows=rows,
        red_list=rows[:3], black_list=rows[-3:], adjustments=[adjustment, card], communities=[],
        scheme=scheme, scheme_lines=scheme.describe(), issued_on="2026年11月3日")


def annual(n: int = 30, year: int = 2026) -> rev.AnnualData:
    scheme = default_scheme()
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    rows = []
    for i in range(n):
        total = round(95 - 1.3 * i, 2)
        monthly = {m: total for m in months}
        if i == 0:
            monthly[months[0]] = None  # grid established in February
        rows.append(ev_annual.AnnualRow(grid_id=i + 1, name=grid_name(i + 1), community_name="幸福社区",
                                 monthly=monthly, months_counted=11 if i == 0 else 12, mean=total,
                                 adjustments=0.0, total=total, grade=scheme.grade(total), rank=i + 1))
    grades = [g for g, _ in scheme.grades] + ["不合格"]
    return rev.AnnualData(community_name="幸福社区", year=year, title=f"幸福社区{year}年度网格考评结果",
                         issuing_body="幸福社区居民委员会", months=months, rows=rows, adjustments=[],
                         grade_counts=[(g, sum(1 for r in rows if r.grade == g)) for g in grades],
                         scheme=scheme, scheme_lines=scheme.describe(), issued_on="2027年1月5日")


def header(scope: str = "全部网格", period: str = "2026年10月") -> rd.ReportHeader:
    return rd.ReportHeader(issuer="幸福社区居民委员会", community="幸福社区", period_label=period, scope=scope,
                           printed_at="2026-11-02 09:00", operator="测试员")


def matters_ledger(n: int = 120) -> rd.MattersLedgerData:
    rows = [rd.MatterRow(number=f"2026-10-{i:04d}", registered_at=f"2026-10-{1 + i % 28:02d} 09:00",
                         source="巡查走访", category="邻里纠纷", level="私事", grid=grid_name(1 + i % 5),
                         location="3号楼1单元301", reporter="张三 138****0000",
                         description=f"第{i}件：楼上楼下漏水，双方争执不下，需要网格员上门调解。",
                         assignee="刘网格", state="已办结", closed_at="2026-10-20 10:00", result="已调解",
                         satisfaction="满意", late=i % 7 == 0, is_dispute=True) for i in range(1, n + 1)]
    summary = [rd.DisputeSummaryRow("邻里纠纷", n, n, n, 0, 0, 0)]
    total = rd.DisputeSummaryRow("合计", n, n, n, 0, 0, 0)
    return rd.MattersLedgerData(header=header(), date_from="2026-10-01", date_to="2026-10-31", rows=rows,
                                summary=summary, total=total, by_state={"已办结": n})
