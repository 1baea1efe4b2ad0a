"""Benchmark: the 操作日志 page on a year of a busy office (2 million audit rows; issue 10: < 1 s).

Copies a demo ledger (default ``/tmp/gl/d20k.db``; never written to) into ``--work``,
opens the copy (which migrates it: the append-only triggers and the filter indexes), adds
``--rows`` audit rows spread over one year (20 operators, the actions and record types the
program writes, a changed field with a phone in it, already masked as ``Ledger.audit`` would),
then measures, on a freshly opened connection (cold cache) and then warm:

* the baseline: a plain ``SELECT … FROM audit_log LIMIT 100`` (no order, no filter);
* opening the page: the first page of :func:`models.core.audit_log.search_page` (newest 100)
  plus :func:`filter_choices` (the drop-downs);
* a filtered first page: by operator, by action, by record type, by operator and a month,
  by a date range alone, a rare text, the next page (keyset), and a record's history.

    .venv/bin/python benchmarks/bench_audit.py [--db FILE] [--work DIR] [--rows 2000000] [--runs 5]
        [--doc docs/performance.md]

With ``--doc`` the figures replace the "audit" section of that file.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.doc_section import replace_section  # noqa: E402 - after the path is set

OPERATORS = [f"工作人员{i:02d}" for i in range(1, 21)]
ACTIONS = ["修改"] * 6 + ["新增"] * 3 + ["登记", "办结", "分派", "删除", "登录成功", "导出", "回访"]
TABLES = ["residents"] * 5 + ["matters"] * 3 + ["visits"] * 2 + ["households", "activities", "users"]


def fill(ledger, rows: int) -> float:
    """Append ``rows`` audit rows over 2026 (one INSERT … SELECT per 100,000). Returns seconds."""
    start = time.perf_counter()
    conn = ledger.conn
    ops = ", ".join(f"'{o}'" for o in OPERATORS)
    acts = ", ".join(f"'{a}'" for a in ACTIONS)
    tabs = ", ".join(f"'{t}'" for t in TABLES)
    conn.execute(f"CREATE TEMP TABLE ops(i INTEGER PRIMARY KEY, v TEXT)")
    conn.executemany("INSERT INTO temp.ops(v) VALUES (?)", [(o,) for o in OPERATORS])
    conn.execute("CREATE TEMP TABLE acts(i INTEGER PRIMARY KEY, v TEXT)")
    conn.executemany("INSERT INTO temp.acts(v) VALUES (?)", [(a,) for a in ACTIONS])
    conn.execute("CREATE TEMP TABLE tabs(i INTEGER PRIMARY KEY, v TEXT)")
    conn.executemany("INSERT INTO temp.tabs(v) VALUES (?)", [(t,) for t in TABLES])
    del ops, acts, tabs
    if conn.in_transaction:
        conn.execute("COMMIT")
    year = 365 * 24 * 3600
    step = 100_000
    done = 0
    while done < rows:
        n = min(step, rows - done)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            f"""
            WITH RECURSIVE k(x) AS (SELECT {done} UNION ALL SELECT x + 1 FROM k WHERE x + 1 < {done + n})
            INSERT INTO audit_log (at, operator, user_id, action, table_name, row_id, old_value, new_value)
            SELECT datetime(unixepoch('2026-01-01 08:00:00') + (x * {year} / {rows}), 'unixepoch'),
                   (SELECT v FROM temp.ops WHERE i = 1 + (x * 7919) % {len(OPERATORS)}),
                   1 + (x * 7919) % {len(OPERATORS)},
                   (SELECT v FROM temp.acts WHERE i = 1 + (x * 104729) % {len(ACTIONS)}),
                   (SELECT v FROM temp.tabs WHERE i = 1 + (x * 15485863) % {len(TABLES)}),
                   1 + (x * 2654435761) % 500000,
                   json_object('phone', '138****' || printf('%04d', x % 10000)),
                   json_object('phone', '139****' || printf('%04d', (x * 7) % 10000), 'notes', '第' || x || '次修改')
            FROM k""")
        conn.execute("COMMIT")
        done += n
    return time.perf_counter() - start


def timed(fn, runs: int) -> tuple[float, float]:
    """(first run, median of the following runs) in milliseconds."""
    start = time.perf_counter()
    fn()
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(max(1, runs - 1)):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(times)


def main(argv=None) -> int:
    from models.core import audit_log as A
    from models.core.db import Operator
    from models.ledger import open_db

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/gl/d20k.db")
    parser.add_argument("--work", default="/tmp/gl/authui")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--doc", default=None)
    args = parser.parse_args(argv)

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    copy = work / f"bench_audit_{args.rows}.db"
    admin = Operator("管理员", role="管理员")
    if not copy.exists():
        shutil.copyfile(args.db, copy)
        ledger = open_db(copy, operator=admin, create=False)
        seconds = fill(ledger, args.rows - ledger.scalar("SELECT COUNT(*) FROM audit_log"))
        ledger.conn.execute("ANALYZE")
        ledger.close()
        print(f"生成操作日志：{args.rows:,} 行，{seconds:.1f} 秒")

    start = time.perf_counter()
    ledger = open_db(copy, operator=admin, create=False)
    opened = (time.perf_counter() - start) * 1000
    total = ledger.scalar("SELECT MAX(id) FROM audit_log")
    some = ledger.query("SELECT table_name, row_id FROM audit_log WHERE table_name = 'residents'"
                        " ORDER BY id DESC LIMIT 1")[0]
    cases = [
        ("基准：SELECT … FROM audit_log LIMIT 100", lambda: ledger.query(
            "SELECT id, at, operator, action, table_name, row_id, old_value, new_value FROM audit_log LIMIT 100")),
        ("打开页面：最新 100 行 + 筛选选项", lambda: (A.search_page(ledger), A.filter_choices(ledger))),
        ("最新 100 行", lambda: A.search_page(ledger)),
        ("筛选选项（操作人、操作、记录类型）", lambda: A.filter_choices(ledger)),
        ("按操作人", lambda: A.search_page(ledger, A.AuditFilter(operator="工作人员07"))),
        ("按操作", lambda: A.search_page(ledger, A.AuditFilter(action="删除"))),
        ("按记录类型", lambda: A.search_page(ledger, A.AuditFilter(table_name="households"))),
        ("按操作人 + 一个月", lambda: A.search_page(ledger, A.AuditFilter(
            operator="工作人员07", date_from="2026-03-01", date_to="2026-03-31"))),
        ("按日期（一天）", lambda: A.search_page(ledger, A.AuditFilter(date_from="2026-06-15",
                                                                    date_to="2026-06-15"))),
        ("操作人 + 操作 + 记录类型 + 一个月", lambda: A.search_page(ledger, A.AuditFilter(
            operator="工作人员07", action="删除", table_name="residents", date_from="2026-03-01",
            date_to="2026-03-31"))),
        ("文字（一个月内）", lambda: A.search_page(ledger, A.AuditFilter(
            text="第1234567次", date_from="2026-08-01", date_to="2026-08-31"))),
        ("文字（全年，罕见）", lambda: A.search_page(ledger, A.AuditFilter(text="第1234567次"))),
        ("下一页（第 2 页）", lambda: A.search_page(ledger, after=A.search_page(ledger)[1])),
        ("一条记录的全部历史", lambda: A.record_history(ledger, some["table_name"], some["row_id"])),
    ]
    results = []
    for label, fn in cases:
        first, warm = timed(fn, args.runs)
        results.append((label, first, warm))
    month = A.AuditFilter(date_from="2026-08-01", date_to="2026-08-31")
    out = work / "bench_audit_export.xlsx"
    start = time.perf_counter()
    exported = A.export_audit(ledger, out, month)
    export_s = time.perf_counter() - start
    out.unlink()
    base = results[0][2] or 1e-9
    lines = [f"台账：{Path(args.db).name} 的副本，操作日志 {total:,} 行；打开台账 {opened:.0f} ms",
             "", "| 查询 | 首次（冷） | 其后中位数 | 与基准之比 |", "|---|---:|---:|---:|"]
    for label, first, warm in results:
        lines.append(f"| {label} | {first:.1f} ms | {warm:.1f} ms | {warm / base:.1f}× |")
    lines += ["", f"导出一个月（2026-08，{exported:,} 行，xlsx，打码）：{export_s:.1f} 秒（读取、翻译成中文、写文件）。"]
    print("\n".join(lines))
    ledger.close()
    if args.doc:
        begin, end = "<!-- audit:begin -->", "<!-- audit:end -->"
        section = "\n".join([begin, "## 操作日志（benchmarks/bench_audit.py）", "",
                             "一年繁忙社区约 200 万条操作日志。每个筛选条件都有按时间排序的索引"
                             "（操作人、操作、记录类型、时间），首页是一段索引范围，不扫描整表；"
                             "翻页用 (时间, 编号) 键集。索引里同时带着另外两个筛选列，组合筛选在索引上判断、不回表。"
                             "文字搜索是唯一要扫描的：按时间从新到旧扫到第 100 条为止，限定日期范围时很快，全年搜一个罕见的词要几秒。", "", *lines, end])
        replace_section(Path(args.doc), begin, end, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
