"""What the audit log (and anything else kept about a change) may hold of personal numbers.

The audit log must not become a second copy of the personal data it protects (个人信息保护法):
every old and new value that reaches it goes through :func:`mask_audit_value`, whatever the
caller already did.  The rules, in one place:

* a field named like an ID number (:data:`ID_KEYS`) → :func:`models.core.idcard.mask`
  (``110101********123X``);
* a field named like a phone (:data:`PHONE_KEYS`) → :func:`mask_phone` (``138****5678``);
* any other text → an 18-character (or 15-digit) ID number or an 11-digit mobile number
  written inside it (a note, a description) is masked the same way.

Masking is idempotent: a masked value passes through unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from models.core.idcard import mask as mask_id

#: keys whose values are ID numbers
ID_KEYS = frozenset({"id_number", "身份证号", "身份证号码", "证件号码"})
#: keys whose values are phone numbers (one, or several in a list / separated by 、 , ;)
PHONE_KEYS = frozenset({"phone", "phones", "mobile", "contact_phone", "reporter_phone",
                        "电话", "联系电话", "手机", "手机号"})

_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_DIGIT = re.compile(r"\d")


def mask_phone(phone: Any) -> str:
    """``13812345678`` → ``138****5678``; any other number keeps only its last 4 digits
    (and its first 3 when it has 11 or more), separators kept: ``0551-7654321`` → ``055*-***4321``.
    """
    if phone is None:
        return ""
    text = str(phone)
    if "*" in text:  # already masked
        return text
    positions = [m.start() for m in _DIGIT.finditer(text)]
    n = len(positions)
    if n <= 4:
        return text if n == 0 else _DIGIT.sub("*", text)
    keep = set(positions[-4:]) | (set(positions[:3]) if n >= 11 else set())
    hide = set(positions) - keep
    return "".join("*" if i in hide else ch for i, ch in enumerate(text))


def mask_text(text: str) -> str:
    """Mask ID numbers and mobile numbers written inside free text."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    text = _ID_IN_TEXT.sub(lambda m: mask_id(m.group(1)), text)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), text)


def mask_audit_value(value: Any, key: str | None = None) -> Any:
    """``value`` (a dict, list or scalar, as kept in the audit log) with personal numbers masked.

    Args:
        value: the old or new value of a change.
        key: the field the value belongs to (decides the ID and phone rules).
    """
    if isinstance(value, dict):
        return {k: mask_audit_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_audit_value(v, key) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        if key in ID_KEYS and isinstance(value, int):
            return mask_id(str(value))
        return value
    text = str(value)
    if key in ID_KEYS:
        return mask_id(text) if text else text
    if key in PHONE_KEYS:
        return "、".join(mask_phone(part) for part in re.split(r"[、,，;；]\s*", text)) if text else text
    return mask_text(text)
