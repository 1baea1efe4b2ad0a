"""cli.clock: ``GRIDLEDGER_NOW`` → the clock every ledger of a command runs on."""

import datetime as dt
import time

import pytest

from cli.clock import NOW_VARIABLE, BadNow, clock_from_env, parse_now, ticking_from


@pytest.mark.parametrize("text, expected", [
    ("2026-10-31T18:00", dt.datetime(2026, 10, 31, 18, 0)),
    ("2026-10-31 18:00", dt.datetime(2026, 10, 31, 18, 0)),
    ("2026-12-31T23:30:59", dt.datetime(2026, 12, 31, 23, 30, 59)),
    (" 2027-03-01 00:05:00 ", dt.datetime(2027, 3, 1, 0, 5)),
])
def test_accepted_forms(text, expected):
    assert parse_now(text) == expected


@pytest.mark.parametrize("text", ["2026-10-31", "2026-10-31T18", "2026-02-30T08:00", "18:00", "now", ""])
def test_rejected_forms_say_what_is_expected(text):
    with pytest.raises(BadNow, match="应为 YYYY-MM-DDTHH:MM"):
        parse_now(text)


def test_unset_or_empty_means_the_real_clock():
    assert clock_from_env({}) is None
    assert clock_from_env({NOW_VARIABLE: "  "}) is None


def test_the_clock_starts_at_the_moment_and_ticks_on(monkeypatch):
    ticks = iter([100.0, 100.0, 161.5])
    monkeypatch.setattr(time, "monotonic", lambda: next(ticks))
    clock = ticking_from(dt.datetime(2026, 12, 31, 23, 59, 30))
    assert clock() == dt.datetime(2026, 12, 31, 23, 59, 30)
    assert clock() == dt.datetime(2027, 1, 1, 0, 0, 31, 500000)


def test_clock_from_env_parses_the_variable():
    clock = clock_from_env({NOW_VARIABLE: "2027-03-01T00:05"})
    assert dt.timedelta(0) <= clock() - dt.datetime(2027, 3, 1, 0, 5) < dt.timedelta(seconds=5)
