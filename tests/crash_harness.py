"""kill -9 at random moments of a backup, an automatic backup, a restore and a migration.

Each run copies a prepared ledger into its own folder, starts a child process that does the
one operation (it prints ``ready`` once its imports and the opening are done), waits a random
time within the operation's own duration (measured by an uncut run first) and kills it with
SIGKILL.  Then :func:`inspect` checks what the clerk would find: the ledger whole (``integrity_check``,
its residents all there — the old or the new ones for a restore), every file under a backup's
name a verified backup, and restore refusing every other file left behind.

The suite runs a few kills of each (tests/models/test_crashes.py); ``python -m
benchmarks.crash_runs 100`` runs 100 of each and prints the figures.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("backup", "auto", "restore", "migration")

_CHILD = r"""
import sys, datetime as dt
sys.path.insert(0, {root!r})
from pathlib import Path
from models import backup
from models.core.db import Operator
from models.ledger import open_db
mode, ledger, other = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
clock = lambda: dt.datetime(2026, 10, 31, 18, 0)
if mode == "restore":
    print("ready", flush=True)
    backup.restore(other, ledger, operator=Operator("测试员"), clock=clock)
elif mode == "migration":
    print("ready", flush=True)
    open_db(ledger, create=False, clock=clock).close()
else:
    led = open_db(ledger, create=False, clock=clock)
    print("ready", flush=True)
    if mode == "backup":
        backup.backup(led, other)
    else:
        backup.auto_backup(led, "每日", interval=None)
    led.close()
