"""``main.py import KIND FILE [--dry-run] [--update] [--present-since YYYY-MM-DD]`` (SPEC §8).

Residents without 迁入日期 are counted from the day of the import (no published month
changes), or from ``--present-since`` when the clerk knows they lived here since then.

Prints the counts and every rejected row's sheet, row and reason.  Exit status:
0 every row went in; 1 some rows were rejected (the valid ones are still imported
unless ``--dry-run``) or the file cannot be read at all (one message, nothing
written); 2 usage errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cli import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, open_ledger, resolve_db
from models.core.safecopy import remove_quietly

#: kind → "module:attribute" of its import spec.  Add a line per kind.
IMPORTERS = {
    "residents": "models.importing.residents:SPEC",
    "matters": "models.importing.matters:SPEC",
    "visits": "models.importing.visits:SPEC",
    "activities": "models.importing.activities:SPEC",
}

#: Warnings printed one per line up to this many (the rest are counted).
MAX_WARNINGS_SHOWN = 50


def run_import(args) -> int:
    from models.importing import ImportFileError, import_file, load_spec

    ref = IMPORTERS.get(args.kind)
    if ref is None:
        print(f"用法错误：暂不支持导入“{args.kind}”。可导入：{'、'.join(IMPORTERS)}", file=sys.stderr)
        return EXIT_USAGE
    path = Path(args.file)
    if not path.exists():
        print(f"错误：找不到文件 {path}", file=sys.stderr)
        return EXIT_REJECTED
    spec = load_spec(ref)
    if getattr(args, "present_since", None):
        from models.core.periods import parse_date

        since, problem = parse_date(args.present_since)
        if args.kind != "residents":
            print("用法错误：--present-since 只用于导入居民。", file=sys.stderr)
            return EXIT_USAGE
        if problem or not since:
            print(f"用法错误：--present-since {args.present_since}：{problem or '请填写日期'}", file=sys.stderr)
            return EXIT_USAGE
        spec = spec.present_from(since)
    target = resolve_db(args)
    created = not target.exists()   # a mistyped --db: the new ledger stays only if something went in
    ledger = open_ledger(args)
    keep = False
    try:
        from models.street.registry import refuse_personal_data

        refuse_personal_data(ledger)          # a street ledger holds no residents (issue 12)
        try:
            plan, summary = import_file(ledger, path, spec, update=args.update, dry_run=args.dry_run)
        except ImportFileError as exc:
            print(f"无法导入：{exc}", file=sys.stderr)
            print("台账没有任何改动。", file=sys.stderr)
            return EXIT_REJECTED
        keep = not args.dry_run and plan.counts()["ok"] + plan.counts()["warning"] > 0
    finally:
        ledger.close()
        if created and not keep:
            remove_quietly(target)
            print(f"（没有导入任何记录，未创建台账文件 {target}。）", file=sys.stderr)

    counts = plan.counts()
    # (as the wizard says it: rows with a warning are imported too)
    print(f"读取 {len(plan.outcomes)} 行：将导入 {counts['ok'] + counts['warning']} 行"
          f"（其中有警告 {counts['warning']} 行），拒绝 {counts['rejected']} 行。")
    for note in plan.notes:
        print(note)
    rejected = plan.rejected()
    if rejected:
        print("未导入的行：")
        for outcome in rejected:
            print(f"  {outcome.where}：{outcome.message_text}")
    warned = [o for o in plan.outcomes if o.status == "warning"]
    if warned:
        print("有警告的行（已导入）：" if not args.dry_run else "有警告的行：")
        for outcome in warned[:MAX_WARNINGS_SHOWN]:
            print(f"  {outcome.where}：{outcome.message_text}")
        if len(warned) > MAX_WARNINGS_SHOWN:
            print(f"  …… 另有 {len(warned) - MAX_WARNINGS_SHOWN} 行有警告。")
    for line in summary.lines():
        print(line)
    if args.dry_run:
        print("（--dry-run：只检查，未写入台账。）")
    return EXIT_REJECTED if rejected else EXIT_OK
