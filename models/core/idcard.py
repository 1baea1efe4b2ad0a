"""Resident ID numbers (GB 11643, 公民身份号码): check, normalise, derive, mask.

The check digit (ISO 7064 MOD 11-2) and the birth date are computed here, tested
against python-stdnum's ``stdnum.cn.ric`` (tests/models/core/test_idcard_stdnum.py):
its per-call cleaning made it the import's largest single cost.  What a clerk's
spreadsheet does to an ID number is ours: full-width digits, spaces, a lowercase ``x``, a legacy 15-digit number (upgraded to 18 by inserting
"19" and computing the check), and — the dangerous one — a number Excel turned
into a float (``1.10101199003077E+17``, or 18 digits ending in ``000`` after it
kept only 15 significant digits).  A mangled number is rejected with a message
telling the clerk to format the column as text; it is never silently accepted.
A number ending in ``000`` whose check character is right may be genuine or may
be Excel's doing: it is accepted with a warning (:attr:`IdCheck.warning`).

Invisible characters a copy from a web page or a chat brings along (U+200B,
U+FEFF and every other Unicode *format* character) are dropped like spaces.
Full-width digits are made ASCII; any other digit-like character (Arabic-Indic
``٠``, Ethiopic ``፩``, circled ``①`` …) is refused, so that no number is stored
in two spellings.  No message ever holds the number itself: it is masked
(:func:`mask`), as the log and the clerk's screen may be passed on.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import operator
import re
import unicodedata
from dataclasses import dataclass

from models.core.outcome import CheckOutcome

#: Province-level codes in use (first two digits), incl. 71 台湾, 81 香港, 82 澳门,
#: 83 港澳台居民居住证 and 91-93 外国人永久居留身份证 (new format).
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", "91", "92", "93",
})

EARLIEST_BIRTH_YEAR = 1880

#: Longer than this (before spaces are removed) is no ID number — a wrong column, a pasted paragraph.
MAX_RAW_LENGTH = 64

ZEROS_WARNING = "尾号为000，可能被Excel改动过，请核对"
FOREIGN_DIGIT_MESSAGE = "身份证号中有非标准的数字字符（如阿拉伯文、其他文字的数字或带圈数字），请用0-9重新录入。"

MANGLED_MESSAGE = ("身份证号被 Excel 当成了数字，后几位已经丢失（{shown}）。"
                   "请把该列设置为“文本”格式，再重新录入完整号码。")

_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_DECIMAL_TAIL = re.compile(r"^(\d+)\.(\d*)$")
_SEPARATORS = re.compile(r"[\s\-_'\"‘’“”`]+")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")  # ASCII only: str.isdigit() also takes "٠" and "፩"


@dataclass(frozen=True)
class IdCheck(CheckOutcome):
    """The outcome of checking one ID number.

    Attributes:
        value: the normalised 18-character number (uppercase X), or None when the
            input was blank or invalid.
        error: a Chinese message when something was entered but is invalid
            (None when blank or valid).
        excel_mangled: the input was a float, scientific notation or lost its last
            digits to Excel's 15-digit precision.
        upgraded: the input was a legacy 15-digit number, upgraded to 18.
        birth_date: ``YYYY-MM-DD`` derived from the number.
        gender: ``'男'`` / ``'女'`` derived from the 17th digit (odd = male).
        warning: a Chinese message for a number that is accepted but should be
            checked (ends in ``000``: :data:`ZEROS_WARNING`), else None.
    """

    value: str | None
    error: str | None = None
    excel_mangled: bool = False
    upgraded: bool = False
    birth_date: str | None = None
    gender: str | None = None
    warning: str | None = None



def _fail(message: str, *, mangled: bool = False) -> IdCheck:
    return IdCheck(value=None, error=message, excel_mangled=mangled)


def _to_halfwidth(text: str) -> str:
    # NFKC turns full-width digits/letters (０-９, ｘ, Ｘ) and the ideographic space into ASCII.
    return unicodedata.normalize("NFKC", text)


def drop_invisible(text: str) -> str:
    """``text`` without Unicode format characters (category Cf: U+200B, U+FEFF, U+00AD, U+2060 …)."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def foreign_digit(text: str) -> str | None:
    """The first digit-like character of ``text`` that is neither 0-9 nor a full-width ０-９.

    "Digit-like" is any Unicode number (categories Nd, Nl, No): Arabic-Indic ``٠``,
    Ethiopic ``፩``, circled ``①``, superscript ``²``, ``〇`` ….  None when there is none.
    """
    if text.isascii():
        return None
    for ch in text:
        if ch > "\x7f" and not "０" <= ch <= "９" and unicodedata.category(ch)[0] == "N":
            return ch
    return None


