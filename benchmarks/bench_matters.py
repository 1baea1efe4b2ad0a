"""Benchmark: the 民情事项 list and registration on a 200,000-household ledger (issue 4).

Bars: opening the matters page and changing any filter shows the first page
< 100 ms p95; registering a matter commits < 50 ms.  Baselines measured in the
same run on the same file: a trivial indexed SELECT (a grid by id) and a
single-row INSERT commit (one event row, then rolled back by deleting it).

The ledger:

* ``--db FILE``: an existing demo ledger (e.g. H1's ``/work/demo200k.db``).  It is
  copied first with SQLite's backup API (``--copy-to``, default a temp file) so
  the original is not changed.  When the copy has no matters yet, the matters demo area
  (``models.demo.matters.generate``) is run on it — that is how a residents-only
  demo gets "a year of matters, visits and meetings".
* ``--synth N``: no demo at hand — build N households in 269 grids (hierarchy
  only, no residents) and run the matters area on them.

Usage::

    .venv/bin/python benchmarks/bench_matters.py --db /work/demo200k.db
    .venv/bin/python benchmarks/bench_matters.py --synth 200000 --copy-to /tmp/bench_matters.db
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.matters import records as M  # noqa: E402
from models.core.db import Operator, ts
from models.ledger import open_db  # noqa: E402

REPEAT = 21


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def timed(fn, repeat: int = REPEAT) -> tuple[float, float]:
    """(median, p95) in milliseconds; the first call is a warm-up and not counted."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), p95(samples)


