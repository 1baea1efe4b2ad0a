"""The 统计 tab: hours by volunteer, organisation, grid and month for a period, exported to xlsx."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QTableView, QTabWidget, QWidget

from models.volunteers import activities as act_model
from ui.ops import LedgerOp
from ui.pages.volunteers.common import ListModel, table
from ui.widgets.layout import STRETCH, hbox, vbox
from ui.widgets.list_page import action_button
from ui.widgets.period_bar import PeriodBar


class StatsTab(QWidget):
    """Hours by volunteer, organisation, grid and month for a period; 导出 xlsx."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.period = PeriodBar(ctx.ledger.now().date())
        self.export_button = action_button("导出 Excel…", self.export)
        self.note = QLabel("全社区活动不计入任何单个网格（月度评比“志愿服务”指标只统计网格内活动）。")
        self.note.setStyleSheet("color: #666;")
        self.tabs = QTabWidget()
        self.models: dict[str, ListModel] = {}
        self.views: dict[str, QTableView] = {}
        for kind, (title, columns) in act_model.SUMMARY_KINDS.items():
            model = ListModel(columns, self)
            view = table(model, stretch=columns[0][0] if kind != "grid" else "name")
            for i, (key, header) in enumerate(columns):
                if i or kind == "grid":
                    view.setColumnWidth(i, max(90, 16 * len(header)))
            self.models[kind], self.views[kind] = model, view
            self.tabs.addTab(view, title)
        vbox(hbox(self.period, STRETCH, self.export_button), self.note, (self.tabs, 1), parent=self)
        self.period.changed.connect(self.refresh)

    def refresh(self) -> None:
        lo, hi = self.period.bounds()
        if lo > hi:
            return
        for kind, model in self.models.items():
            rows = act_model.hours_summary(self.ctx.ledger, kind, lo, hi)
            for r in rows:
                for k, v in list(r.items()):
                    if v is None:
                        r[k] = ""
            model.set_rows(rows)

    def export(self) -> None:
        lo, hi = self.period.bounds()
        name = f"志愿服务时长统计_{lo}_{hi}.xlsx"
        file, _ = QFileDialog.getSaveFileName(self, "导出统计表", str(Path.home() / name), "Excel 工作簿 (*.xlsx)")
        if not file:
            return
        path = Path(file) if file.lower().endswith(".xlsx") else Path(file + ".xlsx")
        LedgerOp(self.ctx, lambda ledger: act_model.write_summaries_xlsx(ledger, path, lo, hi), parent=self,
                 title="导出").success(lambda _r: QMessageBox.information(
                     self, "导出完成", f"已导出志愿服务时长统计（按志愿者、组织、网格、月份四张表）：\n{path}")).run()

