"""The participants of the activity form: who served and how many hours (editable in place)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QStyledItemDelegate

from models.core.errors import LedgerError
from models.volunteers import activities as act_model
from ui.models.rows_model import DISPLAY, EDIT
from ui.pages.volunteers.common import ListModel


class ParticipantsModel(ListModel):
    """The participants being edited in the activity form; the hours column is editable.

    Each row: ``{key, who (volunteer id or Candidate), name, kind, grid, hours, follows_span}``.
    A row whose hours were never typed follows the activity's span.

    Signals:
        hours_changed(): a row was added or removed, or its hours changed.
    """

    hours_changed = Signal()
    COLUMNS = [("name", "姓名"), ("kind", "身份"), ("grid", "所在网格"), ("hours", "服务时长（小时）")]
    HOURS_COLUMN = 3

    def __init__(self, parent=None):
        super().__init__(self.COLUMNS, parent)
        self.columns[self.HOURS_COLUMN].tooltip = lambda _row: "双击修改该志愿者的服务时长"

    def flags(self, index) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemIsEditable if index.isValid() and index.column() == self.HOURS_COLUMN else flags

    def data(self, index, role=DISPLAY):
        if role == EDIT and index.isValid() and index.column() == self.HOURS_COLUMN \
                and 0 <= index.row() < len(self.rows):
            return float(self.rows[index.row()].get("hours") or 0.0)
        return super().data(index, DISPLAY if role == EDIT else role)

    def setData(self, index, value, role=EDIT) -> bool:  # noqa: N802 - Qt API
        if role != EDIT or not index.isValid() or index.column() != self.HOURS_COLUMN:
            return False
        try:
            hours = act_model.check_hours(value)
        except LedgerError:
            return False
        row = self.rows[index.row()]
        row["hours"], row["follows_span"] = hours, False
        self.dataChanged.emit(index, index, [Qt.DisplayRole, Qt.EditRole])
        self.hours_changed.emit()
        return True

    def keys(self) -> set:
        return {r["key"] for r in self.rows}

    def add(self, row: dict) -> None:
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(row)
        self.endInsertRows()
        self.hours_changed.emit()

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()
            self.hours_changed.emit()

    def follow_span(self, hours: float | None) -> None:
        """The activity's span changed: rows that follow it take the new value."""
        if hours is None:
            return
        for i, row in enumerate(self.rows):
            if row["follows_span"] and row["hours"] != hours:
                row["hours"] = hours
                idx = self.index(i, self.HOURS_COLUMN)
                self.dataChanged.emit(idx, idx, [Qt.DisplayRole, Qt.EditRole])
        self.hours_changed.emit()

    def total(self) -> float:
        return round(sum(float(r["hours"] or 0) for r in self.rows), 2)


class HoursDelegate(QStyledItemDelegate):
    """A spin box in 0.5-hour steps for the hours column."""

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt API
        spin = QDoubleSpinBox(parent)
        spin.setRange(0, act_model.MAX_HOURS)
        spin.setDecimals(1)
        spin.setSuffix(" 小时")
        spin.setSingleStep(0.5)
        return spin

    def setEditorData(self, editor, index):  # noqa: N802 - Qt API
        editor.setValue(float(index.data(Qt.EditRole) or 0))

    def setModelData(self, editor, model, index):  # noqa: N802 - Qt API
        editor.interpretText()
        model.setData(index, editor.value(), Qt.EditRole)
