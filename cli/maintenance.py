"""``check``, ``backup`` and ``restore``."""

from __future__ import annotations

import sys
from pathlib import Path

from cli import EXIT_OK, EXIT_REJECTED, open_ledger, resolve_db
from models import backup as backup_mod
from models import checks
from models.core.db import integrity_check


def run_check(args) -> int:
    ledger = open_ledger(args, create=False)
    try:
        problems = integrity_check(ledger) + checks.ledger_problems(ledger)
    finally:
        ledger.close()
    if problems:
        for line in problems:
            print(line)
        print(f"发现 {len(problems)} 个问题。")
        return EXIT_REJECTED
    print("台账完整性检查通过。")
    return EXIT_OK


def run_backup(args) -> int:
    ledger = open_ledger(args, create=False)
    try:
        out = backup_mod.backup(ledger, Path(args.out))
    finally:
        ledger.close()
    print(f"已备份到 {out}")
    return EXIT_OK


def run_restore(args) -> int:
    target = resolve_db(args)
    backup_mod.restore(Path(args.file), target)
    print(f"已从 {args.file} 恢复到 {target}", file=sys.stdout)
    return EXIT_OK
