"""Monthly evaluation (月度评比) and annual assessment (年度考评), SPEC §5.

Data for the reports (reports/ takes these plain dataclasses, never SQL):

* :func:`monthly_bulletin_data` → :class:`BulletinData` (月度评比通报)
* :func:`annual_data` → :class:`AnnualData` (年度考评)
* :func:`scorecard_data` → :class:`ScorecardData` (网格评分卡)

Everything else: :func:`evaluate` (compute a month), :func:`month_figures`
(published figures when the month is 定稿, else computed), :func:`trace` (the
records behind one figure), adjustments (:func:`add_adjustment`,
:func:`remove_adjustment`, :func:`adjustments`), publishing (:func:`publish`,
:func:`publications`, :func:`diff_against_published`) and :func:`ranking_rows`
(the export of SPEC §8).

Decisions where SPEC §5 leaves room (each one tested in tests/models/test_evaluation.py):

* **As of the last second of M** (``YYYY-MM-DD 23:59:59`` of the last day).  Only
  events with ``at`` ≤ that second count; presence uses the last day of M.
* **Cancelled matters**: a matter with a 作废 event at or before the end of M is
  left out of every indicator of M.  A matter cancelled *after* M still counts
  for M (as of the end of M it was a live matter, e.g. an overdue one), so a
  month's figures never change because of something done later.
* **Closed** as of T = the first 办结 event with ``at`` ≤ T.  **Deadline** as of
  T = ``new_deadline`` of the last 延期 event with ``at`` ≤ T, else the 登记
  event's ``deadline``, else the first 延期's ``old_deadline``, else the
  matter's ``deadline`` column (a matter never extended).
* **Due month** = month of min(closed_at, deadline) if closed as of T, else the
  month of the deadline.  On time = closed at or before the deadline.
* **Ratings** = 回访 events in M with a satisfaction of 满意/基本满意/不满意.
* **Visit coverage**: a household counts when it is active at the end of M and
  appears in a visit dated in M; the household's own grid decides the grid.
* **Ledger completeness**: a valid ID = an 18-character stored number (numbers
  are validated when entered, models/idcard.py); a phone = a non-empty phone of
  the resident or of another resident of the household *present at the end of
  M*; a resident without a household is incomplete.
* **Volunteer hours**: hours of activities dated in M.  An activity with a grid
  counts for that grid (and its community); a community-wide activity (no
  grid) counts for no grid but does count in its community's pooled figure
  (its ``community_id``, else the ledger's own community): "activities in the
  community" are all of them.
* **Adjustments** of a grid for M = manual rows of ``score_adjustments`` (source
  手工, period M) + automatic card points for every 督办 event of M carrying a
  黄牌/红牌 on the grid's matters (points from the scheme; the card stands even if
  the matter is later cancelled: it is the supervisor's decision, not a matter
  statistic).  Automatic cards are computed from the events, never stored, so
  the schema's ``source='督办'`` rows are ignored (nobody should write them).
* **Community figures**: the same formulas over the pooled counts of the
  community's grids (plus community-wide activities); the community's own
  adjustments are the rows with ``community_id`` (cards belong to grids).
* **Rounding**: scores are exact fractions (``fractions.Fraction``, never floats);
  total = Σ weight × score + adjustments, rounded once to 2 decimals, half-up
  like ``decimal.ROUND_HALF_UP`` (55.625 → 55.63, where float ``round`` gives
  55.62; −1.005 → −1.01).  Ranks compare the rounded totals (1, 2, 2, 4).
* **Which grids**: a grid is evaluated for M when it exists at the end of M
  (``established_on`` NULL or ≤ last day, ``dissolved_on`` NULL or after it).
  A grid with no active household still gets the literal SPEC formulas (every
  denominator 0 → every score 1); the annual mean leaves such months out (the
  grid served nobody that month), see :func:`annual_data`.
* **Annual**: mean of the grid's (rounded) monthly totals over the months of Y
  that have ended by now in which it was evaluated with households, + the
  year's adjustments (period ``YYYY``), rounded half-up to 2 decimals; grade by
  the scheme's thresholds.  Months that are published use their published totals.
* **Scheme of a month**: a published month is (re)computed with the scheme
  stored in its latest publication; other months with the scheme in force.
"""

from __future__ import annotations

import calendar
import contextlib
import itertools
import json
import re
import sqlite3
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from models.core.db import Ledger
from models.core.errors import NotFound, ValidationError, WorkflowError
from models.core.presence import present_sql
from models.evaluation.scheme import LOWEST_GRADE, TARGET_UNITS, TARGETED_KEYS, Scheme, current_scheme, validate_scheme

SATISFIED = ("满意", "基本满意")
RATINGS = ("满意", "基本满意", "不满意")
PATROL_SOURCE = "巡查走访"
ADJUSTMENTS_KEY = "adjustments"

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")


# =====================================================================================
# Data structures (shared with reports/ and ui/)
# =====================================================================================

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
        return f"{_fmt_num(self.numerator)}/{_fmt_num(self.denominator)}"


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


@dataclass
class BulletinData:
    """Everything the 月度评比通报 prints.

    Attributes:
        title: e.g. "幸福社区2026年10月网格月度评比通报".
        issuing_body: e.g. "幸福社区居民委员会".
        month, month_text ("2026年10月"), as_of.
        published_version: the 定稿 version printed (None = not yet published:
            the report should say "未定稿").
        summary: ``[(label, value text), …]`` (参评网格, 平均分, 最高分, 最低分,
            the community's pooled rate of each indicator, 加减分合计 …).
        indicator_names: column headers of the indicators in scheme order.
        indicator_keys: the matching keys.
        rows: every grid in rank order (``Figures``: rank, rank_change_text,
            indicators[key].percent, adjustments, total).
        red_list: the grids ranked 1–3 (红榜; a tie for 3rd place lists every tied grid).
        black_list: the bottom 3 places not on the red list, worst last (黑榜; ties
            with the 3rd-from-last grid included).
        adjustments: every adjustment of the month (manual and cards) with reasons.
        communities: community rows (pooled).
        scheme: the scheme in force; scheme_lines: it described in Chinese.
        issued_on: the date for the signature block (publication date or today).
    """

    community_name: str
    title: str
    issuing_body: str
    month: str
    month_text: str
    as_of: str
    published_version: int | None
    summary: list[tuple[str, str]]
    indicator_keys: list[str]
    indicator_names: list[str]
    rows: list[Figures]
    red_list: list[Figures]
    black_list: list[Figures]
    adjustments: list[Adjustment]
    communities: list[Figures]
    scheme: Scheme
    scheme_lines: list[str]
    issued_on: str


@dataclass
class AnnualRow:
    """One grid in the annual assessment.

    Attributes:
        monthly: ``{"YYYY-MM": total or None}`` for every month of ``AnnualData.months``
            (None = not evaluated that month: not existing, or no households).
        months_counted: how many monthly totals the mean is over.
        mean: mean of the monthly totals, rounded half-up to 2 decimals.
        adjustments: the year's adjustment points (period ``YYYY``).
        total: mean + adjustments, rounded half-up to 2 decimals.
        grade: 优秀 / 良好 / 合格 / 不合格 (thresholds from the scheme).
        rank: by total, equal totals share a rank.
    """

    grid_id: int
    name: str
    community_name: str
    monthly: dict[str, float | None]
    months_counted: int
    mean: float
    adjustments: float
    total: float
    grade: str
    rank: int = 0
    adjustment_items: list[Adjustment] = field(default_factory=list)


@dataclass
class AnnualData:
    """Everything the 年度考评 prints: grid × month matrix, mean, adjustments, grade."""

    community_name: str
    year: int
    title: str
    issuing_body: str
    months: list[str]
    rows: list[AnnualRow]
    adjustments: list[Adjustment]
    grade_counts: list[tuple[str, int]]
    scheme: Scheme
    scheme_lines: list[str]
    issued_on: str


@dataclass
class ScorecardLine:
    """One indicator on a grid's scorecard."""

    key: str
    name: str
    weight: float
    formula: str
    numerator_label: str
    numerator: float
    denominator_label: str
    denominator: float
    value: float | None
    target: float | None
    score: float
    points: float


