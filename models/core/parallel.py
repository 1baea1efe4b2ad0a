"""Parallel reads: the one place in models/ that starts threads.

The app has one background mechanism (``ui.ops.LedgerOp``: a user action or a long read
off the GUI thread).  Below it, a *read* that is several independent queries may run
them at once on several connections to the same ledger file: SQLite releases Python's
GIL while it works, so two connections keep two cores busy.  The evaluation is the only
user: the 月度评比 page counts last month's and this month's households on a second
connection while the first runs the matter queries, and the annual assessment splits
its months into runs, one per core (docs/performance.md, 月度评比: on a 200,000-household
ledger with 2 cores, 12 months take 3.9–4.5 s in parallel instead of 5.8–6.2 s).

:func:`run_parallel` is that helper.  Every worker connection carries the ledger's
operator and clock, so "now" is the same on every connection.  It runs the jobs one
after the other on the caller's own connection when parallel reads would be wrong or
useless: an in-memory ledger (no file another connection could open), a caller inside
a transaction (another connection would not see its uncommitted rows), or a machine
with a single core.
"""

from __future__ import annotations

import os
import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable, Sequence

from models.core.db import Ledger, connect

#: at most this many connections read at once
MAX_CONNECTIONS = 4

#: a worker's new connection starts with an empty page cache: reading the pages through a
#: memory map instead of a copy into that cache saves most of that (measured on the demo)
WORKER_MMAP = 1 << 32

#: worker threads are named ``ledger-read-<n>``
THREAD_PREFIX = "ledger-read"

#: ``tick(item)``: what a job calls to report a step done (thread-safe)
Tick = Callable[[Any], None]
#: ``job(ledger, tick)`` → its result; ``ledger`` is the caller's or a worker's connection
Job = Callable[[Ledger, Tick], Any]


def connections_for(ledger: Ledger, wanted: int) -> int:
    """How many connections :func:`run_parallel` would use for ``wanted`` jobs (at least 1).

    1 for an in-memory ledger, a caller inside a transaction, or a single core; else
    ``wanted`` capped by the cores and :data:`MAX_CONNECTIONS`.  Callers that split
    their work into runs ask this first, so they make one run per connection.
    """
    if ledger.path is None or ledger.conn.in_transaction:
        return 1
    return max(1, min(wanted, os.cpu_count() or 1, MAX_CONNECTIONS))


def read_connection(ledger: Ledger) -> Ledger:
    """A new connection to ``ledger``'s file for reading on another thread.

    Same operator, same clock; no migration (the file is already up to date: ``ledger``
    has it open).  The caller closes it.
    """
    other = connect(ledger.path, migrate=_up_to_date, operator=ledger.operator, clock=ledger.clock,
                    create=False, check_same_thread=False)
    other.conn.execute(f"PRAGMA mmap_size = {WORKER_MMAP}")
    return other


def _up_to_date(db) -> None:
    """The migration step of a worker connection: nothing (the caller's connection migrated)."""


def run_parallel(ledger: Ledger, jobs: Sequence[Job], on_tick: Callable[[Any], None] | None = None,
                 ) -> list:
    """Run read-only ``jobs`` at once, each on its own connection; their results in order.

    ``jobs[0]`` runs on the calling thread with ``ledger`` itself; every other job on a
    worker thread with a :func:`read_connection` of its own, closed when it ends.  When
    :func:`connections_for` says 1, every job runs here on ``ledger``, in order.

    Args:
        jobs: ``job(ledger, tick)`` callables.  They must only read.
        on_tick: called on the calling thread for every ``tick(item)`` of any job, in
            the order they arrive (progress reporting stays on the caller's thread).

    Returns:
        the jobs' results, in the order of ``jobs``.

    Raises:
        whatever a job raised (the first one in the order of ``jobs``), after every job ended.
    """
    report = on_tick or (lambda item: None)
    if not jobs:
        return []
    if connections_for(ledger, len(jobs)) < len(jobs):
        return [job(ledger, report) for job in jobs]
    ticks: queue.Queue = queue.Queue()

    def drain(block: bool = False) -> None:
        while True:
            try:
                item = ticks.get(timeout=0.1) if block else ticks.get_nowait()
            except queue.Empty:
                return
            report(item)
            block = False

    def own_tick(item) -> None:
        ticks.put(item)
        drain()

    futures = [Future() for _ in jobs[1:]]
    threads = [threading.Thread(target=_work, args=(ledger, job, ticks.put, future), daemon=True,
                                name=f"{THREAD_PREFIX}-{n}")
               for n, (job, future) in enumerate(zip(jobs[1:], futures), 1)]
    for thread in threads:
        thread.start()
    try:
        first = jobs[0](ledger, own_tick)
    finally:
        while not all(future.done() for future in futures):
            drain(block=True)
        for thread in threads:
            thread.join()
        drain()
    return [first] + [future.result() for future in futures]


def _work(ledger: Ledger, job: Job, tick: Tick, future: Future) -> None:
    try:
        other = read_connection(ledger)
        try:
            future.set_result(job(other, tick))
        finally:
            other.close()
    except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
        future.set_exception(exc)
