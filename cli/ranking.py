"""``export ranking --month YYYY-MM --out F.csv|F.xlsx``: the 评比排名 of SPEC §8.

Registered in :data:`cli.exporting.EXPORTERS`.  Without ``--month`` the last month
that has ended is exported (and named on screen); a malformed month is a usage
error (exit 2).
"""

from __future__ import annotations

import sys

from cli import EXIT_USAGE


def export_ranking(ledger, out, month: str | None = None, progress=None) -> int:
    from models.core import periods
    from models.core.errors import ValidationError
    from models.evaluation.publications import published_version
    from models.evaluation.ranking_export import export_ranking as write_ranking

    if month is None:
        month = periods.recent_months(ledger.now(), 2)[1]
        print(f"未指定 --month，导出上个月（{periods.month_text(month)}）的排名。", file=sys.stderr)
    try:
        month = periods.check_month(month)
    except ValidationError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    count = write_ranking(ledger, out, month, progress=progress)
    published = published_version(ledger, month)
    state = f"已定稿第 {published} 版" if published else "未定稿，按当前数据计算"
    print(f"{periods.month_text(month)}评比排名（{state}）", file=sys.stderr)
    return count
