"""What the street's bulletin (街道月度评比通报) prints, as plain data for ``reports.street``.

The street's month (:func:`models.street.ranking.street_month`): the communities ranked over
their pooled counts, every grid of every community ranked together, the red and black lists
of both (the top 3 places and the bottom 3 places, ties included, as the community
bulletin does), the communities that have not reported, and which package version each
community's figures come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from models.core import periods
from models.core.db import Ledger
from models.core.issuer import issuer_name
from models.evaluation.counts import frac
from models.evaluation.figures import Figures
from models.evaluation.scheme import Scheme
from models.evaluation.scoring import round_half_up
from models.street.ranking import Report, StreetAnnualRow, street_month, street_year


@dataclass
class StreetBulletinData:
    """Everything the street bulletin prints.

    Attributes:
        street_name, title, issuing_body (the 通报落款单位: "<街道>办事处" unless set), month,
            month_text, issued_on.
        summary: ``[(label, value text), …]``.
        indicator_keys / indicator_names: the street scheme's, in order.
        communities / grids: ranked :class:`Figures` (grids carry ``community_name``).
        red_communities / black_communities / red_grids / black_grids: the honour lists.
        not_reported: registered communities without a package for the month.
        reports: community → the package its figures come from.
        scheme, scheme_lines.
    """

    street_name: str
    title: str
    issuing_body: str
    month: str
    month_text: str
    issued_on: str
    summary: list[tuple[str, str]]
    indicator_keys: list[str]
    indicator_names: list[str]
    communities: list[Figures]
    grids: list[Figures]
    red_communities: list[Figures]
    black_communities: list[Figures]
    red_grids: list[Figures]
    black_grids: list[Figures]
    not_reported: list[str]
    reports: dict[str, Report]
    scheme: Scheme
    scheme_lines: list[str]


def honour_lists(rows: list[Figures], places: int = 3) -> tuple[list[Figures], list[Figures]]:
    """(red list, black list) of ranked ``rows``: the top ``places`` places and the bottom
    ``places`` places not on the red list, ties included."""
    red = [r for r in rows if r.rank <= places]
    floor = rows[-places].rank if len(rows) >= places else (rows[0].rank if rows else 0)
    black = [r for r in rows if r.rank >= floor and r not in red]
    return red, black


def _mean(rows: list[Figures]) -> str:
    return f"{round_half_up(sum((frac(r.total) for r in rows), Fraction(0)) / len(rows)):.2f}"


def street_bulletin_data(ledger: Ledger, month: str) -> StreetBulletinData:
    """The street bulletin of ``month`` (last month's ranks for the rank change).

    Raises:
        ValidationError: not a street ledger, or a bad month.
    """
    result = street_month(ledger, month, with_previous=True)
    red_c, black_c = honour_lists(result.communities)
    red_g, black_g = honour_lists(result.grids)
    total = len(result.communities) + len(result.not_reported)
    summary = [("已报送社区", f"{len(result.communities)} / {total} 个"),
               ("参评网格", f"{len(result.grids)} 个")]
    if result.communities:
        best, worst = result.communities[0], result.communities[-1]
        summary += [("社区平均分", _mean(result.communities)),
                    ("社区最高分", f"{best.total:.2f}（{best.name}）"),
                    ("社区最低分", f"{worst.total:.2f}（{worst.name}）")]
    if result.grids:
        summary += [("网格平均分", _mean(result.grids)),
                    ("网格最高分", f"{result.grids[0].total:.2f}（{result.grids[0].community_name}{result.grids[0].name}）")]
    summary.append(("未报送社区", "、".join(result.not_reported) or "无"))
    keys = result.scheme.keys
    name = result.street_name
    text = periods.month_text(result.month)
    return StreetBulletinData(
        street_name=name, title=f"{name}{text}社区和网格月度评比通报", issuing_body=issuer_name(ledger),
        month=result.month, month_text=text, issued_on=_cn_date(ledger.now().date()), summary=summary,
        indicator_keys=keys, indicator_names=[result.scheme.indicator(k).name for k in keys],
        communities=result.communities, grids=result.grids, red_communities=red_c, black_communities=black_c,
        red_grids=red_g, black_grids=black_g, not_reported=result.not_reported, reports=result.reports,
        scheme=result.scheme, scheme_lines=result.scheme.describe())


def _cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class StreetAnnualData:
    """Everything the street's 年度考评 prints (``reports.street_annual``).

    Attributes:
        rows: every assessed community in rank order (monthly totals, None = not reported).
        not_assessed: registered communities that reported no month of the year.
    """

    street_name: str
    year: int
    title: str
    issuing_body: str
    months: list[str]
    rows: list[StreetAnnualRow]
    grade_counts: list[tuple[str, int]]
    not_assessed: list[str]
    scheme_lines: list[str]
    issued_on: str


def street_annual_data(ledger: Ledger, year: int | str) -> StreetAnnualData:
    """The street's 年度考评 of ``year`` as the printout needs it.

    Raises:
        ValidationError: not a street ledger, or a bad year.
    """
    result = street_year(ledger, year)
    assessed = {r.community for r in result.rows}
    not_assessed = sorted(name for name in result.not_reported if name not in assessed)
    return StreetAnnualData(
        street_name=result.street_name, year=result.year, title=f"{result.street_name}{result.year}年度社区考评",
        issuing_body=issuer_name(ledger), months=result.months, rows=result.rows,
        grade_counts=result.grade_counts, not_assessed=not_assessed, scheme_lines=result.scheme.describe(),
        issued_on=_cn_date(ledger.now().date()))
