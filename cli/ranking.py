"""``export ranking --month YYYY-MM --out F.csv|F.xlsx [--level grid|community]``: the 评比排名 of SPEC §8.

In a street ledger (issue 12) the ranking is the street's: every grid of every community
(``--level grid``) or the communities (``--level community``), from the packages imported.

Registered in :data:`cli.exporting.EXPORTERS`.  Without ``--month`` the last month
that has ended is exported (and named on screen); a malformed month is a usage
error (exit 2).
"""

from __future__ import annotations

import sys

from cli import EXIT_USAGE


def export_ranking(ledger, out, month: str | None = None, level: str = "grid", progress=None) -> int:
    from models.core import periods
    from models.core.errors import ValidationError
    from models.evaluation.publications import published_version
    from models.evaluation.ranking_export import export_ranking as write_ranking
    from models.street.registry import is_street

    if month is None:
        month = periods.recent_months(ledger.now(), 2)[1]
        print(f"未指定 --month，导出上个月（{periods.month_text(month)}）的排名。", file=sys.stderr)
    try:
        month = periods.check_month(month)
    except ValidationError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    if is_street(ledger):
        from models.street.ranking import export_street_ranking

        count = export_street_ranking(ledger, out, month, level, progress=progress)
        what = "社区" if level == "community" else "网格"
        print(f"{periods.month_text(month)}街道{what}评比排名（按各社区报送的定稿数据）", file=sys.stderr)
        return count
    if level == "community":
        print("用法错误：按社区排名（--level community）只用于街道台账。", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)
    count = write_ranking(ledger, out, month, progress=progress)
    published = published_version(ledger, month)
    state = f"已定稿第 {published} 版" if published else "未定稿，按当前数据计算"
    print(f"{periods.month_text(month)}评比排名（{state}）", file=sys.stderr)
    return count
