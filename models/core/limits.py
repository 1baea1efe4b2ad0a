"""Field length limits: the longest text each field of the ledger takes (issue 15).

One table, used by the import engine (every mapped cell of every kind, before any
rule looks at it), by the hierarchy's names (a grid, building, unit or room typed,
imported or created by the CLI) and by the search (terms longer than any field
cannot match).  The limits are far above what a real ledger holds and far below
what breaks anything: a cell pasted into the wrong column, or a 50 MB cell in a
hostile file, is refused with a Chinese sentence instead of creating a grid named
by it.
"""

from __future__ import annotations

#: field key (the import columns' keys, shared by every kind) → the most characters it takes.
FIELD_LIMITS: dict[str, int] = {
    # people and names
    "name": 40, "volunteer": 40, "reporter_name": 40, "assignee_name": 40, "staff_name": 40, "visitor": 40,
    "leader": 40, "relation": 20, "gender": 10, "ethnicity": 20, "political_status": 20,
    "residence_type": 20, "status": 20, "tags": 200,
    # numbers
    "id_number": 40, "phone": 100, "household_no": 40,
    # places
    "community": 50, "grid": 50, "compound": 50, "building": 50, "unit": 30, "room": 30, "address": 200,
    "place": 100,
    # activities and matters
    "title": 100, "type": 40, "org": 60, "source": 40, "category": 40, "level": 10, "satisfaction": 10,
    "way": 20,
    # free text
    "description": 5000, "result": 5000, "notes": 5000,
}
#: a field not in the table (dates, numbers, times …)
DEFAULT_LIMIT = 200

#: hierarchy level (as the clerk calls it) → field key
LEVELS = {"社区": "community", "网格": "grid", "楼栋": "building", "单元": "unit", "房号": "room",
          "小区": "compound", "人员": "name"}


def limit_of(key: str) -> int:
    """The most characters field ``key`` takes."""
    return FIELD_LIMITS.get(key, DEFAULT_LIMIT)


def too_long(title: str, value: str, limit: int) -> str:
    """The clerk's sentence for ``value`` (of the field called ``title``) over ``limit`` characters."""
    return (f"“{title}”有 {len(value):,} 个字，超过上限 {limit} 个字"
            "（可能填错了列或粘贴了多余内容）")


def clip(value: str, limit: int = 200) -> str:
    """``value`` cut for showing it back (error report, messages)."""
    return value if len(value) <= limit else value[:limit] + f"…（共 {len(value):,} 字，已截断）"
