"""``check``, ``backup``, ``restore`` and ``salvage``.

A damaged ledger is explained, never a traceback: ``check`` names the latest good backup
(by name and time) and the ``salvage`` command.  A password for a protected backup comes
from ``GRIDLEDGER_BACKUP_PASSWORD`` (scripts) or is asked for on the terminal.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from cli import EXIT_OK, EXIT_REJECTED, open_ledger, resolve_db
from models import backup as backup_mod
from models import checks, salvage
from models.core import sealed
from models.core.db import Operator, default_operator, integrity_check
from models.core.errors import EnvironmentProblem

PASSWORD_VARIABLE = "GRIDLEDGER_BACKUP_PASSWORD"


def ways_out(path: Path) -> list[str]:
    """What the clerk can do about a damaged ledger: the latest backup, or salvage."""
    lines = []
    found = backup_mod.ledger_backups(path)
    if found:
        latest = found[0]
        lines.append(f"办法一：从最近的备份恢复（{latest.taken:%Y-%m-%d %H:%M}，{latest.reason}）：")
        lines.append(f"  main.py --db \"{path}\" restore \"{latest.path}\"")
    else:
        lines.append("办法一：从备份恢复：main.py --db 台账 restore 备份文件（没有找到本台账的自动备份）")
    lines.append("办法二：把能读出的数据抢救到新台账：")
    lines.append(f"  main.py --db \"{path}\" salvage --out \"{path.with_name(path.stem + '_抢救' + path.suffix)}\"")
    return lines


def _explain(damage: salvage.Damage) -> int:
    print(f"错误：台账文件已损坏。请从备份恢复，或抢救能读出的数据。\n{damage.explanation()}", file=sys.stderr)
    for line in damage.problems[:5]:
        print(f"  {line}", file=sys.stderr)
    for line in ways_out(damage.path):
        print(line, file=sys.stderr)
    return EXIT_REJECTED


def run_check(args) -> int:
    path = resolve_db(args)
    if not path.is_file():
        print(f"错误：找不到台账文件：{path}（文件被移走、改名，或所在的U盘/网络盘没有连接）。", file=sys.stderr)
        if backup_mod.ledger_backups(path):
            for line in ways_out(path)[:2]:
                print(line, file=sys.stderr)
        return EXIT_REJECTED
    damage = salvage.diagnose(path, quick=False)
    if damage is not None:
        return _explain(damage)
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


def _password(confirm: bool) -> str:
    value = os.environ.get(PASSWORD_VARIABLE)
    if value:
        return value
    if not sys.stdin.isatty():
        raise EnvironmentProblem(f"请在终端中输入密码，或设置环境变量 {PASSWORD_VARIABLE}。")
    first = getpass.getpass("备份密码：")
    if confirm and getpass.getpass("再输入一次：") != first:
        raise EnvironmentProblem("两次输入的密码不一致。")
    if not first:
        raise EnvironmentProblem("密码不能为空。")
    return first


def run_backup(args) -> int:
    path = resolve_db(args)
    out = Path(args.out)
    password = _password(confirm=True) if args.encrypt else None
    if password and out.suffix != sealed.SUFFIX:
        out = out.with_name(out.name + sealed.SUFFIX)
    ledger = open_ledger(args, create=False)
    try:
        out = backup_mod.backup(ledger, out, password=password)
    except EnvironmentProblem:
        # a copy that does not verify may come from a damaged ledger: then say so, and the ways out
        if path.is_file() and (damage := salvage.diagnose(path)) is not None:
            ledger.close()
            return _explain(damage)
        raise
    finally:
        ledger.close()
    print(f"已备份到 {out}（已校验完好{'，已加密' if password else ''}）")
    return EXIT_OK


def _operator(args) -> Operator:
    """Who restores: the current ledger's operator, or the OS account when it cannot be opened."""
    try:
        ledger = open_ledger(args, create=False)
    except EnvironmentProblem:
        return Operator(default_operator())
    try:
        return ledger.operator
    finally:
        ledger.close()


def run_restore(args) -> int:
    target = resolve_db(args)
    if args.list or not args.file:
        found = backup_mod.ledger_backups(target)
        if not found:
            print("没有找到这个台账的自动备份。")
            return EXIT_OK if args.list else EXIT_REJECTED
        print("时间                 原因    操作员    居民      事项    文件")
        for item in found:
            try:
                m = backup_mod.inspect_backup(item.path) if not item.encrypted else None
            except EnvironmentProblem:
                m = None
            print(f"{item.taken:%Y-%m-%d %H:%M:%S}  {item.reason:<6}  {(m.operator if m else '') or '—':<8}  "
                  f"{(f'{m.residents():,}' if m else '—'):>8}  {(f'{m.matters():,}' if m else '—'):>6}  {item.path}")
        return EXIT_OK
    source = Path(args.file)
    if not target.parent.is_dir():
        raise EnvironmentProblem(f"台账所在的文件夹不存在：{target.parent}")
    password = _password(confirm=False) if sealed.is_sealed(source) else None
    manifest = backup_mod.inspect_backup(source, password)   # a file that is no backup touches nothing
    operator = _operator(args)
    print(f"备份：{source.name}（{manifest.created_at}，{manifest.operator or '自动'}）")
    print(backup_mod.describe_restore(manifest, backup_mod.current_counts(target)))
    if not args.yes:
        if not sys.stdin.isatty():
            print("错误：恢复会替换当前台账，请加 --yes 确认。", file=sys.stderr)
            return EXIT_REJECTED
        if input("确认恢复？输入 是 继续：").strip() not in ("是", "y", "yes"):
            print("已取消，台账没有改动。")
            return EXIT_REJECTED
    done = backup_mod.restore(source, target, operator=operator, clock=getattr(args, "clock", None),
                              password=password)
    print(f"已从 {source} 恢复到 {target}")
    if done.kept is not None:
        print(f"原台账已保留为 {done.kept}")
    if done.safety_backup is not None:
        print(f"恢复前的备份：{done.safety_backup}")
    return EXIT_OK


def run_salvage(args) -> int:
    source = resolve_db(args)
    if not source.is_file():
        raise EnvironmentProblem(f"找不到台账文件：{source}")
    result = salvage.salvage(source, Path(args.out))
    print(result.summary())
    return EXIT_OK