def synthesise(path: Path, households: int, now: dt.datetime) -> None:
    """269 grids; buildings of 3 units x 6 floors x 2 rooms; no residents."""
    ledger = open_db(path, operator=Operator("基准测试"), clock=lambda: now, community_name="幸福社区")
    stamp = ts(now)
    conn = ledger.conn
    grids = 269
    per_grid = households // grids + 1
    with ledger.write():
        community = ledger.scalar("SELECT id FROM communities WHERE is_own = 1")
        conn.executemany("INSERT INTO grids (id, community_id, name, created_at, updated_at) VALUES (?,?,?,?,?)",
                         [(g, community, f"第{g}网格", stamp, stamp) for g in range(1, grids + 1)])
        hh = building = unit = 0
        b_rows, u_rows, h_rows = [], [], []
        for g in range(1, grids + 1):
            made = 0
            b_in_grid = 0
            while made < per_grid and hh < households:
                building += 1
                b_in_grid += 1
                b_rows.append((building, g, f"{b_in_grid}号楼", f"第{g}小区" if g % 3 else "", stamp, stamp))
                for u in range(1, 4):
                    unit += 1
                    u_rows.append((unit, building, f"{u}单元", stamp, stamp))
                    for floor in range(1, 7):
                        for door in (1, 2):
                            if made >= per_grid or hh >= households:
                                break
                            hh += 1
                            made += 1
                            h_rows.append((hh, unit, building, g, f"{floor}0{door}", stamp, stamp))
        conn.executemany("INSERT INTO buildings (id, grid_id, name, compound, created_at, updated_at)"
                         " VALUES (?,?,?,?,?,?)", b_rows)
        conn.executemany("INSERT INTO units (id, building_id, name, created_at, updated_at) VALUES (?,?,?,?,?)",
                         u_rows)
        conn.executemany("INSERT INTO households (id, unit_id, building_id, grid_id, room, created_at,"
                         " updated_at) VALUES (?,?,?,?,?,?,?)", h_rows)
    ledger.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--db", help="an existing demo ledger (copied, never changed)")
    source.add_argument("--synth", type=int, metavar="N", help="build N households first")
    parser.add_argument("--copy-to", help="where the working copy goes (default: a temp file)")
    parser.add_argument("--now", help="the ledger's 'now' (default: the newest matter, else 2026-11-26 10:00)")
    args = parser.parse_args()

    work = Path(args.copy_to) if args.copy_to else Path(tempfile.mkdtemp()) / "bench_matters.db"
    if work.exists():
        print(f"使用已有的工作副本 {work}")
    elif args.db:
        start = time.perf_counter()
        # The backup API gives a consistent copy even while someone else has the file open.
        src = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
        dst = sqlite3.connect(work)
        src.backup(dst)
        src.close()
        dst.close()
        print(f"copied {args.db} -> {work} in {time.perf_counter() - start:.1f} s")
    now = dt.datetime.fromisoformat(args.now) if args.now else None
    if args.synth and not work.exists():
        now = now or dt.datetime(2026, 11, 26, 10, 0, 0)
        start = time.perf_counter()
        synthesise(work, args.synth, now)
        print(f"synthesised {args.synth} households in {time.perf_counter() - start:.1f} s")

    probe = open_db(work, operator=Operator("基准测试"))
    if now is None:
        newest = probe.scalar("SELECT MAX(at) FROM matter_events")
        now = dt.datetime.fromisoformat(newest) + dt.timedelta(minutes=5) if newest \
            else dt.datetime(2026, 11, 26, 10, 0, 0)
    probe.close()
    ledger = open_db(work, operator=Operator("基准测试"), clock=lambda: now)
    if not ledger.scalar("SELECT COUNT(*) FROM matters"):
        from models.demo import matters as demo_matters

        start = time.perf_counter()
        demo_matters.generate(ledger, random.Random("bench:models.demo.matters"),
                              ledger.scalar("SELECT COUNT(*) FROM households"), 12, print)
        with ledger.write():
            ledger.conn.execute("PRAGMA analysis_limit = 1000")
            ledger.conn.execute("ANALYZE")
        print(f"matters demo area: {time.perf_counter() - start:.1f} s")

    counts = {t: ledger.scalar(f"SELECT COUNT(*) FROM {t}") for t in
              ("households", "grids", "matters", "matter_events", "visits", "visit_households", "meetings")}
    print("ledger:", ", ".join(f"{k} {v:,}" for k, v in counts.items()), f"(now = {ts(now)})")
    print(f"SQLite {ledger.scalar('SELECT sqlite_version()')}")

    # -- baselines ----------------------------------------------------------------------
    grid_ids = [r[0] for r in ledger.conn.execute("SELECT id FROM grids")]
    rng = random.Random(4)
    med, p = timed(lambda: ledger.scalar("SELECT name FROM grids WHERE id = ?", [rng.choice(grid_ids)]))
    print(f"\nbaseline  indexed SELECT of one grid        median {med:7.2f} ms   p95 {p:7.2f} ms")

    samples = []
    for i in range(REPEAT + 1):
        start = time.perf_counter()
        with ledger.write():
            ledger.conn.execute("INSERT INTO settings (key, value) VALUES (?, '1')", [f"bench_probe_{i}"])
        if i:
            samples.append((time.perf_counter() - start) * 1000)
    with ledger.write():
        ledger.conn.execute("DELETE FROM settings WHERE key LIKE 'bench_probe_%'")
    print(f"baseline  single-row INSERT commit          median {statistics.median(samples):7.2f} ms"
          f"   p95 {p95(samples):7.2f} ms")

    # -- first page of the list for each filter ---------------------------------------------
    staff = ledger.scalar("SELECT assignee_staff_id FROM matters WHERE assignee_staff_id IS NOT NULL LIMIT 1")
    month_start = now.replace(day=1).strftime("%Y-%m-%d")
    filters = {"（无筛选）": M.MatterFilter()}
    for state in M.STATES:
        filters[f"状态={state}"] = M.MatterFilter(state=state)
    for level in M.LEVELS:
        filters[f"分级={level}"] = M.MatterFilter(level=level)
    for category in ("路灯照明", "家庭矛盾", "违章建筑", "环境治理"):
        filters[f"类别={category}"] = M.MatterFilter(category=category)
    for source in ("巡查走访", "QQ群", "12345热线"):
        filters[f"来源={source}"] = M.MatterFilter(source=source)
    filters.update({
        "网格": M.MatterFilter(grid_id=grid_ids[len(grid_ids) // 2]),
        "网格+状态=已办结": M.MatterFilter(grid_id=grid_ids[7], state="已办结"),
        "网格+分级=大事": M.MatterFilter(grid_id=grid_ids[9], level="大事"),
        "承办人": M.MatterFilter(assignee_staff_id=staff),
        "今日到期": M.MatterFilter(due_today=True),
        "已超期": M.MatterFilter(overdue=True),
        "待回访": M.MatterFilter(awaiting_follow_up=True),
        "本月登记": M.MatterFilter(date_from=month_start, date_to=now.strftime("%Y-%m-%d")),
        "上季度+类别": M.MatterFilter(date_from=(now - dt.timedelta(days=120)).strftime("%Y-%m-%d"),
                                   date_to=(now - dt.timedelta(days=30)).strftime("%Y-%m-%d"),
                                   category="噪音扰民"),
        "全文：1字“漏”": M.MatterFilter(text="漏"),
        "全文：2字“路灯”": M.MatterFilter(text="路灯"),
        "全文：3字“电动车”": M.MatterFilter(text="电动车"),
        "全文：编号": M.MatterFilter(text=ledger.scalar("SELECT number FROM matters ORDER BY id DESC LIMIT 1")),
        "全文：无结果“火星”": M.MatterFilter(text="火星人"),
        "全文+网格“纠纷”": M.MatterFilter(text="纠纷", grid_id=grid_ids[3]),
    })
    print(f"\nfirst page (100 rows) per filter, {REPEAT} runs each; 'page+count' adds the total shown above the list")
    print(f"{'filter':<22} {'rows':>8} {'page p95':>10} {'page+count p95':>15}")
    worst = worst_total = 0.0
    for name, flt in filters.items():
        total = M.count(ledger, flt)
        _, page_p95 = timed(lambda: M.search_page(ledger, flt))
        _, both_p95 = timed(lambda: (M.search_page(ledger, flt), M.count(ledger, flt)))
        worst, worst_total = max(worst, page_p95), max(worst_total, both_p95)
        print(f"{name:<22} {total:>8,} {page_p95:>8.1f} ms {both_p95:>12.1f} ms")
    print(f"worst first page p95 {worst:.1f} ms; with the count {worst_total:.1f} ms   (bar < 100 ms)")

    # second page (keyset) on the unfiltered list
    rows, cursor = M.search_page(ledger, M.MatterFilter())
    _, p = timed(lambda: M.search_page(ledger, M.MatterFilter(), after=cursor))
    print(f"next page (keyset) p95 {p:.1f} ms")

    _, p = timed(lambda: M.home_summary(ledger), repeat=7)
    print(f"home_summary (首页) p95 {p:.1f} ms")

    # -- the 走访日志 list (informative; no bar of its own) ------------------------------------
    from models.visits import records as V

    staff_id = ledger.scalar("SELECT staff_id FROM visits WHERE staff_id IS NOT NULL LIMIT 1")
    visit_filters = {
        "（无筛选）": V.VisitFilter(),
        "网格": V.VisitFilter(grid_id=grid_ids[5]),
        "走访人": V.VisitFilter(staff_id=staff_id),
        "方式=微信": V.VisitFilter(way="微信"),
        "本月": V.VisitFilter(date_from=month_start),
        "情况记录“反诈”": V.VisitFilter(text="反诈"),
        "情况记录无结果": V.VisitFilter(text="火星人"),
    }
    print(f"\n走访日志 first page (100 rows)")
    for name, vflt in visit_filters.items():
        _, page_p95 = timed(lambda: V.search_page(ledger, vflt), repeat=7)
        _, count_p95 = timed(lambda: V.count(ledger, vflt), repeat=7)
        print(f"{name:<22} page p95 {page_p95:8.1f} ms   count p95 {count_p95:8.1f} ms")

    # -- registering a matter ---------------------------------------------------------------
    household = ledger.scalar("SELECT id FROM households ORDER BY id DESC LIMIT 1")
    samples = []
    for i in range(REPEAT + 1):
        start = time.perf_counter()
        M.register_matter(ledger, {"source": "来电", "category": "路灯照明", "level": "小事",
                                   "description": f"基准测试登记 {i}", "household_id": household,
                                   "assignee_name": "基准测试"})
        if i:
            samples.append((time.perf_counter() - start) * 1000)
    print(f"\nregister_matter commit   median {statistics.median(samples):6.1f} ms   p95 {p95(samples):6.1f} ms"
          "   (bar < 50 ms)")
    samples = []
    last = ledger.scalar("SELECT MAX(id) FROM matters")
    for i in range(REPEAT):
        matter_id = last - i
        start = time.perf_counter()
        M.apply_action(ledger, matter_id, "办结", result="基准测试办结")
        samples.append((time.perf_counter() - start) * 1000)
    print(f"apply_action 办结 commit  median {statistics.median(samples):6.1f} ms   p95 {p95(samples):6.1f} ms")
    ledger.close()
    print(f"\n(working copy kept at {work}; the matters registered by this run are in it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
