"""Operations: what a user action returns (after Anki's ``OpChanges``), and how one is made.

Every user action is one function in models/ that checks the permission table
(:mod:`models.core.permissions`), runs in one transaction (``with ledger.write():``) and
returns a :class:`Changes` naming the areas it changed.  The UI runs it through
``ui.ops.LedgerOp`` and tells the visible pages from the returned changes.

The :func:`operation` decorator makes a function such an action without repeating the
three steps in every body::

    @operation("records.edit", "visits")
    def record_visit(ledger, *, visited_on, ...) -> int:
        ...                                   # checks, then writes; returns the new id

    record_visit(ledger, visited_on=...)       # → 17 (import, demo, tests, other actions)
    record_visit.op(ledger, visited_on=...)    # → Changes(areas={"visits"}, result=17) (the UI)

Both calls check the permission and run in one transaction; ``.op`` only wraps the
result in :class:`Changes`.  A function that knows better which areas it changed
returns a :class:`Changes` itself; ``.op`` passes it on unchanged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable

from models.core.permissions import require

#: the areas pages listen for; "*" means everything (another ledger, an import …)
AREAS = ("residents", "grids", "matters", "visits", "meetings", "volunteers", "evaluation", "street",
         "settings", "users", "*")


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


def operation(action: str | tuple[str, ...] | None, *areas: str) -> Callable:
    """Make ``fn(ledger, ...)`` a user action: permission, one transaction, and ``.op``.

    Args:
        action: the row(s) of :data:`models.core.permissions.PERMISSIONS` the operator
            needs, checked before anything is read or written; ``None`` when the
            function checks a permission that depends on its arguments itself (the
            matter workflow: ``matter.<动作>``).
        areas: what the action changes (:data:`AREAS`), for ``.op``'s :class:`Changes`.

    Returns:
        a decorator.  The decorated function keeps its signature and result; its
        attribute ``op`` runs it the same way and returns ``Changes.of(*areas,
        result=…)`` (or the :class:`Changes` the function returned).
    """
    actions = (action,) if isinstance(action, str) else tuple(action or ())
    Changes.of(*areas)  # an unknown area is a bug: fail at import time

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(ledger, *args, **kwargs):
            for needed in actions:
                require(ledger, needed)
            with ledger.write():
                return fn(ledger, *args, **kwargs)

        def op(ledger, *args, **kwargs) -> Changes:
            result = run(ledger, *args, **kwargs)
            return result if isinstance(result, Changes) else Changes.of(*areas, result=result)

        op.__name__ = op.__qualname__ = f"{fn.__name__}.op"
        op.__doc__ = f"{fn.__name__} returning :class:`Changes` ({', '.join(areas)})."
        run.op = op
        run.permissions = actions
        run.areas = frozenset(areas)
        return run

    return decorate
