"""Phone numbers (SPEC §7) as tables; whether a number exists is checked against libphonenumber directly."""

import random
import re

import phonenumbers
import pytest

from models.core.phones import MAX_NUMBERS, PhoneCheck, check_phone, phone_check, phone_digits


@pytest.mark.parametrize("raw, expected", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("008613812345678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),                # full-width
    (13812345678, "13812345678"),                         # number cell
    (13812345678.0, "13812345678"),                       # float cell
    ("13812345678.0", "13812345678"),                     # float-looking text
    ("0551-1234567", "0551-1234567"),                     # (unknown to libphonenumber: kept, warned)
    ("0551－1234567", "0551-1234567"),                     # full-width dash
    ("(0551)1234567", "0551-1234567"),
    ("（0551）12345678", "0551-12345678"),
    ("0551 1234567", "0551-1234567"),
    ("05511234567", "0551-1234567"),
    ("010-12345678", "010-12345678"),
    ("01012345678", "010-12345678"),
    ("021 6123 4567", "021-61234567"),
    ("0551-52128357转8001", "0551-52128357转8001"),
    ("0551-52128357分机8001", "0551-52128357转8001"),
    ("0551-52128357 ext. 8001", "0551-52128357转8001"),
    ("0551-52128357#8001", "0551-52128357转8001"),
    ("13812345678/13912345678", "13812345678 / 13912345678"),
    ("13812345678、0551-52128357", "13812345678 / 0551-52128357"),
    ("13812345678 / 13812345678", "13812345678"),
    ("13812345678 13912345678", "13812345678 / 13912345678"),     # two whole numbers a space apart
    ("13812345678  0551-52128357", "13812345678 / 0551-52128357"),
    ("0551 52128357 13812345678", "0551-52128357 / 13812345678"),
    ("13812345678\u200b", "13812345678"),                 # invisible characters, like spaces
    ("\ufeff138\u200b1234\u20605678", "13812345678"),
    ("138\u00ad1234\u00ad5678", "13812345678"),            # soft hyphen
])
def test_valid(raw, expected):
    assert check_phone(raw) == (expected, None)


@pytest.mark.parametrize("raw", [None, "", "  ", "\u200b", "/", " 、 "])
def test_blank(raw):
    assert check_phone(raw) == (None, None)
    assert phone_check(raw).blank


@pytest.mark.parametrize("raw, fragment", [
    ("1381234567", "11位"),
    ("1381234567 13912345678", "11位"),       # a space splits only numbers that are each whole
    ("138123456789", "11位"),
    ("12812345678", "第二位"),
    ("1234567", "区号"),
    ("0551-123456", "位数"),
    ("1.38123E+10", "文本"),
    ("abc", "数字"),
    ("+1 415 555 0100", "中国大陆"),
    ("+852 2123 4567", "中国大陆"),
    ("0085221234567", "中国大陆"),
    ("13812345678/13912345678/13712345678", "最多"),
    (1381234567.5, "格式"),
    (float("nan"), "格式"),
    ("13812345678转8001", "分机"),
    ("转8001", "只有分机号"),
    ("0000-1234567", "00是国际长途"),                      # an area code never starts with 00
    ("+86 0052 25670904", "00是国际长途"),
    ("0086", "不完整"),                                    # was an IndexError
    ("0086-", "不完整"),
    ("+86", "不完整"),
    ("+86 ", "不完整"),
    ("1381234567٨", "非标准的数字"),                         # Arabic-Indic eight
    ("13812345678 / 1381234567٨", "非标准的数字"),
    ("①3812345678", "非标准的数字"),                         # circled one (NFKC would make it 1)
    ("1" * 200, "过长"),
])
def test_invalid(raw, fragment):
    value, error = check_phone(raw)
    assert value is None
    assert fragment in error