@dataclass
class Scorecard:
    """A grid's scorecard (网格评分卡)."""

    figures: Figures
    lines: list[ScorecardLine]
    adjustments: list[Adjustment]


@dataclass
class ScorecardData:
    """Everything the 网格评分卡 report prints (one card per grid, rank order)."""

    community_name: str
    month: str
    month_text: str
    title: str
    published_version: int | None
    cards: list[Scorecard]
    scheme: Scheme
    scheme_lines: list[str]
    issued_on: str


#: What each indicator's counts are, and its formula, in Chinese.
COUNT_LABELS = {
    "on_time": ("按期办结件数", "应办结件数", "本月应办结事项中按期办结的件数 ÷ 本月应办结事项件数"),
    "satisfaction": ("满意及基本满意件数", "回访评价件数",
                     "（满意 + 基本满意）÷ 本月回访评价件数"),
    "visit_coverage": ("已走访户数", "在住户数", "本月走访到的在住户数 ÷ 月末在住户数"),
    "discovery": ("巡查走访发现事项件数", "在住户数",
                  "min(1，每百户巡查走访发现事项件数 ÷ 目标)"),
    "volunteer": ("志愿服务时长（小时）", "在住人数",
                  "min(1，每百名居民志愿服务时长 ÷ 目标)"),
    "completeness": ("信息完整人数", "在住人数",
                     "身份证号有效、有联系电话（本人或同户）且有所属户的在住居民 ÷ 月末在住居民"),
}


# =====================================================================================
# Periods and rounding
# =====================================================================================

def check_month(month: str) -> str:
    """Validate ``YYYY-MM`` (returns it stripped).

    Raises:
        ValidationError: "月份格式应为 YYYY-MM".
    """
    text = (month or "").strip()
    if not _MONTH.match(text):
        raise ValidationError(f"月份“{month}”格式不正确，应为 YYYY-MM（例如 2026-10）。", field="month")
    return text


def month_bounds(month: str) -> tuple[str, str, str, str, str]:
    """``(first_day, last_day, start_ts, end_ts, next_first_day)`` of ``YYYY-MM``."""
    month = check_month(month)
    year, mon = int(month[:4]), int(month[5:])
    last = calendar.monthrange(year, mon)[1]
    first_day = f"{month}-01"
    last_day = f"{month}-{last:02d}"
    nxt = f"{year + 1}-01-01" if mon == 12 else f"{year}-{mon + 1:02d}-01"
    return first_day, last_day, f"{first_day} 00:00:00", f"{last_day} 23:59:59", nxt


def previous_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def month_text(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:])}月"


def recent_months(ledger: Ledger, count: int = 24) -> list[str]:
    """The last ``count`` months up to the current one, newest first (for pickers)."""
    now = ledger.now()
    year, mon = now.year, now.month
    out = []
    for _ in range(count):
        out.append(f"{year}-{mon:02d}")
        mon -= 1
        if mon == 0:
            year, mon = year - 1, 12
    return out


def round_half_up(value: Fraction | Decimal | float | int, places: int = 2) -> float:
    """Round half-up (away from zero on a tie) to ``places`` decimals, exactly."""
    if not isinstance(value, Fraction):
        value = Fraction(Decimal(str(value)))
    scale = 10 ** places
    scaled = value * scale
    sign = -1 if scaled < 0 else 1
    whole = (abs(scaled) * 2 + 1) // 2  # floor(|x| + 1/2)
    return float(Decimal(sign * whole) / Decimal(scale))


def _frac(value: float | int | None) -> Fraction:
    """An exact fraction of a stored number (REAL columns go through their shortest repr)."""
    if value is None:
        return Fraction(0)
    return Fraction(Decimal(repr(float(value)) if isinstance(value, float) else str(value)))


