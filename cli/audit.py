"""``audit export --from YYYY-MM-DD --to YYYY-MM-DD --out FILE.xlsx|.csv`` (管理员 only).

The filtered 操作日志, masked as the log holds it, through
:func:`models.core.audit_log.export_audit` (which checks ``audit.view`` and audits the export).
"""

from __future__ import annotations

import sys
from pathlib import Path

from cli import EXIT_OK, EXIT_USAGE, open_ledger


def run_audit(args) -> int:
    """Run ``audit export``; returns the exit status."""
    from models.core import audit_log
    from models.core.periods import parse_date

    dates = []
    for option, value in (("--from", args.date_from), ("--to", args.date_to)):
        day, error = parse_date(value)
        if error:
            print(f"用法错误：{option} 应为 YYYY-MM-DD 格式的日期（现在是“{value}”）。", file=sys.stderr)
            return EXIT_USAGE
        dates.append(day)
    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        print("用法错误：--out 必须是 .xlsx 或 .csv 文件。", file=sys.stderr)
        return EXIT_USAGE
    flt = audit_log.AuditFilter(date_from=dates[0], date_to=dates[1])
    ledger = open_ledger(args, create=False)
    try:
        written = audit_log.export_audit(ledger, out, flt)
    finally:
        ledger.close()
    print(f"已导出操作日志 {written} 条到 {out}（身份证号、电话已打码）。")
    return EXIT_OK
