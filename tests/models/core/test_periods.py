"""models.core.periods: months and their bounds, periods, and the one date parser (forms and imports)."""

import datetime as dt

import pytest

from models.core import periods
from models.core.errors import ValidationError
from models.core.periods import parse_date, parse_timestamp


@pytest.mark.parametrize("month, first, last, nxt", [
    ("2026-02", "2026-02-01", "2026-02-28", "2026-03-01"),
    ("2028-02", "2028-02-01", "2028-02-29", "2028-03-01"),
    ("2026-12", "2026-12-01", "2026-12-31", "2027-01-01"),
    (" 2026-11 ", "2026-11-01", "2026-11-30", "2026-12-01"),
])
def test_month_bounds(month, first, last, nxt):
    m = periods.month(month)
    assert (m.first_day, m.last_day, m.next_first_day) == (first, last, nxt)
    assert (m.start_ts, m.end_ts) == (f"{first} 00:00:00", f"{last} 23:59:59")
    assert periods.month_days(month) == (first, last)


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-1", "10/2026", "", None])
def test_a_bad_month_says_what_is_expected(month):
    with pytest.raises(ValidationError, match="应为 YYYY-MM") as info:
        periods.month(month)
    assert info.value.field == "month"


def test_neighbouring_and_recent_months_cross_the_year():
    assert periods.previous_month("2027-01") == "2026-12" and periods.next_month("2026-12") == "2027-01"
    assert periods.recent_months(dt.datetime(2027, 1, 1, 0, 5), 3) == ["2027-01", "2026-12", "2026-11"]
    assert periods.months_of_year(2026)[::11] == ["2026-01", "2026-12"]
    assert periods.month_text("2026-03") == "2026年3月"


def test_periods_open_at_either_end_and_ordered():
    assert periods.period(None, None) == (periods.NO_START, periods.NO_END)
    assert periods.period("2026-10-01", "") == ("2026-10-01", periods.NO_END)
    with pytest.raises(ValidationError, match="开始日期不能晚于结束日期"):
        periods.period("2026-10-02", "2026-10-01")
    with pytest.raises(ValidationError, match="结束日期“2026-02-30”"):
        periods.period(None, "2026-02-30")


# -- dates as clerks type them -------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (dt.datetime(1990, 3, 7), "1990-03-07"), (dt.date(1990, 3, 7), "1990-03-07"),
    (32939, "1990-03-07"), (32939.0, "1990-03-07"), ("32939", "1990-03-07"),
    ("1990.3.7", "1990-03-07"), ("1990年3月7日", "1990-03-07"), ("1990 年 3 月 7 日", "1990-03-07"),
    ("1990/03/07", "1990-03-07"), ("1990-3-7", "1990-03-07"), ("19900307", "1990-03-07"),
    (19900307, "1990-03-07"), ("１９９０－３－７", "1990-03-07"), ("1990-03-07 08:30:00", "1990-03-07"),
    (None, None), ("", None), ("  ", None), ("\u3000", None),
])
def test_dates_as_clerks_write_them(value, expected):
    assert parse_date(value) == (expected, None)


@pytest.mark.parametrize("value, message", [
    ("1990-2-30", "“1990-2-30”不是有效的日期"), ("1990.13.1", "“1990.13.1”不是有效的日期"),
    ("明年", "“明年”不是有效的日期（请写成 1990-03-07 或 1990年3月7日）"),
    ("3/7", "“3/7”不是有效的日期（请写成 1990-03-07 或 1990年3月7日）"),
    (12, "“12”不是有效的日期"), (12.5, "“12.5”不是有效的日期"), (True, "“是”不是有效的日期（请写成 1990-03-07 或 1990年3月7日）"),
    # a year before 1900 is a typing error (it once came out as "68-02-19", which sorts after 2026)
    ("0068-02-19", "“0068-02-19”的年份 68 不合理"), ("1899-12-31", "“1899-12-31”的年份 1899 不合理"),
    (dt.date(68, 2, 19), "“0068-02-19”的年份 68 不合理"),
    (dt.datetime(999, 1, 1, 8, 0), "“0999-01-01 08:00:00”的年份 999 不合理"),
])
def test_bad_dates_have_a_message(value, message):
    assert parse_date(value) == (None, message)


def test_the_first_year_of_1900_is_a_date():
    assert parse_date("1900-01-01") == ("1900-01-01", None)
    assert parse_timestamp("1900-01-01 00:00") == ("1900-01-01 00:00:00", None)


def test_timestamps():
    assert parse_timestamp("2026-10-15 9:05") == ("2026-10-15 09:05:00", None)
    assert parse_timestamp("2026-10-15T09:05：30") == ("2026-10-15 09:05:30", None)
    assert parse_timestamp(dt.datetime(2026, 10, 15, 9, 5, 7, 999)) == ("2026-10-15 09:05:07", None)
    assert parse_timestamp(45352.5) == ("2024-03-01 12:00:00", None)


def test_half_width():
    assert periods.half_width("１２３ｘ\u3000（甲）") == "123x (甲)"
