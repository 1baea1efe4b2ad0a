"""The counts behind the indicators: the batch path (static residents summed once) and its indexes."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from models.core.db import Operator
from models.evaluation import counts
from models.residents import history
from models.ledger import migrate, open_db
from tests.models.evaluation.evaluation_builders import household, mixed_households, resident


@pytest.mark.parametrize("month", ["2026-08", "2026-09", "2026-10", "2026-11"])
def test_batch_household_counts_match_the_single_pass(ledger, clock, month):
    clock.set(2026, 12, 5, 9, 0, 0)
    mixed_households(ledger)
    alone = {g: c for g, c in counts.household_counts(ledger, month).items() if any(c)}
    with counts.StaticHouseholds(ledger) as static:
        batch = {g: c for g, c in counts.household_counts(ledger, month, static).items() if any(c)}
    assert batch == alone
    assert counts.households_of_months(ledger, ["2026-09", month])[month] == \
        counts.household_counts(ledger, month)
    assert ledger.query("SELECT name FROM sqlite_temp_master WHERE type = 'table'") == []


def test_month_counts_add_the_residents_without_a_household(ledger, clock):
    clock.set(2026, 12, 5, 9, 0, 0)
    h = household(ledger, "一网格", "101")
    resident(ledger, h, "有户", phone="13800000001")
    gid = ledger.scalar("SELECT id FROM grids WHERE name = '一网格'")
    with ledger.write():
        rid = ledger.db["residents"].insert(ledger.stamp({"name": "无户", "grid_id": gid}, creating=True)).last_rowid
        history.seed_from_rows(ledger.conn, [rid], None, ledger.now_ts(), "测试员")
    found = counts.month_counts(ledger, "2026-10").grids[gid]
    assert (found.households, found.residents, found.complete) == (1, 2, 1)
    assert counts.activity_counts(ledger, "2026-10").grids[gid].residents == 1


def test_m002_adds_the_resident_indexes_to_an_older_ledger(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    migrate(db, stop_before=["m002_evaluation_resident_indexes"])
    names = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "evaluation_residents_static" not in names
    db.conn.close()
    led = open_db(path, operator=Operator("测试员"), community_name="幸福社区")
    try:
        h = household(led, "一网格", "101")
        resident(led, h, "静甲", phone="13800000001")
        resident(led, h, "动甲", moved_in_on="2026-09-01")
        led.close()
        db = sqlite_utils.Database(sqlite3.connect(path))
        db.execute("DROP INDEX evaluation_residents_static")
        db.execute("DROP INDEX evaluation_residents_dynamic")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm002_evaluation_resident_indexes'")
        db.conn.commit()
        db.conn.close()
        led = open_db(path, operator=Operator("测试员"))
        names = {r["name"] for r in led.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"evaluation_residents_static", "evaluation_residents_dynamic"} <= names
        assert [r["name"] for r in led.query("SELECT name FROM residents ORDER BY id")] == ["静甲", "动甲"]
        plan = " ".join(r[3] for r in led.conn.execute(
            "EXPLAIN QUERY PLAN SELECT s.household_id, COUNT(*) FROM residence_spells s"
            f" WHERE {counts.DYNAMIC} AND s.household_id IS NOT NULL GROUP BY s.household_id"))
        assert "residence_spells_dynamic" in plan     # the counts read the spells (core m003) now
        with counts.StaticHouseholds(led) as static:
            assert counts.household_counts(led, "2026-10", static) == counts.household_counts(led, "2026-10")
    finally:
        led.close()


def test_a_batch_leaves_no_transaction_open_on_the_callers_connection(ledger_path, clock, monkeypatch):
    """The static sums go to a temporary table; filling it must not leave the caller in a
    transaction (a connection in one reads an old snapshot, and parallel reads switch off)."""
    from models.core.parallel import connections_for
    from models.evaluation import monthly

    monkeypatch.setattr("os.cpu_count", lambda: 1)     # everything on the caller's connection
    clock.set(2026, 12, 5, 9, 0, 0)
    led = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    try:
        mixed_households(led)
        monthly.months_figures(led, ["2026-09", "2026-10"])
        monthly.evaluate(led, "2026-10", with_previous=True)
        assert not led.conn.in_transaction
        monkeypatch.setattr("os.cpu_count", lambda: 2)
        assert connections_for(led, 2) == 2
        with led.write():     # inside the caller's own transaction it stays the caller's
            with counts.StaticHouseholds(led):
                assert led.conn.in_transaction
            assert led.conn.in_transaction
    finally:
        led.close()


def test_a_batch_split_by_its_own_month_ends_gives_every_month_the_single_pass_figures(ledger, clock):
    """A batch's static spells are those covering its first and last month end (dated ones
    too): every month of the batch, of any span, counts as the single pass; a month outside
    the batch falls back to the single pass."""
    clock.set(2026, 12, 5, 9, 0, 0)
    mixed_households(ledger)
    months = ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    alone = {m: counts.household_counts(ledger, m) for m in months}
    assert any(alone[m] != alone["2026-07"] for m in months)     # the history does change the counts
    for first in range(len(months)):
        for last in range(first, len(months)):
            batch = months[first:last + 1]
            with counts.StaticHouseholds(ledger, batch) as static:
                assert static.lo <= static.hi
                for m in months:
                    assert counts.household_counts(ledger, m, static) == alone[m], (batch, m)
            assert counts.households_of_months(ledger, list(reversed(batch))) == {m: alone[m] for m in batch}
    assert ledger.query("SELECT name FROM sqlite_temp_master WHERE type = 'table'") == []


def test_the_batch_reads_the_spells_through_the_m004_indexes(ledger, clock):
    clock.set(2026, 12, 5, 9, 0, 0)
    mixed_households(ledger)
    span = {"lo": "2026-09-30", "hi": "2026-10-31"}
    plan = " ".join(r[3] for r in ledger.conn.execute(
        "EXPLAIN QUERY PLAN SELECT s.household_id FROM residence_spells s"
        " WHERE s.household_id IS NOT NULL AND (s.from_date > :lo OR s.to_date <= :hi)", span))
    assert "residence_spells_from" in plan and "residence_spells_to" in plan
    plan = " ".join(r[3] for r in ledger.conn.execute(
        "EXPLAIN QUERY PLAN SELECT s.household_id, COUNT(*) FROM residence_spells s"
        " WHERE s.household_id IS NOT NULL AND (s.from_date IS NULL OR s.from_date <= :lo)"
        " AND (s.to_date IS NULL OR s.to_date > :hi) GROUP BY s.household_id", span))
    assert "COVERING INDEX residence_spells_month_end" in plan and "TEMP B-TREE" not in plan
