"""What the evaluation printouts gather: the bulletin, the scorecards, the annual assessment."""

from __future__ import annotations

from models.core.issuer import set_report_issuer
from models.evaluation import publishing
from models.evaluation.adjustments import add_adjustment
from models.visits import records as visits
from models.reporting import evaluation_data as rev
from tests.models.evaluation.evaluation_builders import CN, MONTH, grid_id, household, resident


def test_bulletin_data(ledger, october):
    data = rev.monthly_bulletin_data(ledger, MONTH)
    assert data.title == "幸福社区2026年10月网格月度评比通报"
    assert (data.month_text, data.as_of, data.issued_on) == ("2026年10月", "2026-10-31 23:59:59", "2026年11月20日")
    assert [r.name for r in data.red_list] == ["三网格", "一网格", "二网格"]
    assert [r.name for r in data.black_list] == ["四网格"]
    assert data.indicator_names == ["按期办结率", "群众满意率", "走访覆盖率", "问题发现", "志愿服务", "台账完整率"]
    assert {a.reason for a in data.adjustments} >= {"创建文明楼栋", "协助街道完成专项任务"}
    assert any(a.source == "督办" and a.points == -1 for a in data.adjustments)
    assert data.published_version is None
    summary = dict(data.summary)
    assert summary["参评网格"] == "4 个"
    assert summary["平均分"] == "75.29"          # (100 + 67.25 + 67.25 + 66.67) / 4 = 75.2925
    assert summary["最高分"] == "100.00（三网格）" and summary["最低分"] == "66.67（四网格）"
    assert summary["全社区在住户数 / 在住人数"] == "7 户 / 8 人"
    assert summary["全社区志愿服务"] == "100.00%（53.75 小时/百人，目标 10）"   # 4.3 h for 8 residents
    assert summary["全社区按期办结率"] == "50.00%（3/6）"
    assert summary["加减分"] == "3 项，合计 8.25 分"
    # September: 三网格 100 (1); the others had households but no activity
    assert data.rows[1].previous_rank is not None and data.rows[1].rank_change_text
    assert any("黄牌" in line for line in data.scheme_lines)


def test_bulletin_of_a_published_month_is_signed_on_its_date(ledger, october, clock):
    publishing.publish(ledger, MONTH)
    clock.set(2026, 12, 3, 9, 0, 0)
    data = rev.monthly_bulletin_data(ledger, MONTH)
    assert (data.published_version, data.issued_on) == (1, "2026年11月20日")


def test_scorecard_data(ledger, october):
    data = rev.scorecard_data(ledger, MONTH)
    assert data.title == "幸福社区2026年10月网格评分卡"
    card = next(c for c in data.cards if c.figures.grid_id == october["A"])
    on_time = card.lines[0]
    assert (on_time.name, on_time.numerator, on_time.denominator, on_time.score) == ("按期办结率", 3, 6, 0.5)
    assert on_time.numerator_label == "按期办结件数"
    assert on_time.formula == "本月应办结事项中按期办结的件数 ÷ 本月应办结事项件数"
    assert len(card.adjustments) == 2
    assert [c.figures.rank for c in data.cards] == [1, 2, 2, 4]


def test_red_and_black_lists_keep_ties_together(ledger, clock):
    """Totals 80, 70, 60, 60, 50, 40, 40: red = ranks 1–3 (+ the tie), black = the last 3 places."""
    clock.set(2026, 11, 20, 12, 0, 0)
    points = [80, 70, 60, 60, 50, 40, 40]
    for n, p in enumerate(points):
        h = household(ledger, f"网格{n}", "101")
        resident(ledger, h, f"居民{CN[n]}", phone="13800000000")  # 30 + 25 + 0 + 0 + 0 + 5 = 60
        if p != 60:
            add_adjustment(ledger, MONTH, p - 60, "调整", grid_id=grid_id(ledger, f"网格{n}"))
    data = rev.monthly_bulletin_data(ledger, MONTH)
    assert [(r.name, r.rank) for r in data.red_list] == [("网格0", 1), ("网格1", 2), ("网格2", 3), ("网格3", 3)]
    assert [(r.name, r.rank) for r in data.black_list] == [("网格4", 5), ("网格5", 6), ("网格6", 6)]


def test_annual_data_is_the_assessment_with_its_title_and_signature(ledger, clock):
    clock.set(2027, 1, 15, 9, 0, 0)
    h = household(ledger, "一网格", "101")
    resident(ledger, h, "张一", phone="13800000001")
    visits.record_visit(ledger, visited_on="2026-08-03", staff_name="王网格员", way="入户", household_ids=[h])
    data = rev.annual_data(ledger, 2026)
    assert (data.title, data.issuing_body, data.issued_on) == (
        "幸福社区2026年度网格考评结果", "幸福社区居民委员会", "2027年1月15日")
    assert [(r.name, r.total, r.grade) for r in data.rows] == [("一网格", 61.67, "合格")]
    assert data.has_data
    assert data.scheme_lines == data.scheme.describe()


def test_the_issuer_setting_signs_every_evaluation_printout(ledger, october, clock):
    set_report_issuer(ledger, "幸福街道幸福社区居民委员会")
    assert rev.monthly_bulletin_data(ledger, MONTH).issuing_body == "幸福街道幸福社区居民委员会"
    clock.set(2027, 1, 15, 9, 0, 0)
    assert rev.annual_data(ledger, 2026).issuing_body == "幸福街道幸福社区居民委员会"
