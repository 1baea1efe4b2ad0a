"""The demo ledger generator (``python main.py demo``): realistic data for every area.

Each area is a module listed in :data:`AREAS` exposing::

    generate(ledger, rng: random.Random, households: int, months: int, progress) -> None

``progress(message)`` prints (CLI) or shows (GUI) one line of progress.  Modules run
in order, each in its own transaction with bulk inserts; later areas read what the
earlier ones made (grids, households, residents, staff).  :func:`build_demo` writes
one audit row for the whole demo, not one per record.
"""

from __future__ import annotations

import importlib
import random
import time
from typing import Callable

from models.core.db import Ledger
from models.core.errors import ValidationError

#: Area modules, in the order they run.  Add yours with one line.
AREAS = [
    "models.demo.residents",
    "models.demo.matters",
    "models.demo.volunteers",
]

DEFAULT_COMMUNITY = "幸福社区"

#: what each part of the demo is called where the clerk reads it (the timings of ``demo``)
AREA_TITLES = {"models.demo.residents": "居民", "models.demo.matters": "民情事项", "models.demo.volunteers": "志愿服务"}

Progress = Callable[[str], None]


def build_demo(ledger: Ledger, households: int = 2000, seed: int = 1, months: int = 12,
               progress: Progress | None = None) -> dict:
    """Fill an empty ledger with demo data.

    Args:
        households: how many households (≈2.6 residents each).
        seed: random seed; the same seed gives the same ledger.
        months: how many months of history (matters, visits, activities …).
        progress: called with one line of Chinese text per step.

    Returns:
        {area module: seconds taken}.

    Raises:
        ValidationError: the ledger already holds residents, or bad arguments.
    """
    if households < 1:
        raise ValidationError("户数必须大于 0。", field="households")
    if months < 1 or months > 120:
        raise ValidationError("月数必须在 1 到 120 之间。", field="months")
    if ledger.scalar("SELECT COUNT(*) FROM residents"):
        raise ValidationError("这个台账已有居民数据。演示数据只能生成到新的台账文件中。")
    say = progress or (lambda _msg: None)
    if not ledger.community_name:
        from models.grids import hierarchy as grids

        grids.set_own_community(ledger, DEFAULT_COMMUNITY)
    timings: dict[str, float] = {}
    for name in AREAS:
        module = importlib.import_module(name)
        rng = random.Random(f"{seed}:{name}")
        start = time.perf_counter()
        module.generate(ledger, rng, households, months, say)
        timings[name] = time.perf_counter() - start
    with ledger.write():
        ledger.audit("生成演示数据", "ledger", None, None,
                     {"households": households, "seed": seed, "months": months,
                      "areas": [n.rsplit(".", 1)[-1] for n in AREAS]})
    with ledger.write():
        ledger.conn.execute("PRAGMA analysis_limit = 1000")  # approximate statistics, seconds not minutes
        ledger.conn.execute("ANALYZE")
    return timings
