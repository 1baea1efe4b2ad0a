"""What the record lists filter by, and the SQL conditions they share (民情事项, 走访日志, 志愿活动).

A list's filter is a dataclass deriving from :class:`ListFilter` — an inclusive period
(``YYYY-MM-DD``, either end open), a grid and the search box's text — plus the list's
own fields.  The conditions every list builds the same way are made here once: the
period on a date or timestamp column, equality on the fields that are set, and the
search text as a ``LIKE`` pattern.  What only one list knows (matters' deadlines, the
full-text routes, activities' 社区级 grid) stays with that list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.core import periods


@dataclass
class ListFilter:
    """The part of a list's filter every list has.  Empty fields do not filter.

    Attributes:
        date_from, date_to: ``YYYY-MM-DD``, inclusive; None for an open end.
        grid_id: one grid's records only.
        text: the search box, as typed.
    """

    date_from: str | None = None
    date_to: str | None = None
    grid_id: int | None = None
    text: str = ""

    def period(self) -> tuple[str, str]:
        """The checked period, open ends as :data:`~models.core.periods.NO_START`/``NO_END``.

        Raises:
            ValidationError: a malformed date, or a start after the end.
        """
        return periods.period(self.date_from, self.date_to)

    def period_clauses(self, column: str, *, timestamps: bool = False) -> tuple[list[str], list]:
        """``column`` within the period: one clause for each end that is set.

        An open end adds no clause, so the list's own index still serves an unfiltered
        list; a start after the end matches nothing (the date edits of a page may cross).

        Args:
            column: a date column (``v.visited_on``), or a timestamp column with
                ``timestamps=True`` (``m.registered_at``): the last day then counts to
                its last second.

        Raises:
            ValidationError: a malformed date (开始日期/结束日期 named).
        """
        clauses: list[str] = []
        params: list = []
        if self.date_from:
            clauses.append(f"{column} >= ?")
            params.append(periods.check_date(self.date_from, "开始日期"))
        if self.date_to:
            clauses.append(f"{column} <= ?")
            last = periods.check_date(self.date_to, "结束日期")
            params.append(f"{last} 23:59:59" if timestamps else last)
        return clauses, params

    def equal_clauses(self, alias: str, *fields: str) -> tuple[list[str], list]:
        """``alias.field = ?`` for each of ``fields`` that is set (neither None nor empty)."""
        clauses: list[str] = []
        params: list = []
        for name in fields:
            value = getattr(self, name)
            if value not in (None, ""):
                clauses.append(f"{alias}.{name} = ?")
                params.append(value)
        return clauses, params

    def search_text(self) -> str:
        """The search box's text, its runs of white space made one space ('' = no search).

        Control and invisible characters (NUL …) are dropped and the text is cut to
        :data:`MAX_SEARCH_LEN` characters: SQLite's LIKE and FTS5 are never given more.
        """
        return clean_search(self.text)


def clean_search(text: str | None) -> str:
    """A search box's text as searches pass it on: runs of white space one space, control and
    invisible characters (NUL …) dropped, cut to :data:`MAX_SEARCH_LEN` characters."""
    text = _INVISIBLE.sub("", re.sub(r"\s+", " ", text or ""))
    return text.strip()[:MAX_SEARCH_LEN].strip()


#: The longest search text passed on (longer text is cut): far more than any description's
#: distinctive phrase, far less than SQLite's 50,000-byte LIKE pattern limit.
MAX_SEARCH_LEN = 200
#: (and lone surrogates, half of an emoji from a broken clipboard: SQLite cannot take them)
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\ud800-\udfff]")


def like_pattern(text: str) -> str:
    """``%text%`` for ``LIKE ? ESCAPE '\\'``: ``%``, ``_`` and ``\\`` in ``text`` match themselves."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
