"""The ranking export of SPEC §8 (``export ranking``, the 月度评比 page): one row per grid.

The figures of record (published if 定稿), in rank order, written by the one tabular
writer (:func:`models.core.tabular.write_table`).
"""

from __future__ import annotations

from pathlib import Path

from models.core.db import Ledger
from models.core.tabular import Column, Progress, check_target, write_table
from models.core.export_title import export_title
from models.evaluation.monthly import month_figures
from models.evaluation.publications import published_version
from models.evaluation.scoring import round_half_up

#: SPEC §8's indicator columns and the indicator each one shows, whatever the scheme calls it
INDICATOR_COLUMNS = (("按期办结率", "on_time"), ("群众满意率", "satisfaction"), ("走访覆盖率", "visit_coverage"),
                     ("问题发现", "discovery"), ("志愿服务", "volunteer"), ("台账完整率", "completeness"))

COLUMNS = (
    Column("排名", "排名", width=6),
    Column("社区", "社区", width=14),
    Column("网格", "网格", width=14),
    *(Column(header, header, width=10 if key in ("discovery", "volunteer") else 11, number_format="0.0000")
      for header, key in INDICATOR_COLUMNS),
    Column("加减分", "加减分", width=8, number_format="0.00"),
    Column("总分", "总分", width=8, number_format="0.00"),
)

RANKING_COLUMNS = [c.header for c in COLUMNS]


def ranking_rows(ledger: Ledger, month: str) -> list[dict]:
    """The ranking export of SPEC §8: one row per grid in rank order.

    Columns :data:`RANKING_COLUMNS`; scores are 0..1 rounded to 4 decimals
    (whatever the scheme calls them, the columns are SPEC §8's), 加减分 and
    总分 to 2.  The figures of record (published if 定稿) are used.
    """
    result = month_figures(ledger, month)
    out = []
    for g in result.grids:
        row = {"排名": g.rank, "社区": g.community_name, "网格": g.name}
        for column, key in INDICATOR_COLUMNS:
            row[column] = round(g.indicators[key].score, 4)
        row["加减分"] = round_half_up(g.adjustments)
        row["总分"] = g.total
        out.append(row)
    return out


def export_ranking(ledger: Ledger, out: str | Path, month: str, progress: Progress | None = None) -> int:
    """Write :func:`ranking_rows` to ``out`` (``.csv`` UTF-8 with BOM for Excel/WPS, or ``.xlsx``).

    Returns:
        the number of grid rows.

    Raises:
        ValidationError: an unsupported file type or a bad month.
        EnvironmentProblem: the file cannot be written.
    """
    check_target(out)
    rows = ranking_rows(ledger, month)
    version = published_version(ledger, month)
    state = f"已定稿（第 {version} 版）" if version else "未定稿，按当前台账计算，仅供参考"
    title = export_title(ledger, f"{month} 网格月度评比排名", state, f"共 {len(rows)} 个网格")
    return write_table(out, f"{month}排名", COLUMNS, rows, progress=progress, title_row=title)
