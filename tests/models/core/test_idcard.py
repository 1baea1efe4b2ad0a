"""ID numbers (SPEC §7) as a table: valid, invalid, legacy, spreadsheet damage."""

import datetime as dt
import random
import re
import time

import pytest

from models.core.idcard import ZEROS_WARNING, IdCheck, check_digit, check_id, make_id, mask, upgrade15

TODAY = dt.date(2026, 10, 15)
VALID = make_id("110101", dt.date(1990, 3, 7), 123)          # 110101199003071233 (male)
VALID_X = next(n for n in (make_id("110101", dt.date(1980, 1, 1), q) for q in range(1, 999, 2))
               if n.endswith("X"))                             # a male number with check character X
FEMALE = make_id("340104", dt.date(2001, 12, 31), 22)


def test_fixture_numbers_are_what_we_think():
    assert VALID == "110101199003071233"
    assert VALID_X.startswith("11010119800101") and VALID_X.endswith("X")


@pytest.mark.parametrize("raw, value, birth, gender, upgraded", [
    (VALID, VALID, "1990-03-07", "男", False),
    (FEMALE, FEMALE, "2001-12-31", "女", False),
    (VALID_X, VALID_X, "1980-01-01", "男", False),
    (VALID_X.lower(), VALID_X, "1980-01-01", "男", False),              # lowercase x
    ("１１０１０１１９９００３０７１２３３", VALID, "1990-03-07", "男", False),  # full-width digits
    ("110101 1990 0307 1233", VALID, "1990-03-07", "男", False),        # spaces
    ("  110101199003071233\t", VALID, "1990-03-07", "男", False),
    ("110101-19900307-1233", VALID, "1990-03-07", "男", False),
    ("110101900307123", VALID, "1990-03-07", "男", True),               # 15-digit legacy
    (110101900307123, VALID, "1990-03-07", "男", True),                 # … as a number cell
    (110101900307123.0, VALID, "1990-03-07", "男", True),               # … as a float cell (exact)
    ("110101900307123.0", VALID, "1990-03-07", "男", True),
    (int(VALID), VALID, "1990-03-07", "男", False),                     # an exact integer cell
])
def test_valid(raw, value, birth, gender, upgraded):
    result = check_id(raw, TODAY)
    assert result.error is None
    assert (result.value, result.birth_date, result.gender, result.upgraded) == (value, birth, gender, upgraded)
    assert not result.excel_mangled


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_blank_is_neither_value_nor_error(raw):
    result = check_id(raw, TODAY)
    assert result.value is None and result.error is None and result.blank


def _with_check(first17: str) -> str:
    return first17 + check_digit(first17)


@pytest.mark.parametrize("raw, fragment, mangled", [
    (VALID[:-1] + "4", "校验位", False),                                  # wrong check digit
    (_with_check("11010119900230123"), "出生日期“1990-02-30”不存在", False),   # impossible date
    (_with_check("11010120300101123"), "晚于今天", False),                # future birth date
    (_with_check("11010118500101123"), "出生年份", False),
    (_with_check("99010119900307123"), "省级行政区", False),
    ("11010119900307123", "18位", False),                                 # 17 digits
    ("1101011990030712334", "18位", False),
    ("11010119900307123A", "数字", False),
    ("张三", "数字", False),
    (1.10101199003077E+17, "文本", True),                                # a float cell
    ("1.10101199003077E+17", "文本", True),                              # scientific notation text
    ("1.10101199003077e17", "文本", True),
    ("110101199003071000", "文本", True),                                # precision loss: …000
    (110101199003071000, "文本", True),
    ("110101199003071233.0", "文本", True),                              # 18 digits through a float
    ("110101900307123.5", "小数点", False),
])
def test_invalid(raw, fragment, mangled):
    result = check_id(raw, TODAY)
    assert result.value is None
    assert result.error and fragment in result.error
    assert result.excel_mangled is mangled


def test_a_valid_number_ending_in_000_is_not_taken_for_excel_damage():
    # Sequence x00 with check 0 exists for some birth dates: such a number is valid.
    found = [n for n in (make_id("340104", dt.date(1980, 1, 1) + dt.timedelta(days=d), 100)
                         for d in range(400)) if n.endswith("000")]
    assert found
    for number in found[:3]:
        result = check_id(number, TODAY)
        assert result.value == number and not result.excel_mangled
        assert result.warning == ZEROS_WARNING


@pytest.mark.parametrize("raw, warned", [
    ("110101196002071000", True),          # the example: check digit right, Excel's look
    (" 110101196002071000 ", True),
    (110101196002071000, True),
    ("110101500105000", False),            # a 15-digit number fits Excel: its upgrade 110101195001050000 is not suspect
    (VALID, False),
])
def test_a_number_ending_in_000_is_kept_with_a_warning(raw, warned):
    result = check_id(raw, TODAY)
    assert result.error is None and result.value
    assert result.warning == (ZEROS_WARNING if warned else None)