print("done", flush=True)
"""


@dataclass
class Outcome:
    """What one killed run left."""

    killed: bool
    problems: list[str] = field(default_factory=list)


def residents(path: Path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT COUNT(*) FROM residents").fetchone()[0]
    finally:
        conn.close()


def prepare(folder: Path, households: int = 3000) -> dict[str, Path]:
    """The ledgers the runs start from: ``current`` (at today's schema), ``backup`` (a verified
    backup of it with fewer residents), ``old`` (at an older schema, for the migration)."""
    import sqlite_utils

    from models import backup
    from models import ledger as ledger_mod
    from models.ledger import open_db
    from tests.ledger_faults import fill_residents

    folder.mkdir(parents=True, exist_ok=True)
    current = folder / "current.db"
    led = open_db(current, community_name="幸福社区")
    fill_residents(led, households)
    made = backup.backup(led, folder / "backup.db", audit=False)
    fill_residents(led, 500)
    led.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    led.close()
    old = folder / "old.db"
    db = sqlite_utils.Database(str(old))
    first_late = [m.name for m in ledger_mod._migration_sets()[0]._migrations][1]  # the search index: rebuilt
    ledger_mod.migrate(db, stop_before=[first_late])
    with db.conn:
        db.conn.executemany("INSERT INTO residents (name, status, created_at, created_by, updated_at, updated_by)"
                            " VALUES (?, '在册', '2026-01-01 00:00:00', 'x', '2026-01-01 00:00:00', 'x')",
                            [(f"旧居民{i}",) for i in range(households)])
    db.close()
    return {"current": current, "backup": made, "old": old}


def _start(mode: str, ledger: Path, other: Path, env: dict) -> subprocess.Popen:
    code = _CHILD.format(root=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", code, mode, str(ledger), str(other)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def _setup(mode: str, base: dict[str, Path], run: Path) -> tuple[Path, Path]:
    if run.exists():
        shutil.rmtree(run)
    run.mkdir(parents=True)
    source = base["old"] if mode == "migration" else base["current"]
    ledger = run / "台账.db"
    shutil.copyfile(source, ledger)
    other = run / "备份.db" if mode == "backup" else base["backup"]
    return ledger, other


def duration(mode: str, base: dict[str, Path], work: Path) -> float:
    """Seconds from ``ready`` to the end of an uncut run of ``mode``."""
    ledger, other = _setup(mode, base, work / f"{mode}-uncut")
    env = dict(os.environ, GRIDLEDGER_BACKUP_DIR=str(work / f"{mode}-uncut" / "backups"))
    child = _start(mode, ledger, other, env)
    child.stdout.readline()
    start = time.perf_counter()
    out, err = child.communicate(timeout=300)
    if child.returncode != 0:
        raise RuntimeError(f"{mode} failed uncut: {err}")
    return time.perf_counter() - start


def kill_once(mode: str, base: dict[str, Path], run: Path, within: float, rng: random.Random) -> Outcome:
    """One run of ``mode`` killed after a random part of ``within`` seconds; then :func:`inspect`."""
    ledger, other = _setup(mode, base, run)
    backups = run / "backups"
    env = dict(os.environ, GRIDLEDGER_BACKUP_DIR=str(backups))
    child = _start(mode, ledger, other, env)
    if child.stdout.readline().strip() != "ready":
        child.kill()
        return Outcome(False, [f"child did not start: {child.stderr.read()[-500:]}"])
    time.sleep(rng.uniform(0, within))
    killed = child.poll() is None
    if killed:
        os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    child.stderr.close()
    return Outcome(killed, inspect(mode, base, ledger, other if mode == "backup" else None, backups))


def inspect(mode: str, base: dict[str, Path], ledger: Path, out: Path | None, backups: Path) -> list[str]:
    """Problems a clerk would meet after the kill (empty: none)."""
    from models import backup
    from models.core import safecopy
    from models.core.errors import LedgerError
    from models.core.db import Operator

    problems = []
    if not ledger.exists():
        return ["the ledger path is empty"]
    conn = sqlite3.connect(str(ledger))
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        count = conn.execute("SELECT COUNT(*) FROM residents").fetchone()[0]
    except sqlite3.Error as exc:
        return [f"ledger unreadable: {exc}"]
    finally:
        conn.close()
    if check != "ok":
        problems.append(f"ledger damaged: {check}")
    source = base["old"] if mode == "migration" else base["current"]
    allowed = {residents(source)} | ({residents(base["backup"])} if mode == "restore" else set())
    if count not in allowed:
        problems.append(f"ledger has {count} residents, expected one of {sorted(allowed)}")
    named = [p for p in backups.rglob("*") if p.is_file() and backup.parse_name(p) is not None]
    if out is not None and out.exists():
        named.append(out)
    for path in named:
        try:
            safecopy.verify_backup(path)
        except LedgerError as exc:
            problems.append(f"{path.name} under a backup's name does not verify: {exc}")
    leftovers = [p for p in ledger.parent.rglob(safecopy.TEMP_PREFIX + "*")
                 if not p.name.endswith(("-journal", "-wal", "-shm"))]
    for path in leftovers:
        try:
            safecopy.verify_backup(path)
        except LedgerError:
            target = ledger.parent / "restore-probe.db"
            shutil.copyfile(ledger, target)
            try:
                backup.restore(path, target, operator=Operator("测试员"))
                problems.append(f"restore accepted the leftover {path.name}")
            except LedgerError:
                pass
            finally:
                safecopy.remove_quietly(target)
    return problems


def campaign(mode: str, runs: int, work: Path, seed: int = 16, base: dict[str, Path] | None = None) -> dict:
    """``runs`` killed runs of ``mode``: how many were killed mid-way, and every problem found."""
    base = base or prepare(work / "base")
    within = min(duration(mode, base, work) for _ in range(2))   # the shorter: load only adds time
    rng = random.Random(seed)
    killed, problems = 0, []
    for n in range(runs):
        outcome = kill_once(mode, base, work / f"{mode}-{n}", within * 1.1, rng)
        killed += outcome.killed
        problems += [f"run {n}: {p}" for p in outcome.problems]
        shutil.rmtree(work / f"{mode}-{n}", ignore_errors=True)
    return {"mode": mode, "runs": runs, "killed": killed, "seconds": within, "problems": problems}
