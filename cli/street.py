"""定稿 and the street office from the command line (issue 12).

* ``publish --month YYYY-MM [--reason 理由]`` — 定稿, the same operation as the window's
  button (a republish needs ``--reason``);
* ``package export --month YYYY-MM --out F.glpkg`` — the signed package of a published month;
* ``package key [--out F.txt]`` — this ledger's public key fingerprint (and key file);
* ``package import F.glpkg… [--trust]`` — a street ledger imports packages, all or none;
* ``street init --name 某某街道``, ``street add-community --name 幸福社区 --key F``,
  ``street communities``.

A refusal prints ``错误：…`` in Chinese and exits 1 (:func:`cli.run`); nothing is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cli import EXIT_OK, EXIT_USAGE, open_ledger


def _month(text: str) -> str | None:
    from models.core import periods
    from models.core.errors import ValidationError

    try:
        return periods.check_month(text)
    except ValidationError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return None


def run_publish(args) -> int:
    from models.core.periods import month_text
    from models.evaluation.publishing import publish

    month = _month(args.month)
    if month is None:
        return EXIT_USAGE
    ledger = open_ledger(args, create=False)
    try:
        pub = publish(ledger, month, args.reason)
        best = pub.evaluation.grids[0] if pub.evaluation.grids else None
    finally:
        ledger.close()
    print(f"{month_text(month)}已定稿：第 {pub.version} 版（{pub.published_at[:16]} {pub.published_by}），"
          f"{len(pub.evaluation.grids)} 个网格参评。")
    if pub.reason:
        print(f"重新定稿原因：{pub.reason}")
    if best is not None:
        print(f"第 1 名：{best.name}，总分 {best.total:.2f}")
    return EXIT_OK


def run_package(args) -> int:
    return {"export": _package_export, "import": _package_import, "key": _package_key}[args.package_command](args)


def _package_export(args) -> int:
    from models.core.periods import month_text
    from models.street.package import SUFFIX, export_package

    month = _month(args.month)
    if month is None:
        return EXIT_USAGE
    out = Path(args.out)
    if out.suffix.lower() != SUFFIX:
        print(f"用法错误：报送文件应以 {SUFFIX} 结尾。", file=sys.stderr)
        return EXIT_USAGE
    ledger = open_ledger(args, create=False)
    try:
        done = export_package(ledger, month, out)
    finally:
        ledger.close()
    print(f"已导出{month_text(month)}报送（定稿第 {done['version']} 版，{done['grids']} 个网格）到 {out}")
    print(f"本台账公钥指纹：{done['fingerprint']}（街道首次导入时请电话核对）")
    return EXIT_OK


def _package_key(args) -> int:
    from models.core import signing

    ledger = open_ledger(args, create=False)
    try:
        public = signing.public_key(ledger)
        name = ledger.community_name
    finally:
        ledger.close()
    print(f"本台账公钥指纹：{signing.fingerprint(public)}")
    if args.out:
        Path(args.out).write_text(signing.key_file_text(name, public), encoding="utf-8")
        print(f"公钥文件已保存到 {args.out}（交给街道登记：street add-community --key）")
    return EXIT_OK


def _package_import(args) -> int:
    from models.street.registry import import_packages, read_files

    ledger = open_ledger(args, create=False)
    try:
        result = import_packages(ledger, read_files(args.files), trust=args.trust)
    finally:
        ledger.close()
    for name, fingerprint in result.registered:
        print(f"已登记社区“{name}”，公钥指纹 {fingerprint}")
    for line in result.lines:
        print(line)
    print(f"共导入 {result.imported} 份报送。")
    return EXIT_OK


def run_street(args) -> int:
    from models.street import registry

    ledger = open_ledger(args, create=args.street_command == "init")
    try:
        if args.street_command == "init":
            name = registry.init_street(ledger, args.name)
            print(f"已建立街道台账：{name}（{ledger.path}）")
        elif args.street_command == "add-community":
            try:
                text = Path(args.key).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                from models.core.errors import ValidationError

                raise ValidationError(f"无法读取公钥文件“{args.key}”：{getattr(exc, 'strerror', None) or exc}") from None
            community = registry.add_community(ledger, args.name, text)
            print(f"已登记社区“{community.name}”，公钥指纹 {community.fingerprint}")
        else:
            registry.require_street(ledger)
            rows = registry.communities(ledger)
            if not rows:
                print("还没有登记任何社区。")
            for c in rows:
                print(f"{c.name}\t{c.fingerprint}\t{c.registered_at[:16]}（{c.registered_how}）")
    finally:
        ledger.close()
    return EXIT_OK