@pytest.mark.parametrize("raw", [
    VALID + "\u200b",                    # zero-width space
    "\ufeff" + VALID,                    # byte-order mark
    VALID[:6] + "\u200b" + VALID[6:],
    VALID[:6] + "\u00ad" + VALID[6:],    # soft hyphen
    VALID[:6] + "\u2060" + VALID[6:],    # word joiner
    VALID[:6] + "\u200e" + VALID[6:],    # left-to-right mark
    "\u200b" + VALID[:6] + " " + VALID[6:] + "\u200d",
])
def test_invisible_characters_are_cleaned_like_spaces(raw):
    result = check_id(raw, TODAY)
    assert (result.value, result.error) == (VALID, None)


@pytest.mark.parametrize("raw", [
    "11010519491231٠٠٢X",                 # Arabic-Indic digits: once stored as a second spelling of an ID
    "110105194912310፩2X",                 # Ethiopic digit one: once a ValueError
    "11010119900307123۳",                 # extended Arabic-Indic
    "1101011990030712३३",                 # Devanagari
    "①10101199003071233",                 # circled digit (NFKC would make it 1)
    "11010119900307123²",                 # superscript
    "〇10101199003071233",                # ideographic zero
    "𝟏10101199003071233",                 # mathematical bold digit
    "11010119900307123٣X",
    "٠" * 18,
])
def test_other_unicode_digits_are_refused(raw):
    result = check_id(raw, TODAY)
    assert result.value is None
    assert "非标准的数字" in result.error


def test_full_width_digits_are_still_normalised():
    full = "".join(chr(ord(c) + 0xFEE0) for c in VALID)
    assert check_id(full, TODAY).value == VALID


@pytest.mark.parametrize("raw", [
    "110101199003071000", 110101199003071000, 1.10101199003077E+17, "1.10101199003077E+17",
    "110101199003071233.0", VALID[:-1] + "4", _with_check("11010120300101123"),
    _with_check("99010119900307123"), "1101011990030712334", "11010519491231٠٠٢X",
])
def test_no_message_holds_the_number(raw):
    error = check_id(raw, TODAY).error
    assert error
    assert not re.search(r"\d{7,}", error), error       # masked: at most the first 6 and the last 4


def test_a_very_long_cell_is_refused_at_once():
    started = time.perf_counter()
    result = check_id("1" * 50_000_000, TODAY)
    assert time.perf_counter() - started < 2
    assert result.value is None and "过长" in result.error


def test_a_number_padded_with_spaces_is_checked_at_once():
    """Padding of ideographic spaces got past the length limit, and every later step walked it."""
    started = time.perf_counter()
    result = check_id("\u3000" * 20_000_000 + "11010519491231002X" + " " * 1000, TODAY)
    assert time.perf_counter() - started < 2
    assert result.value == "11010519491231002X"


_ALPHABET = (list("0123456789") * 4 + list("０１２３４５６７８９Xx- .'\"eE+")
             + ["\u200b", "\ufeff", "\u00ad", "\u3000", "\t", "٠", "٢", "፩", "①", "²", "〇", "𝟏", "ß", "张", "*"])
_SEEDS = [VALID, VALID_X, FEMALE, "110101900307123", "110101196002071000", "1.10101199003077E+17",
          "110101 1990 0307 1233"]


def _fuzz_input(rnd: random.Random) -> object:
    roll = rnd.random()
    if roll < 0.05:
        return rnd.choice([None, True, 0, -1, 1e300, float("nan"), float("inf"), 110101900307123.5,
                           rnd.randrange(10 ** 20), rnd.random() * 1e18, int(VALID)])
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


def test_fuzz_only_clean_numbers_or_chinese_messages():
    rnd = random.Random(2026)
    kept = refused = 0
    for _ in range(20_000):
        raw = _fuzz_input(rnd)
        result = check_id(raw, TODAY)
        assert isinstance(result, IdCheck)
        if result.value is not None:
            kept += 1
            assert result.error is None
            assert re.fullmatch(r"[0-9]{17}[0-9X]", result.value), (raw, result)
            assert result.value[17] == check_digit(result.value[:17])
            assert check_id(result.value, TODAY).value == result.value
        elif result.error is not None:
            refused += 1
            assert not re.search(r"\d{7,}", result.error), (raw, result.error)
            assert re.search(r"[\u4e00-\u9fff]", result.error)
    assert kept > 1_000 and refused > 2_000


def test_birth_date_today_is_accepted():
    number = make_id("110101", TODAY, 1)
    assert check_id(number, TODAY).birth_date == TODAY.isoformat()


def test_upgrade15_inserts_19_and_computes_check():
    assert upgrade15("110101900307123") == VALID


@pytest.mark.parametrize("raw, masked", [
    (VALID, "110101********1233"),
    (VALID_X, "110101********" + VALID_X[-4:]),
    (None, ""),
    ("", ""),
    ("12345", "*****"),
    ("110101900307123", "110**********23"),
])
def test_mask(raw, masked):
    assert mask(raw) == masked
