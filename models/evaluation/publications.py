"""The published (定稿) versions of a month, as stored: reading them.

A publication freezes a month's figures and the scheme they were computed with
(table ``evaluation_publications``, one row per version; :mod:`models.evaluation.publishing`
writes them).  A published month is the figures of record: reports and exports use
its latest version, and it keeps being recomputed with its own scheme.
"""

from __future__ import annotations

import json

from models.core.db import Ledger
from models.core.periods import check_month
from models.evaluation.figures import Figures, MonthEvaluation, Publication
from models.evaluation.scheme import Scheme, current_scheme, validate_scheme


def publication_from_row(row: dict) -> Publication:
    """A row of ``evaluation_publications`` as a :class:`Publication` (its figures as stored)."""
    scheme = validate_scheme(json.loads(row["scheme"]))
    figures = json.loads(row["figures"])
    evaluation = MonthEvaluation(
        month=row["month"], as_of=figures["as_of"], community_name=figures.get("community_name", ""),
        scheme=scheme, grids=[Figures.from_dict(g) for g in figures["grids"]],
        communities=[Figures.from_dict(c) for c in figures["communities"]],
        published_version=row["version"], published_at=row["published_at"],
        published_by=row["published_by"], published_reason=row["reason"])
    return Publication(id=row["id"], month=row["month"], version=row["version"],
                       published_at=row["published_at"], published_by=row["published_by"],
                       reason=row["reason"], scheme=scheme, evaluation=evaluation)


def publications(ledger: Ledger, month: str) -> list[Publication]:
    """Every 定稿 version of a month, oldest first."""
    rows = ledger.query("SELECT * FROM evaluation_publications WHERE month = ? ORDER BY version",
                        [check_month(month)])
    return [publication_from_row(r) for r in rows]


def latest_publication(ledger: Ledger, month: str) -> Publication | None:
    """The latest 定稿 version of a month (None when not published)."""
    rows = ledger.query("SELECT * FROM evaluation_publications WHERE month = ?"
                        " ORDER BY version DESC LIMIT 1", [check_month(month)])
    return publication_from_row(rows[0]) if rows else None


def published_version(ledger: Ledger, month: str) -> int | None:
    """The latest 定稿 version of a month (None when not published)."""
    return ledger.scalar("SELECT MAX(version) FROM evaluation_publications WHERE month = ?",
                         [check_month(month)])


def scheme_for_month(ledger: Ledger, month: str) -> Scheme:
    """The scheme of a month: its latest publication's, else the one in force."""
    row = ledger.conn.execute("SELECT scheme FROM evaluation_publications WHERE month = ?"
                              " ORDER BY version DESC LIMIT 1", [month]).fetchone()
    if row is not None:
        return validate_scheme(json.loads(row[0]))
    return current_scheme(ledger)



def published_months_from(ledger: Ledger, day: str | None) -> list[str]:
    """The 定稿 months whose month-end counts a change dated ``day`` would alter: every
    published month ending on or after ``day`` (``None``: a change without a date, e.g. a
    resident marked 迁入日期不详 — every published month), oldest first."""
    from models.core import periods

    months = [r[0] for r in ledger.conn.execute("SELECT DISTINCT month FROM evaluation_publications ORDER BY month")]
    return [m for m in months if day is None or periods.month(m).last_day >= day]


def published_change_warning(ledger: Ledger, day: str | None) -> str:
    """What the clerk is told before saving a change dated ``day`` that alters published months
    (``这会改变已定稿的 2026年10月 评比结果。``), or ``""`` when it alters none."""
    from models.core.periods import month_text

    months = published_months_from(ledger, day)
    if not months:
        return ""
    return f"这会改变已定稿的 {'、'.join(month_text(m) for m in months)} 评比结果。"
