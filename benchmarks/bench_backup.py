"""Benchmark: a verified backup of a big ledger next to a plain file copy of it (issue 16).

    .venv/bin/python benchmarks/bench_backup.py [--db /tmp/gl/backup/d200k.db] [--out-dir /tmp/gl/backup/bench]
        [--repeat 2] [--sealed]

Work on a COPY of the shared demo ledgers (opening migrates an old one, and that migration
is itself preceded by a backup, which is timed as "open"). In the same run, alternating,
each repeated and the fastest kept (other work on a shared machine only ever adds time):

* plain copy: ``shutil.copyfile`` of the ledger file and ``fsync`` (the baseline: what
  copying the file by hand costs, with no consistency, no verification);
* backup: ``models.backup.backup`` — online backup API on one read snapshot, manifest,
  ``integrity_check``, migrations and every table's row count compared, fsync, atomic rename —
  with progress (the number of progress reports is printed: the window shows them);
* with ``--sealed``: the same, encrypted with a password (AES-GCM, scrypt).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models import backup  # noqa: E402
from models.core import safecopy  # noqa: E402
from models.ledger import open_db  # noqa: E402


def plain_copy(src: Path, out: Path) -> None:
    shutil.copyfile(src, out)
    safecopy.fsync_file(out)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default="/tmp/gl/backup/d200k.db")
    p.add_argument("--out-dir", default="/tmp/gl/backup/bench")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--sealed", action="store_true")
    args = p.parse_args()
    db, out_dir = Path(args.db), Path(args.out_dir)
    if db.resolve() in (Path("/tmp/gl/d200k.db"), Path("/tmp/gl/d20k.db")):
        sys.exit("copy the shared demo ledger first: opening it would migrate it")
    out_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("GRIDLEDGER_BACKUP_DIR", str(out_dir / "auto"))

    start = time.perf_counter()
    ledger = open_db(db, create=False)
    opened = time.perf_counter() - start
    ledger.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db.stat().st_size
    residents = ledger.scalar("SELECT COUNT(*) FROM residents")
    print(f"ledger {db} — {size / 2**20:,.0f} MiB, {residents:,} residents")
    print(f"open (incl. any migration and the backup before it): {opened:.1f} s")

    times: dict[str, list[float]] = {"plain copy": [], "backup": []}
    if args.sealed:
        times["sealed backup"] = []
    reports = 0
    for n in range(args.repeat):
        for kind in times:
            out = out_dir / f"{kind.replace(' ', '_')}-{n}{'.glenc' if kind == 'sealed backup' else '.db'}"
            safecopy.remove_quietly(out)
            calls = []
            start = time.perf_counter()
            if kind == "plain copy":
                plain_copy(db, out)
            else:
                backup.backup(ledger, out, audit=False, password="基准测试" if kind == "sealed backup" else None,
                              progress=lambda done, total, text: calls.append(done))
            times[kind].append(time.perf_counter() - start)
            reports = max(reports, len(calls))
            safecopy.remove_quietly(out)
    # where the backup's time goes: its parts, timed alone on a plain copy
    parts = {}
    probe = out_dir / "probe.db"
    plain_copy(db, probe)
    import sqlite3

    conn = sqlite3.connect(str(probe))
    for name, sql in (("row counts (once)", None), ("integrity_check", "PRAGMA integrity_check")):
        start = time.perf_counter()
        if sql is None:
            safecopy.table_counts(conn)
        else:
            conn.execute(sql).fetchall()
        parts[name] = time.perf_counter() - start
    conn.close()
    dest = out_dir / "probe-copy.db"
    safecopy.remove_quietly(dest)
    d = sqlite3.connect(str(dest))
    d.execute("PRAGMA journal_mode = OFF")
    d.execute("PRAGMA synchronous = OFF")
    start = time.perf_counter()
    ledger.conn.backup(d, pages=safecopy.STEP_PAGES)
    parts["online backup API copy"] = time.perf_counter() - start
    d.close()
    safecopy.remove_quietly(dest)
    safecopy.remove_quietly(probe)
    ledger.close()
    base = min(times["plain copy"])
    print(f"{'':<14} {'best s':>7} {'× copy':>7}   runs")
    for kind, values in times.items():
        print(f"{kind:<14} {min(values):7.1f} {min(values) / base:7.2f}   {', '.join(f'{v:.1f}' for v in values)}")
    print(f"progress reports during one backup: {reports}")
    print("parts of a backup, each timed alone: " + ", ".join(f"{k} {v:.1f} s" for k, v in parts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
