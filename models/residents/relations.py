"""Which relations to the 户主 are plausible by age (issue 13): a warning, never a refusal.

A "子" born 1972 under a 户主 born 1979 is almost always a typing slip (a wrong relation, a wrong
birth date or the wrong household); the form and the import say so and save anyway (there are
real exceptions: adopted children, a 户主 who is the younger sibling's …).

:data:`AGE_RULES`: relation → how many years *younger* than the 户主 the person usually is,
``(at least, at most)`` (None: no bound; a negative number means older).
"""

from __future__ import annotations

import datetime as _dt

AGE_RULES: dict[str, tuple[int | None, int | None]] = {
    "子": (12, None), "女": (12, None),
    "儿媳": (5, None), "女婿": (5, None),
    "孙子": (30, None), "孙女": (30, None), "外孙子": (30, None), "外孙女": (30, None),
    "父亲": (None, -12), "母亲": (None, -12),
    "公公": (None, -12), "婆婆": (None, -12), "岳父": (None, -12), "岳母": (None, -12),
    "祖父": (None, -30), "祖母": (None, -30),
}


def years_younger(birth: str, head_birth: str) -> float:
    """How many years after the 户主 the person was born (negative: before), from ``YYYY-MM-DD`` dates."""
    days = (_dt.date.fromisoformat(birth[:10]) - _dt.date.fromisoformat(head_birth[:10])).days
    return days / 365.25


def implausible_relation(relation: str, birth: str | None, head_name: str, head_birth: str | None) -> str | None:
    """The warning for ``relation`` when the ages of the person and the 户主 make it unlikely, else None."""
    rule = AGE_RULES.get(relation)
    if rule is None or not birth or not head_birth:
        return None
    younger = years_younger(birth, head_birth)
    low, high = rule
    if (low is None or younger >= low) and (high is None or younger <= high):
        return None
    gap = abs(younger)
    difference = f"比户主{head_name}（{head_birth[:4]}年生）{'小' if younger >= 0 else '大'}{gap:.0f}岁" \
        if gap >= 0.5 else f"与户主{head_name}（{head_birth[:4]}年生）同龄"
    usual = f"通常比户主小{low}岁以上" if low is not None else f"通常比户主大{-high}岁以上"
    return f"与户主关系为“{relation}”，但{difference}（{relation}{usual}），请核对关系或出生日期。"
