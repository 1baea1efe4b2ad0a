"""Phone numbers as clerks type them: mobiles, landlines, service numbers (SPEC §7).

Whether a number exists is Google's libphonenumber's call (``phonenumberslite``,
region CN): its metadata knows which mobile prefixes are in use, which area codes
exist and whether a city's local numbers have 7 or 8 digits.  What a clerk's
spreadsheet does to a number, and what we tell the clerk, is ours:

* noise removed: spaces, dashes, brackets, full-width digits (NFKC), invisible
  characters (U+200B, U+FEFF …), a ``.0`` an Excel numeric cell added;
  any other digit-like character (Arabic-Indic ``٠``, circled ``①`` …) is refused;
* ``+86``/``0086``/``86`` prefixes and the national ``0`` (``+86 (0)532 …``,
  ``+86 0138…``) are dropped;
* an extension (``转``/``分机``/``ext.``/``x``/``#``) is kept as ``转8001`` on a landline
  (so that a stored number checks as itself when a form is saved again);
* up to :data:`MAX_NUMBERS` numbers in one cell (``138… / 0551-…``), kept as ``A / B``.

Normalised forms: mobile ``13812345678``; landline ``0551-52128357`` (area code,
dash, local number); other numbers libphonenumber knows (400/800 service numbers)
in its national grouping with dashes, ``400-123-4567``.

A number libphonenumber does not know but whose shape is right (an 11-digit
number starting with 13–19, or 0 + area code + 7–8 digits) — a prefix not yet in
its metadata, a city that changed its length — is *kept, with a warning*
(:attr:`PhoneCheck.warning`): the clerk wrote it down, the clerk checks it.
Everything else is refused with a Chinese message.  Nothing here raises for any
input.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata

from models.core.idcard import drop_invisible, foreign_digit
from models.core.outcome import CheckOutcome

_SPLIT = re.compile(r"\s*[/／、,，;；]\s*|\s{2,}")
_NOISE = re.compile(r"[\s\-－—–_.·()（）\[\]]+")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)
_DIALABLE = re.compile(r"\+?[0-9]+")

#: Three-character area codes (incl. the 0): Beijing 010 and 020–029; all others have four.
#: (Only to lay out a number libphonenumber does not know; a known one is laid out by its metadata.)
_SHORT_AREA = re.compile(r"^0(10|2\d)")

#: libphonenumber's pattern of Chinese mobile numbers.  Matching it is what
#: ``is_valid_number`` concludes for an 11-digit 1… number, at a twentieth of the cost
#: (an import checks one phone per row); tests/models/core/test_phones.py checks both agree
#: on every three- and four-digit prefix.
_CN_MOBILE = re.compile(PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern)

MAX_NUMBERS = 2
#: A phone cell longer than this is something else (a wrong column, a pasted note).
MAX_LENGTH = 100

FOREIGN_DIGIT_MESSAGE = "电话号码中有非标准的数字字符（如阿拉伯文、其他文字的数字或带圈数字），请用0-9重新录入。"


@dataclass(frozen=True)
class PhoneCheck(CheckOutcome):
    """The outcome of checking one phone cell.

    Attributes:
        value: the normalised number(s) (``A / B`` for two), or None when blank or invalid.
        error: a Chinese message when something was entered but is refused (else None).
        warning: a Chinese message when a number was kept but libphonenumber does not
            know it (else None); several are joined with "；".
    """

    value: str | None
    error: str | None = None
    warning: str | None = None



@dataclass(frozen=True)
class _One:
    value: str | None = None
    error: str | None = None
    warning: str | None = None


def _known(digits: str, ext: str) -> _One | None:
    """The number as libphonenumber knows it, or None when it does not."""
    if len(digits) == 11 and digits[0] == "1":
        if _CN_MOBILE.fullmatch(digits):
            return _One(error="手机号不能带分机号。") if ext else _One(digits)
        # (not a mobile: fall through — 400/800 and landlines without the 0 are 10–11 digits)
    try:
        number = phonenumbers.parse(digits, "CN")
    except NumberParseException:
        return None
    if number.country_code != 86:
        return _One(error="只支持中国大陆的电话号码。")
    if not phonenumbers.is_valid_number(number):
        return None
    national = str(number.national_number)
    area = phonenumbers.length_of_geographical_area_code(number)
    if area:
        return _One(f"0{national[:area]}-{national[area:]}" + (f"转{ext}" if ext else ""))
    if len(national) == 11 and national[0] == "1":  # a mobile (or a number of its shape)
        return _One(error="手机号不能带分机号。") if ext else _One(national)
    grouped = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return _One("-".join(grouped.split()) + (f"转{ext}" if ext else ""))


def _national(digits: str) -> str:
    """``digits`` without a +86 / 0086 / 86 country prefix."""
    if digits.startswith("+86"):
        return digits[3:]
    if digits.startswith("0086"):
        return digits[4:]
    if digits.startswith("86") and len(digits) == 13:
        return digits[2:]
    return digits


def _unknown(digits: str, ext: str, shown: str) -> _One:
    """A number libphonenumber does not know: kept with a warning when its shape is right."""
    digits = _national(digits)
    if not digits:
        return _One(error=f"电话号码“{shown}”不完整：区号或国家代码后面没有号码。")
    if len(digits) == 11 and digits[0] == "1":
        if digits[1] not in "3456789":
            return _One(error=f"手机号“{digits}”的第二位不正确，请核对。")
        if ext:
            return _One(error="手机号不能带分机号。")
        return _One(digits, warning=f"手机号“{digits}”的号段{digits[:3]}不在已知的号段中，请核对。")
    if digits.startswith("00"):
        return _One(error=f"电话号码“{shown}”的区号不正确：00是国际长途的前缀，区号如 0551、010。")
    if digits.startswith("0"):
        area_len = 3 if _SHORT_AREA.match(digits) else 4
        area, local = digits[:area_len], digits[area_len:]
        if len(local) not in (7, 8) or local[0] == "0":
            return _One(error=f"固定电话“{shown}”位数不正确，应为区号加7或8位号码，如 0551-1234567。")
        value = f"{area}-{local}" + (f"转{ext}" if ext else "")
        return _One(value, warning=f"固定电话“{value}”的区号或号码位数与已知的不符，请核对。")
    if len(digits) in (7, 8):
        return _One(error="固定电话请加上区号，如 0551-1234567。")
    if digits[0] == "1":
        return _One(error=f"手机号应为11位，现在是{len(digits)}位。")
    return _One(error="电话号码格式不正确：手机号为11位（以1开头），固定电话如 0551-1234567。")


def _one(text: str) -> _One:
    ext = ""
    m = _EXTENSION.search(text)
    if m:
        ext = m.group(1)
        text = text[:m.start()]
    text = text.strip()
    if _SCIENTIFIC.match(text):
        return _One(error="电话号码被 Excel 当成了数字，请把该列设置为“文本”格式后重新录入。")
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    digits = _NOISE.sub("", text)
    if digits.startswith("+") and not digits.startswith("+86"):
        return _One(error="只支持中国大陆的电话号码。")
    if not digits:
        return _One(error="电话号码不完整：只有分机号，没有号码。" if ext else "电话号码格式不正确。")
    if not _DIALABLE.fullmatch(digits):
        return _One(error="电话号码只能包含数字，固定电话可写成 0551-1234567。")
    return _known(digits, ext) or _unknown(digits, ext, text)


def phone_check(raw: object) -> PhoneCheck:
    """Check and normalise a phone cell, with a warning for a number kept but unknown.

    Args:
        raw: str, int, float (an Excel cell) or None.

    Returns:
        a :class:`PhoneCheck`: blank (value and error None), refused (error), or
        kept (value, perhaps with a warning).
    """
    if raw is None or isinstance(raw, bool):
        return PhoneCheck(None)
    if isinstance(raw, float):
        if not math.isfinite(raw) or raw != int(raw):
            return PhoneCheck(None, "电话号码格式不正确。")
        raw = int(raw)
    text = str(raw).strip()
    if len(text) == 11 and text.isascii() and _CN_MOBILE.fullmatch(text):
        return PhoneCheck(text)  # most cells: a plain mobile number
    if len(text) > MAX_LENGTH:
        return PhoneCheck(None, f"电话号码一栏的内容过长（{len(text)}个字符），可能填错了列。")
    text = drop_invisible(text)
    if foreign_digit(text):
        return PhoneCheck(None, FOREIGN_DIGIT_MESSAGE)
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return PhoneCheck(None)
    parts = [p for p in _SPLIT.split(text) if p.strip()]
    if not parts:  # only separators: "/", "、"
        return PhoneCheck(None)
    if len(parts) > MAX_NUMBERS:
        return PhoneCheck(None, f"最多填写{MAX_NUMBERS}个电话号码，用“/”分隔。")
    numbers: list[str] = []
    warnings: list[str] = []
    for part in parts:
        one = _one(part)
        found = [one] if not one.error else _spaced(part.split()) or [one]
        for one in found:
            if one.error:
                return PhoneCheck(None, one.error)
            if one.value not in numbers:
                numbers.append(one.value)
                if one.warning:
                    warnings.append(one.warning)
    if len(numbers) > MAX_NUMBERS:
        return PhoneCheck(None, f"最多填写{MAX_NUMBERS}个电话号码，用“/”分隔。")
    return PhoneCheck(" / ".join(numbers), None, "；".join(warnings) or None)


def _spaced(pieces: list[str]) -> list[_One] | None:
    """Several numbers a space apart (``13812345678 0551 52128357``), read only when the whole
    is not one number: the pieces in runs that are each a whole number (the longest first, so
    ``0551 52128357`` stays one), or None when no such reading exists."""
    if len(pieces) < 2 or len(pieces) > 4 * MAX_NUMBERS:
        return None

    def runs(i: int) -> list[_One] | None:
        if i == len(pieces):
            return []
        for j in range(len(pieces), i, -1):
            if j - i == len(pieces):
                continue                      # the whole: already refused
            one = _one(" ".join(pieces[i:j]))
            if not one.error:
                rest = runs(j)
                if rest is not None:
                    return [one] + rest
        return None

    return runs(0)


def check_phone(raw: object) -> tuple[str | None, str | None]:
    """``(normalised, error)`` of :func:`phone_check`, its warning dropped.

    ``(None, None)`` when blank; ``(None, message)`` when refused (message in
    Chinese); ``(number, None)`` when kept.  Where a clerk should hear that a kept
    number is unknown (forms, imports), call :func:`phone_check` instead.
    """
    result = phone_check(raw)
    return result.value, result.error


def phone_digits(phone: str | None) -> list[str]:
    """The bare digit strings of a stored phone value (for tail search)."""
    if not phone:
        return []
    return [re.sub(r"\D", "", p) for p in phone.split(" / ") if p]
