"""The ID checks computed in models.core.idcard agree with python-stdnum's ``stdnum.cn.ric``.

idcard computes the check character and the birth date itself (stdnum's per-call
cleaning was the import's largest cost); these tables hold it to stdnum's answers.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from stdnum.cn import ric

from models.core.idcard import PROVINCES, check_digit, check_id

TODAY = dt.date(2026, 10, 31)


def _numbers(count: int, seed: int) -> list[str]:
    """Random 18-character numbers: right and wrong check characters, real and impossible dates."""
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        area = rnd.choice(sorted(PROVINCES)) + f"{rnd.randrange(10000):04d}"
        year = rnd.choice([rnd.randrange(1880, 2027), rnd.randrange(1000, 9999)])
        month, day = rnd.randrange(0, 14), rnd.randrange(0, 33)
        body = f"{area}{year:04d}{month:02d}{day:02d}{rnd.randrange(1000):03d}"
        last = ric.calc_check_digit(body + "0") if rnd.random() < 0.7 else rnd.choice("0123456789X")
        out.append(body + last)
    return out


@pytest.mark.parametrize("first17", ["11010119491231002", "34010419800101001", "00000000000000000",
                                     "99999999999999999", "44030520000229123"]
                         + [n[:17] for n in _numbers(300, 1)])
def test_check_digit_is_stdnum_s(first17):
    assert check_digit(first17) == ric.calc_check_digit(first17 + "0")


def test_check_id_accepts_exactly_what_stdnum_validates():
    """Same check character and birth date as stdnum for every 18-character number (the
    province and the not-after-today / not-before-1880 rules are ours, on top; stdnum's
    county table is not used: a county code may be newer than its database)."""
    for number in _numbers(3000, 2):
        result = check_id(number, TODAY)
        try:
            born = ric.get_birth_date(number) if number[-1] == ric.calc_check_digit(number) else None
        except Exception:  # stdnum's InvalidChecksum / InvalidComponent
            born = None
        ours_ok = born is not None and number[:2] in PROVINCES and 1880 <= born.year and born <= TODAY
        assert (result.value == number) == ours_ok, number
        if result.value:
            assert result.birth_date == born.isoformat()
            assert result.gender == ("男" if int(number[16]) % 2 else "女")


@pytest.mark.parametrize("raw", ["11010519491231002x", " 110105 19491231002X ", "１１０１０５１９４９１２３１００２Ｘ",
                                 "110105\u200b19491231002X", "110105491231002"])
def test_the_fast_path_and_the_cleaning_path_agree(raw):
    """A number needing cleaning gives the same value as the clean number itself."""
    clean = check_id(raw, TODAY)
    assert clean.value is not None
    assert check_id(clean.value, TODAY).value == clean.value
