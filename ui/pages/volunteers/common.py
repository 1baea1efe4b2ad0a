"""What the 志愿服务 tabs and dialogs share: hours text, list columns and views, grid names."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QHeaderView, QMessageBox, QTableView, QWidget

from models.grids import hierarchy as grids_model
from ui.models.rows_model import Column, RowsTableModel
from ui.ops import LedgerOp
from ui.widgets.list_page import read_only_view

#: columns holding numbers: right-aligned, no tooltip
NUMERIC = {"hours", "activities", "volunteers", "members", "people_served", "grid_hours", "photos"}
#: columns holding hours: ``2.5``, ``3``
HOURS = {"hours", "grid_hours"}


def fmt_hours(value) -> str:
    """``2.5`` → ``2.5``, ``3.0`` → ``3``."""
    if value is None or value == "":
        return ""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def grid_items(ledger) -> list[tuple[str, int]]:
    """(name, id) of every grid; with the community's name when the ledger has several."""
    rows = grids_model.grids(ledger)
    several = len({g["community_id"] for g in rows}) > 1
    return [(f"{g['community']}·{g['name']}" if several else g["name"], g["id"]) for g in rows]


def _long_text(text: Callable[[dict], str]):
    def tooltip(row: dict) -> str | None:
        shown = text(row)
        return shown if len(shown) > 6 else None
    return tooltip


def columns(pairs: list[tuple[str, str]], texts: dict[str, Callable[[dict], str]] | None = None) -> list[Column]:
    """``(key, header)`` pairs as column specs: hours as ``2.5``/``3``, numbers right-aligned,
    a text longer than 6 characters also as its tooltip.  ``texts`` overrides a column's text."""
    specs = []
    for key, title in pairs:
        text = (texts or {}).get(key)
        if text is None and key in HOURS:
            text = lambda row, k=key: fmt_hours(row.get(k) or 0)  # noqa: E731
        if text is None:
            text = lambda row, k=key: "" if row.get(k) is None else str(row.get(k))  # noqa: E731
        numeric = key in NUMERIC
        specs.append(Column(title, key, text, numeric=numeric, tooltip=None if numeric else _long_text(text)))
    return specs


class ListModel(RowsTableModel):
    """A volunteers list held whole, its columns given as ``(key, header)`` pairs (see :func:`columns`)."""

    TEXT_TOOLTIPS = False

    def __init__(self, pairs: list[tuple[str, str]], parent=None, texts=None):
        super().__init__(columns(pairs, texts), parent)


def table(model: RowsTableModel, stretch: str | None = None, widths: dict[str, int] | None = None) -> QTableView:
    """A read-only list over ``model``: column ``stretch`` takes the room left, ``widths`` by column key."""
    view = read_only_view(model)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.Interactive)
    header.setStretchLastSection(stretch is None)
    if stretch is not None and model.column_of(stretch) >= 0:
        header.setSectionResizeMode(model.column_of(stretch), QHeaderView.Stretch)
    for key, width in (widths or {}).items():
        if model.column_of(key) >= 0:
            view.setColumnWidth(model.column_of(key), width)
    return view



def reselect(view: QTableView, keep_id) -> int:
    """After the list was reloaded: select the row of ``keep_id`` again, else the first row.

    Returns:
        the row selected (-1 when the list is empty).
    """
    model = view.model()
    row = model.row_of(keep_id) if keep_id is not None else -1
    row = row if row >= 0 else (0 if model.rowCount() else -1)
    if row >= 0:
        view.selectRow(row)
    return row


def run_if_confirmed(parent: QWidget, ctx, title: str, question: str, op, op_title: str | None = None) -> None:
    """Ask ``question`` (是/否) in a box called ``title``; on 是 run the operation ``op(ledger)``
    through ``LedgerOp`` (``op_title``: what a failure message calls it, e.g. 删除)."""
    if QMessageBox.question(parent, title, question) == QMessageBox.Yes:
        LedgerOp(ctx, op, parent=parent, title=op_title).run()
