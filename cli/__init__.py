"""The command line of SPEC §8.  One parser; each command's handler lives in its own module.

Exit status: 0 success; 1 some input rejected (or a file that cannot be read);
2 usage errors.  Handlers take ``(args)`` and return the exit status; they open the
ledger with :func:`open_ledger`, so ``GRIDLEDGER_NOW`` (:mod:`cli.clock`) reaches every one.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from resources import version
from resources.paths import default_db_path, log_file

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2

IMPORT_KINDS = ("residents", "matters", "visits", "activities")
EXPORT_KINDS = ("residents", "matters", "visits", "activities", "ranking")
REPORT_KINDS = ("monthly", "annual", "scorecards", "ledger")

#: command → "module:function" (imported lazily so start-up stays fast)
HANDLERS = {
    "demo": "cli.demo:run_demo",
    "import": "cli.importing:run_import",
    "export": "cli.exporting:run_export",
    "report": "cli.reporting:run_report",
    "backup": "cli.maintenance:run_backup",
    "restore": "cli.maintenance:run_restore",
    "check": "cli.maintenance:run_check",
    "publish": "cli.street:run_publish",
    "package": "cli.street:run_package",
    "street": "cli.street:run_street",
    "audit": "cli.audit:run_audit",
    "user": "cli.users:run_user",
}


#: argparse's own messages (it ships no Chinese catalogue), so usage errors and --help speak
#: Chinese like the rest of the program.  argparse looks ``_`` up at call time.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "options": "选项",
    "positional arguments": "位置参数",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r（应为%(type)s）",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "至多一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
}


def _argparse_zh(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


argparse._ = _argparse_zh


def _integer(text: str) -> int:
    return int(text)


_integer.__name__ = "整数"  # argparse names the type in its error message: “应为整数”


class _Parser(argparse.ArgumentParser):
    """argparse speaking Chinese on errors; exits 2 on usage errors as SPEC §8 says."""

    def error(self, message: str):  # noqa: D102
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"用法错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="main.py", description="网格台账：不带命令时打开窗口。")
    p.add_argument("--db", metavar="FILE", help="台账文件（默认：当前用户的默认台账）")
    p.add_argument("--user", metavar="NAME",
                   help="登录的用户名（也可用环境变量 GRIDLEDGER_USER；密码在提示时输入，或用 GRIDLEDGER_PASSWORD）")
    p.add_argument("--version", action="version", version=f"{version.APP_NAME} {version.VERSION}",
                   help="显示版本号并退出")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    demo = sub.add_parser("demo", help="生成演示台账")
    demo.add_argument("--households", type=_integer, default=2000, help="户数（默认 2000）")
    demo.add_argument("--seed", type=_integer, default=1, help="随机种子")
    demo.add_argument("--months", type=_integer, default=12, help="生成多少个月的事项、走访和活动（默认 12）")
    demo.add_argument("--community", metavar="名称", help="演示社区的名称（默认：幸福社区）")

    imp = sub.add_parser("import", help="从 Excel/CSV 导入")
    imp.add_argument("kind", choices=IMPORT_KINDS)
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    imp.add_argument("--update", action="store_true", help="身份证号相同的人员更新而不是跳过")
    imp.add_argument("--present-since", metavar="YYYY-MM-DD",
                     help="（居民）没有迁入日期的人从这一天起计入统计；默认从导入当天起")

    exp = sub.add_parser("export", help="导出为 xlsx 或 csv")
    exp.add_argument("kind", choices=EXPORT_KINDS)
    exp.add_argument("--out", required=True)
    exp.add_argument("--month", help="YYYY-MM")
    exp.add_argument("--full-ids", action="store_true", help="导出完整身份证号（会记入审计日志）")
    exp.add_argument("--level", choices=("grid", "community"), default="grid",
                     help="评比排名按网格（默认）或按社区")

    rep = sub.add_parser("report", help="生成 PDF 报表")
    rep.add_argument("kind", choices=REPORT_KINDS)
    period = rep.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", help="YYYY-MM")
    period.add_argument("--year", type=_integer)
    rep.add_argument("--out", required=True)
    rep.add_argument("--doc-number", metavar="发文字号", help="月度评比通报的发文字号，例如 幸社评〔2026〕10号（可选）")
    rep.add_argument("--copy-to", metavar="抄送机关", help="月度评比通报版记中的抄送机关（可选）")

    backup = sub.add_parser("backup", help="备份台账")
    backup.add_argument("--out", required=True)
    restore = sub.add_parser("restore", help="从备份恢复台账")
    restore.add_argument("file")
    sub.add_parser("check", help="检查台账完整性")

    audit = sub.add_parser("audit", help="操作日志（仅管理员）")
    audit_sub = audit.add_subparsers(dest="audit_command", parser_class=_Parser, required=True)
    audit_export = audit_sub.add_parser("export", help="把操作日志导出为 xlsx 或 csv（身份证号、电话打码）")
    audit_export.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="开始日期（含）")
    audit_export.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="结束日期（含）")
    audit_export.add_argument("--out", required=True)

    user = sub.add_parser("user", help="管理用户（仅管理员）")
    actions = user.add_subparsers(dest="user_action", parser_class=_Parser, required=True,
                                  metavar="{add,list,disable,enable,reset-password,grant-sensitive,role}")
    from models.core.permissions import ROLES

    add = actions.add_parser("add", help="新增用户（初始密码在提示时输入，或用 GRIDLEDGER_USER_PASSWORD）")
    add.add_argument("name", help="用户名")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--grids", help="网格员负责的网格，用逗号分隔，例如 第一网格,第二网格")
    add.add_argument("--display", help="显示名（打印在报表“制表人”处，默认同用户名）")
    actions.add_parser("list", help="列出所有用户")
    for name, text in (("disable", "停用用户"), ("enable", "重新启用用户"),
                       ("reset-password", "重置密码（新密码在提示时输入，或用 GRIDLEDGER_USER_PASSWORD）")):
        actions.add_parser(name, help=text).add_argument("name", help="用户名")
    grant = actions.add_parser("grant-sensitive", help="授予查看敏感信息（重点人员、完整身份证号）的权限")
    grant.add_argument("name", help="用户名")
    grant.add_argument("--revoke", action="store_true", help="收回该权限")
    role = actions.add_parser("role", help="修改角色和负责的网格")
    role.add_argument("name", help="用户名")
    role.add_argument("--role", required=True, choices=ROLES)
    role.add_argument("--grids", help="网格员负责的网格，用逗号分隔")

    _street_commands(sub)
    return p


def _street_commands(sub) -> None:
    """定稿 and the street office's commands (issue 12: cli/street.py)."""
    pub = sub.add_parser("publish", help="月度评比定稿（与窗口中的“定稿”相同）")
    pub.add_argument("--month", required=True, help="YYYY-MM")
    pub.add_argument("--reason", default="", help="重新定稿的原因（重新定稿时必填）")

    package = sub.add_parser("package", help="月度评比报送：导出（社区）或导入（街道）")
    package_sub = package.add_subparsers(dest="package_command", parser_class=_Parser, required=True)
    pexp = package_sub.add_parser("export", help="导出已定稿月份的报送文件（签名）")
    pexp.add_argument("--month", required=True, help="YYYY-MM")
    pexp.add_argument("--out", required=True, help="报送文件（.glpkg）")
    pimp = package_sub.add_parser("import", help="街道台账导入社区报送（可一次导入多个文件）")
    pimp.add_argument("files", nargs="+", metavar="FILE")
    pimp.add_argument("--trust", action="store_true",
                      help="登记尚未登记的社区（先电话核对屏幕上显示的公钥指纹）")
    pkey = package_sub.add_parser("key", help="显示本台账的签名公钥指纹，可导出公钥文件")
    pkey.add_argument("--out", help="公钥文件（交给街道登记）")

    street = sub.add_parser("street", help="街道台账")
    street_sub = street.add_subparsers(dest="street_command", parser_class=_Parser, required=True)
    init = street_sub.add_parser("init", help="把新台账设为街道台账")
    init.add_argument("--name", required=True, help="街道名称")
    add = street_sub.add_parser("add-community", help="预先登记社区及其公钥")
    add.add_argument("--name", required=True, help="社区名称")
    add.add_argument("--key", required=True, metavar="FILE", help="社区导出的公钥文件")
    street_sub.add_parser("communities", help="列出已登记的社区及其公钥指纹")


