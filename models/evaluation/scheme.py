"""The evaluation scheme (评比方案) of SPEC §5 as data: indicators, card points, grades.

The scheme in force lives in ``settings`` under ``evaluation_scheme`` (JSON, see
:meth:`Scheme.to_dict`).  A ledger without that setting uses :func:`default_scheme`,
SPEC §5's default.  The *formulas* are code (``models.evaluation.scoring``), keyed by
indicator ``key``; a scheme decides names, weights, targets, the points of the
督办 cards (this is the one place they are kept) and the grade thresholds.  A published
month (定稿) keeps a copy of the scheme it was scored with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from models.core.errors import ValidationError
from models.core.issuer import check_report_issuer, set_report_issuer
from models.core.ops import operation

SETTING_KEY = "evaluation_scheme"

#: indicator keys in SPEC §5 order; the formulas in models.evaluation.scoring use these
INDICATOR_KEYS = ("on_time", "satisfaction", "visit_coverage", "discovery", "volunteer", "completeness")
#: indicators whose score is min(1, value ÷ target); the others are plain rates
TARGETED_KEYS = ("discovery", "volunteer")
#: what "value" means for a targeted indicator (shown next to the target)
TARGET_UNITS = {"discovery": "件/百户", "volunteer": "小时/百人"}

CARDS = ("黄牌", "红牌")
#: the grade below the last threshold
LOWEST_GRADE = "不合格"


@dataclass(frozen=True)
class Indicator:
    """One indicator of the scheme.

    Attributes:
        key: one of :data:`INDICATOR_KEYS` (selects the formula).
        name: the Chinese name printed in tables (按期办结率 …).
        weight: points the indicator is worth (all weights sum to 100).
        target: for ``discovery`` / ``volunteer`` the value that earns a full
            score (件/百户, 小时/百人); ``None`` for the plain rates.
    """

    key: str
    name: str
    weight: float
    target: float | None = None


@dataclass(frozen=True)
class Scheme:
    """A whole scheme.

    Attributes:
        indicators: the six indicators, in SPEC §5 order.
        card_points: automatic adjustment per 督办 card, e.g. ``{"黄牌": -1, "红牌": -2}``.
        grades: ``[(grade, minimum annual score), …]`` from best to worst threshold;
            below the last one the grade is :data:`LOWEST_GRADE`.
    """

    indicators: tuple[Indicator, ...]
    card_points: dict[str, float] = field(default_factory=lambda: {"黄牌": -1.0, "红牌": -2.0})
    grades: tuple[tuple[str, float], ...] = (("优秀", 90.0), ("良好", 80.0), ("合格", 60.0))

    def indicator(self, key: str) -> Indicator:
        for ind in self.indicators:
            if ind.key == key:
                return ind
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        return [ind.key for ind in self.indicators]

    def grade(self, score: float) -> str:
        """The grade of an annual score (优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 不合格 by default)."""
        for name, threshold in self.grades:
            if Decimal(str(score)) >= Decimal(str(threshold)):
                return name
        return LOWEST_GRADE

    def to_dict(self) -> dict:
        """The JSON form stored in settings and in publications."""
        return {
            "indicators": [{"key": i.key, "name": i.name, "weight": i.weight, "target": i.target}
                           for i in self.indicators],
            "card_points": dict(self.card_points),
            "grades": [[name, threshold] for name, threshold in self.grades],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Scheme":
        """Build (and validate) a scheme from its JSON form.

        Raises:
            ValidationError: with a Chinese message when the scheme makes no sense.
        """
        return validate_scheme(data)

    def describe(self) -> list[str]:
        """Lines describing the scheme in Chinese (printed with the bulletin)."""
        lines = []
        for n, ind in enumerate(self.indicators, 1):
            text = f"{n}. {ind.name}（{_num(ind.weight)} 分）"
            if ind.target is not None:
                text += f"：目标 {_num(ind.target)} {TARGET_UNITS.get(ind.key, '')}，达到目标得满分"
            lines.append(text)
        cards = "，".join(f"{c} {_num(self.card_points.get(c, 0))} 分" for c in CARDS)
        lines.append(f"督办：{cards}（计入发牌当月所在网格）")
        grades = "，".join(f"{name} ≥ {_num(t)}" for name, t in self.grades)
        lines.append(f"年度等次：{grades}，其余为{LOWEST_GRADE}")
        return lines


def _num(value: float) -> str:
    """``30`` rather than ``30.0``; ``0.5`` stays."""
    d = Decimal(str(value)).normalize()
    return format(d, "f")


DEFAULT_INDICATORS = (
    Indicator("on_time", "按期办结率", 30.0),
    Indicator("satisfaction", "群众满意率", 25.0),
    Indicator("visit_coverage", "走访覆盖率", 20.0),
    Indicator("discovery", "问题发现", 10.0, 1.0),
    Indicator("volunteer", "志愿服务", 10.0, 10.0),
    Indicator("completeness", "台账完整率", 5.0),
)


def default_scheme() -> Scheme:
    """SPEC §5's default scheme."""
    return Scheme(DEFAULT_INDICATORS)


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(f"{what}不能为空，请填写数字。", field=what)
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(f"{what}“{value}”不是数字。", field=what) from None
    if not d.is_finite():
        raise ValidationError(f"{what}“{value}”不是数字。", field=what)
    return d


