"""What the evaluation printouts print: 月度评比通报, 网格评分卡, 年度考评 (SPEC §5, §6).

Each function gathers the figures of record (published if 定稿) from
:mod:`models.evaluation` and adds what the page needs around them (title, issuing body,
the date of the signature, the scheme described in Chinese): plain dataclasses that
``reports/`` lays out without any SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from models.core import signing
from models.core.db import Ledger
from models.core.errors import ValidationError
from models.core.issuer import issuer_name
from models.core.periods import month_text
from models.evaluation.annual import AnnualRow, assess_year
from models.evaluation.counts import frac
from models.evaluation.figures import Adjustment, Figures, fmt_num
from models.evaluation.monthly import month_figures
from models.evaluation.scheme import TARGET_UNITS, Scheme
from models.evaluation.scoring import COUNT_LABELS, round_half_up


@dataclass
class BulletinData:
    """Everything the 月度评比通报 prints.

    Attributes:
        title: e.g. "幸福社区2026年10月网格月度评比通报".
        issuing_body: e.g. "幸福社区居民委员会".
        month, month_text ("2026年10月"), as_of.
        published_version: the 定稿 version printed (None = not yet published:
            the report should say "未定稿").
        summary: ``[(label, value text), …]`` (参评网格, 平均分, 最高分, 最低分,
            the community's pooled rate of each indicator, 加减分合计 …).
        indicator_names: column headers of the indicators in scheme order.
        indicator_keys: the matching keys.
        rows: every grid in rank order (``Figures``: rank, rank_change_text,
            indicators[key].percent, adjustments, total).
        red_list: the grids ranked 1–3 (红榜; a tie for 3rd place lists every tied grid).
        black_list: the bottom 3 places not on the red list, worst last (黑榜; ties
            with the 3rd-from-last grid included).
        adjustments: every adjustment of the month (manual and cards) with reasons.
        communities: community rows (pooled).
        scheme: the scheme in force; scheme_lines: it described in Chinese.
        issued_on: the date for the signature block (publication date or today).
        doc_number: 发文字号 (e.g. "幸社评〔2026〕10号"), printed under the masthead when given.
        recipients: 主送机关 ("各网格").
        copy_to: 抄送机关 of the 版记 (none when blank).
    """

    community_name: str
    title: str
    issuing_body: str
    month: str
    month_text: str
    as_of: str
    published_version: int | None
    summary: list[tuple[str, str]]
    indicator_keys: list[str]
    indicator_names: list[str]
    rows: list[Figures]
    red_list: list[Figures]
    black_list: list[Figures]
    adjustments: list[Adjustment]
    communities: list[Figures]
    scheme: Scheme
    scheme_lines: list[str]
    issued_on: str
    doc_number: str = ""
    recipients: str = "各网格"
    copy_to: str = ""
    #: the ledger's public key fingerprint (models.core.signing), printed so that the street
    #: office can check a package's key against the bulletin by phone (issue 12)
    key_fingerprint: str = ""




@dataclass
class AnnualData:
    """Everything the 年度考评 prints: grid × month matrix, mean, adjustments, grade."""

    community_name: str
    year: int
    title: str
    issuing_body: str
    months: list[str]
    rows: list[AnnualRow]
    adjustments: list[Adjustment]
    grade_counts: list[tuple[str, int]]
    scheme: Scheme
    scheme_lines: list[str]
    issued_on: str
    has_data: bool = True


@dataclass
class ScorecardLine:
    """One indicator on a grid's scorecard."""

    key: str
    name: str
    weight: float
    formula: str
    numerator_label: str
    numerator: float
    denominator_label: str
    denominator: float
    value: float | None
    target: float | None
    score: float
    points: float


@dataclass
class Scorecard:
    """A grid's scorecard (网格评分卡)."""

    figures: Figures
    lines: list[ScorecardLine]
    adjustments: list[Adjustment]


@dataclass
class ScorecardData:
    """Everything the 网格评分卡 report prints (one card per grid, rank order)."""

    community_name: str
    month: str
    month_text: str
    title: str
    published_version: int | None
    cards: list[Scorecard]
    scheme: Scheme
    scheme_lines: list[str]
    issued_on: str




def _issued_on(ledger: Ledger, published_at: str) -> str:
    day = published_at[:10] if published_at else ledger.now().strftime("%Y-%m-%d")
    return f"{int(day[:4])}年{int(day[5:7])}月{int(day[8:10])}日"


def monthly_bulletin_data(ledger: Ledger, month: str, *, doc_number: str = "",
                          copy_to: str = "") -> BulletinData:
    """Everything the 月度评比通报 needs (figures of record, with rank change).

    Args:
        doc_number: 发文字号 to print (optional).
        copy_to: 抄送机关 of the 版记 (optional).
    """
    result = month_figures(ledger, month, with_previous=True)
    rows = result.grids
    keys = result.scheme.keys
    red = [r for r in rows if r.rank <= 3]
    floor = rows[-3].rank if len(rows) >= 3 else (rows[0].rank if rows else 0)
    black = [r for r in rows if r.rank >= floor and r not in red]
    summary: list[tuple[str, str]] = [("参评网格", f"{len(rows)} 个")]
    if rows:
        totals = [r.total for r in rows]
        mean = round_half_up(sum((frac(t) for t in totals), Fraction(0)) / len(totals))
        best, worst = rows[0], rows[-1]
        summary += [("平均分", f"{mean:.2f}"), ("最高分", f"{best.total:.2f}（{best.name}）"),
                    ("最低分", f"{worst.total:.2f}（{worst.name}）")]
    for community in result.communities:
        prefix = f"{community.name}" if len(result.communities) > 1 else "全社区"
        summary.append((f"{prefix}在住户数 / 在住人数", f"{community.households} 户 / {community.residents} 人"))
        for ind in community.indicators.values():
            if ind.value is not None:
                unit = TARGET_UNITS.get(ind.key, "")
                text = f"{ind.percent}（{fmt_num(ind.value)} {unit}，目标 {fmt_num(ind.target)}）"
            else:
                text = f"{ind.percent}（{ind.counts_text}）"
            summary.append((f"{prefix}{ind.name}", text))
    items = [a for r in rows for a in r.adjustment_items]
    items += [a for c in result.communities for a in c.adjustment_items]
    items.sort(key=lambda a: (a.at, a.source))
    summary.append(("加减分", f"{len(items)} 项，合计 {fmt_num(round_half_up(sum(frac(a.points) for a in items)))} 分"))
    name = result.community_name or ledger.community_name
    return BulletinData(
        community_name=name, title=f"{name}{month_text(result.month)}网格月度评比通报",
        issuing_body=issuer_name(ledger), month=result.month, month_text=month_text(result.month),
        as_of=result.as_of, published_version=result.published_version, summary=summary,
        indicator_keys=keys, indicator_names=[result.scheme.indicator(k).name for k in keys],
        rows=rows, red_list=red, black_list=black, adjustments=items, communities=result.communities,
        scheme=result.scheme, scheme_lines=result.scheme.describe(),
        issued_on=_issued_on(ledger, result.published_at),
        doc_number=check_doc_line(doc_number, "发文字号"), copy_to=check_doc_line(copy_to, "抄送机关"),
        key_fingerprint=signing.fingerprint(signing.public_key(ledger)))


#: the longest 发文字号 / 抄送 line a notice prints (characters)
DOC_LINE_MAX_CHARS = 60


def check_doc_line(text: str | None, what: str) -> str:
    """A one-line field of the notice (发文字号, 抄送), trimmed.

    Raises:
        ValidationError: on several lines or longer than :data:`DOC_LINE_MAX_CHARS`.
    """
    value = (text or "").strip()
    if any(ch in value for ch in "\r\n\t"):
        raise ValidationError(f"{what}只能写一行。", field=what)
    if len(value) > DOC_LINE_MAX_CHARS:
        raise ValidationError(f"{what}最多 {DOC_LINE_MAX_CHARS} 个字（现有 {len(value)} 个）。", field=what)
    return value


def scorecard_data(ledger: Ledger, month: str) -> ScorecardData:
    """Every grid's scorecard for a month (figures of record), in rank order."""
    result = month_figures(ledger, month, with_previous=True)
    cards = []
    for g in result.grids:
        lines = [ScorecardLine(key=i.key, name=i.name, weight=i.weight, formula=COUNT_LABELS[i.key][2],
                               numerator_label=i.numerator_label, numerator=i.numerator,
                               denominator_label=i.denominator_label, denominator=i.denominator,
                               value=i.value, target=i.target, score=i.score, points=i.points)
                 for i in g.indicators.values()]
        cards.append(Scorecard(figures=g, lines=lines, adjustments=list(g.adjustment_items)))
    name = result.community_name or ledger.community_name
    return ScorecardData(community_name=name, month=result.month, month_text=month_text(result.month),
                         title=f"{name}{month_text(result.month)}网格评分卡",
                         published_version=result.published_version, cards=cards, scheme=result.scheme,
                         scheme_lines=result.scheme.describe(),
                         issued_on=_issued_on(ledger, result.published_at))



def annual_data(ledger: Ledger, year: int | str, *, progress=None) -> AnnualData:
    """The 年度考评 of ``year`` (:func:`models.evaluation.annual.assess_year`) as printed.

    Args:
        progress: optional ``progress(done, total)`` callable (the worker's).
    """
    found = assess_year(ledger, year, progress=progress)
    name = ledger.community_name
    return AnnualData(community_name=name, year=found.year, title=f"{name}{found.year}年度网格考评结果",
                      issuing_body=issuer_name(ledger), months=found.months, rows=found.rows,
                      adjustments=found.adjustments, grade_counts=found.grade_counts, scheme=found.scheme,
                      scheme_lines=found.scheme.describe(), issued_on=_issued_on(ledger, ""),
                      has_data=found.has_data)
