"""What clerks type into date and time fields (issue 13): one parser, tested as a table."""

import datetime as dt

import pytest

from models.core.periods import parse_typed_date, parse_typed_datetime, parse_typed_time

CURRENT = dt.datetime(2026, 10, 15, 9, 30)


@pytest.mark.parametrize("text, expected", [
    ("1130", dt.time(11, 30)), ("11.30", dt.time(11, 30)), ("11:30", dt.time(11, 30)),
    ("11：30", dt.time(11, 30)), ("930", dt.time(9, 30)), ("0930", dt.time(9, 30)), ("9", dt.time(9, 0)),
    ("11点30", dt.time(11, 30)), ("23:59", dt.time(23, 59)), ("１１３０", dt.time(11, 30)),
    ("2400", None), ("1160", None), ("11:3x", None), ("", None), ("12345", None),
])
def test_typed_times(text, expected):
    assert parse_typed_time(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("20261130", dt.date(2026, 11, 30)), ("2026.11.30", dt.date(2026, 11, 30)),
    ("2026-11-30", dt.date(2026, 11, 30)), ("2026/11/30", dt.date(2026, 11, 30)),
    ("2026年11月30日", dt.date(2026, 11, 30)), ("2025-1-5", dt.date(2025, 1, 5)),
    ("11-30", dt.date(2026, 11, 30)), ("11.30", dt.date(2026, 11, 30)), ("11/30", dt.date(2026, 11, 30)),
    ("11月30日", dt.date(2026, 11, 30)), ("1130", dt.date(2026, 11, 30)), ("2-30", None),
    ("20261131", None), ("45000", None), ("明天", None), ("", None),
])
def test_typed_dates(text, expected):
    assert parse_typed_date(text, 2026) == expected


@pytest.mark.parametrize("text, has_date, has_time, expected", [
    # a field with both: four digits or 11.30 are a time of the day it holds
    ("1130", True, True, dt.datetime(2026, 10, 15, 11, 30)),
    ("11.30", True, True, dt.datetime(2026, 10, 15, 11, 30)),
    ("11:30", True, True, dt.datetime(2026, 10, 15, 11, 30)),
    # a date keeps the time
    ("20261130", True, True, dt.datetime(2026, 11, 30, 9, 30)),
    ("2026.11.30", True, True, dt.datetime(2026, 11, 30, 9, 30)),
    ("2026-11-30", True, True, dt.datetime(2026, 11, 30, 9, 30)),
    ("11-30", True, True, dt.datetime(2026, 11, 30, 9, 30)),
    ("20261130 1130", True, True, dt.datetime(2026, 11, 30, 11, 30)),
    ("2026-11-30 11:30", True, True, dt.datetime(2026, 11, 30, 11, 30)),
    # a date field: 1130 and 11.30 are the 30th of November of the year it holds
    ("1130", True, False, dt.datetime(2026, 11, 30, 9, 30)),
    ("11.30", True, False, dt.datetime(2026, 11, 30, 9, 30)),
    ("2026.11.30", True, False, dt.datetime(2026, 11, 30, 9, 30)),
    ("20261130 1130", True, False, None),
    # a time field
    ("1130", False, True, dt.datetime(2026, 10, 15, 11, 30)),
    ("2026-11-30", False, True, None),
    ("abc", True, True, None), ("", True, True, None), ("1 2 3", True, True, None),
])
def test_typed_date_times(text, has_date, has_time, expected):
    assert parse_typed_datetime(text, CURRENT, has_date=has_date, has_time=has_time) == expected
