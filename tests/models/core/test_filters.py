"""The list filters' shared part: period, equality and search-text conditions, run on SQLite."""

import sqlite3
from dataclasses import dataclass

import pytest

from models.core.errors import ValidationError
from models.core.filters import ListFilter, like_pattern


@dataclass
class ThingFilter(ListFilter):
    kind: str | None = None


@pytest.fixture
def things():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT, day TEXT, grid_id INTEGER, kind TEXT, body TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", [
        (1, "2026-09-30 23:59:59", "2026-09-30", 1, "甲", "路灯 不亮"),
        (2, "2026-10-01 00:00:00", "2026-10-01", 1, "乙", "100% 满意"),
        (3, "2026-10-31 23:59:59", "2026-10-31", 2, "甲", "a_b"),
        (4, "2026-11-01 00:00:00", "2026-11-01", 2, "", "axb"),
    ])
    yield conn
    conn.close()


def _ids(conn, clauses, params):
    where = " AND ".join(clauses) or "1"
    return [r[0] for r in conn.execute(f"SELECT id FROM t WHERE {where} ORDER BY id", params)]


@pytest.mark.parametrize("date_from, date_to, by_time, by_day", [
    (None, None, [1, 2, 3, 4], [1, 2, 3, 4]),
    ("2026-10-01", "2026-10-31", [2, 3], [2, 3]),     # the last day counts to its last second
    ("2026-10-01", None, [2, 3, 4], [2, 3, 4]),
    (None, "2026-09-30", [1], [1]),
    ("2026-10-31", "2026-10-01", [], []),             # crossed date edits: nothing, not an error
])
def test_period_clauses_on_timestamps_and_dates(things, date_from, date_to, by_time, by_day):
    flt = ThingFilter(date_from=date_from, date_to=date_to)
    assert _ids(things, *flt.period_clauses("at", timestamps=True)) == by_time
    assert _ids(things, *flt.period_clauses("day")) == by_day


def test_open_ends_add_no_clause():
    assert ThingFilter(date_to="2026-10-31").period_clauses("day") == (["day <= ?"], ["2026-10-31"])
    assert ThingFilter().period_clauses("day") == ([], [])


@pytest.mark.parametrize("date_from, date_to, message", [
    ("2026-10-32", None, "开始日期“2026-10-32”格式不对"),
    (None, "昨天", "结束日期“昨天”格式不对"),
])
def test_malformed_dates_are_the_clerks_error(date_from, date_to, message):
    with pytest.raises(ValidationError, match=message):
        ThingFilter(date_from=date_from, date_to=date_to).period_clauses("day")


def test_period_is_checked_both_ways():
    assert ThingFilter(date_from="2026-10-01").period() == ("2026-10-01", "9999-12-31")
    with pytest.raises(ValidationError, match="开始日期不能晚于结束日期"):
        ThingFilter(date_from="2026-10-31", date_to="2026-10-01").period()


@pytest.mark.parametrize("flt, ids", [
    (ThingFilter(), [1, 2, 3, 4]),
    (ThingFilter(grid_id=2), [3, 4]),
    (ThingFilter(kind="甲"), [1, 3]),
    (ThingFilter(kind=""), [1, 2, 3, 4]),             # an empty choice does not filter
    (ThingFilter(grid_id=1, kind="甲"), [1]),
])
def test_equal_clauses_for_the_fields_that_are_set(things, flt, ids):
    assert _ids(things, *flt.equal_clauses("t", "grid_id", "kind")) == ids


@pytest.mark.parametrize("text, ids", [
    ("路灯 不亮", [1]),
    ("  路灯 \t 不亮 ", [1]),
    ("100%", [2]),
    ("%", [2]),
    ("_", [3]),
    ("a_b", [3]),
])
def test_search_text_is_literal(things, text, ids):
    flt = ThingFilter(text=text)
    assert _ids(things, ["body LIKE ? ESCAPE '\\'"], [like_pattern(flt.search_text())]) == ids


def test_blank_search_text_is_no_search():
    assert ThingFilter(text=" \t ").search_text() == ""
    assert ThingFilter(text=None).search_text() == ""
