"""网格调整 (re-division): move buildings of one grid to another grid (existing or new) from a
date, with a live preview of the households and residents that move.

The months that end before the date keep the old grid (``models.grids.hierarchy.redivide``
keeps each building's grid with dates); the dialog says so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QVBoxLayout, QWidget)

from models.core.errors import LedgerError
from models.evaluation.publications import published_change_warning
from models.grids import hierarchy as grids_model
from ui.widgets.date_edit import date_edit, qdate_text

NEW_GRID = -1     # the target combo's "新建网格" entry


class RedivisionDialog(QDialog):
    """Pick the buildings of ``grid_id``, the grid they go to and the date; 确定 returns
    :meth:`request` (the arguments of ``redivide``)."""

    def __init__(self, ctx, grid_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("网格调整")
        ledger = ctx.ledger
        all_grids = grids_model.grids(ledger)
        self.source_name = next((g["name"] for g in all_grids if g["id"] == grid_id), "")

        self.buildings = QListWidget()
        for b in grids_model.buildings(ledger, grid_id):
            item = QListWidgetItem(f"{b['compound']}{b['name']}")
            item.setData(Qt.UserRole, b["id"])
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked)
            self.buildings.addItem(item)
        self.buildings.setMinimumHeight(140)
        self.target = QComboBox()
        for g in all_grids:
            if g["id"] != grid_id:
                self.target.addItem(g["name"], g["id"])
        self.target.addItem("新建网格…", NEW_GRID)
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("新网格的名称，如“第十网格”")
        self.on_date = date_edit(ledger.now().date())
        self.on_date.setMaximumDate(self.on_date.date())
        self.preview = QLabel()
        self.preview.setObjectName("previewLabel")
        self.preview.setWordWrap(True)
        self.published = QLabel()           # the 定稿 months this date would change
        self.published.setObjectName("fieldWarning")
        self.published.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        note = QLabel("调整日期之前结束的月份仍按原网格统计。")
        note.setWordWrap(True)

        form = QFormLayout()
        form.addRow("调出网格：", QLabel(self.source_name))
        form.addRow("调整的楼栋：", self.buildings)
        form.addRow("调入网格：", self.target)
        form.addRow("新网格名称：", self.new_name)
        form.addRow("调整日期：", self.on_date)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("调整")
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.preview)
        layout.addWidget(self.published)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.buildings.itemChanged.connect(lambda *_: self._update())
        self.target.currentIndexChanged.connect(lambda *_: self._update())
        self.on_date.dateChanged.connect(lambda *_: self._update())
        self.new_name.textChanged.connect(lambda *_: self._update())
        self._update()

    def chosen(self) -> list[int]:
        """The ids of the ticked buildings."""
        return [self.buildings.item(i).data(Qt.UserRole) for i in range(self.buildings.count())
                if self.buildings.item(i).checkState() == Qt.Checked]

    def request(self) -> dict:
        """``redivide``'s arguments: building_ids, on_date, and grid_id or new_grid_name."""
        target = self.target.currentData()
        out = {"building_ids": self.chosen(), "on_date": qdate_text(self.on_date)}
        if target == NEW_GRID:
            out["new_grid_name"] = self.new_name.text().strip()
        else:
            out["grid_id"] = target
        return out

    def _update(self) -> None:
        self.new_name.setEnabled(self.target.currentData() == NEW_GRID)
        self.published.setText(published_change_warning(self.ctx.ledger, qdate_text(self.on_date)))
        ids = self.chosen()
        if not ids:
            self.preview.setText("请勾选要调整的楼栋。")
            return
        try:
            found = grids_model.redivision_preview(self.ctx.ledger, ids, qdate_text(self.on_date))
        except LedgerError as exc:
            self.preview.setText(str(exc))
            return
        target = (self.new_name.text().strip() or "新网格") if self.target.currentData() == NEW_GRID \
            else self.target.currentText()
        self.preview.setText(f"将把 {len(ids)} 栋楼、{found['households']} 户、{found['residents']} 名在住居民"
                             f"自 {qdate_text(self.on_date)} 起调入“{target}”。")

    def _check(self) -> None:
        if not self.chosen():
            self.error.setText("请勾选要调整的楼栋。")
            return
        if self.target.currentData() == NEW_GRID and not self.new_name.text().strip():
            self.error.setText("请填写新网格的名称。")
            return
        self.accept()
