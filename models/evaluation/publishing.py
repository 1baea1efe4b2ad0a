"""定稿 (publishing a month) and what has changed since.

:func:`publish` freezes a month's figures and the scheme they used as a new version
(the first is version 1; republishing needs a reason and adds version n+1, keeping
every earlier one).  :func:`diff_against_published` lists what a fresh computation
would change in the latest version: the clerk republishes when it should count.
"""

from __future__ import annotations

import json

from models.core import periods
from models.core.db import Ledger
from models.core.errors import ValidationError
from models.core.ops import operation
from models.core.periods import check_month, month_text
from models.evaluation.figures import Difference, MonthEvaluation, Publication
from models.evaluation.monthly import evaluate
from models.evaluation.publications import latest_publication, published_version


@operation("evaluation.publish", "evaluation")
def publish(ledger: Ledger, month: str, reason: str = "") -> Publication:
    """定稿: freeze the month's figures (and the scheme they used) as a new version.

    The first publication is version 1; republishing needs a reason and adds
    version n+1, keeping every earlier version.

    Raises:
        PermissionDenied: the operator may not (``evaluation.publish``).
        ValidationError: the month has not ended yet, or a republish without a reason.
    """
    month = check_month(month)
    if ledger.now_ts() <= periods.month(month).end_ts:
        raise ValidationError(f"{month_text(month)}尚未结束，不能定稿。", field="month")
    current = published_version(ledger, month)
    reason = (reason or "").strip()
    if current is not None and not reason:
        raise ValidationError(f"{month_text(month)}已定稿（第 {current} 版），重新定稿必须填写原因。",
                              field="reason")
    result = evaluate(ledger, month)
    version = (current or 0) + 1
    record = {"month": month, "version": version, "published_at": ledger.now_ts(),
              "published_by": ledger.operator.name, "reason": reason,
              "scheme": json.dumps(result.scheme.to_dict(), ensure_ascii=False),
              "figures": json.dumps(result.figures_dict(), ensure_ascii=False)}
    rowid = ledger.db["evaluation_publications"].insert(record).last_rowid
    ledger.audit("定稿", "evaluation_publications", rowid, None,
                 {"month": month, "version": version, "reason": reason})
    return latest_publication(ledger, month)


_DIFF_FIELDS = (("adjustments", "加减分"), ("total", "总分"), ("rank", "排名"),
                ("households", "在住户数"), ("residents", "在住人数"))


def diff_against_published(ledger: Ledger, month: str) -> list[Difference]:
    """What differs between the latest publication of ``month`` and a fresh computation.

    Scores are compared to 4 decimals, points and totals to 2.  Empty when the
    month is not published or nothing changed.
    """
    pub = latest_publication(ledger, month)
    if pub is None:
        return []
    now = evaluate(ledger, month, pub.scheme)
    return _diff(pub.evaluation, now)


def _diff(old: MonthEvaluation, new: MonthEvaluation) -> list[Difference]:
    out: list[Difference] = []
    old_rows = {g.grid_id: g for g in old.grids}
    new_rows = {g.grid_id: g for g in new.grids}
    for grid_id, cur in new_rows.items():
        was = old_rows.get(grid_id)
        if was is None:
            out.append(Difference(grid_id, cur.name, "grid", "网格", "（无）", "新增参评"))
            continue
        for ind in cur.indicators.values():
            before = was.indicators.get(ind.key)
            b = None if before is None else round(before.score, 4)
            if b != round(ind.score, 4):
                out.append(Difference(grid_id, cur.name, ind.key, ind.name,
                                      None if before is None else before.percent, ind.percent))
        for name, label in _DIFF_FIELDS:
            b, a = getattr(was, name), getattr(cur, name)
            if (round(b, 2) if isinstance(b, float) else b) != (round(a, 2) if isinstance(a, float) else a):
                out.append(Difference(grid_id, cur.name, name, label, b, a))
    for grid_id, was in old_rows.items():
        if grid_id not in new_rows:
            out.append(Difference(grid_id, was.name, "grid", "网格", "参评", "（已不参评）"))
    # the community's own figures of record: its adjustments (社区加减分) and its total
    old_communities = {c.community_id: c for c in old.communities}
    for cur in new.communities:
        was = old_communities.get(cur.community_id)
        if was is None:
            continue
        for name, label in _DIFF_FIELDS[:2]:
            b, a = getattr(was, name), getattr(cur, name)
            if round(b, 2) != round(a, 2):
                out.append(Difference(None, f"{cur.name}（全社区）", name, label, b, a))
    return out

