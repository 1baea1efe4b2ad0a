"""ID numbers (SPEC §7) as a table: valid, invalid, legacy, spreadsheet damage."""

import datetime as dt

import pytest

from models.core.idcard import check_digit, check_id, make_id, mask, upgrade15

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