def _fmt_num(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def assign_ranks(rows: list, key=lambda r: r.total) -> None:
    """Sort ``rows`` by ``key`` descending (stable) and set ``rank`` (1, 2, 2, 4)."""
    rows.sort(key=lambda r: -key(r))
    previous = None
    for position, row in enumerate(rows, 1):
        value = key(row)
        if previous is None or value != previous[0]:
            previous = (value, position)
        row.rank = previous[1]


# =====================================================================================
# Counts (set-based SQL, GROUP BY grid)
# =====================================================================================

@dataclass
class _Counts:
    due: int = 0
    on_time: int = 0
    ratings: int = 0
    satisfied: int = 0
    households: int = 0
    visited: int = 0
    patrol: int = 0
    hours: Fraction = Fraction(0)
    residents: int = 0
    complete: int = 0

    def add(self, other: "_Counts") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _params(month: str) -> dict:
    first_day, last_day, start, end, nxt = month_bounds(month)
    return {"ds": first_day, "de": last_day, "s": start, "t": end, "nxt": nxt}


#: per-matter facts as of :t for the matters that may be due in M: closed in M (events), or
#: open at :t — not closed now, or closed after :t, with a current deadline not before the
#: month (models/matters.py only ever moves a deadline later, so the deadline as of :t is
#: never after the current one).  The cache columns only narrow the candidates, through
#: their indexes; every fact is then read from the events, in one pass
#: over each candidate's events).  "The last 延期 at or before :t" is the MAX of
#: ``at || zero-padded id || new_deadline`` (a timestamp is 19 characters, the id 12, so
#: the deadline starts at character 32).  ``m.id IN cand`` (rather than a join) walks the
#: matters in id order, so the per-matter GROUP BY needs no sort.
_MATTER_FACTS = """
    WITH cand AS (
        SELECT matter_id AS id FROM matter_events
         WHERE action = '办结' AND at >= :s AND at <= :t
        UNION
        SELECT id FROM matters WHERE closed_at IS NULL AND deadline >= :s AND registered_at <= :t
        UNION
        SELECT id FROM matters WHERE closed_at > :t AND deadline >= :s AND registered_at <= :t
    ),
    facts AS (
        SELECT m.id, m.grid_id, m.number, m.registered_at, m.level, m.category, m.description,
               MIN(CASE WHEN e.action = '办结' AND e.at <= :t THEN e.at END) AS closed_at,
               COALESCE(MAX(e.action = '作废' AND e.at <= :t), 0) AS cancelled,
               COALESCE(
                 substr(MAX(CASE WHEN e.action = '延期' AND e.at <= :t
                            THEN e.at || printf('%012d', e.id) || json_extract(e.data, '$.new_deadline') END), 32),
                 substr(MIN(CASE WHEN e.action = '登记'
                            THEN e.at || printf('%012d', e.id) || json_extract(e.data, '$.deadline') END), 32),
                 substr(MIN(CASE WHEN e.action = '延期'
                            THEN e.at || printf('%012d', e.id) || json_extract(e.data, '$.old_deadline') END), 32),
                 m.deadline) AS deadline
          FROM matters m
          LEFT JOIN matter_events e ON e.matter_id = m.id
         WHERE m.id IN cand AND m.registered_at <= :t {grid_filter}
         GROUP BY m.id
    ),
    due AS (
        SELECT *, CASE WHEN closed_at IS NOT NULL THEN MIN(closed_at, deadline) ELSE deadline END AS due_at,
               (closed_at IS NOT NULL AND closed_at <= deadline) AS on_time
          FROM facts WHERE NOT cancelled
    )
"""

_CANCELLED_BY_T = ("EXISTS (SELECT 1 FROM matter_events c WHERE c.matter_id = {m}.id"
                   " AND c.action = '作废' AND c.at <= :t)")

_RATINGS = """
    SELECT m.grid_id, m.id AS matter_id, m.number, m.category, e.at,
           COALESCE(json_extract(e.data, '$.satisfaction'), m.satisfaction) AS satisfaction
      FROM matter_events e JOIN matters m ON m.id = e.matter_id
     WHERE e.action = '回访' AND e.at >= :s AND e.at <= :t {grid_filter}
       AND NOT EXISTS (SELECT 1 FROM matter_events c WHERE c.matter_id = e.matter_id
                        AND c.action = '作废' AND c.at <= :t)
"""


#: a co-routine, not a temporary table, for the per-household pass (twice as fast on
#: 500,000 residents); the hint needs SQLite 3.35 (Python 3.11+ on Windows ships newer)
_NOT_MATERIALIZED = "NOT MATERIALIZED" if sqlite3.sqlite_version_info >= (3, 35) else ""


def _existing_grids(ledger: Ledger, last_day: str) -> list[dict]:
    return ledger.query(
        """
        SELECT g.id, g.name, g.community_id, c.name AS community_name
          FROM grids g JOIN communities c ON c.id = g.community_id
         WHERE (g.established_on IS NULL OR g.established_on <= :de)
           AND (g.dissolved_on IS NULL OR g.dissolved_on > :de)
         ORDER BY c.is_own DESC, c.name, g.id
        """, {"de": last_day})


def _household_counts_one_pass(ledger: Ledger, month: str) -> dict[int, tuple[int, int, int, int]]:
    """Per grid: (active households, present residents with a household, complete ones,
    active households visited in the month), as of the end of ``month``.

    One pass over the present residents, grouped by household: a co-routine feeding the
    per-grid sums.  ``residents.grid_id`` is the household's grid, denormalised, so no
    join to households is needed and any row's value will do (a bare column).  Phones
    and ID numbers are stored normalised by models/residents.py (``check_phone``, GB
    11643), so "has a phone" is ``phone <> ''`` and "valid ID" an 18-character number.
    This is most of the evaluation's work: SQLite's per-row work on 500,000 residents,
    not reading them (sharing one pass between months was measured and saves nothing;
    every expression removed here saved about 10 %).
    """
    p = _params(month)
    present = present_sql("r", ":de")
    sql = f"""
        WITH hh AS {_NOT_MATERIALIZED} (
            SELECT r.household_id AS hid, r.grid_id AS grid_id, COUNT(*) AS n,
                   SUM(length(r.id_number) = 18) AS n_id, MAX(r.phone <> '') AS has_phone
              FROM residents r
             WHERE r.household_id IS NOT NULL AND {present}
             GROUP BY r.household_id
        ),
        visited AS (
            SELECT vh.household_id FROM visits v JOIN visit_households vh ON vh.visit_id = v.id
             WHERE v.visited_on >= :ds AND v.visited_on < :nxt
        )
        SELECT hh.grid_id, COUNT(*), SUM(hh.n), SUM(CASE WHEN hh.has_phone THEN hh.n_id ELSE 0 END),
               SUM(hh.hid IN (SELECT household_id FROM visited))
          FROM hh
         GROUP BY hh.grid_id
    """
    return {row[0]: tuple(v or 0 for v in row[1:]) for row in ledger.conn.execute(sql, p)}


#: a resident present at every month end (the presence rule with no dates to check); the
#: WHERE clauses repeat the partial indexes of models/schema_evaluation.py m002 word for word
_STATIC = "r.moved_in_on IS NULL AND r.status = '在册'"
_DYNAMIC = "(r.moved_in_on IS NOT NULL OR r.status <> '在册')"

_static_tables = itertools.count(1)   # names of the temporary tables (one per batch)


class _StaticHouseholds:
    """The per-household sums of the *static* residents (no move-in date, still 在册:
    present at every month end), the same for every month: a temporary table (in
    memory, on ``ledger``'s connection only, never in the ledger file) shared by the
    months of a batch; see :func:`_household_counts`.  Use as a context manager (the
    table is dropped on exit).

    Columns of ``table``: ``hid`` (household id, the key), ``grid_id``, ``n`` (static
    residents), ``n_id`` (of them with an 18-character ID number), ``has_phone``.
    """

    def __init__(self, ledger: Ledger):
        self.conn = ledger.conn
        self.table = f"temp.evaluation_static_{next(_static_tables)}"
        self.conn.execute(f"CREATE TABLE {self.table} (hid INTEGER PRIMARY KEY, grid_id INTEGER,"
                          " n INTEGER NOT NULL, n_id INTEGER NOT NULL, has_phone INTEGER NOT NULL)")
        self.conn.execute(
            f"""
            INSERT INTO {self.table} (hid, grid_id, n, n_id, has_phone)
            SELECT r.household_id, r.grid_id, COUNT(*), COALESCE(SUM(length(r.id_number) = 18), 0),
                   MAX(r.phone <> '')
              FROM residents r
             WHERE {_STATIC} AND r.household_id IS NOT NULL
             GROUP BY r.household_id
            """)

    def close(self) -> None:
        if self.table:
            self.conn.execute(f"DROP TABLE IF EXISTS {self.table}")
            self.table = ""

    def __enter__(self) -> "_StaticHouseholds":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _household_counts(ledger: Ledger, month: str, static: _StaticHouseholds | None = None,
                      ) -> dict[int, tuple[int, int, int, int]]:
    """Per grid: (active households, present residents with a household, complete ones,
    active households visited in the month), as of the end of ``month``.

    Without ``static``: :func:`_household_counts_one_pass` (one month alone).  With it
    (a batch of months: the annual assessment, a month and the one before) the residents
    are split in two, each half read through its own covering partial index
    (schema_evaluation m002).  *Static* residents (no move-in date, 在册; two thirds on
    the demo) are present at every month end: their per-household sums are taken once
    for the batch (``static``).  Per month only the *dynamic* residents are checked
    against the month and summed per household, then merged with the static sums: a
    household with a static resident is active (counted once, with its static
    residents); a dynamic-only household is active when it has a present resident; a
    household's present residents are the static plus the present dynamic ones, and
    they are complete (valid ID) when either side has a phone.  Visited: active
    households in the month's visits (one ``IN`` list for both halves).  Same figures
    as the single pass.
    """
    if static is None:
        return _household_counts_one_pass(ledger, month)
    p = _params(month)
    present = present_sql("r", ":de")
    sql = f"""
        WITH d AS {_NOT_MATERIALIZED} (
            SELECT r.household_id AS hid, r.grid_id AS grid_id, COUNT(*) AS n,
                   COALESCE(SUM(length(r.id_number) = 18), 0) AS n_id, MAX(r.phone <> '') AS has_phone
              FROM residents r
             WHERE {_DYNAMIC} AND r.household_id IS NOT NULL AND {present}
             GROUP BY r.household_id
        ),
        u AS {_NOT_MATERIALIZED} (
            SELECT s.hid, s.grid_id, 1 AS households, s.n,
                   CASE WHEN s.has_phone THEN s.n_id ELSE 0 END AS complete, 1 AS may_visit
              FROM {static.table} s
            UNION ALL
            SELECT d.hid, COALESCE(s.grid_id, d.grid_id), s.hid IS NULL, d.n,
                   CASE WHEN s.has_phone THEN d.n_id WHEN d.has_phone THEN d.n_id + COALESCE(s.n_id, 0)
                        ELSE 0 END,
                   s.hid IS NULL
              FROM d LEFT JOIN {static.table} s ON s.hid = d.hid
        )
        SELECT grid_id, SUM(households), SUM(n), SUM(complete),
               SUM(may_visit AND hid IN (SELECT vh.household_id FROM visits v
                                          JOIN visit_households vh ON vh.visit_id = v.id
                                         WHERE v.visited_on >= :ds AND v.visited_on < :nxt))
          FROM u
         GROUP BY grid_id
    """
    return {row[0]: tuple(v or 0 for v in row[1:]) for row in ledger.conn.execute(sql, p)}


def _grid_counts(ledger: Ledger, month: str, households=None,
                 ) -> tuple[dict[int, _Counts], dict[int, Fraction]]:
    """Raw counts per grid for M, and community-wide activity hours per community.

    ``households``: a callable returning :func:`_household_counts` of M (maybe being
    computed on another connection meanwhile, see :func:`_households_later`); it is
    called last.  None: computed here."""
    p = _params(month)
    counts: dict[int, _Counts] = {}

    def c(grid_id) -> _Counts:
        found = counts.get(grid_id)
        if found is None:
            found = counts[grid_id] = _Counts()
        return found

    # 1 按期办结率
    for grid_id, due, on_time in ledger.conn.execute(
            _MATTER_FACTS.format(grid_filter="") +
            " SELECT grid_id, COUNT(*), SUM(on_time) FROM due"
            " WHERE due_at >= :s AND due_at <= :t GROUP BY grid_id", p):
        c(grid_id).due, c(grid_id).on_time = due, on_time or 0
    # 2 群众满意率
    for grid_id, ratings, satisfied in ledger.conn.execute(
            "SELECT grid_id, COUNT(*), SUM(satisfaction IN ('满意', '基本满意')) FROM ("
            + _RATINGS.format(grid_filter="") + ") WHERE satisfaction IN ('满意', '基本满意', '不满意')"
            " GROUP BY grid_id", p):
        c(grid_id).ratings, c(grid_id).satisfied = ratings, satisfied or 0
    # 6 台账完整率: residents without a household (incomplete); the households come last
    present = present_sql("r", ":de")
    homeless = ledger.conn.execute(
        f"SELECT r.grid_id, COUNT(*) FROM residents r WHERE r.household_id IS NULL"
        f" AND r.grid_id IS NOT NULL AND {present} GROUP BY r.grid_id", p).fetchall()
    # 4 问题发现
    for grid_id, patrol in ledger.conn.execute(
            "SELECT m.grid_id, COUNT(*) FROM matters m"
            " WHERE m.registered_at >= :s AND m.registered_at <= :t AND m.source = '巡查走访'"
            f" AND NOT {_CANCELLED_BY_T.format(m='m')} GROUP BY m.grid_id", p):
        c(grid_id).patrol = patrol
    # 5 志愿服务
    community_hours: dict[int, Fraction] = {}
    own = ledger.scalar("SELECT id FROM communities WHERE is_own = 1")
    for grid_id, community_id, hours in ledger.conn.execute(
            "SELECT a.grid_id, a.community_id, SUM(p.hours) FROM activities a"
            " JOIN activity_participants p ON p.activity_id = a.id"
            " WHERE a.on_date >= :ds AND a.on_date < :nxt GROUP BY a.grid_id, a.community_id", p):
        # hours are stored to 2 decimals; rounding the float sum to 6 drops its binary noise
        hours = _frac(round(hours or 0.0, 6))
        if grid_id is not None:
            c(grid_id).hours += hours
        else:
            key = community_id or own
            if key is not None:
                community_hours[key] = community_hours.get(key, Fraction(0)) + hours
    # 3 走访覆盖率 and 6 台账完整率
    found = households() if households is not None else _household_counts(ledger, month)
    for grid_id, (n_households, residents, complete, visited) in found.items():
        k = c(grid_id)
        k.households, k.residents, k.complete, k.visited = n_households, residents, complete, visited
    for grid_id, residents in homeless:
        c(grid_id).residents += residents
    return counts, community_hours


def _rate(num, den) -> Fraction:
    return Fraction(1) if den == 0 else Fraction(num) / Fraction(den)


def _capped(amount: Fraction, base: int, target: float) -> tuple[Fraction, Fraction]:
    """(value per 100, score) of a targeted indicator."""
    if base == 0:
        return Fraction(0), Fraction(1)
    value = Fraction(amount) * 100 / base
    return value, min(Fraction(1), value / _frac(target))


def _indicator_scores(k: _Counts, scheme: Scheme) -> tuple[dict[str, IndicatorScore], Fraction]:
    """Scores of every indicator and the exact Σ weight × score."""
    out: dict[str, IndicatorScore] = {}
    total = Fraction(0)
    for ind in scheme.indicators:
        value = None
        if ind.key == "on_time":
            num, den, score = k.on_time, k.due, _rate(k.on_time, k.due)
        elif ind.key == "satisfaction":
            num, den, score = k.satisfied, k.ratings, _rate(k.satisfied, k.ratings)
        elif ind.key == "visit_coverage":
            num, den, score = k.visited, k.households, _rate(k.visited, k.households)
        elif ind.key == "completeness":
            num, den, score = k.complete, k.residents, _rate(k.complete, k.residents)
        elif ind.key == "discovery":
            num, den = k.patrol, k.households
            value, score = _capped(Fraction(k.patrol), k.households, ind.target)
        elif ind.key == "volunteer":
            num, den = float(k.hours), k.residents
            value, score = _capped(k.hours, k.residents, ind.target)
        else:  # pragma: no cover - validate_scheme refuses unknown keys
            raise ValidationError(f"未知的评比指标“{ind.key}”。")
        weighted = _frac(ind.weight) * score
        total += weighted
        labels = COUNT_LABELS[ind.key]
        out[ind.key] = IndicatorScore(
            key=ind.key, name=ind.name, weight=ind.weight,
            numerator=float(num) if not isinstance(num, int) else num, denominator=den,
            numerator_label=labels[0], denominator_label=labels[1],
            score=float(score), points=round_half_up(weighted),
            value=None if value is None else round_half_up(value, 4),
            target=ind.target if ind.key in TARGETED_KEYS else None)
    return out, total


# =====================================================================================
# Adjustments
# =====================================================================================

#: roles that may give adjustments, publish and change the scheme (SPEC §3: a 督导员 only
#: reads, a 网格员 works in their own grids and must not score them)
OFFICE_ROLES = ("管理员", "工作人员")


def require_office(ledger: Ledger, what: str) -> None:
    """Refuse ``what`` unless the operator is a 管理员 or 工作人员.

    Raises:
        WorkflowError: "只有管理员或工作人员可以{what}。"
    """
    if ledger.operator.role not in OFFICE_ROLES:
        raise WorkflowError(f"只有管理员或工作人员可以{what}（当前角色：{ledger.operator.role}）。")


def _check_period(period: str) -> str:
    text = (period or "").strip()
    if _YEAR.match(text):
        return text
    return check_month(text)


def add_adjustment(ledger: Ledger, period: str, points: float | str, reason: str, *,
                   grid_id: int | None = None, community_id: int | None = None,
                   author: str | None = None) -> int:
    """Add a manual 加减分 for a grid (or a community) and a month ``YYYY-MM`` or year ``YYYY``.

    Args:
        period: ``YYYY-MM`` (monthly) or ``YYYY`` (annual assessment).
        points: signed points, non-zero, at most 100 either way.
        reason: required (printed in the bulletin).
        grid_id / community_id: exactly one.
        author: who gives it; defaults to the operator.

    Returns:
        the new row id.

    Raises:
        ValidationError: a blank reason, a bad period, points that are not a
            non-zero number, neither or both of grid/community, an unknown grid.
    """
    require_office(ledger, "加减分")
    period = _check_period(period)
    text = (reason or "").strip()
    if not text:
        raise ValidationError("加减分必须填写原因。", field="reason")
    try:
        value = Decimal(str(points).strip())
    except Exception:  # noqa: BLE001 - decimal.InvalidOperation and friends
        raise ValidationError(f"分值“{points}”不是数字。", field="points") from None
    if not value.is_finite() or value == 0:
        raise ValidationError("分值必须是不为 0 的数字（加分为正，减分为负）。", field="points")
    if abs(value) > 100:
        raise ValidationError("一次加减分不能超过 100 分。", field="points")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("分值最多保留两位小数。", field="points")
    if (grid_id is None) == (community_id is None):
        raise ValidationError("请选择一个网格（或一个社区）。", field="grid")
    if grid_id is not None and not ledger.scalar("SELECT 1 FROM grids WHERE id = ?", [grid_id]):
        raise NotFound(f"网格不存在（编号 {grid_id}）。")
    if community_id is not None and not ledger.scalar("SELECT 1 FROM communities WHERE id = ?",
                                                      [community_id]):
        raise NotFound(f"社区不存在（编号 {community_id}）。")
    author = (author or "").strip() or ledger.operator.name
    record = {"period": period, "grid_id": grid_id, "community_id": community_id,
              "points": float(value), "reason": text, "author": author, "source": "手工"}
    with ledger.write():
        rowid = ledger.db["score_adjustments"].insert(ledger.stamp(record, creating=True)).last_rowid
        ledger.audit("新增", "score_adjustments", rowid, None, record)
    return rowid


def remove_adjustment(ledger: Ledger, adjustment_id: int) -> None:
    """Delete a manual adjustment (audited with its old values).

    Raises:
        NotFound: no such manual adjustment.
    """
    require_office(ledger, "删除加减分")
    rows = ledger.query("SELECT id, period, grid_id, community_id, points, reason, author, source"
                        " FROM score_adjustments WHERE id = ?", [adjustment_id])
    if not rows or rows[0]["source"] != "手工":
        raise NotFound("该加减分记录不存在（督办发牌的自动扣分不能删除）。")
    with ledger.write():
        ledger.db.execute("DELETE FROM score_adjustments WHERE id = ?", [adjustment_id])
        ledger.audit("删除", "score_adjustments", adjustment_id, rows[0], None)


def _manual_adjustments(ledger: Ledger, period: str) -> list[Adjustment]:
    rows = ledger.query(
        """
        SELECT a.id, a.period, a.grid_id, a.community_id, a.points, a.reason, a.author, a.created_at,
               COALESCE(g.name, c.name) AS target_name
          FROM score_adjustments a
          LEFT JOIN grids g ON g.id = a.grid_id
          LEFT JOIN communities c ON c.id = a.community_id
         WHERE a.period = ? AND a.source = '手工'
         ORDER BY a.created_at, a.id
        """, [period])
    return [Adjustment(id=r["id"], period=r["period"], grid_id=r["grid_id"],
                       community_id=r["community_id"], target_name=r["target_name"] or "",
                       points=r["points"], reason=r["reason"], author=r["author"], source="手工",
                       at=r["created_at"]) for r in rows]


def _card_adjustments(ledger: Ledger, month: str, scheme: Scheme) -> list[Adjustment]:
    p = _params(month)
    rows = ledger.query(
        """
        SELECT e.id, e.at, e.operator, e.note, json_extract(e.data, '$.card') AS card,
               m.number, m.grid_id, g.name AS grid_name, g.community_id
          FROM matter_events e JOIN matters m ON m.id = e.matter_id JOIN grids g ON g.id = m.grid_id
         WHERE e.action = '督办' AND e.at >= :s AND e.at <= :t
           AND json_extract(e.data, '$.card') IN ('黄牌', '红牌')
         ORDER BY e.at, e.id
        """, p)
    out = []
    for r in rows:
        points = scheme.card_points.get(r["card"], 0.0)
        if not points:
            continue
        reason = f"督办{r['card']}：事项 {r['number']}"
        if r["note"]:
            reason += f"（{r['note']}）"
        out.append(Adjustment(id=None, period=month, grid_id=r["grid_id"], community_id=None,
                              target_name=r["grid_name"], points=points, reason=reason,
                              author=r["operator"], source="督办", at=r["at"],
                              matter_number=r["number"]))
    return out


def adjustments(ledger: Ledger, period: str, scheme: Scheme | None = None) -> list[Adjustment]:
    """Every adjustment of a period: manual rows, plus the 督办 cards for a month.

    Args:
        period: ``YYYY-MM`` or ``YYYY``.
        scheme: for the card points; defaults to the scheme of that month.
    """
    period = _check_period(period)
    items = _manual_adjustments(ledger, period)
    if _MONTH.match(period):
        items += _card_adjustments(ledger, period, scheme or scheme_for_month(ledger, period))
    items.sort(key=lambda a: (a.at, a.source))
    return items


# =====================================================================================
# Evaluation
# =====================================================================================

def scheme_for_month(ledger: Ledger, month: str) -> Scheme:
    """The scheme of a month: its latest publication's, else the one in force."""
    row = ledger.conn.execute("SELECT scheme FROM evaluation_publications WHERE month = ?"
                              " ORDER BY version DESC LIMIT 1", [month]).fetchone()
    if row is not None:
        return validate_scheme(json.loads(row[0]))
    return current_scheme(ledger)


#: a worker's new connection starts with an empty page cache: reading the pages through a
#: memory map instead of a copy into that cache saves most of that (measured on the demo)
_WORKER_MMAP = 1 << 32


def _households_later(ledger: Ledger, months: list[str]) -> dict:
    """Start :func:`_household_counts` of ``months`` (sharing :class:`_StaticHouseholds`
    when more than one); returns ``{month: callable}``, each callable waiting for its month.

    On a ledger file, on a machine with more than one core, and outside a write
    transaction (whose rows another connection would not see), they are computed on a
    worker thread with its own read connection, while the caller runs the month's other
    queries (SQLite releases Python's GIL while it works); else here and now.
    """
    import os

    if ledger.path is None or (os.cpu_count() or 1) < 2 or ledger.conn.in_transaction:
        if len(months) == 1:
            found = {months[0]: _household_counts(ledger, months[0])}
        else:
            with _StaticHouseholds(ledger) as static:
                found = {month: _household_counts(ledger, month, static) for month in months}
        return {month: (lambda value=value: value) for month, value in found.items()}
    import threading
    from concurrent.futures import Future

    from models.ledger import open_db

    futures = {month: Future() for month in months}

    def work() -> None:
        try:
            other = open_db(ledger.path, operator=ledger.operator, clock=ledger.clock, create=False,
                            check_same_thread=False)
            other.conn.execute(f"PRAGMA mmap_size = {_WORKER_MMAP}")
            try:
                if len(months) == 1:
                    futures[months[0]].set_result(_household_counts(other, months[0]))
                else:
                    with _StaticHouseholds(other) as static:
                        for month in months:
                            futures[month].set_result(_household_counts(other, month, static))
            finally:
                other.close()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
            for future in futures.values():
                if not future.done():
                    future.set_exception(exc)

    threading.Thread(target=work, name="evaluation-households", daemon=True).start()
    return {month: future.result for month, future in futures.items()}


def evaluate(ledger: Ledger, month: str, scheme: Scheme | None = None, *,
             with_previous: bool = False, _households=None) -> MonthEvaluation:
    """Compute every grid's (and community's) figures for ``month`` as of its last second.

    Args:
        month: ``YYYY-MM``.
        scheme: defaults to :func:`scheme_for_month`.
        with_previous: also fill ``previous_rank``/``rank_change`` from last
            month's figures (published ones when last month is 定稿; else last month
            is computed too, sharing the static residents' pass with this month).
        _households: internal, a callable returning :func:`_household_counts` of
            ``month`` (with ``with_previous`` both months' are computed meanwhile on
            another connection, :func:`_households_later`); by default they are
            computed here, in one pass.

    Returns:
        the :class:`MonthEvaluation` (grids and communities in rank order).
    """
    month = check_month(month)
    scheme = scheme or scheme_for_month(ledger, month)
    previous = None
    if with_previous:
        prev = previous_month(month)
        pub = latest_publication(ledger, prev)
        if pub is not None:
            previous = pub.evaluation
        else:
            later = _households_later(ledger, [prev, month])
            previous = evaluate(ledger, prev, _households=later[prev])
            _households = later[month]
    first_day, last_day, start, end, _ = month_bounds(month)
    grids = _existing_grids(ledger, last_day)
    counts, community_hours = _grid_counts(ledger, month, _households)
    items = adjustments(ledger, month, scheme)
    by_grid: dict[int, list[Adjustment]] = {}
    by_community: dict[int, list[Adjustment]] = {}
    for a in items:
        if a.grid_id is not None:
            by_grid.setdefault(a.grid_id, []).append(a)
        else:
            by_community.setdefault(a.community_id, []).append(a)

    grid_rows: list[Figures] = []
    pooled: dict[int, _Counts] = {}
    names: dict[int, str] = {}
    for g in grids:
        k = counts.get(g["id"], _Counts())
        pool = pooled.setdefault(g["community_id"], _Counts())
        pool.add(k)
        names[g["community_id"]] = g["community_name"]
        grid_rows.append(_figures("网格", g["id"], g["name"], g["community_id"], g["community_name"],
                                  k, scheme, by_grid.get(g["id"], [])))
    community_rows = []
    for community_id, pool in pooled.items():
        pool.hours += community_hours.get(community_id, Fraction(0))
        community_rows.append(_figures("社区", None, names[community_id], community_id,
                                       names[community_id], pool, scheme,
                                       by_community.get(community_id, [])))
    assign_ranks(grid_rows)
    assign_ranks(community_rows)
    result = MonthEvaluation(month=month, as_of=end, community_name=ledger.community_name,
                             scheme=scheme, grids=grid_rows, communities=community_rows)
    if previous is not None:
        _fill_previous(result, previous)
    return result


def _fill_previous(result: MonthEvaluation, previous: MonthEvaluation) -> None:
    """Set ``previous_rank`` and ``rank_change`` of ``result``'s rows from ``previous``."""
    grid_ranks = {g.grid_id: g.rank for g in previous.grids}
    community_ranks = {c.community_id: c.rank for c in previous.communities}
    for row in result.grids:
        row.previous_rank = grid_ranks.get(row.grid_id)
        row.rank_change = None if row.previous_rank is None else row.previous_rank - row.rank
    for row in result.communities:
        row.previous_rank = community_ranks.get(row.community_id)
        row.rank_change = None if row.previous_rank is None else row.previous_rank - row.rank


def _figures(level, grid_id, name, community_id, community_name, k: _Counts, scheme: Scheme,
             items: list[Adjustment]) -> Figures:
    indicators, weighted = _indicator_scores(k, scheme)
    manual = sum((_frac(a.points) for a in items if a.source == "手工"), Fraction(0))
    cards = sum((_frac(a.points) for a in items if a.source == "督办"), Fraction(0))
    return Figures(level=level, grid_id=grid_id, name=name, community_id=community_id,
                   community_name=community_name, households=k.households, residents=k.residents,
                   indicators=indicators, manual_adjustments=float(manual), card_adjustments=float(cards),
                   adjustments=float(manual + cards), total=round_half_up(weighted + manual + cards),
                   adjustment_items=list(items))


def month_figures(ledger: Ledger, month: str, *, with_previous: bool = False) -> MonthEvaluation:
    """The figures of record for a month: the latest publication if it is 定稿, else computed."""
    month = check_month(month)
    pub = latest_publication(ledger, month)
    if pub is None:
        return evaluate(ledger, month, with_previous=with_previous)
    result = pub.evaluation
    if with_previous:
        _fill_previous(result, month_figures(ledger, previous_month(month)))
    return result


# =====================================================================================
# Traceability
# =====================================================================================

def _household_label_sql(h: str = "h") -> str:
    return (f"(SELECT b.compound || b.name || u.name || {h}.room FROM units u"
            f" JOIN buildings b ON b.id = u.building_id WHERE u.id = {h}.unit_id)")


def trace(ledger: Ledger, month: str, grid_id: int, indicator_key: str) -> list[dict]:
    """The records behind one grid's figure, as rows with Chinese column labels.

    Args:
        indicator_key: an indicator key, or ``"adjustments"`` for the 加减分.

    Returns:
        rows (dicts, insertion-ordered columns).  Each indicator's rows carry a
        计入 column ("是"/"否") where the numerator is a subset of the rows:

        * on_time: every matter due in M (编号, 登记时间, 分级, 类别, 办理时限,
          办结时间, 结果 按期/逾期办结/逾期未办结, 计入).
        * satisfaction: every rating recorded in M (编号, 类别, 回访时间, 满意度, 计入).
        * visit_coverage: every active household (户, 户主, 在住人数, 本月走访日期, 计入).
        * discovery: the 巡查走访 matters registered in M (编号, 登记时间, 类别, 事项描述).
        * volunteer: the grid's activities in M (活动名称, 活动日期, 地点, 参与人次, 服务时长（小时）).
        * completeness: every present resident (姓名, 身份证号 masked, 户, 联系电话,
          缺项, 计入).
        * adjustments: 来源, 分值, 原因, 给分人, 时间.
    """
    month = check_month(month)
    p = _params(month)
    p["g"] = grid_id
    if indicator_key == "on_time":
        rows = ledger.query(_MATTER_FACTS.format(grid_filter="AND m.grid_id = :g")
                            + " SELECT * FROM due WHERE due_at >= :s AND due_at <= :t"
                              " ORDER BY due_at, number", p)
        out = []
        for r in rows:
            if r["on_time"]:
                result = "按期办结"
            elif r["closed_at"]:
                result = "逾期办结"
            else:
                result = "逾期未办结"
            out.append({"编号": r["number"], "登记时间": r["registered_at"], "分级": r["level"],
                        "类别": r["category"], "办理时限": r["deadline"], "办结时间": r["closed_at"] or "",
                        "结果": result, "计入": "是" if r["on_time"] else "否"})
        return out
    if indicator_key == "satisfaction":
        rows = ledger.query(_RATINGS.format(grid_filter="AND m.grid_id = :g") + " ORDER BY e.at, m.number",
                            p)
        return [{"编号": r["number"], "类别": r["category"], "回访时间": r["at"],
                 "满意度": r["satisfaction"], "计入": "是" if r["satisfaction"] in SATISFIED else "否"}
                for r in rows if r["satisfaction"] in RATINGS]
    if indicator_key == "visit_coverage":
        present = present_sql("r", ":de")
        rows = ledger.query(
            f"""
            SELECT h.id, {_household_label_sql()} AS label,
                   (SELECT name FROM residents hr WHERE hr.id = h.head_resident_id) AS head,
                   (SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id AND {present}) AS n,
                   (SELECT group_concat(d, '、') FROM (SELECT DISTINCT v.visited_on AS d FROM visits v
                      JOIN visit_households vh ON vh.visit_id = v.id
                     WHERE vh.household_id = h.id AND v.visited_on >= :ds AND v.visited_on < :nxt
                     ORDER BY d)) AS dates
              FROM households h WHERE h.grid_id = :g
             ORDER BY label
            """, p)
        return [{"户": r["label"], "户主": r["head"] or "", "在住人数": r["n"],
                 "本月走访日期": r["dates"] or "", "计入": "是" if r["dates"] else "否"}
                for r in rows if r["n"] > 0]
    if indicator_key == "discovery":
        rows = ledger.query(
            "SELECT m.number, m.registered_at, m.category, m.description FROM matters m"
            " WHERE m.grid_id = :g AND m.registered_at >= :s AND m.registered_at <= :t"
            f" AND m.source = '巡查走访' AND NOT {_CANCELLED_BY_T.format(m='m')}"
            " ORDER BY m.registered_at, m.number", p)
        return [{"编号": r["number"], "登记时间": r["registered_at"], "类别": r["category"],
                 "事项描述": r["description"]} for r in rows]
    if indicator_key == "volunteer":
        rows = ledger.query(
            "SELECT a.title, a.on_date, a.place, COUNT(p.volunteer_id) AS people,"
            " COALESCE(SUM(p.hours), 0) AS hours FROM activities a"
            " LEFT JOIN activity_participants p ON p.activity_id = a.id"
            " WHERE a.grid_id = :g AND a.on_date >= :ds AND a.on_date < :nxt"
            " GROUP BY a.id ORDER BY a.on_date, a.id", p)
        return [{"活动名称": r["title"], "活动日期": r["on_date"], "地点": r["place"],
                 "参与人次": r["people"], "服务时长（小时）": _fmt_num(r["hours"])} for r in rows]
    if indicator_key == "completeness":
        from models.core.idcard import mask

        present = present_sql("r", ":de")
        present_o = present_sql("o", ":de")
        rows = ledger.query(
            f"""
            SELECT r.name, r.id_number, r.phone, r.household_id,
                   {_household_label_sql()} AS label,
                   EXISTS (SELECT 1 FROM residents o WHERE o.household_id = r.household_id
                            AND o.id <> r.id AND o.phone <> '' AND {present_o}) AS other_phone
              FROM residents r LEFT JOIN households h ON h.id = r.household_id
             WHERE r.grid_id = :g AND {present}
             ORDER BY label, r.id
            """, p)
        out = []
        for r in rows:
            missing = []
            if not (r["id_number"] and len(r["id_number"]) == 18):
                missing.append("身份证号")
            own_phone = bool(r["phone"])
            if not own_phone and not r["other_phone"]:
                missing.append("联系电话")
            if r["household_id"] is None:
                missing.append("所属户")
            phone = r["phone"] if own_phone else ("（同户有电话）" if r["other_phone"] else "")
            out.append({"姓名": r["name"], "身份证号": mask(r["id_number"]) if r["id_number"] else "",
                        "户": r["label"] or "", "联系电话": phone, "缺项": "、".join(missing),
                        "计入": "否" if missing else "是"})
        return out
    if indicator_key == ADJUSTMENTS_KEY:
        return [{"来源": a.source, "分值": _fmt_num(a.points), "原因": a.reason, "给分人": a.author,
                 "时间": a.at} for a in adjustments(ledger, month) if a.grid_id == grid_id]
    raise ValidationError(f"未知的评比指标“{indicator_key}”。")


# =====================================================================================
# Publishing (定稿)
# =====================================================================================

def _publication_from_row(row: dict) -> Publication:
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
    return [_publication_from_row(r) for r in rows]


def latest_publication(ledger: Ledger, month: str) -> Publication | None:
    rows = ledger.query("SELECT * FROM evaluation_publications WHERE month = ?"
                        " ORDER BY version DESC LIMIT 1", [check_month(month)])
    return _publication_from_row(rows[0]) if rows else None


def published_version(ledger: Ledger, month: str) -> int | None:
    """The latest 定稿 version of a month (None when not published)."""
    return ledger.scalar("SELECT MAX(version) FROM evaluation_publications WHERE month = ?",
                         [check_month(month)])


def publish(ledger: Ledger, month: str, reason: str = "") -> Publication:
    """定稿: freeze the month's figures (and the scheme they used) as a new version.

    The first publication is version 1; republishing needs a reason and adds
    version n+1, keeping every earlier version.

    Raises:
        ValidationError: the month has not ended yet, or a republish without a reason.
    """
    require_office(ledger, "定稿")
    month = check_month(month)
    _, _, _, end, _ = month_bounds(month)
    if ledger.now_ts() <= end:
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
    with ledger.write():
        rowid = ledger.db["evaluation_publications"].insert(record).last_rowid
        ledger.audit("定稿", "evaluation_publications", rowid, None,
                     {"month": month, "version": version, "reason": reason})
    return latest_publication(ledger, month)


_DIFF_FIELDS = (("adjustments", "加减分"), ("total", "总分"), ("rank", "排名"))


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


# =====================================================================================
# Export (SPEC §8) and report data
# =====================================================================================

RANKING_COLUMNS = ["排名", "社区", "网格", "按期办结率", "群众满意率", "走访覆盖率", "问题发现",
                   "志愿服务", "台账完整率", "加减分", "总分"]


def ranking_rows(ledger: Ledger, month: str) -> list[dict]:
    """The ranking export of SPEC §8: one row per grid in rank order.

    Columns :data:`RANKING_COLUMNS`; scores are 0..1 rounded to 4 decimals
    (whatever the scheme calls them, the columns are SPEC §8's), 加减分 and
    总分 to 2.  The figures of record (published if 定稿) are used.
    """
    result = month_figures(ledger, month)
    order = ("on_time", "satisfaction", "visit_coverage", "discovery", "volunteer", "completeness")
    out = []
    for g in result.grids:
        row = {"排名": g.rank, "社区": g.community_name, "网格": g.name}
        for column, key in zip(RANKING_COLUMNS[3:9], order):
            row[column] = round(g.indicators[key].score, 4)
        row["加减分"] = round_half_up(g.adjustments)
        row["总分"] = g.total
        out.append(row)
    return out


def export_ranking(ledger: Ledger, out, month: str, progress=None) -> int:
    """Write :func:`ranking_rows` to ``out`` (``.csv`` UTF-8 with BOM for Excel/WPS, or ``.xlsx``).

    The file is written to a temporary name next to ``out`` and moved into place
    when complete.  Returns the number of grid rows.

    Raises:
        ValidationError: an unsupported file type or a bad month.
    """
    import csv
    import os
    import tempfile
    from pathlib import Path

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError(f"排名只能导出为 .csv 或 .xlsx 文件（“{out.name}”）。", field="out")
    rows = ranking_rows(ledger, month)
    if progress is not None:
        progress(len(rows), len(rows))
    fd, tmp = tempfile.mkstemp(prefix=".ranking-", suffix=suffix, dir=str(out.parent))
    os.close(fd)
    try:
        if suffix == ".csv":
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=RANKING_COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
        else:
            import openpyxl
            from openpyxl.styles import Font

            wb = openpyxl.Workbook()
            ws = wb.active
            ws.title = f"{month}排名"
            ws.append(RANKING_COLUMNS)
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for row in rows:
                ws.append([row[c] for c in RANKING_COLUMNS])
            for col in "DEFGHI":
                for cell in ws[col][1:]:
                    cell.number_format = "0.0000"
            for col in "JK":
                for cell in ws[col][1:]:
                    cell.number_format = "0.00"
            ws.freeze_panes = "A2"
            for letter, width in zip("ABCDEFGHIJK", (6, 14, 14, 11, 11, 11, 10, 10, 11, 8, 8)):
                ws.column_dimensions[letter].width = width
            wb.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(rows)


def _issuing_body(ledger: Ledger) -> str:
    """The issuing body: the setting ``report_issuer``, else ``<社区>居民委员会``."""
    from models.reporting.data import issuer_name

    return issuer_name(ledger)


def _issued_on(ledger: Ledger, published_at: str) -> str:
    day = published_at[:10] if published_at else ledger.now().strftime("%Y-%m-%d")
    return f"{int(day[:4])}年{int(day[5:7])}月{int(day[8:10])}日"


def monthly_bulletin_data(ledger: Ledger, month: str) -> BulletinData:
    """Everything the 月度评比通报 needs (figures of record, with rank change)."""
    result = month_figures(ledger, month, with_previous=True)
    rows = result.grids
    keys = result.scheme.keys
    red = [r for r in rows if r.rank <= 3]
    floor = rows[-3].rank if len(rows) >= 3 else (rows[0].rank if rows else 0)
    black = [r for r in rows if r.rank >= floor and r not in red]
    summary: list[tuple[str, str]] = [("参评网格", f"{len(rows)} 个")]
    if rows:
        totals = [r.total for r in rows]
        mean = round_half_up(sum((_frac(t) for t in totals), Fraction(0)) / len(totals))
        best, worst = rows[0], rows[-1]
        summary += [("平均分", f"{mean:.2f}"), ("最高分", f"{best.total:.2f}（{best.name}）"),
                    ("最低分", f"{worst.total:.2f}（{worst.name}）")]
    for community in result.communities:
        prefix = f"{community.name}" if len(result.communities) > 1 else "全社区"
        summary.append((f"{prefix}在住户数 / 在住人数", f"{community.households} 户 / {community.residents} 人"))
        for ind in community.indicators.values():
            if ind.value is not None:
                unit = TARGET_UNITS.get(ind.key, "")
                text = f"{ind.percent}（{_fmt_num(ind.value)} {unit}，目标 {_fmt_num(ind.target)}）"
            else:
                text = f"{ind.percent}（{ind.counts_text}）"
            summary.append((f"{prefix}{ind.name}", text))
    items = [a for r in rows for a in r.adjustment_items]
    items += [a for c in result.communities for a in c.adjustment_items]
    items.sort(key=lambda a: (a.at, a.source))
    summary.append(("加减分", f"{len(items)} 项，合计 {_fmt_num(round_half_up(sum(_frac(a.points) for a in items)))} 分"))
    name = result.community_name or ledger.community_name
    return BulletinData(
        community_name=name, title=f"{name}{month_text(result.month)}网格月度评比通报",
        issuing_body=_issuing_body(ledger), month=result.month, month_text=month_text(result.month),
        as_of=result.as_of, published_version=result.published_version, summary=summary,
        indicator_keys=keys, indicator_names=[result.scheme.indicator(k).name for k in keys],
        rows=rows, red_list=red, black_list=black, adjustments=items, communities=result.communities,
        scheme=result.scheme, scheme_lines=result.scheme.describe(),
        issued_on=_issued_on(ledger, result.published_at))


def scorecard_data(ledger: Ledger, month: str) -> ScorecardData:
    """Every grid's scorecard for a month (figures of record), in rank order."""
    result = month_figures(ledger, month, with_previous=True)
    cards = []
    for g in result.grids:
        lines = [ScorecardLine(key=i.key, name=i.name, weight=i.weight, formula=COUNT_LABELS[i.key][2],
                               numerator_label=i.numerator_label, numerator=i.numerator,
                               denominator_label=i.denominator_label, denominator=i.denominator,
                               value=i.value, target=i.target, score=i.score, points=i.points)
                 for i in g.indicators.values()]
        cards.append(Scorecard(figures=g, lines=lines, adjustments=list(g.adjustment_items)))
    name = result.community_name or ledger.community_name
    return ScorecardData(community_name=name, month=result.month, month_text=month_text(result.month),
                         title=f"{name}{month_text(result.month)}网格评分卡",
                         published_version=result.published_version, cards=cards, scheme=result.scheme,
                         scheme_lines=result.scheme.describe(),
                         issued_on=_issued_on(ledger, result.published_at))


def _evaluate_batch(ledger: Ledger, months: list[str], done=None) -> dict[str, MonthEvaluation]:
    """:func:`evaluate` each of ``months`` on ``ledger``, sharing the static residents' pass
    (:class:`_StaticHouseholds`) between them; ``done(month, result)`` after each."""
    out: dict[str, MonthEvaluation] = {}
    if not months:
        return out
    with contextlib.ExitStack() as stack:
        static = stack.enter_context(_StaticHouseholds(ledger)) if len(months) > 1 else None
        for month in months:
            out[month] = evaluate(ledger, month,
                                  _households=lambda month=month: _household_counts(ledger, month, static))
            if done is not None:
                done(month, out[month])
    return out


def _evaluate_batch_on_own_connection(ledger: Ledger, months: list[str], done=None) -> dict[str, MonthEvaluation]:
    """:func:`_evaluate_batch` on a new connection to ``ledger``'s file (for a worker thread)."""
    from models.ledger import open_db

    other = open_db(ledger.path, operator=ledger.operator, clock=ledger.clock, create=False,
                    check_same_thread=False)
    other.conn.execute(f"PRAGMA mmap_size = {_WORKER_MMAP}")
    try:
        return _evaluate_batch(other, months, done)
    finally:
        other.close()


#: at most this many connections compute months at once (see :func:`months_figures`)
MAX_PARALLEL_MONTHS = 4


def months_figures(ledger: Ledger, months: list[str], progress=None) -> dict[str, MonthEvaluation]:
    """The figures of record of several months (published ones as stored).

    The months that need computing share one pass over the static residents (see
    :func:`_household_counts`).  On a ledger file and a machine with more than one
    core they are split into runs of consecutive months, one per core (at most
    :data:`MAX_PARALLEL_MONTHS`): the calling thread computes the first run on its own
    connection, worker threads the others each on a new read connection (SQLite
    releases Python's GIL while it works); an in-memory ledger, or a machine with a
    single core, computes them one after the other.

    Args:
        progress: optional ``progress(done, total)``, called on the calling thread.
    """
    import os
    import queue
    from concurrent.futures import ThreadPoolExecutor

    out: dict[str, MonthEvaluation] = {}
    todo = []
    for month in months:
        pub = latest_publication(ledger, month)
        if pub is not None:
            out[month] = pub.evaluation
        else:
            todo.append(month)
    done = len(out)
    if progress is not None and done:
        progress(done, len(months))
    workers = min(len(todo), os.cpu_count() or 1, MAX_PARALLEL_MONTHS)
    if ledger.path is None or workers <= 1:
        def step(month, result):
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, len(months))

        out.update(_evaluate_batch(ledger, todo, step))
        return out
    size, extra = divmod(len(todo), workers)
    runs, start = [], 0
    for n in range(workers):
        end = start + size + (1 if n < extra else 0)
        runs.append(todo[start:end])
        start = end
    finished: queue.Queue = queue.Queue()   # months done by the workers, reported here

    def report(block: bool = False) -> None:
        nonlocal done
        while True:
            try:
                finished.get(timeout=0.1) if block else finished.get_nowait()
            except queue.Empty:
                return
            done += 1
            if progress is not None:
                progress(done, len(months))
            block = False

    def own(month, result):
        finished.put(month)
        report()

    with ThreadPoolExecutor(max_workers=workers - 1) as pool:
        futures = [pool.submit(_evaluate_batch_on_own_connection, ledger, run,
                               lambda month, result: finished.put(month)) for run in runs[1:]]
        out.update(_evaluate_batch(ledger, runs[0], own))
        while not all(future.done() for future in futures):
            report(block=True)
        for future in futures:
            out.update(future.result())
    report()
    return out


