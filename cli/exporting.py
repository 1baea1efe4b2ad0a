"""``export KIND --out FILE.xlsx|.csv [--month YYYY-MM] [--full-ids]``.

:data:`EXPORTERS` maps a kind to ``"module:function"``; add your kind with one line.
An exporter is called as ``func(ledger, out, **options)`` with only the options its
signature names among ``full_ids``, ``month`` and ``progress``, and returns the
number of rows written.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

from cli import EXIT_OK, EXIT_USAGE, open_ledger

#: kind → "module:function"
EXPORTERS = {
    "residents": "models.residents.export:export_residents",
    "ranking": "cli.ranking:export_ranking",
    "activities": "models.volunteers.activities:export_activities",
    "matters": "models.importing.matters:export_matters",
    "visits": "models.importing.visits:export_visits",
}

KIND_NAMES = {"residents": "居民", "matters": "民情事项", "visits": "走访", "activities": "志愿活动",
              "ranking": "评比排名"}


def _load(kind: str):
    module_name, func_name = EXPORTERS[kind].split(":")
    return getattr(importlib.import_module(module_name), func_name)


def run_export(args) -> int:
    if args.kind not in EXPORTERS:
        print(f"用法错误：暂不支持导出“{KIND_NAMES.get(args.kind, args.kind)}”。", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        print("用法错误：--out 必须是 .xlsx 或 .csv 文件。", file=sys.stderr)
        return EXIT_USAGE
    func = _load(args.kind)
    accepted = inspect.signature(func).parameters
    options = {}
    if "full_ids" in accepted:
        options["full_ids"] = bool(args.full_ids)
    elif args.full_ids:
        print("提示：这一类导出不含身份证号，已忽略 --full-ids。", file=sys.stderr)
    if "month" in accepted:
        options["month"] = args.month
    if "level" in accepted:
        options["level"] = args.level
    elif args.level != "grid":
        print("用法错误：--level 只用于导出评比排名（ranking）。", file=sys.stderr)
        return EXIT_USAGE
    if "progress" in accepted:
        last = [-1]

        def progress(done: int, total: int) -> None:
            step = done * 10 // total if total else 10
            if step != last[0]:
                last[0] = step
                print(f"  已导出 {done}/{total}", flush=True)

        options["progress"] = progress
    ledger = open_ledger(args, create=False)
    try:
        count = func(ledger, out, **options)
    finally:
        ledger.close()
    what = KIND_NAMES.get(args.kind, args.kind)
    note = ""
    if "full_ids" in options:
        note = "（含完整身份证号，已记入审计日志）" if args.full_ids else "（身份证号已脱敏）"
    print(f"已导出 {count} 条{what}记录到 {out}{note}")
    return EXIT_OK
