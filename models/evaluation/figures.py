"""What a month's evaluation is made of: the plain dataclasses every other module passes on.

:class:`MonthEvaluation` (a month: its :class:`Figures` per grid and per community),
:class:`IndicatorScore` (one indicator of one row), :class:`Adjustment` (a 加减分),
:class:`Publication` (one 定稿 version) and :class:`Difference` (a figure that changed
since it).  They hold no SQL and no rules: ``models.reporting`` and ``ui`` read them,
``publishing`` stores them as JSON (:meth:`MonthEvaluation.figures_dict`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from models.core.errors import NotFound
from models.evaluation.scheme import Scheme

#: the key of the 加减分 column, next to the indicator keys (trace, the ranking table)
ADJUSTMENTS_KEY = "adjustments"


def fmt_num(value: float) -> str:
    """``3`` rather than ``3.0``; at most 2 decimals, trailing zeros dropped (``0.3``)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass
class IndicatorScore:
    """One indicator of one grid (or community) for one month.

    Attributes:
        key, name, weight: from the scheme.
        numerator, denominator: the counts (hours for 志愿服务's numerator).
        numerator_label, denominator_label: what they count, in Chinese
            (e.g. "按期办结件数" / "应办结件数").
        score: 0..1 (a float of the exact fraction).
        points: weight × score, rounded to 2 decimals (display only; the total
            is rounded once from the exact sum).
        value: for 问题发现 / 志愿服务 the value per 100 households/residents
            compared with ``target`` (None for the plain rates).
        target: the scheme's target (None for the plain rates).
    """

    key: str
    name: str
    weight: float
    numerator: float
    denominator: float
    numerator_label: str
    denominator_label: str
    score: float
    points: float
    value: float | None = None
    target: float | None = None

    @property
    def percent(self) -> str:
        """The score as the clerk reads it: ``93.33%``."""
        return f"{self.score * 100:.2f}%"

    @property
    def counts_text(self) -> str:
        """``28/30`` (or ``12.5 小时/300 人`` style for the targeted ones)."""
        return f"{fmt_num(self.numerator)}/{fmt_num(self.denominator)}"


@dataclass
class Adjustment:
    """A 加减分 row: manual (with reason and author) or an automatic 督办 card.

    Attributes:
        id: ``score_adjustments.id`` for manual rows, None for cards.
        period: ``YYYY-MM`` or ``YYYY``.
        grid_id / community_id: who gets the points (exactly one is set).
        target_name: the grid's (or community's) name.
        points: signed points (−1 = one point off).
        reason: the written reason (for a card: "督办黄牌：事项 2026-10-0042 …").
        author: who gave it (the supervisor for a card).
        source: "手工" or "督办".
        at: when it was entered (card: the 督办 event's time).
        matter_number: the carded matter's number (cards only).
    """

    id: int | None
    period: str
    grid_id: int | None
    community_id: int | None
    target_name: str
    points: float
    reason: str
    author: str
    source: str
    at: str
    matter_number: str = ""


@dataclass
class Figures:
    """One grid's (or one community's) figures for a month.

    Attributes:
        level: "网格" or "社区".
        grid_id: None for a community row.
        name: the grid's name (or the community's).
        community_id, community_name: the community it belongs to.
        households, residents: active households / present residents at the end of M.
        indicators: ``{key: IndicatorScore}`` in scheme order.
        manual_adjustments, card_adjustments: the two parts of ``adjustments``.
        adjustments: the month's total adjustment points.
        total: Σ weight × score + adjustments, rounded half-up to 2 decimals.
        rank: 1-based, equal totals share a rank.
        previous_rank: the rank last month (None when not ranked then or unknown).
        rank_change: previous_rank − rank (positive = moved up), None when unknown.
        adjustment_items: the rows behind ``adjustments``.
    """

    level: str
    grid_id: int | None
    name: str
    community_id: int
    community_name: str
    households: int
    residents: int
    indicators: dict[str, IndicatorScore]
    manual_adjustments: float
    card_adjustments: float
    adjustments: float
    total: float
    rank: int = 0
    previous_rank: int | None = None
    rank_change: int | None = None
    adjustment_items: list[Adjustment] = field(default_factory=list)

    def score(self, key: str) -> float:
        return self.indicators[key].score

    @property
    def rank_change_text(self) -> str:
        """``↑2`` / ``↓1`` / ``—`` (unchanged) / ``新`` (not ranked last month)."""
        if self.rank_change is None:
            return "新" if self.previous_rank is None else ""
        if self.rank_change > 0:
            return f"↑{self.rank_change}"
        if self.rank_change < 0:
            return f"↓{-self.rank_change}"
        return "—"

    def to_dict(self) -> dict:
        data = asdict(self)
        data["indicators"] = [asdict(i) for i in self.indicators.values()]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Figures":
        data = dict(data)
        data["indicators"] = {i["key"]: IndicatorScore(**i) for i in data["indicators"]}
        data["adjustment_items"] = [Adjustment(**a) for a in data.get("adjustment_items", [])]
        return cls(**data)


@dataclass
class MonthEvaluation:
    """A month's evaluation.

    Attributes:
        month: ``YYYY-MM``.
        as_of: the last second of the month (``YYYY-MM-DD 23:59:59``).
        community_name: the ledger's own community.
        scheme: the scheme the figures were computed with.
        grids: grid rows in rank order.
        communities: community rows (pooled counts) in rank order.
        published_version: set when these are the figures of a publication (定稿).
        published_at, published_by, published_reason: of that publication.
    """

    month: str
    as_of: str
    community_name: str
    scheme: Scheme
    grids: list[Figures]
    communities: list[Figures]
    published_version: int | None = None
    published_at: str = ""
    published_by: str = ""
    published_reason: str = ""

    def grid(self, grid_id: int) -> Figures:
        for row in self.grids:
            if row.grid_id == grid_id:
                return row
        raise NotFound(f"{self.month} 没有该网格的评比结果。")

    def figures_dict(self) -> dict:
        """The JSON form stored in ``evaluation_publications.figures``."""
        return {"month": self.month, "as_of": self.as_of, "community_name": self.community_name,
                "grids": [g.to_dict() for g in self.grids],
                "communities": [c.to_dict() for c in self.communities]}


@dataclass
class Publication:
    """One 定稿 version of a month."""

    id: int
    month: str
    version: int
    published_at: str
    published_by: str
    reason: str
    scheme: Scheme
    evaluation: MonthEvaluation


@dataclass
class Difference:
    """A figure that differs from the published one (current vs published).

    ``field`` is an indicator key, ``"adjustments"``, ``"total"``, ``"rank"`` or
    ``"grid"`` (a grid present on one side only); ``label`` is its Chinese name.
    A community's row (its ``adjustments`` and ``total`` only) has ``grid_id``
    None and the name ``"<社区>（全社区）"``.
    """

    grid_id: int | None
    name: str
    field: str
    label: str
    published: Any
    current: Any
