"""What the list pages (民情事项, 走访日志, 会议 …) share: the filter bar pieces,
the read-only table view, and the refresh-when-shown behaviour.

A page using :class:`ListPageMixin` (listed before ``QWidget`` in its bases) starts
with :meth:`~ListPageMixin._start_list_page` (its head: title, 打开 and 新增 buttons),
builds its filters (``date_check``/``date_from``/``date_to`` from :func:`date_range`),
``model`` (with ``row_id(row)``) and ``view``, lays them out with
:meth:`~ListPageMixin._lay_out_list` and ends with :meth:`~ListPageMixin._start_listening`.
It sets ``REFRESH_AREAS`` and implements ``_fill_choices()`` and ``apply_filters()``.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from PySide6.QtCore import QDate
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QTableView, QVBoxLayout)


def action_button(text: str, slot, *, primary: bool = False, tooltip: str | None = None) -> QPushButton:
    """A push button calling ``slot`` when clicked (``primary``: the page's main action)."""
    widget = QPushButton(text)
    if primary:
        widget.setObjectName("primary")
    if tooltip:
        widget.setToolTip(tooltip)
    widget.clicked.connect(slot)
    return widget


def page_head(title: str, *buttons: QPushButton) -> QHBoxLayout:
    """The page's title on the left, ``buttons`` on the right."""
    label = QLabel(title)
    label.setObjectName("pageTitle")
    head = QHBoxLayout()
    head.addWidget(label)
    head.addStretch(1)
    for widget in buttons:
        head.addWidget(widget)
    return head


def combo(items: Iterable[tuple[str, object]], first: str | None = None) -> QComboBox:
    """A combo box: ``first`` (data None) when given, then ``(text, data)`` items."""
    box = QComboBox()
    if first is not None:
        box.addItem(first, None)
    for text, value in items:
        box.addItem(text, value)
    return box


def refill_combo(box: QComboBox, first: str | None, items: Iterable[tuple[str, object]]) -> None:
    """Refill ``box`` keeping the current choice when it still exists (no signals)."""
    current = box.currentData()
    box.blockSignals(True)
    box.clear()
    if first is not None:
        box.addItem(first, None)
    for text, value in items:
        box.addItem(text, value)
    found = box.findData(current) if current is not None else -1
    box.setCurrentIndex(max(found, 0))
    box.blockSignals(False)


def date_range(label: str, start: QDate, end: QDate) -> tuple[QCheckBox, QDateEdit, QDateEdit]:
    """A ``label`` check box and two date edits it enables (off at first)."""
    check = QCheckBox(label)
    date_from, date_to = QDateEdit(start), QDateEdit(end)
    for edit in (date_from, date_to):
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
    check.toggled.connect(date_from.setEnabled)
    check.toggled.connect(date_to.setEnabled)
    return check, date_from, date_to


def read_only_view(model) -> QTableView:
    """A read-only table over ``model``: whole rows, one at a time, no row numbers, one line a row."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    return view


def list_view(model, widths: Sequence[int], stretch: int, open_row=None) -> QTableView:
    """A :func:`read_only_view` with the given column widths, column ``stretch`` taking the rest.

    A double click or Enter calls ``open_row(model.row_id(row))`` when given.
    """
    view = read_only_view(model)
    header = view.horizontalHeader()
    for col, width in enumerate(widths):
        header.resizeSection(col, width)
    header.setSectionResizeMode(stretch, QHeaderView.Stretch)
    if open_row is not None:
        for signal in (view.doubleClicked, view.activated):
            signal.connect(lambda index: open_row(model.row_id(index.row())))
    return view


class ListPageMixin:
    """Filter-change handling and refresh-when-shown for a list page (``model``, ``view``)."""

    #: ``ctx.changed`` areas that make the list stale
    REFRESH_AREAS: tuple[str, ...] = ("*",)

    def _start_list_page(self, ctx, title: str, new: tuple[str, Callable], open_row: tuple[str, Callable]
                         ) -> QHBoxLayout:
        """The page's state, and its head: ``title``, ``open_button`` (``open_row``: its text and
        ``open(row_id)``, given the current row) and the primary ``new_button`` (``new``: its text
        and slot).  Returns the head for :meth:`_lay_out_list`."""
        self.ctx = ctx
        self.dialog = None
        self._dirty = False
        self._loading = False
        self.new_button = action_button(new[0], new[1], primary=True)
        self._new_slot = new[1]
        # a role that may not edit records opens them to read: the button says so (查看, not 修改)
        open_text = open_row[0] if ctx.may("records.edit") or "修改" not in open_row[0] else "查看"
        self.open_button = action_button(open_text, lambda: open_row[1](self.current_id()))
        return page_head(title, self.open_button, self.new_button)

    def _start_listening(self) -> None:
        """Wire the date range, Ctrl+N (the new button's action, on every page: the window's menu
        leaves it free) and ``ctx.changed``; then fill the choices and show the list."""
        self._connect_date_range()
        QShortcut(QKeySequence("Ctrl+N"), self, self._new_slot)
        self.ctx.changed.connect(self._on_changed)
        self._fill_choices()
        self.apply_filters()

    def _lay_out_list(self, head: QHBoxLayout, filter_rows: Sequence[QHBoxLayout], hint: str | None = None) -> None:
        """The page: head, filter rows, the list (taking the room), then ``count_label`` (and ``hint``)."""
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        for row in filter_rows:
            layout.addLayout(row)
        layout.addWidget(self.view, 1)
        if hint is None:
            layout.addWidget(self.count_label)
            return
        hint_label = QLabel(hint)
        hint_label.setObjectName("hint")
        foot = QHBoxLayout()
        foot.addWidget(self.count_label)
        foot.addStretch(1)
        foot.addWidget(hint_label)
        layout.addLayout(foot)

    def date_range_values(self) -> tuple[str | None, str | None]:
        """(from, to) as ``YYYY-MM-DD`` when the date range is ticked, else (None, None)."""
        if not self.date_check.isChecked():
            return None, None
        return self.date_from.date().toString("yyyy-MM-dd"), self.date_to.date().toString("yyyy-MM-dd")

    def _filters_changed(self, *_args) -> None:
        if not self._loading:
            self.apply_filters()

    def _date_changed(self, *_args) -> None:
        if self.date_check.isChecked():
            self.apply_filters()

    def _connect_date_range(self) -> None:
        self.date_check.toggled.connect(self._filters_changed)
        self.date_from.dateChanged.connect(self._date_changed)
        self.date_to.dateChanged.connect(self._date_changed)

    def _on_changed(self, area: str) -> None:
        if area in self.REFRESH_AREAS:
            if self.isVisible():
                self.refresh()
            else:
                self._dirty = True   # refreshed when shown again

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        self._fill_choices()
        self.apply_filters()
        self._dirty = False

    def current_id(self):
        """The id of the view's current row (None when there is none)."""
        index = self.view.currentIndex()
        return self.model.row_id(index.row()) if index.isValid() else None

    #: a page whose records open in a dialog: ``RECORD_DIALOG(ctx, page)`` adds one,
    #: ``RECORD_DIALOG(ctx, page, row_id)`` reads or corrects one
    RECORD_DIALOG = None

    def open_new_record(self):
        """Open the record dialog for a new record (non-blocking); returns it (None when the
        role may not edit records)."""
        return self._show_dialog(self.RECORD_DIALOG(self.ctx, self)) if self.ctx.may("records.edit") else None

    def open_record(self, row_id):
        """Open the record ``row_id`` to read or correct (non-blocking); returns the dialog
        (None without a row)."""
        return None if row_id is None else self._show_dialog(self.RECORD_DIALOG(self.ctx, self, row_id))

    def _show_dialog(self, dialog):
        """Keep ``dialog`` as ``self.dialog``, open it (non-blocking) and return it."""
        self.dialog = dialog
        dialog.open()
        return dialog