#: ISO 7064 MOD 11-2 weights of the 17 digits (2**(17-i) mod 11), as GB 11643 lists them.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_WEIGHTED_ZERO = 48 * sum(_WEIGHTS)     # the weighted sum of seventeen "0" characters (ASCII 48)


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 ASCII digits.

    The same as ``stdnum.cn.ric.calc_check_digit`` (tested against it), computed here
    without its per-character cleaning: an import checks 100,000 numbers.
    """
    return _CHECK_CHARS[(sum(map(operator.mul, _WEIGHTS, first17.encode("ascii"))) - _WEIGHTED_ZERO) % 11]


@functools.lru_cache(maxsize=65536)
def _birth_date(digits8: str) -> _dt.date | None:
    """The date of ``YYYYMMDD`` (8 ASCII digits), None when no such day exists (cached: few distinct days)."""
    try:
        return _dt.date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        return None


def upgrade15(number15: str) -> str:
    """Upgrade a 15-digit legacy number: insert "19" before the year and add the check."""
    body = number15[:6] + "19" + number15[6:15]
    return body + check_digit(body)


def _from_number(raw: float | int) -> tuple[str | None, IdCheck | None]:
    """Turn a numeric cell into digits, or a mangled-number failure."""
    if isinstance(raw, bool):
        return None, _fail("身份证号格式不正确。")
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None, _fail("身份证号格式不正确。")
        if raw != int(raw):
            return None, _fail("身份证号不能带小数点。")
        # A double holds 15–16 significant digits: an 18-digit number stored as a
        # float has certainly lost its tail.  A 15-digit legacy number fits exactly.
        if abs(raw) >= 1e15:
            return None, _fail(MANGLED_MESSAGE.format(shown=mask(f"{raw:.14E}")),
                               mangled=True)
        return str(int(raw)), None
    return str(raw), None


def check_id(raw: object, today: _dt.date) -> IdCheck:
    """Check and normalise an ID number the way a clerk typed or pasted it.

    Args:
        raw: str, int, float (an Excel cell) or None.
        today: the day birth dates must not be later than: the ledger's
            (``ledger.now().date()``), never the wall clock's.

    Returns:
        an :class:`IdCheck`; ``value`` is None when blank or invalid.
    """
    if raw is None:
        return IdCheck(value=None)
    if isinstance(raw, (int, float)):
        text, failure = _from_number(raw)
        if failure:
            return failure
    else:
        text = str(raw)
        if len(text) == 18 and _ID_SHAPE.fullmatch(text):
            return _check18(text, today, upgraded=False)  # most cells: already a clean number
    if len(text) > MAX_RAW_LENGTH:
        text = text.strip()        # (once: every later step walks the text)
        if len(text) > MAX_RAW_LENGTH:
            return _fail(f"身份证号一栏的内容过长（{len(text)}个字符），可能填错了列。")
    text = drop_invisible(text)
    if foreign_digit(text):
        return _fail(FOREIGN_DIGIT_MESSAGE)
    text = _SEPARATORS.sub("", _to_halfwidth(text)).strip()
    if not text:
        return IdCheck(value=None)
    if _SCIENTIFIC.match(text):
        return _fail(MANGLED_MESSAGE.format(shown=mask(text)), mangled=True)
    decimal_tail = _DECIMAL_TAIL.match(text)
    if decimal_tail:
        digits, fraction = decimal_tail.groups()
        if fraction.strip("0"):
            return _fail("身份证号不能带小数点。")
        if len(digits) > 15:
            return _fail(MANGLED_MESSAGE.format(shown=mask(text)), mangled=True)
        text = digits
    text = text.upper()
    upgraded = False
    if len(text) == 15 and text.isascii() and text.isdigit():
        text = upgrade15(text)
        upgraded = True
    if len(text) != 18:
        if text.isascii() and (text.isdigit() or (text[:-1].isdigit() and text[-1] == "X")):
            return _fail(f"身份证号应为18位（或15位旧号码），现在是{len(text)}位。")
        return _fail("身份证号只能由数字组成，最后一位可以是X。")
    if not _ID_SHAPE.fullmatch(text):
        return _fail("身份证号只能由数字组成，最后一位可以是X。")
    return _check18(text, today, upgraded)


def _check18(text: str, today: _dt.date, upgraded: bool) -> IdCheck:
    """The checks of a normalised 18-character number (17 ASCII digits and a digit or X)."""
    if text[17] != check_digit(text[:17]):
        if text.endswith("000"):
            # Excel keeps 15 significant digits and pads the rest with zeros.
            return _fail(MANGLED_MESSAGE.format(shown=mask(text)), mangled=True)
        return _fail("身份证号校验位不正确，请核对号码是否录错。")
    if text[:2] not in PROVINCES:
        return _fail(f"身份证号前两位“{text[:2]}”不是有效的省级行政区代码。")
    born = _birth_date(text[6:14])
    if born is None:
        return _fail(f"身份证号中的出生日期“{text[6:10]}-{text[10:12]}-{text[12:14]}”不存在。")
    if born > today:
        return _fail(f"身份证号中的出生日期 {born.isoformat()} 晚于今天。")
    if born.year < EARLIEST_BIRTH_YEAR:
        return _fail(f"身份证号中的出生年份 {born.year} 不合理。")
    gender = "男" if int(text[16]) % 2 == 1 else "女"
    # Excel's precision loss leaves "000" too, and a right check character then by chance (1 in 11).
    warning = ZEROS_WARNING if text.endswith("000") and not upgraded else None
    return IdCheck(value=text, upgraded=upgraded, birth_date=born.isoformat(), gender=gender,
                   warning=warning)


def mask(id_number: str | None) -> str:
    """``110101********123X``: the first 6 and the last 4 characters, 8 stars between.

    Anything that is not a full number (legacy, partial) keeps at most its first 3
    and last 2 characters, so a mask never reveals more than a full mask would.
    """
    if not id_number:
        return ""
    text = str(id_number)
    if len(text) == 18:
        return text[:6] + "*" * 8 + text[-4:]
    if len(text) <= 5:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


def make_id(area: str, birth: _dt.date, sequence: int) -> str:
    """Build a valid 18-digit number (demo data, tests). ``sequence`` 0–999, odd = male."""
    body = f"{area}{birth.strftime('%Y%m%d')}{sequence:03d}"
    return body + check_digit(body)

