"""Benchmark and upgrade check of the residence history (issue 11), old code against new in one run.

The same probe (below) runs in a fresh process for each ledger, so every first call is cold:

* ``old``: the ledger made before the history (old schema) with the code of before (``--old-code``:
  a directory holding that code, e.g. ``git archive <commit> | tar -x -C DIR``);
* ``upgraded``: a copy of the same ledger opened (so upgraded: spells from its columns) with this
  code — its figures must be identical to ``old``'s, month by month (the upgrade check);
* ``history`` (optional ``--history-db``): a demo made by this code (spells, moves, returns, one
  grid re-division).

Printed per ledger: the 月度评比 page's evaluation (``evaluate(month, with_previous=True)``, last
month not 定稿: both months computed; first call and median of the next ones), the annual assessment
``annual_data(year)`` (cold, first call of the process), the monthly bulletin's data
(``monthly_bulletin_data``), and the upgrade's time.  Then the upgrade check: every month from the
first with matters to the last ended one, all figures (every grid's counts, scores, total, rank)
of ``old`` and ``upgraded`` compared.

    .venv/bin/python benchmarks/bench_history.py --old-db OLD.db --old-code DIR [--history-db NEW.db]
        [--month 2026-11] [--runs 3] [--work /tmp/x]

Nothing is written to the given files: copies are made in ``--work``.  To compare two versions of
the code on the same ledger (issue 11's speed work), give a ledger already made by this code's
schema as ``--old-db`` and the code of before as ``--old-code``: ``old`` is then the code of before
and ``upgraded`` this code, on copies of the same file.  CPU times (every thread of the process)
are printed too: on a shared machine they vary less than the wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: runs inside the code directory given as the first argument (old or new code alike: it
#: uses only what both have)
PROBE = r'''
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
db, month, runs, months = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5].split(",")
t = time.perf_counter()
from models.ledger import open_db
ledger = open_db(db)
opened = time.perf_counter() - t
from models.evaluation import monthly
from models.reporting.evaluation_data import annual_data, monthly_bulletin_data
out = {"open": opened}
# CPU time of the process (every thread: the parallel reads' workers too), steadier than the
# wall time on a shared machine
t, c = time.perf_counter(), time.process_time(); annual_data(ledger, int(month[:4]))
out["annual_cold"], out["annual_cpu"] = time.perf_counter() - t, time.process_time() - c
times, cpus = [], []
for _ in range(runs):
    t, c = time.perf_counter(), time.process_time(); monthly.evaluate(ledger, month, with_previous=True)
    times.append(time.perf_counter() - t); cpus.append(time.process_time() - c)
out["page_first"], out["page_median"] = times[0], statistics.median(times[1:] or times)
out["page_cpu"] = statistics.median(cpus[1:] or cpus)
t, c = time.perf_counter(), time.process_time(); monthly_bulletin_data(ledger, month)
out["bulletin"], out["bulletin_cpu"] = time.perf_counter() - t, time.process_time() - c
figures = {}
for m in months:
    e = monthly.evaluate(ledger, m)
    figures[m] = {"grids": [g.to_dict() for g in e.grids], "communities": [c.to_dict() for c in e.communities]}
out["figures"] = figures
print("RESULT" + json.dumps(out, ensure_ascii=False))
'''


def probe(code: Path, db: Path, month: str, runs: int, months: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, str(code), str(db), month, str(runs), ",".join(months)],
                          cwd=code, capture_output=True, text=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    if done.returncode != 0:
        raise SystemExit(f"probe failed on {db}:\n{done.stderr[-3000:]}")
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line[len("RESULT"):])


def months_of(db: Path) -> tuple[str, list[str]]:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    first, last = conn.execute("SELECT MIN(substr(registered_at, 1, 7)), MAX(substr(registered_at, 1, 7))"
                               " FROM matters").fetchone()
    conn.close()
    months, m = [], first
    while m < last:                           # every ended month (the last one is still running)
        months.append(m)
        y, mo = int(m[:4]), int(m[5:])
        m = f"{y + (mo == 12)}-{1 if mo == 12 else mo + 1:02d}"
    return months[-1], months


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-db", required=True)
    parser.add_argument("--old-code", required=True)
    parser.add_argument("--history-db")
    parser.add_argument("--month")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", default=None)
    args = parser.parse_args(argv)
    work = Path(args.work or tempfile.mkdtemp(prefix="bench_history_"))
    work.mkdir(parents=True, exist_ok=True)
    last, months = months_of(Path(args.old_db))
    month = args.month or last
    with open("/proc/loadavg") as fh:
        print(f"load average: {' '.join(fh.readline().split()[:3])}")
    print(f"month {month}; upgrade check over {len(months)} months {months[0]} … {months[-1]}")
    results = {}
    for label, code, source in (("old", Path(args.old_code), args.old_db), ("upgraded", ROOT, args.old_db),
                                ("history", ROOT, args.history_db)):
        if not source:
            continue
        copy = work / f"{label}.db"
        shutil.copyfile(source, copy)
        results[label] = probe(code, copy, month, args.runs, months)
        r = results[label]
        print(f"{label:9s} open {r['open'] * 1000:7.0f} ms | page (with last month) first {r['page_first'] * 1000:6.0f} ms,"
              f" median {r['page_median'] * 1000:6.0f} ms (bar 1000) | annual cold {r['annual_cold'] * 1000:6.0f} ms"
              f" (bar 5000) | bulletin {r['bulletin'] * 1000:6.0f} ms (bar 2000)")
        if "page_cpu" in r:
            print(f"{'':9s} CPU: page median {r['page_cpu'] * 1000:6.0f} ms | annual cold {r['annual_cpu'] * 1000:6.0f} ms"
                  f" | bulletin {r['bulletin_cpu'] * 1000:6.0f} ms")
    old, new = results["old"], results["upgraded"]
    for key in ("page_median", "annual_cold", "bulletin", "page_cpu", "annual_cpu", "bulletin_cpu"):
        if key in old and key in new:
            print(f"  {key}: upgraded / old = {new[key] / old[key]:.2f}")
    differing = [m for m in months if old["figures"][m] != new["figures"][m]]
    print(f"upgrade check: {len(months) - len(differing)}/{len(months)} months identical"
          + (f"; DIFFERENT: {', '.join(differing)}" if differing else ""))
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
