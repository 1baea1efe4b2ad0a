"""Resident search for a 网格员 (issue 10: every read limited to their grids, in SQL) compared with
the same searches as 管理员 in the same run, on the 200,000-household demo.

Usage::

    .venv/bin/python benchmarks/bench_search_scoped.py --db /tmp/gl/auth/d200k.db [--samples 40]

Copy the shared demo first (opening migrates it).  For every query class of
``bench_residents.py`` (same random queries, seed fixed) the first page (100 rows, sorted by id
and by name) is timed as 管理员 and as a 网格员 of one grid, and as a 网格员 of two grids; the
grid-filter classes use the 网格员's own grid.  Prints p50/p95 per class and the ratio of the
网格员's p95 to the 管理员's.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_residents import CLASSES, _pct, _queries  # noqa: E402

from models.core.db import Operator  # noqa: E402
from models.ledger import open_db  # noqa: E402
from models.residents import search as S  # noqa: E402


def run(db: str, samples: int) -> list[str]:
    ledger = open_db(db, create=False, operator=Operator("基准", role="管理员"))
    grids = [r["grid_id"] for r in ledger.query(
        "SELECT grid_id, COUNT(*) AS n FROM residents WHERE grid_id IS NOT NULL GROUP BY grid_id ORDER BY n DESC")]
    residents = ledger.scalar("SELECT COUNT(*) FROM residents")
    biggest = grids[0]
    in_grid = ledger.scalar("SELECT COUNT(*) FROM residents WHERE grid_id = ?", [biggest])
    operators = {
        "管理员": Operator("基准管理员", role="管理员"),
        "网格员(1格)": Operator("基准网格员", role="网格员", grid_ids=frozenset({biggest})),
        "网格员(2格)": Operator("基准网格员", role="网格员", grid_ids=frozenset(grids[:2])),
    }
    queries = _queries(ledger, random.Random(20261126), samples)
    lines = [f"台账：{residents} 名居民，{len(grids)} 个网格；网格员负责最大的网格（{in_grid} 人）或最大的两个网格。",
             f"每类 {samples} 个随机查询，第一页 100 行；单位 ms。", "",
             "| 查询类别 | 排序 | 管理员 p50 / p95 | 网格员(1格) p50 / p95 | 网格员(2格) p50 / p95 | 网格员/管理员 p95 |",
             "|---|---|---|---|---|---|"]
    worst = 0.0
    for sort in ("id", "name"):
        for cls in CLASSES:
            figures = {}
            for who, operator in operators.items():
                ledger.operator = operator
                times = []
                for text, grid in queries[cls]:
                    if grid is not None and who != "管理员":
                        grid = min(operator.grid_ids)
                    flt = S.ResidentFilter(text=text, grid_id=grid)
                    S.search_page(ledger, flt, sort=sort) if not times else None   # warm the first
                    t = time.perf_counter()
                    S.search_page(ledger, flt, sort=sort)
                    times.append((time.perf_counter() - t) * 1000)
                figures[who] = (_pct(times, 50), _pct(times, 95))
            grid_p95 = max(figures["网格员(1格)"][1], figures["网格员(2格)"][1])
            worst = max(worst, grid_p95)
            ratio = grid_p95 / figures["管理员"][1] if figures["管理员"][1] else float("nan")
            lines.append(f"| {cls} | {sort} | " + " | ".join(f"{p50:.1f} / {p95:.1f}" for p50, p95 in figures.values())
                         + f" | {ratio:.2f} |")
    lines += ["", f"网格员最慢一类的 p95：{worst:.1f} ms（要求 < 50 ms）。"]
    ledger.close()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    print("\n".join(run(args.db, args.samples)))


if __name__ == "__main__":
    main()
