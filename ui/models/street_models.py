"""Item models of the street's pages: communities or every grid ranked (issue 12).

A :class:`~ui.models.rows_model.RowsTableModel` configuration (a street has a few dozen
communities and a few thousand grids: held whole).  The red list (top 3 places) and the
black list (bottom 3 places, ties included) are shaded as on the community's page; an
indicator cell's tooltip gives the counts behind it, as the package carried them.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush

from models.evaluation.figures import ADJUSTMENTS_KEY, Figures
from models.evaluation.scheme import Scheme
from ui.models.evaluation_models import (BLACK_LIST_BACKGROUND, RED_LIST_BACKGROUND, _rank_change_color,
                                         indicator_tooltip)
from ui.models.rows_model import CENTER, LEFT, RIGHT, Column, RowsTableModel


class StreetRankingModel(RowsTableModel):
    """One row per community (``grids=False``) or per grid of every community, in rank order.

    Columns: 排名, 名次变化, 社区, [网格,] one per indicator, 加减分, 总分.
    """

    TEXT_TOOLTIPS = False

    def __init__(self, grids: bool, parent=None):
        self.grids = grids
        super().__init__(self._columns(None, 0), parent)

    def set_figures(self, rows: list[Figures], scheme: Scheme | None) -> None:
        rows = list(rows)
        floor = rows[-3].rank if len(rows) >= 3 else (rows[0].rank if rows else 0)
        self.set_rows(rows, self._columns(scheme, floor))

    def _columns(self, scheme: Scheme | None, floor: int) -> list[Column]:
        red, black = QBrush(RED_LIST_BACKGROUND), QBrush(BLACK_LIST_BACKGROUND)

        def shade(g: Figures):
            return red if g.rank <= 3 else black if g.rank >= floor else None

        def column(title, key, text, raw, align=RIGHT, **kw) -> Column:
            return Column(title, key, text, raw=raw, align=align, background=shade, **kw)

        indicators = scheme.indicators if scheme else []
        name = [column("网格", "name", lambda g: g.name, lambda g: g.grid_id, LEFT)] if self.grids else []
        return [
            column("排名", "rank", lambda g: str(g.rank), lambda g: g.rank),
            column("名次变化", "rank_change", lambda g: g.rank_change_text, lambda g: g.rank_change, CENTER,
                   foreground=_rank_change_color),
            column("社区", "community", lambda g: g.community_name, lambda g: g.community_id, LEFT),
            *name,
            *(column(i.name, i.key, lambda g, k=i.key: g.indicators[k].percent,
                     lambda g, k=i.key: g.indicators[k].score, tooltip=indicator_tooltip(i.key)) for i in indicators),
            column("加减分", ADJUSTMENTS_KEY, lambda g: f"{g.adjustments:+.2f}" if g.adjustments else "",
                   lambda g: g.adjustments,
                   tooltip=lambda g: "\n".join(f"{a.points:+g}  {a.reason}" for a in g.adjustment_items)),
            column("总分", "total", lambda g: f"{g.total:.2f}", lambda g: g.total, bold=True),
        ]

    def figures(self, row: int) -> Figures | None:
        return self.row(row)
