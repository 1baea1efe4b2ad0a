"""Parallel reads: jobs on several connections that carry the operator and the clock, or in order here."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest

from models.core import parallel
from models.core.db import Operator
from models.core.errors import ValidationError
from models.ledger import open_db


@pytest.fixture
def file_ledger(ledger_path, clock, monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    clock.set(2026, 12, 31, 23, 30, 0)
    led = open_db(ledger_path, operator=Operator("王文员", user_id=7, role="工作人员"), clock=clock)
    yield led
    led.close()


def _where(ledger, tick):
    """What a job sees: its thread, its connection, the operator and "now"."""
    tick(threading.current_thread().name)
    return (threading.current_thread().name, ledger.operator, ledger.now(), ledger.community_name)


def test_workers_carry_the_operator_and_the_clock(file_ledger):
    ticks = []
    found = parallel.run_parallel(file_ledger, [_where, _where, _where], on_tick=ticks.append)
    names = [f[0] for f in found]
    assert names[0] == threading.current_thread().name
    assert sorted(names[1:]) == [f"{parallel.THREAD_PREFIX}-1", f"{parallel.THREAD_PREFIX}-2"]
    assert [f[1:] for f in found] == [(Operator("王文员", 7, "工作人员"), dt.datetime(2026, 12, 31, 23, 30),
                                       "幸福社区")] * 3
    assert sorted(ticks) == sorted(names)   # every tick reported, on this thread


def test_worker_connections_read_the_file_and_are_closed(file_ledger):
    opened = []
    real = parallel.read_connection

    def spy(ledger):
        other = real(ledger)
        opened.append(other)
        return other

    parallel.read_connection = spy
    try:
        found = parallel.run_parallel(file_ledger, [
            lambda led, tick: led is file_ledger,
            lambda led, tick: (led is file_ledger, led.scalar("PRAGMA mmap_size"),
                               led.scalar("SELECT COUNT(*) FROM grids")),
        ])
    finally:
        parallel.read_connection = real
    # memory-mapped (up to SQLite's own limit), on another connection to the same file
    assert found[0] is True and found[1][0] is False and found[1][1] > 0 and found[1][2] == 0
    (other,) = opened
    with pytest.raises(Exception, match="closed"):
        other.scalar("SELECT 1")


@pytest.mark.parametrize("why", ["in memory", "one core", "in a transaction"])
def test_jobs_run_in_order_on_the_callers_connection_when_parallel_reads_would_be_wrong(
        ledger, file_ledger, monkeypatch, why):
    target = ledger if why == "in memory" else file_ledger
    if why == "one core":
        monkeypatch.setattr("os.cpu_count", lambda: 1)
    order = []

    def job(n):
        def run(led, tick):
            order.append(n)
            tick(n)
            return led is target, threading.current_thread() is threading.main_thread()
        return run

    ticks = []
    with target.write() if why == "in a transaction" else contextlib.nullcontext():
        assert parallel.connections_for(target, 3) == 1
        found = parallel.run_parallel(target, [job(1), job(2), job(3)], on_tick=ticks.append)
    assert found == [(True, True)] * 3 and order == ticks == [1, 2, 3]


@pytest.mark.parametrize("cores, wanted, expected", [(1, 5, 1), (2, 5, 2), (8, 5, 4), (8, 3, 3), (8, 0, 1)])
def test_connections_for(file_ledger, monkeypatch, cores, wanted, expected):
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    assert parallel.connections_for(file_ledger, wanted) == expected


@pytest.mark.parametrize("failing", [0, 1])
def test_a_failing_job_fails_the_call_after_every_job_ended(file_ledger, failing):
    ended = []

    def job(n):
        def run(led, tick):
            if n == failing:
                raise ValidationError(f"第 {n} 段出错")
            ended.append(n)
            return n
        return run

    with pytest.raises(ValidationError, match=f"第 {failing} 段出错"):
        parallel.run_parallel(file_ledger, [job(0), job(1), job(2)])
    assert sorted(ended) == sorted({0, 1, 2} - {failing})
    assert [t.name for t in threading.enumerate() if t.name.startswith(parallel.THREAD_PREFIX)] == []


def test_no_jobs_no_work(file_ledger):
    assert parallel.run_parallel(file_ledger, []) == []
