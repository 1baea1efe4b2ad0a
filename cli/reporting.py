"""``report {monthly,annual,scorecards,ledger} (--month YYYY-MM | --year YYYY) --out FILE.pdf``.

* ``monthly``    月度评比通报 of the month (``--month``); in a street ledger the street's
  社区和网格月度评比通报 (``reports.street``); ``annual`` there is the street's 年度社区考评
* ``scorecards`` every grid's 网格评分卡 of the month (``--month``)
* ``annual``     年度考评 of the year (``--year``)
* ``ledger``     the month's 台账 (``--month``): the 矛盾纠纷排查调处台账 with the dispute
  summary, the 民情日志 and the 志愿服务活动台账, for all grids.  Rosters
  (居民花名册 per grid, 特殊人群花名册) and certificates are printed from the 报表 page.

The PDF is written to a temporary file next to ``--out`` and moved into place
when complete, so a failure never leaves a half-written report.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

from cli import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, open_ledger

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

#: command-line kind → (report_data kind, period it needs)
PERIODS = {"monthly": "month", "scorecards": "month", "ledger": "month", "annual": "year"}
TITLES = {"monthly": "月度评比通报", "scorecards": "网格评分卡", "ledger": "月度工作台账", "annual": "年度考评"}


def _usage(message: str) -> int:
    print(f"用法错误：{message}", file=sys.stderr)
    return EXIT_USAGE


def check_args(args) -> str | None:
    """The usage problem of ``args`` in Chinese, or None."""
    need = PERIODS[args.kind]
    title = TITLES[args.kind]
    if need == "month":
        if args.month is None:
            return f"{title}需要 --month YYYY-MM（例如 --month 2026-10），不能用 --year。"
        if not _MONTH.match(args.month.strip()):
            return f"月份“{args.month}”格式不对，应为 YYYY-MM，例如 2026-10。"
    else:
        if args.year is None:
            return f"{title}需要 --year YYYY（例如 --year 2026），不能用 --month。"
        if not 1900 <= args.year <= 2999:
            return f"年份“{args.year}”不合理，应为四位数字，例如 2026。"
    if args.kind != "monthly" and (getattr(args, "doc_number", None) or getattr(args, "copy_to", None)):
        return "--doc-number 和 --copy-to 只用于月度评比通报（report monthly）。"
    if not str(args.out).lower().endswith(".pdf"):
        return f"输出文件“{args.out}”应以 .pdf 结尾。"
    return None


def run_report(args) -> int:
    problem = check_args(args)
    if problem:
        return _usage(problem)
    from models.core.errors import EnvironmentProblem
    from models.reporting.data import ReportRequest, gather

    import reports

    out = Path(args.out)
    if out.parent and not out.parent.exists():
        print(f"错误：输出文件夹不存在：{out.parent}", file=sys.stderr)
        return EXIT_REJECTED
    started = time.perf_counter()
    ledger = open_ledger(args, create=False)
    try:
        from models.street.registry import is_street

        if is_street(ledger):   # a street ledger prints the street's bulletin and annual (issue 12)
            from models.street.bulletin import street_annual_data, street_bulletin_data

            if args.kind == "monthly":
                data = street_bulletin_data(ledger, args.month.strip())
            elif args.kind == "annual":
                data = street_annual_data(ledger, args.year)
            else:
                return _usage("街道台账只能生成月度评比通报（report monthly）和年度考评（report annual）。")
        else:
            request = ReportRequest(args.kind, month=args.month.strip() if args.month else None, year=args.year,
                                    doc_number=getattr(args, "doc_number", None) or "",
                                    copy_to=getattr(args, "copy_to", None) or "")
            data = gather(ledger, request)
    finally:
        ledger.close()
    fd, tmp_name = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=str(out.parent or Path(".")))
    os.close(fd)
    try:
        pages = reports.render(data, tmp_name)
        os.chmod(tmp_name, 0o644)  # mkstemp made it private; the report is an ordinary file
        try:
            os.replace(tmp_name, out)
        except PermissionError as exc:
            raise EnvironmentProblem(f"无法写入“{out}”：文件可能正在被其他程序（如 PDF 阅读器）打开，"
                                     "请关闭后重试。") from exc
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    elapsed = time.perf_counter() - started
    print(f"已生成{TITLES[args.kind]}：{out}（共 {pages} 页，用时 {elapsed:.1f} 秒）")
    return EXIT_OK