def annual_data(ledger: Ledger, year: int | str, *, progress=None) -> AnnualData:
    """The 年度考评 of ``year``: grid × month matrix, mean, adjustments, grade, rank.

    Months: those of ``year`` that have ended by now; each uses its figures of
    record (published if 定稿).  A grid's mean is over the months it was
    evaluated *with at least one active household* (a month in which it did not
    exist or served nobody is shown as None and left out).  A grid with no such
    month in the year is not assessed (not listed).  Total = mean + the year's
    adjustments (period ``YYYY``), rounded half-up to 2 decimals; grade by the
    scheme in force.

    Args:
        progress: optional ``progress(done, total)`` callable (the worker's).
    """
    text = str(year).strip()
    if not _YEAR.match(text):
        raise ValidationError(f"年份“{year}”格式不正确，应为四位数字（例如 2026）。", field="year")
    year = int(text)
    now = ledger.now_ts()
    months = [f"{year}-{m:02d}" for m in range(1, 13) if month_bounds(f"{year}-{m:02d}")[3] < now]
    scheme = current_scheme(ledger)
    figures_by_month = months_figures(ledger, months, progress=progress)
    matrix: dict[int, dict[str, float | None]] = {}
    info: dict[int, tuple[str, str]] = {}
    for month in months:
        figures = figures_by_month[month]
        for g in figures.grids:
            info[g.grid_id] = (g.name, g.community_name)
            matrix.setdefault(g.grid_id, {})[month] = g.total if g.households > 0 else None
    yearly = adjustments(ledger, str(year))
    by_grid: dict[int, list[Adjustment]] = {}
    for a in yearly:
        if a.grid_id is not None:
            by_grid.setdefault(a.grid_id, []).append(a)
    rows = []
    for grid_id, (name, community) in info.items():
        monthly = {m: matrix[grid_id].get(m) for m in months}
        values = [_frac(v) for v in monthly.values() if v is not None]
        if not values:
            continue
        mean = sum(values, Fraction(0)) / len(values)
        adj = sum((_frac(a.points) for a in by_grid.get(grid_id, [])), Fraction(0))
        total = round_half_up(mean + adj)
        rows.append(AnnualRow(grid_id=grid_id, name=name, community_name=community, monthly=monthly,
                              months_counted=len(values), mean=round_half_up(mean),
                              adjustments=float(adj), total=total, grade=scheme.grade(total),
                              adjustment_items=by_grid.get(grid_id, [])))
    assign_ranks(rows)
    grade_names = [g for g, _ in scheme.grades] + [LOWEST_GRADE]
    grade_counts = [(g, sum(1 for r in rows if r.grade == g)) for g in grade_names]
    name = ledger.community_name
    return AnnualData(community_name=name, year=year, title=f"{name}{year}年度网格考评结果",
                      issuing_body=_issuing_body(ledger), months=months, rows=rows, adjustments=yearly,
                      grade_counts=grade_counts, scheme=scheme, scheme_lines=scheme.describe(),
                      issued_on=_issued_on(ledger, ""))