def validate_scheme(data: dict) -> Scheme:
    """Check a scheme given in its JSON form and return it as a :class:`Scheme`.

    Rules: the six indicators each exactly once, names not blank, weights not
    negative and summing to exactly 100, targets of 问题发现 / 志愿服务 greater
    than 0, card points not positive (they are deductions), grade thresholds not
    negative, strictly descending, with names that are not blank and distinct.

    Raises:
        ValidationError: the first problem found, in Chinese.
    """
    if not isinstance(data, dict):
        raise ValidationError("评比方案格式不正确。")
    raw = data.get("indicators")
    if not isinstance(raw, list) or not raw:
        raise ValidationError("评比方案没有指标。")
    seen: set[str] = set()
    indicators = []
    total = Decimal(0)
    for item in raw:
        key = item.get("key") if isinstance(item, dict) else None
        if key not in INDICATOR_KEYS:
            raise ValidationError(f"未知的评比指标“{key}”。")
        if key in seen:
            raise ValidationError(f"评比指标“{item.get('name') or key}”重复。")
        seen.add(key)
        name = str(item.get("name") or "").strip()
        if not name:
            raise ValidationError("指标名称不能为空。", field="name")
        weight = _number(item.get("weight"), f"“{name}”的权重")
        if weight < 0:
            raise ValidationError(f"“{name}”的权重不能是负数。", field="weight")
        total += weight
        target = None
        if key in TARGETED_KEYS:
            target_d = _number(item.get("target"), f"“{name}”的目标值")
            if target_d <= 0:
                raise ValidationError(f"“{name}”的目标值必须大于 0。", field="target")
            target = float(target_d)
        indicators.append(Indicator(key, name, float(weight), target))
    missing = [k for k in INDICATOR_KEYS if k not in seen]
    if missing:
        names = "、".join(i.name for i in DEFAULT_INDICATORS if i.key in missing)
        raise ValidationError(f"评比方案缺少指标：{names}。")
    if total != 100:
        raise ValidationError(f"各指标权重之和必须等于 100，现在是 {_num(float(total))}。", field="weight")
    order = {k: n for n, k in enumerate(INDICATOR_KEYS)}
    indicators.sort(key=lambda i: order[i.key])

    card_raw = data.get("card_points") or {}
    card_points = {}
    for card in CARDS:
        points = _number(card_raw.get(card, 0), f"{card}扣分")
        if points > 0:
            raise ValidationError(f"{card}是扣分项，分值不能是正数（例如 -1）。", field="card_points")
        card_points[card] = float(points)

    grades_raw = data.get("grades")
    if not isinstance(grades_raw, (list, tuple)) or not grades_raw:
        raise ValidationError("请设置年度等次的分数线。")
    grades = []
    previous = None
    names_seen = set()
    for entry in grades_raw:
        if not isinstance(entry, (list, tuple)) or len(entry) != 2:
            raise ValidationError("年度等次格式不正确。")
        name = str(entry[0] or "").strip()
        if not name:
            raise ValidationError("等次名称不能为空。", field="grades")
        if name in names_seen or name == LOWEST_GRADE:
            raise ValidationError(f"等次“{name}”重复。", field="grades")
        names_seen.add(name)
        threshold = _number(entry[1], f"“{name}”的分数线")
        if threshold < 0:
            raise ValidationError(f"“{name}”的分数线不能是负数。", field="grades")
        if previous is not None and threshold >= previous[1]:
            raise ValidationError(f"等次分数线必须从高到低排列：“{name}”（{_num(float(threshold))}）"
                                  f"应低于“{previous[0]}”（{_num(float(previous[1]))}）。", field="grades")
        previous = (name, threshold)
        grades.append((name, float(threshold)))
    return Scheme(tuple(indicators), card_points, tuple(grades))


