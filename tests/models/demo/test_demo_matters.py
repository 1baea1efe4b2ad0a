"""The matters demo area: its bulk-written cache agrees with the event rules, and grids differ."""

import random

import pytest

from models.grids import hierarchy as grids
from models.matters import records as M
from models.demo import matters as demo


@pytest.fixture
def demo_ledger(ledger, clock):
    clock.set(2026, 11, 26, 15, 30, 0)
    community = grids.own_community_id(ledger)
    with ledger.write():
        for g in range(6):
            grid = grids.ensure_grid(ledger, community, f"第{g + 1}网格")
            for b in range(4):
                building = grids.ensure_building(ledger, grid, f"{b + 1}号楼", "阳光小区" if b % 2 else "")
                for u in range(2):
                    unit = grids.ensure_unit(ledger, building, f"{u + 1}单元")
                    for r in range(12):
                        grids.ensure_household(ledger, unit, f"{r // 2 + 1}0{r % 2 + 1}")
    demo.generate(ledger, random.Random(11), 576, 12, lambda _msg: None)
    return ledger


def test_cache_agrees_with_derive_state(demo_ledger):
    ids = [r[0] for r in demo_ledger.conn.execute("SELECT id FROM matters")]
    assert len(ids) > 300
    for matter_id in ids:
        matter = M.get_matter(demo_ledger, matter_id)
        derived = M.derive_state(M.matter_events(demo_ledger, matter_id))
        assert {k: matter[k] for k in derived} == derived, matter["number"]


def test_history_ends_now_and_numbers_run_per_month(demo_ledger):
    assert demo_ledger.scalar("SELECT MAX(at) FROM matter_events") <= "2026-11-26 15:30:00"
    assert demo_ledger.scalar("SELECT MAX(visited_on) FROM visits") <= "2026-11-26"
    assert demo_ledger.scalar("SELECT MIN(registered_at) FROM matters") >= "2025-12-01"
    for month, n, top in demo_ledger.conn.execute(
            "SELECT substr(number, 1, 7), COUNT(*), MAX(CAST(substr(number, 9) AS INTEGER)) FROM matters GROUP BY 1"):
        assert n == top
        assert month == demo_ledger.scalar("SELECT substr(MIN(registered_at), 1, 7) FROM matters"
                                           " WHERE number LIKE ? || '-%'", [month])
    # the search index covers every matter
    assert demo_ledger.scalar("SELECT COUNT(*) FROM matter_fts") == demo_ledger.scalar("SELECT COUNT(*) FROM matters")
    assert demo_ledger.scalar("SELECT COUNT(*) FROM visit_fts") == demo_ledger.scalar("SELECT COUNT(*) FROM visits")
    assert M.count(demo_ledger, M.MatterFilter(text="路灯")) == demo_ledger.scalar(
        "SELECT COUNT(*) FROM matters WHERE description LIKE '%路灯%' OR location_text LIKE '%路灯%'")


def test_variety_between_grids_and_workflow_coverage(demo_ledger):
    q = demo_ledger.scalar
    coverage = [r[0] for r in demo_ledger.conn.execute(
        "SELECT COUNT(DISTINCT vh.household_id) FROM visits v JOIN visit_households vh ON vh.visit_id = v.id"
        " WHERE v.visited_on LIKE '2026-10%' GROUP BY v.grid_id")]
    assert max(coverage) - min(coverage) > 20          # diligent and sloppy grids
    assert q("SELECT COUNT(*) FROM matter_events WHERE action = '督办'") > 0
    assert q("SELECT COUNT(*) FROM matter_events WHERE action = '上报'") > 0
    assert q("SELECT COUNT(*) FROM meeting_matters mm JOIN meetings m ON m.id = mm.meeting_id"
             " WHERE m.kind = '联席会议'") > 0
    assert q("SELECT COUNT(*) FROM meetings WHERE kind = '红色议事厅'") > 0
    assert q("SELECT COUNT(*) FROM matters WHERE state = '作废'") > 0
    assert q("SELECT COUNT(*) FROM matters WHERE source = '巡查走访' AND visit_id IS NULL") == 0
    summary = M.home_summary(demo_ledger)
    assert summary["awaiting_follow_up"]["count"] > 0
    assert summary["overdue"]["count"] + summary["due_today"]["count"] > 0
    assert sum(t["registered"] for t in summary["trend"]) > 300
