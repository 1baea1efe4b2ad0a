"""A month's evaluation against the hand-computed October (tests/models/evaluation/evaluation_builders.py)."""

from __future__ import annotations

import threading

import pytest

from models.core.db import Operator
from models.core.parallel import THREAD_PREFIX
from models.evaluation import counts, monthly, publishing
from models.evaluation.trace import trace
from models.ledger import open_db
from tests.models.evaluation.evaluation_builders import (CN, MONTH, act, grid_id, household, mixed_households,
                                                         resident)
from models.visits import records as visits

EXPECTED_A = {  # key: (numerator, denominator, score)
    "on_time": (3, 6, 0.5),
    "satisfaction": (2, 3, 2 / 3),
    "visit_coverage": (2, 3, 2 / 3),
    "discovery": (2, 3, 1.0),
    "volunteer": (0.3, 4, 0.75),
    "completeness": (3, 4, 0.75),
}


def test_grid_a_indicators_match_hand_computed_table(ledger, october):
    result = monthly.evaluate(ledger, MONTH)
    a = result.grid(october["A"])
    assert (a.households, a.residents) == (3, 4)
    for key, (num, den, score) in EXPECTED_A.items():
        ind = a.indicators[key]
        assert (ind.numerator, ind.denominator) == pytest.approx((num, den)), key
        assert ind.score == pytest.approx(score), key
    assert a.indicators["volunteer"].value == pytest.approx(7.5)
    assert a.indicators["discovery"].value == pytest.approx(66.6667)
    assert (a.manual_adjustments, a.card_adjustments, a.adjustments) == (2.0, -1.0, 1.0)
    assert a.total == 67.25


def test_ranking_with_ties_and_which_grids_are_evaluated(ledger, october):
    result = monthly.evaluate(ledger, MONTH)
    table = [(g.name, g.total, g.rank) for g in result.grids]
    assert table == [("三网格", 100.0, 1), ("一网格", 67.25, 2), ("二网格", 67.25, 2), ("四网格", 66.67, 4)]
    assert result.as_of == "2026-10-31 23:59:59"


def test_empty_grid_scores_one_everywhere(ledger, october):
    c = monthly.evaluate(ledger, MONTH).grid(october["C"])
    assert all(i.score == 1.0 and i.denominator == 0 for i in c.indicators.values())


def test_community_figures_pool_counts_and_count_community_wide_activities(ledger, october):
    result = monthly.evaluate(ledger, MONTH)
    (community,) = result.communities
    ind = community.indicators
    assert (community.households, community.residents) == (7, 8)
    assert (ind["on_time"].numerator, ind["on_time"].denominator) == (3, 6)
    assert (ind["visit_coverage"].numerator, ind["visit_coverage"].denominator) == (3, 7)
    assert (ind["completeness"].numerator, ind["completeness"].denominator) == (7, 8)
    # 0.3 h of 一网格 + 4 h of the community-wide 义诊进社区; grids never get the latter
    assert ind["volunteer"].numerator == pytest.approx(4.3)
    assert sum(g.indicators["volunteer"].numerator for g in result.grids) == pytest.approx(0.3)
    # 30×0.5 + 25×2/3 + 20×3/7 + 10×1 + 10×1 + 5×7/8 = 15 + 16.667 + 8.571 + 20 + 4.375
    # = 64.6130… → 64.61; no community adjustments (the grids' adjustments are theirs)
    assert community.total == 64.61


def test_november_sees_the_big_matter_and_the_red_card(ledger, october):
    a = monthly.evaluate(ledger, "2026-11").grid(october["A"])
    # due in November (as of 30 Nov): m3 (open, deadline 11-24: late), m8 and m9 (deadline 11-30, open: late)
    assert (a.indicators["on_time"].numerator, a.indicators["on_time"].denominator) == (0, 3)
    assert (a.indicators["satisfaction"].numerator, a.indicators["satisfaction"].denominator) == (1, 1)
    assert a.card_adjustments == -2.0 and a.manual_adjustments == -3.0


def test_cancelled_before_month_end_never_counts_but_cancelled_after_does(ledger, october):
    numbers = {r["编号"] for r in trace(ledger, MONTH, october["A"], "on_time")}
    m5, m6 = october["matters"][4], october["matters"][5]
    number = lambda mid: ledger.scalar("SELECT number FROM matters WHERE id = ?", [mid])  # noqa: E731
    assert number(m5) not in numbers
    assert number(m6) in numbers


def test_figures_do_not_change_when_later_events_arrive(ledger, october, clock):
    before = monthly.evaluate(ledger, MONTH)
    clock.set(2026, 12, 5, 9, 0, 0)
    act(ledger, october["matters"][2], "办结", "2026-12-01 09:00:00", result="拆除")
    after = monthly.evaluate(ledger, MONTH)
    assert [(g.grid_id, g.total) for g in after.grids] == [(g.grid_id, g.total) for g in before.grids]


def test_rank_change_against_published_previous_month(ledger, october):
    publishing.publish(ledger, "2026-09")
    oct_ = monthly.evaluate(ledger, MONTH, with_previous=True)
    sept = monthly.month_figures(ledger, "2026-09")
    for g in oct_.grids:
        assert g.previous_rank == sept.grid(g.grid_id).rank
        assert g.rank_change == g.previous_rank - g.rank