def _library_valid(raw: str) -> bool:
    """libphonenumber's own verdict, asked directly."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(raw, "CN"))
    except phonenumbers.NumberParseException:
        return False


MISSING_MOBILE_PREFIXES = ["140", "141", "142", "143", "144", "146", "148", "149", "154", "160", "163",
                           "164", "168", "169", "174", "179", "194"]

#: raw, stored, libphonenumber knows it (else: kept with a warning)
LIBRARY_CASES = [
    *[(f"{prefix}12345678", f"{prefix}12345678", False) for prefix in MISSING_MOBILE_PREFIXES],
    ("13812345678", "13812345678", True),
    ("14512345678", "14512345678", True),
    ("14712345678", "14712345678", True),
    ("16612345678", "16612345678", True),
    ("17012345678", "17012345678", True),
    ("19912345678", "19912345678", True),
    # area codes not in use
    ("0123-1234567", "0123-1234567", False),
    ("0190-1234567", "0190-1234567", False),
    ("0123-81234567", "0123-81234567", False),
    # local numbers starting with 1 or 9 where the city has none
    ("0311-1234567", "0311-1234567", False),
    ("0791-1234567", "0791-1234567", False),
    ("0898-9123456", "0898-9123456", False),
    ("0311-91234567", "0311-91234567", True),
    ("0931-1234567", "0931-1234567", True),
    # 7- vs 8-digit local numbers
    ("0551-1234567", "0551-1234567", False),
    ("0431-8123456", "0431-8123456", False),
    ("0513-8123456", "0513-8123456", False),
    ("021-6123456", "021-6123456", False),
    ("0513-81234567", "0513-81234567", True),
    ("0931-8123456", "0931-8123456", True),
    ("0551-52128357", "0551-52128357", True),
    # +86 / 0086 landlines and the national 0 after them
    ("+86-551-52128357", "0551-52128357", True),
    ("+86 (0)532 25670904", "0532-25670904", True),
    ("0086 551 5212 8357", "0551-52128357", True),
    ("+86 0138 1234 5678", "13812345678", True),
    ("0138 1234 5678", "13812345678", True),
    # service numbers
    ("400-123-4567", "400-123-4567", True),
    ("4008123456", "400-812-3456", True),
    ("800 123 4567", "800-123-4567", True),
]


@pytest.mark.parametrize("raw, stored, known", LIBRARY_CASES)
def test_libphonenumber_decides_whether_a_number_exists(raw, stored, known):
    assert _library_valid(raw) is known                     # the table says what the library says
    result = phone_check(raw)
    assert (result.value, result.error) == (stored, None)   # kept either way: the clerk wrote it down
    assert (result.warning is None) is known
    if result.warning:
        assert "请核对" in result.warning
    else:
        assert phone_digits(stored)[0].lstrip("0") == str(phonenumbers.parse(raw, "CN").national_number)
    assert check_phone(raw) == (stored, None)               # the two-value form drops the warning


@pytest.mark.parametrize("raw", ["0086", "0086-", "+86", "0000-1234567", "12812345678", "0551-123456",
                                 "1381234567", "1234567"])
def test_what_is_refused_is_no_number_for_the_library_either(raw):
    assert not _library_valid(raw)
    assert phone_check(raw).error


def test_two_numbers_keep_the_warning_of_each():
    result = phone_check("14012345678 / 0123-1234567")
    assert result.value == "14012345678 / 0123-1234567"
    assert "140" in result.warning and "0123-1234567" in result.warning


def test_the_mobile_shortcut_agrees_with_the_library_on_every_prefix():
    rnd = random.Random(15)
    for prefix in range(1000, 2000):
        for _ in range(3):
            number = f"{prefix}{rnd.randrange(10 ** 7):07d}"
            result = phone_check(number)
            known = _library_valid(number) and phonenumbers.parse(number, "CN").national_number == int(number)
            assert (result.ok and result.warning is None) is known, number


def test_phone_digits_for_tail_search():
    assert phone_digits("13812345678 / 0551-1234567") == ["13812345678", "05511234567"]
    assert phone_digits("") == []


_ALPHABET = (list("0123456789") * 4 + list("０１２３４５６７８９+-－—. ()（）/、,，;#xX:eE")
             + ["转", "分机", "ext.", "0086", "+86", "86", "\u200b", "\ufeff", "\u00ad", "\u3000", "\t",
                "٠", "٨", "፩", "①", "²", "〇", "𝟏", "张"])
_SEEDS = ["13812345678", "0551-52128357", "010-12345678", "+86 (0)532 25670904", "400-123-4567",
          "0551-52128357转8001", "13812345678 / 0551-1234567", "14012345678", "0086", "13812345678.0"]


def _fuzz_input(rnd: random.Random) -> object:
    roll = rnd.random()
    if roll < 0.05:
        return rnd.choice([None, True, 0, -1, 1e300, float("nan"), float("-inf"), 13812345678.5,
                           rnd.randrange(10 ** 20), rnd.random() * 1e12])
    if roll < 0.3:
        return "".join(rnd.choice(_ALPHABET) for _ in range(rnd.randrange(0, 40)))
    text = list(rnd.choice(_SEEDS))
    for _ in range(rnd.randrange(0, 4)):
        at = rnd.randrange(len(text) + 1)
        move = rnd.randrange(3)
        if move == 0:
            text.insert(at, rnd.choice(_ALPHABET))
        elif move == 1 and at < len(text):
            del text[at]
        elif at < len(text):
            text[at] = rnd.choice(_ALPHABET)
    return "".join(text)


def test_fuzz_never_raises_and_what_is_kept_checks_as_itself():
    rnd = random.Random(2026)
    kept = refused = 0
    for _ in range(20_000):
        raw = _fuzz_input(rnd)
        result = phone_check(raw)
        assert isinstance(result, PhoneCheck)
        if result.value is not None:
            kept += 1
            assert result.error is None
            assert re.fullmatch(r"[0-9\-转]+( / [0-9\-转]+)?", result.value), (raw, result)
            assert len(result.value.split(" / ")) <= MAX_NUMBERS
            again = phone_check(result.value)                # a stored number re-saved by a form
            assert (again.value, again.warning) == (result.value, result.warning), (raw, result)
        elif result.error is not None:
            refused += 1
            assert isinstance(result.error, str) and result.error
    assert kept > 2_000 and refused > 2_000                  # the fuzz reaches both sides
