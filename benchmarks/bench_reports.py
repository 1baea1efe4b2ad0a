"""Benchmark: the printed reports (SPEC §10: monthly bulletin PDF < 2 s; annual assessment < 5 s).

On a demo ledger (default ``/work/demo200k.db``), for the busiest complete month:

* **baseline**: reportlab alone laying out the same ranking table (one plain
  ``Table`` of the same rows and columns in the same embedded Song font, no
  styles, no chart, no masthead) — measured in the same run;
* **monthly bulletin end to end**: ``report_data.gather`` (the evaluation of every
  grid, with last month for the rank change) + the whole PDF (``reports.render``),
  in a fresh child process (cold: imports, font registration and all) and warm
  (median of the runs in this process), with the data and the layout shares;
* **annual assessment end to end**: 12 months + the landscape PDF;
* informative: the month's 台账 (``report ledger``) and every grid's scorecards;
  the peak memory (max RSS) of each child process.

    .venv/bin/python benchmarks/bench_reports.py [--db FILE] [--month YYYY-MM] [--runs 3]
        [--no-ledger] [--write-doc]

``--write-doc`` replaces the "reports" section of docs/performance.md with the figures.
Nothing is written to the ledger.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_evaluation import busiest_month, open_demo  # noqa: E402 - after the path is set
from benchmarks.doc_section import replace_section  # noqa: E402

DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- reports:start -->", "<!-- reports:end -->"


def _child(kind: str, db: str, period: str) -> dict:
    """One cold end-to-end run in a fresh interpreter: {seconds, pages, data, render, rss_mb}."""
    code = f"""
import io, json, resource, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {str(ROOT)!r})
from models.ledger import open_db
from models.reporting import data as rd
import reports
ledger = open_db({db!r}, create=False)
kind, period = {kind!r}, {period!r}
req = rd.ReportRequest(kind, month=period if kind != "annual" else None,
                       year=int(period) if kind == "annual" else None)
t1, c1 = time.perf_counter(), time.process_time()
data = rd.gather(ledger, req)
t2, c2 = time.perf_counter(), time.process_time()
out = io.BytesIO()
pages = reports.render(data, out)
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({{"seconds": t3 - t0, "open": t1 - t0, "data": t2 - t1, "render": t3 - t2, "pages": pages,
                  "cpu": c3, "cpu_data": c2 - c1, "cpu_render": c3 - c2, "bytes": len(out.getvalue()),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def baseline_table(data) -> float:
    """reportlab alone: the same ranking rows in one plain Table (same embedded font), seconds."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    from reports.fonts import SONG, register_fonts

    register_fonts()
    header = ["排名", "网格"] + list(data.indicator_names) + ["加减分", "总分", "较上月"]
    rows = [header] + [[r.rank, r.name] + [r.indicators[k].percent for k in data.indicator_keys]
                       + [f"{r.adjustments:+.2f}", f"{r.total:.2f}", r.rank_change_text] for r in data.rows]
    start = time.perf_counter()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, initialFontName=SONG)
    doc.build([Table(rows, repeatRows=1, style=[("FONT", (0, 0), (-1, -1), SONG, 8.5)])])
    return time.perf_counter() - start


def warm(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/work/demo200k.db")
    parser.add_argument("--month")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-ledger", action="store_true", help="skip the month's 台账 (slow on big ledgers)")
    parser.add_argument("--write-doc", action="store_true", help="write the figures to docs/performance.md")
    args = parser.parse_args(argv)

    from models.reporting import data as rd

    import reports

    ledger = open_demo(args.db)
    if ledger is None:
        return 2
    path = ledger.path
    month = args.month or busiest_month(ledger)
    year = month[:4]
    sizes = {t: ledger.scalar(f"SELECT COUNT(*) FROM {t}") for t in
             ("grids", "households", "residents", "matters", "visits", "activities")}
    lines = [f"ledger: {path.name} ({path.stat().st_size / 1e6:.0f} MB): "
             + ", ".join(f"{k} {v:,}" for k, v in sizes.items()),
             f"month: {month}; machine: {os.cpu_count()} CPUs shared, Python {sys.version.split()[0]}"]

    bulletin = rd.gather(ledger, rd.ReportRequest("monthly", month=month))
    base = statistics.median(baseline_table(bulletin) for _ in range(args.runs))
    lines.append(f"baseline (reportlab alone, same {len(bulletin.rows)}-row ranking table, plain Table): "
                 f"{base * 1000:.0f} ms")

    cold = _child("monthly", str(path), month)
    warm_data = warm(lambda: rd.gather(ledger, rd.ReportRequest("monthly", month=month)), args.runs)
    warm_pdf = warm(lambda: reports.render(bulletin, io.BytesIO()), args.runs)
    lines.append(f"monthly bulletin end to end (cold process): {cold['seconds']:.2f} s "
                 f"(open {cold['open']:.2f} + data {cold['data']:.2f} + PDF {cold['render']:.2f}), "
                 f"{cold['pages']} pages, max RSS {cold['rss_mb']:.0f} MB   bar < 2 s")
    lines.append(f"  CPU time of that process: {cold['cpu']:.2f} s (data {cold['cpu_data']:.2f} + "
                 f"PDF {cold['cpu_render']:.2f}) — wall time above is longer when the machine is shared")
    lines.append(f"monthly bulletin warm: data {warm_data * 1000:.0f} ms + PDF {warm_pdf * 1000:.0f} ms "
                 f"= {(warm_data + warm_pdf) * 1000:.0f} ms; PDF alone = {warm_pdf / base:.1f} × baseline")

    cold = _child("annual", str(path), year)
    lines.append(f"annual assessment {year} end to end (cold process): {cold['seconds']:.2f} s "
                 f"(data {cold['data']:.2f} + PDF {cold['render']:.2f}), {cold['pages']} pages, "
                 f"max RSS {cold['rss_mb']:.0f} MB, CPU {cold['cpu']:.2f} s   bar < 5 s")

    cold = _child("scorecards", str(path), month)
    lines.append(f"scorecards (every grid) cold: {cold['seconds']:.2f} s (data {cold['data']:.2f} + "
                 f"PDF {cold['render']:.2f}), {cold['pages']} pages, max RSS {cold['rss_mb']:.0f} MB, "
                 f"CPU {cold['cpu']:.2f} s")
    if not args.no_ledger:
        cold = _child("ledger", str(path), month)
        lines.append(f"month ledger (report ledger, all grids) cold: {cold['seconds']:.2f} s "
                     f"(data {cold['data']:.2f} + PDF {cold['render']:.2f}), {cold['pages']} pages, "
                     f"max RSS {cold['rss_mb']:.0f} MB, CPU {cold['cpu']:.2f} s")
    ledger.close()
    lines.append(f"this process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for line in lines:
        print(line)
    if args.write_doc:
        write_doc(lines)
    return 0


def write_doc(lines: list[str]) -> None:
    """Replace (or append) the reports section of docs/performance.md."""
    stamp = time.strftime("%Y-%m-%d %H:%M")
    section = "\n".join([START, "## Reports (报表 PDF)", "",
                         f"Measured {stamp} with `.venv/bin/python benchmarks/bench_reports.py --write-doc`:", "",
                         "```", *lines, "```", END])
    replace_section(DOC, START, END, section, new_file="# Performance\n")


if __name__ == "__main__":
    sys.exit(main())