def resolve_db(args) -> Path:
    return Path(args.db) if args.db else default_db_path()


def open_ledger(args, *, login: bool = True, **options):
    """The ledger of ``--db`` on the clock of ``GRIDLEDGER_NOW`` (``args.clock``), logged in as
    ``--user`` (:func:`cli.login.log_in`; a ledger without accounts gets its 管理员 from the same
    user name and password).  Options go to open_db.

    A ledger file this call created is removed again when the login fails, so a mistyped
    password leaves no empty ledger behind.
    """
    import dataclasses

    from models.core.db import NOBODY
    from models.ledger import open_db

    path = resolve_db(args)
    new = not path.exists()
    options.setdefault("operator", dataclasses.replace(NOBODY))
    ledger = open_db(path, clock=getattr(args, "clock", None), **options)
    if not login:
        return ledger
    from cli.login import log_in

    try:
        log_in(ledger, args)
    except BaseException:
        ledger.close()
        if new:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
                leftover.unlink(missing_ok=True)
        raise
    return ledger


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from cli.clock import BadNow, clock_from_env

    try:
        args.clock = clock_from_env()
    except BadNow as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command is None:
        from ui.app import run_gui

        return run_gui(args)
    module_name, func_name = HANDLERS[args.command].split(":")
    handler = getattr(importlib.import_module(module_name), func_name)
    from models.core.errors import bug_message, classify, log_bug, setup_logging

    try:
        return handler(args)
    except Exception as exc:  # noqa: BLE001 - every failure ends in a line the clerk can read
        problem = classify(exc)  # bad input, a locked/full/corrupt ledger … (reads included)
        if problem is not None:
            print(f"错误：{problem}", file=sys.stderr)
            return EXIT_REJECTED
        # Our bug: the traceback goes to the log file (and to pytest's captured log), not on
        # the clerk's screen; exit 70 (EX_SOFTWARE), not 1, so that no test or batch script
        # takes a bug for a rejected input.
        setup_logging(log_file())  # when it cannot, logging's last resort prints the traceback
        log_bug(exc)
        print(f"错误：{bug_message(log_file())}", file=sys.stderr)
        return 70
