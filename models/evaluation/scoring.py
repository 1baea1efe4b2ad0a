"""Scores from counts (SPEC §5): rates, capped targets, weights, adjustments, rounding, ranks.

Pure functions, no SQL.  Scores are exact fractions (``fractions.Fraction``, never
floats); a total = Σ weight × score + adjustments, rounded once to 2 decimals, half-up
like ``decimal.ROUND_HALF_UP`` (55.625 → 55.63, where float ``round`` gives 55.62;
−1.005 → −1.01).  Ranks compare the rounded totals (1, 2, 2, 4).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from models.core.errors import ValidationError
from models.evaluation.counts import Counts, frac
from models.evaluation.figures import Adjustment, Figures, IndicatorScore
from models.evaluation.scheme import TARGETED_KEYS, Scheme

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


def round_half_up(value: Fraction | Decimal | float | int, places: int = 2) -> float:
    """Round half-up (away from zero on a tie) to ``places`` decimals, exactly."""
    if not isinstance(value, Fraction):
        value = Fraction(Decimal(str(value)))
    scale = 10 ** places
    num, den = value.numerator * scale, value.denominator    # the scaled value, den > 0
    whole = (2 * abs(num) + den) // (2 * den)                # floor(|x| + 1/2), in integers
    # int / int is correctly rounded, as float(Decimal(n) / Decimal(scale)) was
    return (-whole if num < 0 else whole) / scale


def assign_ranks(rows: list, key=lambda r: r.total) -> None:
    """Sort ``rows`` by ``key`` descending (stable) and set ``rank`` (1, 2, 2, 4)."""
    rows.sort(key=lambda r: -key(r))
    previous = None
    for position, row in enumerate(rows, 1):
        value = key(row)
        if previous is None or value != previous[0]:
            previous = (value, position)
        row.rank = previous[1]


def rate(num, den) -> Fraction:
    """``num / den`` exactly; 1 when there is nothing to count (SPEC §5: every denominator 0 → 1)."""
    if den == 0:
        return Fraction(1)
    if isinstance(num, int) and isinstance(den, int):
        return Fraction(num, den)          # one normalisation instead of three Fractions
    return Fraction(num) / Fraction(den)


def capped(amount: Fraction, base: int, target: float) -> tuple[Fraction, Fraction]:
    """(value per 100, score) of a targeted indicator."""
    if base == 0:
        return Fraction(0), Fraction(1)
    value = Fraction(amount) * 100 / base
    return value, min(Fraction(1), value / frac(target))


def indicator_scores(k: Counts, scheme: Scheme) -> tuple[dict[str, IndicatorScore], Fraction]:
    """Scores of every indicator and the exact Σ weight × score."""
    out: dict[str, IndicatorScore] = {}
    total = Fraction(0)
    for ind in scheme.indicators:
        value = None
        if ind.key == "on_time":
            num, den, score = k.on_time, k.due, rate(k.on_time, k.due)
        elif ind.key == "satisfaction":
            num, den, score = k.satisfied, k.ratings, rate(k.satisfied, k.ratings)
        elif ind.key == "visit_coverage":
            num, den, score = k.visited, k.households, rate(k.visited, k.households)
        elif ind.key == "completeness":
            num, den, score = k.complete, k.residents, rate(k.complete, k.residents)
        elif ind.key == "discovery":
            num, den = k.patrol, k.households
            value, score = capped(Fraction(k.patrol), k.households, ind.target)
        elif ind.key == "volunteer":
            num, den = float(k.hours), k.residents
            value, score = capped(k.hours, k.residents, ind.target)
        else:  # pragma: no cover - validate_scheme refuses unknown keys
            raise ValidationError(f"未知的评比指标“{ind.key}”。")
        weighted = frac(ind.weight) * score
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


def figures_of(level: str, grid_id: int | None, name: str, community_id: int, community_name: str,
               k: Counts, scheme: Scheme, items: list[Adjustment]) -> Figures:
    """One row of a month: the indicators scored from ``k``, plus the adjustments ``items``."""
    indicators, weighted = indicator_scores(k, scheme)
    manual = sum((frac(a.points) for a in items if a.source == "手工"), Fraction(0))
    cards = sum((frac(a.points) for a in items if a.source == "督办"), Fraction(0))
    return Figures(level=level, grid_id=grid_id, name=name, community_id=community_id,
                   community_name=community_name, households=k.households, residents=k.residents,
                   indicators=indicators, manual_adjustments=float(manual), card_adjustments=float(cards),
                   adjustments=float(manual + cards), total=round_half_up(weighted + manual + cards),
                   adjustment_items=list(items))

