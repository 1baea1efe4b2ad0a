"""Benchmark: the 民情事项 *page* (Qt model + view) on a large ledger (issue 4, screens half).

Bar: opening the matters page and changing any filter shows the first page
< 100 ms p95.  Measured here through the real widgets, offscreen: building the
page until its model holds the first page, and each filter change (a widget
change → the model reset with its first page).  The count label is filled
after the first page (deferred), so it is timed on its own.  Baseline in the
same run: ``models.matters.records.search_page`` alone for the same filters.

Usage (the ledger is only read; make one with benchmarks/bench_matters.py --synth)::

    .venv/bin/python benchmarks/bench_matters_page.py --db /tmp/bench_matters.db
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPEAT = 21


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.1f} ms   p95 {p95(samples) * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a ledger with matters (read only)")
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from models.matters import records as M
    from models.core.db import Operator
    from models.ledger import open_db
    from ui.context import AppContext
    from ui.pages.matters import MattersPage

    app = QApplication.instance() or QApplication([])
    ledger = open_db(args.db, operator=Operator("基准测试"), create=False)
    print(f"ledger: {args.db}  matters: {ledger.scalar('SELECT COUNT(*) FROM matters'):,}")
    ctx = AppContext(ledger)

    opening = []
    for _ in range(max(5, args.repeat // 3)):
        start = time.perf_counter()
        page = MattersPage(ctx)
        assert page.model.rowCount() > 0
        opening.append(time.perf_counter() - start)
        page._count_timer.stop()
        page.deleteLater()
        app.processEvents()
    print(f"open page → first page             {ms(opening)}")

    page = MattersPage(ctx)
    page.resize(1230, 700)
    page.show()
    app.processEvents()
    grids = [page.grid_box.itemData(i) for i in range(1, min(page.grid_box.count(), 40))]
    changes = {
        "状态 已办结": lambda: page.state_box.setCurrentIndex(page.state_box.findText("已办结")),
        "分级 大事": lambda: page.level_box.setCurrentIndex(page.level_box.findText("大事")),
        "类别 邻里纠纷": lambda: page.category_box.setCurrentIndex(page.category_box.findText("邻里纠纷")),
        "来源 巡查走访": lambda: page.source_box.setCurrentIndex(page.source_box.findText("巡查走访")),
        "网格 (rotating)": None,
        "今日到期": lambda: page.due_today_check.setChecked(True),
        "已超期": lambda: page.overdue_check.setChecked(True),
        "待回访": lambda: page.follow_up_check.setChecked(True),
        "搜索 “漏水”": lambda: (page.search.setText("漏水"), page.apply_filters()),
        "搜索 “张”": lambda: (page.search.setText("张"), page.apply_filters()),
    }
    all_samples: list[float] = []
    print(f"{'filter change':<32}{'page (widget → first page)':<44}{'baseline search_page':<40}count")
    for name, change in changes.items():
        samples, base, counts = [], [], []
        for i in range(args.repeat):
            page.clear_filters()
            page._count_timer.stop()
            if change is None:
                grid = grids[i % len(grids)]
                start = time.perf_counter()
                page.grid_box.setCurrentIndex(page.grid_box.findData(grid))
            else:
                start = time.perf_counter()
                change()
            samples.append(time.perf_counter() - start)
            page._count_timer.stop()
            flt = page.model.filter
            start = time.perf_counter()
            M.search_page(ledger, flt, limit=100)
            base.append(time.perf_counter() - start)
            if i < 3:
                start = time.perf_counter()
                page.update_count()
                counts.append(time.perf_counter() - start)
        all_samples += samples
        print(f"{name:<30}{ms(samples):<44}{ms(base):<40}{statistics.median(counts) * 1000:7.1f} ms")
    print(f"all filter changes: p95 {p95(all_samples) * 1000:.1f} ms (bar: < 100 ms)")
    ledger.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
