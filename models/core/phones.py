"""Phone numbers as clerks type them: mobiles and landlines (SPEC §7).

Accepted and normalised:

* mobiles: 11 digits starting with 1 → ``13812345678`` (``+86``/``0086``/``86``
  prefixes, spaces, dashes, full-width digits removed);
* landlines: area code + 7–8 digit number → ``0551-1234567`` (``(0551)1234567``,
  ``0551 1234567``, ``055112345678`` …), optional extension kept as ``-8001``;
* up to two numbers in one cell (``138… / 0551-…``), kept as ``A / B``;
* a numeric cell (``13812345678.0``) — an 11-digit number survives Excel intact.
"""

from __future__ import annotations

import math
import re
import unicodedata

_SPLIT = re.compile(r"\s*[/／、,，;；]\s*|\s{2,}")
_NOISE = re.compile(r"[\s\-－—–_.·()（）\[\]]+")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)

#: Three-character area codes (incl. the 0): Beijing 010 and 020–029; all others have four.
_SHORT_AREA = re.compile(r"^0(10|2\d)")

MAX_NUMBERS = 2


def _one(text: str) -> tuple[str | None, str | None]:
    ext = ""
    m = _EXTENSION.search(text)
    if m:
        ext = m.group(1)
        text = text[:m.start()]
    if _SCIENTIFIC.match(text.strip()):
        return None, "电话号码被 Excel 当成了数字，请把该列设置为“文本”格式后重新录入。"
    text = text.strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    digits = _NOISE.sub("", text)
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("86"):
            return None, "只支持中国大陆的电话号码。"
    if not digits.isdigit():
        return None, "电话号码只能包含数字，固定电话可写成 0551-1234567。"
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) == 11 and digits[0] == "1":
        if digits[1] not in "3456789":
            return None, f"手机号“{digits}”的第二位不正确，请核对。"
        if ext:
            return None, "手机号不能带分机号。"
        return digits, None
    if digits.startswith("0"):
        area_len = 3 if _SHORT_AREA.match(digits) else 4
        area, local = digits[:area_len], digits[area_len:]
        if len(local) not in (7, 8) or local[0] == "0":
            return None, f"固定电话“{text}”位数不正确，应为区号加7或8位号码，如 0551-1234567。"
        return f"{area}-{local}" + (f"-{ext}" if ext else ""), None
    if len(digits) in (7, 8):
        return None, "固定电话请加上区号，如 0551-1234567。"
    if digits[0] == "1":
        return None, f"手机号应为11位，现在是{len(digits)}位。"
    return None, "电话号码格式不正确：手机号为11位（以1开头），固定电话如 0551-1234567。"


def check_phone(raw: object) -> tuple[str | None, str | None]:
    """Check and normalise a phone cell.

    Args:
        raw: str, int, float (an Excel cell) or None.

    Returns:
        ``(normalised, error)``: ``(None, None)`` when blank; ``(None, message)``
        when invalid (message in Chinese); ``(number, None)`` when valid.
    """
    if raw is None or isinstance(raw, bool):
        return None, None
    if isinstance(raw, float):
        if not math.isfinite(raw) or raw != int(raw):
            return None, "电话号码格式不正确。"
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return None, None
    parts = [p for p in _SPLIT.split(text) if p.strip()]
    if len(parts) > MAX_NUMBERS:
        return None, f"最多填写{MAX_NUMBERS}个电话号码，用“/”分隔。"
    numbers = []
    for part in parts:
        number, error = _one(part)
        if error:
            return None, error
        if number not in numbers:
            numbers.append(number)
    return " / ".join(numbers), None


def phone_digits(phone: str | None) -> list[str]:
    """The bare digit strings of a stored phone value (for tail search)."""
    if not phone:
        return []
    return [re.sub(r"\D", "", p) for p in phone.split(" / ") if p]