def test_month_with_previous_and_a_batch_match_months_computed_alone(ledger, clock):
    clock.set(2026, 12, 5, 9, 0, 0)
    mixed_households(ledger)
    months = ["2026-09", "2026-10", "2026-11"]
    alone = {m: monthly.evaluate(ledger, m) for m in months}
    together = monthly.months_figures(ledger, months)
    for m in months:
        assert together[m].figures_dict() == alone[m].figures_dict(), m
    page = monthly.evaluate(ledger, "2026-10", with_previous=True)
    assert page.figures_dict()["grids"] == [
        dict(g, previous_rank=p.rank, rank_change=p.rank - g["rank"])
        for g in alone["2026-10"].figures_dict()["grids"]
        for p in alone["2026-09"].grids if p.grid_id == g["grid_id"]]
    one = page.grid(grid_id(ledger, "一网格"))
    # present at the end of October: 静甲 动甲 | 静乙 动乙 | 静丙 | 动丁 | 静己 | 动辛 (8 in 6 households)
    assert (one.households, one.residents) == (6, 8)
    assert one.indicators["completeness"].numerator == 5      # 动甲 no ID; 静丙 no phone in the household
    assert one.indicators["visit_coverage"].numerator == 5    # h0 h1 h2 h3 h7 (h4 h6 h8 inactive)
    assert ledger.query("SELECT name FROM sqlite_temp_master WHERE type = 'table'") == []


@pytest.mark.parametrize("cores", [1, 2, 4])
def test_months_computed_on_several_connections_match_one_by_one(ledger_path, clock, monkeypatch, cores):
    clock.set(2027, 1, 15, 9, 0, 0)
    led = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    try:
        homes = [household(led, "一网格", f"10{n}") for n in range(3)] + [household(led, "二网格", "201")]
        for n, h in enumerate(homes):
            resident(led, h, f"居民{CN[n]}", phone="13800000000" if n % 2 else "")
        for month, h in ((3, homes[0]), (5, homes[1]), (5, homes[3]), (9, homes[2])):
            visits.record_visit(led, visited_on=f"2026-{month:02d}-10", staff_name="王网格员", way="入户",
                                household_ids=[h])
        publishing.publish(led, "2026-02")
        monkeypatch.setattr("os.cpu_count", lambda: cores)
        seen = []
        together = monthly.months_figures(led, [f"2026-{m:02d}" for m in range(1, 13)],
                                          progress=lambda done, total: seen.append(
                                              (done, total, threading.current_thread() is threading.main_thread())))
        assert together["2026-02"].published_version == 1
        for month, result in together.items():
            alone = monthly.evaluate(led, month)
            assert [(g.grid_id, g.total, g.rank) for g in result.grids] == \
                   [(g.grid_id, g.total, g.rank) for g in alone.grids], month
        # one report per month, counted up, always on the calling thread
        assert seen == [(n, 12, True) for n in range(1, 13)]
    finally:
        led.close()


def test_on_a_file_the_households_are_counted_on_a_worker_connection(ledger_path, clock, monkeypatch):
    clock.set(2026, 12, 5, 9, 0, 0)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    led = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    try:
        mixed_households(led)
        memory = open_db(None, operator=Operator("测试员"), clock=clock, community_name="幸福社区")
        try:
            mixed_households(memory)
            for month in ("2026-09", "2026-10", "2026-11"):
                assert monthly.evaluate(led, month, with_previous=True).figures_dict() == \
                    monthly.evaluate(memory, month, with_previous=True).figures_dict(), month
        finally:
            memory.close()
        threads = []
        real = counts.household_counts

        def spy(ledger, month, *args):
            # the thread that does the counting (recorded where it runs, so no race)
            threads.append(threading.current_thread().name)
            return real(ledger, month, *args)

        monkeypatch.setattr(counts, "household_counts", spy)
        assert monthly.evaluate(led, "2026-10", with_previous=True)   # remembered: nothing written since
        assert threads == []
        with led.write():   # any change: counted again
            led.set_setting("无关设置", "1")
        alone = monthly.evaluate(led, "2026-10", with_previous=True)
        assert len(threads) == 2 and all(name.startswith(THREAD_PREFIX) for name in threads), threads
        threads.clear()
        with led.write():   # inside a write transaction: same connection (sees its own rows)
            h = household(led, "一网格", "999")
            resident(led, h, "未提交")
            inside = monthly.evaluate(led, "2026-10", with_previous=True).grid(grid_id(led, "一网格"))
            assert inside.residents == alone.grid(grid_id(led, "一网格")).residents + 1
            assert inside.households == alone.grid(grid_id(led, "一网格")).households + 1
        assert threads == ["MainThread", "MainThread"]
    finally:
        led.close()


def test_counts_remembered_on_one_connection_follow_a_save_on_another(ledger_path, clock):
    """The window evaluates on a worker connection and saves on another: the page shown
    again after a save has the new figures, never the remembered ones."""
    clock.set(2026, 12, 5, 9, 0, 0)
    page = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    clerk = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    try:
        mixed_households(clerk)
        before = monthly.evaluate(page, "2026-10", with_previous=True).grid(grid_id(page, "一网格"))
        again = monthly.evaluate(page, "2026-10", with_previous=True).grid(grid_id(page, "一网格"))
        assert again.residents == before.residents
        with clerk.write():
            resident(clerk, household(clerk, "一网格", "998"), "后来登记")
        after = monthly.evaluate(page, "2026-10", with_previous=True).grid(grid_id(page, "一网格"))
        assert after.residents == before.residents + 1
    finally:
        page.close()
        clerk.close()
