"""PDF printouts (reportlab only: no Qt, no SQL).

Each report module exposes ``build_story(data)`` and ``render(data, target)``;
:func:`render` here picks the module from the data's type, so callers
(``cli/reporting.py``, ``ui/pages/reports.py``) need not know which is which::

    data = models.reporting.data.gather(ledger, ReportRequest("monthly", month="2026-10"))
    pages = reports.render(data, "通报.pdf")
"""

from __future__ import annotations

import importlib
from typing import Any

#: data class name → report module
_MODULES = {
    "BulletinData": "reports.monthly",
    "AnnualData": "reports.annual",
    "ScorecardData": "reports.scorecards",
    "StreetBulletinData": "reports.street",
    "StreetAnnualData": "reports.street_annual",
    "PartyRosterData": "reports.party",
}


def module_for(data: Any):
    """The report module that lays out ``data``."""
    return importlib.import_module(_MODULES.get(type(data).__name__, "reports.ledgers"))


def render(data: Any, target, progress=None) -> int:
    """Render ``data`` to ``target`` (a path or a binary file object).  Returns the page count.

    ``progress(pages_done)`` is called after each page and may raise
    ``reports.templates.RenderCancelled`` to stop.
    """
    return module_for(data).render(data, target, progress=progress)
