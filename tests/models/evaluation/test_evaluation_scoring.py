"""Scores from counts: rates, targets, weights, rounding half-up once, ranks, grades (SPEC §5)."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import pytest

from models.evaluation import monthly, scoring
from models.evaluation.counts import Counts
from models.evaluation.scheme import default_scheme, save_scheme
from tests.models.evaluation.evaluation_builders import CN, MONTH, household, resident


@pytest.mark.parametrize("value, expected", [
    ("55.625", 55.63), ("89.995", 90.0), ("66.664999", 66.66), ("-1.005", -1.01), ("70", 70.0),
    (Fraction(1, 3), 0.33), (Fraction(-2, 3), -0.67), (0.125, 0.13),
])
def test_round_half_up(value, expected):
    assert scoring.round_half_up(value) == expected


def test_round_half_up_agrees_with_decimal_on_random_fractions():
    """The integer rounding gives the float of Decimal's ROUND_HALF_UP, ties and signs included."""
    import random
    from decimal import ROUND_HALF_UP, Decimal, localcontext

    rng = random.Random(7)
    values = [Fraction(rng.randint(-10**7, 10**7), rng.randint(1, 10**4)) for _ in range(3000)]
    values += [Fraction(n, 1000) for n in range(-3000, 3001)] + [Fraction(n, 200000) for n in range(-999, 1000)]
    for value in values:
        for places in (2, 4):
            with localcontext() as ctx:
                ctx.prec = 60
                exact = Decimal(value.numerator) / Decimal(value.denominator)
                expected = float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
            assert scoring.round_half_up(value, places) == expected, (value, places)


@pytest.mark.parametrize("num, den, expected", [(0, 0, 1), (3, 6, Fraction(1, 2)), (0, 5, 0), (2, 3, Fraction(2, 3))])
def test_rate_is_one_when_there_is_nothing_to_count(num, den, expected):
    assert scoring.rate(num, den) == expected


@pytest.mark.parametrize("amount, base, target, value, score", [
    (2, 3, 1.0, Fraction(200, 3), 1),        # 66.67 per 100 ≥ the target: capped at 1
    (Fraction(3, 10), 4, 10.0, Fraction(15, 2), Fraction(3, 4)),
    (5, 0, 1.0, 0, 1),                       # nobody to serve: a full score
    (0, 10, 1.0, 0, 0),
])
def test_capped_targets(amount, base, target, value, score):
    assert scoring.capped(Fraction(amount), base, target) == (value, score)


def test_assign_ranks_shares_a_rank_and_skips_after_a_tie():
    rows = [SimpleNamespace(name=n, total=t, rank=0) for n, t in
            (("甲", 60.0), ("乙", 80.0), ("丙", 70.0), ("丁", 70.0), ("戊", 50.0))]
    scoring.assign_ranks(rows)
    assert [(r.name, r.rank) for r in rows] == [("乙", 1), ("丙", 2), ("丁", 2), ("甲", 4), ("戊", 5)]


def test_indicator_scores_of_counts_and_the_exact_weighted_sum():
    k = Counts(due=6, on_time=3, ratings=3, satisfied=2, households=3, visited=2, patrol=2,
               hours=Fraction(3, 10), residents=4, complete=3)
    found, weighted = scoring.indicator_scores(k, default_scheme())
    assert weighted == Fraction(6625, 100)           # 15 + 50/3 + 40/3 + 10 + 7.5 + 3.75
    assert [found[key].points for key in default_scheme().keys] == [15.0, 16.67, 13.33, 10.0, 7.5, 3.75]
    assert found["volunteer"].value == 7.5 and found["discovery"].value == 66.6667
    assert (found["on_time"].numerator_label, found["on_time"].denominator_label) == ("按期办结件数", "应办结件数")


def test_total_rounds_half_up_once(ledger, clock):
    """One grid, 8 single-person households, 1 complete: 30 + 25 + 0 + 0 + 0 + 5/8 = 55.625 → 55.63."""
    clock.set(2026, 11, 20, 12, 0, 0)
    for n in range(8):
        h = household(ledger, "一网格", f"{n + 1}01")
        resident(ledger, h, f"居民{CN[n]}", with_id=(n == 0), phone="13800000000")
    (g,) = monthly.evaluate(ledger, MONTH).grids
    assert g.indicators["completeness"].score == 0.125
    assert g.total == 55.63  # Python's round(55.625, 2) gives 55.62


def test_targets_cap_and_scale(ledger, october):
    data = default_scheme().to_dict()
    for ind in data["indicators"]:
        if ind["key"] == "discovery":
            ind["target"] = 100
    save_scheme(ledger, data)
    a = monthly.evaluate(ledger, MONTH).grid(october["A"])
    assert a.indicators["discovery"].score == pytest.approx(2 / 3)
    # 15 + 30 + 10×2/3 + 7.5 + 3.75 + 1 = 63.9166… → 63.92
    assert a.total == 63.92


@pytest.mark.parametrize("score, grade", [
    (100, "优秀"), (90, "优秀"), (89.99, "良好"), (80, "良好"), (79.99, "合格"), (60, "合格"), (59.99, "不合格"),
])
def test_grades(score, grade):
    assert default_scheme().grade(score) == grade
