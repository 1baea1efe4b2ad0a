"""Demo residence history: some residents moved to another household (often in another grid),
some moved out and came back, and one grid was re-divided on the 15th of a past month.

Everything goes through the real operations (``move_to_household``, ``move_out``,
``restore_active``, ``redivide``), so the demo's spells and caches are exactly what a
clerk's work leaves (they write no audit rows here: the demo has one audit row of its own); a
case the rules refuse (a date before the person moved in) is simply skipped.
"""

from __future__ import annotations

import datetime as _dt
import random
from typing import Callable

from models.core.db import Ledger
from models.core.errors import ValidationError
from models.grids import hierarchy as grids
from models.residents import records as residents

#: share of the residents on the roll who moved household / moved out and came back
MOVE_SHARE = 0.003
RETURN_SHARE = 0.001
MIN_HOUSEHOLDS = 100


def generate(ledger: Ledger, rng: random.Random, households: int, months: int,
             progress: Callable[[str], None]) -> None:
    """Moves, returns and one re-division over the last ``months`` months (a demo of fewer than
    :data:`MIN_HOUSEHOLDS` households — the tests' tiny ledgers — keeps one spell per resident)."""
    if households < MIN_HOUSEHOLDS:
        return
    today = ledger.now().date()
    days = max(months, 2) * 30
    ids = [r[0] for r in ledger.conn.execute("SELECT id FROM residents WHERE status = '在册' ORDER BY id")]
    household_ids = [r[0] for r in ledger.conn.execute("SELECT id FROM households ORDER BY id")]
    if not ids or len(household_ids) < 2:
        return
    movers = rng.sample(ids, max(1, int(len(ids) * MOVE_SHARE)))
    chosen = set(movers)
    returners = [rid for rid in rng.sample(ids, max(1, int(len(ids) * RETURN_SHARE))) if rid not in chosen]
    progress(f"生成居住变动：{len(movers)} 人迁户，{len(returners)} 人迁出后返回，1 次网格调整……")
    # the operations audit each step; a demo has one audit row for the whole of it
    # (models.demo.build_demo) and the audit log is append-only: no rows for these steps
    ledger.audit = lambda *args, **kwargs: None
    try:
        _steps(ledger, rng, today, days, household_ids, movers, returners, months)
    finally:
        del ledger.audit                     # the Ledger's own method again
    progress("  居住变动已生成")


def _steps(ledger: Ledger, rng: random.Random, today: _dt.date, days: int, household_ids: list[int],
           movers: list[int], returners: list[int], months: int) -> None:
    with ledger.write():
        for rid in movers:
            day = (today - _dt.timedelta(days=rng.randrange(1, days))).isoformat()
            target = rng.choice(household_ids)
            try:
                residents.move_to_household(ledger, rid, target, "其他", day)
            except ValidationError:
                continue
        for rid in returners:
            left = today - _dt.timedelta(days=rng.randrange(31, days))
            back = left + _dt.timedelta(days=rng.randrange(1, 30))
            try:
                residents.move_out(ledger, rid, left.isoformat(), "外出务工")
                residents.restore_active(ledger, rid, back.isoformat(), "返回")
            except ValidationError:
                continue
        # one grid split on the 15th, a few months ago: half its buildings to a new grid
        biggest = ledger.query("SELECT grid_id, COUNT(*) AS n FROM buildings GROUP BY grid_id"
                               " ORDER BY n DESC, grid_id LIMIT 1")
        if biggest and biggest[0]["n"] >= 2:
            grid_id = biggest[0]["grid_id"]
            buildings = [r[0] for r in ledger.conn.execute(
                "SELECT id FROM buildings WHERE grid_id = ? ORDER BY id", [grid_id])]
            back_months = min(3, max(months - 1, 0))
            first = today.replace(day=1)
            for _ in range(back_months):
                first = (first - _dt.timedelta(days=1)).replace(day=1)
            on_date = first.replace(day=15)
            if on_date > today:
                on_date = today
            names = {r[0] for r in ledger.conn.execute("SELECT name FROM grids")}
            n = len(names) + 1
            while f"第{n}网格" in names:
                n += 1
            grids.redivide(ledger, buildings[len(buildings) // 2:], on_date.isoformat(),
                           new_grid_name=f"第{n}网格")