def current_scheme(ledger) -> Scheme:
    """The scheme in force now (settings ``evaluation_scheme``, else the default).

    (Ledgers before schema_evaluation m003 also kept the card points in a setting
    ``card_points``; that migration folded them into the scheme.)
    """
    data = ledger.get_setting(SETTING_KEY)
    return validate_scheme(data) if data else default_scheme()


@operation("evaluation.scheme", "evaluation", "settings")
def save_scheme(ledger, data: dict | Scheme, *, issuer: str | None = None) -> Scheme:
    """Validate and store a new scheme (audited through ``set_setting``).

    It applies to every month not yet published (定稿); a published month keeps
    the scheme stored with it.

    Args:
        issuer: also store the issuing body printed on reports (通报落款单位,
            :func:`models.core.issuer.set_report_issuer`) in the same transaction;
            None leaves it as it is.

    Raises:
        PermissionDenied: the operator may not (``evaluation.scheme``; with an issuer,
            ``reports.issuer`` too).
        ValidationError: the scheme (or the issuer) makes no sense (message in Chinese);
            nothing is stored then.
    """
    scheme = data if isinstance(data, Scheme) else validate_scheme(data)
    scheme = validate_scheme(scheme.to_dict())
    if issuer is not None:
        check_report_issuer(issuer)
    ledger.set_setting(SETTING_KEY, scheme.to_dict())
    if issuer is not None:
        set_report_issuer(ledger, issuer)
    return scheme


@operation("evaluation.scheme", "evaluation", "settings", "matters")
def save_supervision_rules(ledger, window_days: int | str, card_points: dict) -> Scheme:
    """设置 → 督办: the 督办 window (``models.matters.records.set_supervision_window``) and the
    card points (the scheme in force, :func:`save_scheme`) in one step.

    Args:
        window_days: days before its deadline from which a matter may be supervised.
        card_points: ``{"黄牌": -1, "红牌": -2}`` (not positive).

    Raises:
        PermissionDenied: the operator may not (``evaluation.scheme``, ``settings.edit``).
        ValidationError: a bad number of days or points; nothing is stored then.
    """
    from models.matters.records import set_supervision_window

    data = current_scheme(ledger).to_dict()
    data["card_points"] = {card: card_points.get(card, 0) for card in CARDS}
    scheme = validate_scheme(data)
    set_supervision_window(ledger, window_days)
    if scheme.card_points != current_scheme(ledger).card_points:
        save_scheme(ledger, scheme)
    return scheme
