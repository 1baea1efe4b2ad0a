"""Operations: what a user action returns (after Anki's ``OpChanges``).

Every user action is one function in models/ that checks the permission table
(:mod:`models.core.permissions`), runs in one transaction (``with ledger.write():``) and
returns a :class:`Changes` naming the areas it changed.  The UI runs it through
``ui.ops.LedgerOp`` and tells the visible pages from the returned changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: the areas pages listen for; "*" means everything (another ledger, an import …)
AREAS = ("residents", "grids", "matters", "visits", "meetings", "volunteers", "evaluation",
         "settings", "*")


@dataclass(frozen=True)
class Changes:
    """What an operation changed.

    Attributes:
        areas: the areas whose data changed (see :data:`AREAS`).
        result: the operation's own result (a new record's id, a summary …), if any.
    """

    areas: frozenset[str] = frozenset()
    result: Any = field(default=None, compare=False)

    def __post_init__(self):
        unknown = set(self.areas) - set(AREAS)
        if unknown:
            raise ValueError(f"unknown areas: {sorted(unknown)}")

    @classmethod
    def of(cls, *areas: str, result: Any = None) -> "Changes":
        return cls(frozenset(areas), result)

    def __bool__(self) -> bool:
        return bool(self.areas)


NOTHING = Changes()
