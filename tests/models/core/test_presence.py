"""The "present at the end of day D" rule (SPEC §3) at month boundaries, in Python and SQL."""

import pytest

from models.residents import records as R
from models.core.presence import is_present, present_sql
from tests.models.helpers_residents import household


@pytest.mark.parametrize("moved_in, status, status_date, day, present", [
    (None, "在册", None, "2026-10-31", True),                 # move-in unknown: present from the start
    (None, "在册", None, "1990-01-01", True),
    ("2026-11-01", "在册", None, "2026-10-31", False),        # moved in 1 Nov: not present end of Oct
    ("2026-11-01", "在册", None, "2026-11-30", True),
    ("2026-10-31", "在册", None, "2026-10-31", True),         # moved in on the last day: present
    (None, "迁出", "2026-10-31", "2026-10-31", False),        # moved out 31 Oct: gone at end of Oct
    (None, "迁出", "2026-10-31", "2026-10-30", True),
    (None, "迁出", "2026-11-01", "2026-10-31", True),         # moved out 1 Nov: still counted in Oct
    (None, "死亡", "2026-10-01", "2026-10-31", False),        # death
    (None, "死亡", "2026-10-01", "2026-09-30", True),
    ("2026-03-01", "迁出", "2026-10-15", "2026-02-28", False),
    ("2026-03-01", "迁出", "2026-10-15", "2026-06-30", True),
    (None, "迁出", None, "2026-10-31", False),                # gone without a date: treated as gone
])
def test_rule_in_python_and_sql(ledger, moved_in, status, status_date, day, present):
    assert is_present(moved_in, status, status_date, day) is present
    row = ledger.conn.execute(
        f"SELECT {present_sql('r', ':day')} FROM (SELECT :mi AS moved_in_on, :st AS status, :sd AS status_date) r",
        {"mi": moved_in, "st": status, "sd": status_date, "day": day}).fetchone()
    assert bool(row[0]) is present


def _present_at(ledger, day):
    return {r["name"] for r in ledger.query(f"SELECT name FROM residents r WHERE {present_sql('r', ':day')}",
                                            {"day": day})}


def test_month_end_counts_follow_the_recorded_dates(ledger, clock):
    clock.set(2026, 11, 20, 10, 0, 0)
    home = household(ledger)
    R.add_resident(ledger, {"name": "老住户", "household_id": home})
    leaver = R.add_resident(ledger, {"name": "迁出者", "household_id": home})
    newcomer = R.add_resident(ledger, {"name": "新来者", "household_id": home, "moved_in_on": "2026-11-01"})
    deceased = R.add_resident(ledger, {"name": "逝者", "household_id": home, "moved_in_on": "2001-05-01"})
    R.move_out(ledger, leaver, "2026-10-31")
    R.record_death(ledger, deceased, "2026-11-15")
    assert _present_at(ledger, "2026-09-30") == {"老住户", "迁出者", "逝者"}
    assert _present_at(ledger, "2026-10-30") == {"老住户", "迁出者", "逝者"}
    assert _present_at(ledger, "2026-10-31") == {"老住户", "逝者"}
    assert _present_at(ledger, "2026-11-30") == {"老住户", "新来者"}
    # a correction restores the past exactly; history is not rewritten by later edits
    R.restore_active(ledger, leaver, "2026-10-31", "误登记")
    assert _present_at(ledger, "2026-10-31") == {"老住户", "迁出者", "逝者"}
    assert newcomer and all(r["status"] for r in ledger.query("SELECT status FROM residents"))
