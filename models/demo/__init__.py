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

from models.core import accounts
from models.core.db import Ledger
from models.core.errors import ValidationError

#: Area modules, in the order they run.  Add yours with one line.
AREAS = [
    "models.demo.residents",
    "models.demo.history",
    "models.demo.matters",
    "models.demo.volunteers",
]

DEFAULT_COMMUNITY = "幸福社区"

#: what each part of the demo is called where the clerk reads it (the timings of ``demo``)
AREA_TITLES = {"models.demo.residents": "居民", "models.demo.matters": "民情事项", "models.demo.volunteers": "志愿服务"}
#: the demo ledger's accounts, one of each role (issue 10), all with :data:`DEMO_PASSWORD`;
#: demo ledgers only: a real ledger's first start creates its own 管理员
DEMO_PASSWORD = "demo1234"
DEMO_USERS = (
    # user name, display name, role
    ("admin", "王主任", "管理员"),
    ("clerk", "李干事", "工作人员"),
    ("grid1", "第一网格网格员", "网格员"),
    ("super", "赵督导", "督导员"),
)
#: setting marking a ledger built by :func:`build_demo` (the login screen then lists the accounts)
DEMO_SETTING = "demo_accounts"

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
    from models.street.registry import refuse_personal_data

    refuse_personal_data(ledger)
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
    if not accounts.has_accounts(ledger):
        create_demo_users(ledger)
    with ledger.write():
        ledger.audit("生成演示数据", "ledger", None, None,
                     {"households": households, "seed": seed, "months": months,
                      "areas": [n.rsplit(".", 1)[-1] for n in AREAS]})
    with ledger.write():
        ledger.conn.execute("PRAGMA analysis_limit = 1000")  # approximate statistics, seconds not minutes
        ledger.conn.execute("ANALYZE")
    return timings


def create_demo_users(ledger: Ledger) -> list[tuple[str, str, str]]:
    """Give a demo ledger one account of each role (:data:`DEMO_USERS`, password :data:`DEMO_PASSWORD`).

    ``grid1`` covers the first grid.  The caller's operator is kept.  Returns the accounts made
    (user name, display name, role).

    Raises:
        WorkflowError: the ledger already has accounts.
    """
    caller = ledger.operator
    first_grid = ledger.scalar("SELECT id FROM grids ORDER BY id LIMIT 1")
    try:
        (name, display, _role), *others = DEMO_USERS
        accounts.create_first_admin(ledger, username=name, display_name=display, password=DEMO_PASSWORD)
        for name, display, role in others:
            grids = [first_grid] if role == "网格员" and first_grid is not None else []
            if role == "网格员" and not grids:
                continue
            accounts.create_user(ledger, username=name, display_name=display, role=role,
                                 password=DEMO_PASSWORD, grid_ids=grids, must_change_password=False)
        ledger.set_setting(DEMO_SETTING, True)
    finally:
        ledger.operator = caller
    return [(u.username, u.display_name, u.role) for u in accounts.list_users(ledger)]


def is_demo_ledger(ledger: Ledger) -> bool:
    """Whether ``ledger`` was built by the demo generator with its demo accounts."""
    return bool(ledger.get_setting(DEMO_SETTING, False))
