"""Old code against new code on the same ledger, alternating fresh processes (issue 11's speed work).

Each round runs the probe (below) once with the old code on ``OLD_DB`` and once with this code on
``NEW_DB`` (give two copies of the same ledger; the new one may already be upgraded, so the
upgrade's one-off index build is not timed).  The probe: ``annual_data(YEAR)`` cold (first call of
the process), the 月度评比 page's evaluation with last month's ranks 4 times (first call, then the
median of the others) and ``monthly_bulletin_data``; wall and CPU time (every thread of the
process: the parallel reads' workers too).  Alternating keeps both sides under the same load on a
shared machine; medians over the rounds, and the ratios new/old, are printed.

    .venv/bin/python benchmarks/bench_history_compare.py OLD_CODE_DIR NEW_CODE_DIR OLD_DB NEW_DB ROUNDS
        [MONTH (2026-10)]

``OLD_CODE_DIR``: e.g. ``git archive <commit> | tar -x -C DIR``.  Nothing is written to the
ledgers beyond what opening them does.
"""
import json
import statistics
import subprocess
import sys

PROBE = r'''
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from models.ledger import open_db
ledger = open_db(sys.argv[2])
month = sys.argv[3]
from models.evaluation import monthly
from models.reporting.evaluation_data import annual_data, monthly_bulletin_data
out = {}
t, c = time.perf_counter(), time.process_time(); annual_data(ledger, int(month[:4]))
out["annual_wall"], out["annual_cpu"] = time.perf_counter() - t, time.process_time() - c
w, p = [], []
for _ in range(4):
    t, c = time.perf_counter(), time.process_time(); monthly.evaluate(ledger, month, with_previous=True)
    w.append(time.perf_counter() - t); p.append(time.process_time() - c)
out["page_first_wall"], out["page_first_cpu"] = w[0], p[0]
out["page_wall"], out["page_cpu"] = statistics.median(w[1:]), statistics.median(p[1:])
t, c = time.perf_counter(), time.process_time(); monthly_bulletin_data(ledger, month)
out["bulletin_wall"], out["bulletin_cpu"] = time.perf_counter() - t, time.process_time() - c
print("RESULT" + json.dumps(out))
'''
def main() -> int:
    old_code, new_code, old_db, new_db, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    month = sys.argv[6] if len(sys.argv) > 6 else "2026-10"
    res = {"old": [], "new": []}
    for i in range(rounds):
        for label, code, db in (("old", old_code, old_db), ("new", new_code, new_db)):
            with open("/proc/loadavg") as fh:
                load = fh.read().split()[0]
            r = subprocess.run([sys.executable, "-c", PROBE, code, db, month], cwd=code, capture_output=True, text=True)
            line = [x for x in r.stdout.splitlines() if x.startswith("RESULT")]
            if not line:
                raise SystemExit(f"probe failed ({label}):\n{r.stderr[-2000:]}")
            d = json.loads(line[0][6:])
            d["load"] = float(load)
            res[label].append(d)
            print(label, i, {k: round(v, 2) for k, v in d.items()}, flush=True)
    keys = [k for k in res["old"][0] if k != "load"]
    for k in keys:
        o = statistics.median(x[k] for x in res["old"])
        n = statistics.median(x[k] for x in res["new"])
        print(f"{k:16s} old {o:6.2f} s  new {n:6.2f} s  new/old {n / o:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
