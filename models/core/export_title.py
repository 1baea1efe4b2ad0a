"""The title line above every exported table (issue 15): what the file holds, for whom, when.

A file sent upward or printed months later must say by itself which rows it holds: the
subject, the filter or period it was cut by, the grids a 网格员's export was limited to,
the moment and the person.  ``models.core.tabular`` writes it above the header (xlsx: a
bold row, the header frozen below it; csv: the first line), and the import finds the
header below it, so an exported file still imports as it is.

    export_title(ledger, "民情事项台账", "登记月份：2026-11")
    → "幸福社区民情事项台账　登记月份：2026-11　导出：2026-12-03 09:30　张三"
"""

from __future__ import annotations

from models.core.scope import scoped_grids

#: between the parts of a title (an ideographic space, as printed ledgers set them)
SEP = "　"
#: grids named in a 网格员's title before "等 N 个网格"
MAX_GRIDS_NAMED = 5
#: a search text longer than this is cut in a title
SEARCH_SHOWN = 30


def export_title(ledger, subject: str, *details: str) -> str:
    """``subject`` (after the community's name) with ``details`` (the filter, the period),
    the grids the operator is limited to, the export's time (the ledger's clock) and who."""
    parts = [f"{ledger.community_name or ''}{subject}", *[d for d in details if d]]
    grids = scoped_grids(ledger)
    if grids is not None:
        parts.append("范围：" + _grid_names(ledger, grids))
    parts.append(f"导出：{ledger.now():%Y-%m-%d %H:%M}")
    if ledger.operator.name:
        parts.append(ledger.operator.name)
    return SEP.join(parts)


def searched(text: str) -> str:
    """The title's words for a search box's text (already masked where it must be): ``搜索“…”``,
    its runs of white space one space, cut to :data:`SEARCH_SHOWN` characters; '' when blank."""
    text = " ".join(text.split())
    if not text:
        return ""
    return f"搜索“{text[:SEARCH_SHOWN]}{'…' if len(text) > SEARCH_SHOWN else ''}”"


def _grid_names(ledger, grids: frozenset[int]) -> str:
    if not grids:
        return "无负责网格"
    ids = sorted(grids)
    names = [name for (name,) in ledger.conn.execute(
        f"SELECT name FROM grids WHERE id IN ({','.join('?' * len(ids))}) ORDER BY id", ids)]
    shown = "、".join(names[:MAX_GRIDS_NAMED])
    return shown + (f" 等 {len(names)} 个网格" if len(names) > MAX_GRIDS_NAMED else "")
