"""The "present at a moment" rule (SPEC §3), in one place for every month-end count.

A resident is present at the end of day D when the move-in date is unknown or
≤ D and there is no move-out/death date ≤ D.  Someone who moved out on
31 October is no longer counted at the end of October.  A household is active
when at least one of its residents is present.
"""

from __future__ import annotations


def is_present(moved_in_on: str | None, status: str, status_date: str | None, day: str) -> bool:
    """Python form of the rule; ``day`` and the dates are ``YYYY-MM-DD`` strings."""
    if moved_in_on and moved_in_on > day:
        return False
    if status != "在册" and (not status_date or status_date <= day):
        return False        # gone without a date counts as gone, as in present_sql()
    return True


def present_sql(alias: str = "r", day_param: str = ":day") -> str:
    """SQL form of the rule for a ``residents`` row aliased ``alias``.

    ``day_param`` is the placeholder bound to the ``YYYY-MM-DD`` day.  A resident
    whose status is not 在册 but whose status date is missing is treated as gone.
    """
    a = alias
    return (f"(({a}.moved_in_on IS NULL OR {a}.moved_in_on <= {day_param})"
            f" AND ({a}.status = '在册' OR ({a}.status_date IS NOT NULL AND {a}.status_date > {day_param})))")
