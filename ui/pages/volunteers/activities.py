"""The 活动 tab: the activity list with its filters, totals, import and export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QMessageBox, QWidget

from models.core.errors import LedgerError
from models.volunteers import activities as act_model
from models.volunteers import records as vol_model
from ui.dialogs.import_wizard import ImportWizard
from ui.errors import show_error
from ui.models.paged_model import PagedTableModel
from ui.ops import LedgerOp
from ui.pages.volunteers.activity_dialog import ActivityDialog
from ui.pages.volunteers.common import columns, fmt_hours, grid_items, run_if_confirmed, table
from ui.widgets.date_edit import date_edit, qdate_text
from ui.widgets.layout import STRETCH, hbox, vbox
from ui.widgets.list_page import action_button, refill_combo
from ui.widgets.search_edit import SearchEdit


def _time_text(row: dict) -> str:
    return f"{row['start_time']}–{row['end_time']}" if row.get("start_time") and row.get("end_time") else ""


class ActivitiesModel(PagedTableModel):
    """The activity list, newest first, fetched a page at a time (keyset paging in
    :func:`models.volunteers.activities.activities_page`)."""

    PAGE = 200
    COLUMNS = [("on_date", "日期"), ("time", "时间"), ("title", "活动名称"), ("type", "类型"),
               ("grid", "网格"), ("org", "组织单位"), ("place", "地点"), ("volunteers", "志愿者（人）"),
               ("hours", "时长（小时）"), ("people_served", "服务人数"), ("photos", "照片")]

    def __init__(self, ctx, parent=None):
        specs = columns(self.COLUMNS, {"time": _time_text,
                                       "photos": lambda row: str(row["photos"]) if row.get("photos") else ""})
        super().__init__(lambda: ctx.ledger, specs, act_model.ActivityFilter(), parent=parent)
        self.ctx = ctx

    def fetch_page(self, after):
        page = act_model.activities_page(self.ledger, self.filter, after=after, limit=self.PAGE)
        more = len(page) == self.PAGE
        return page, ((page[-1]["on_date"], page[-1]["id"]) if more else None)

    activity_id = PagedTableModel.row_id


class ActivitiesTab(QWidget):
    """活动: the filtered activity list (dates, grid, organisation, type, text) and its totals."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._loading = False
        today = ctx.ledger.now().date()
        self.date_from = date_edit(dt.date(today.year, 1, 1))
        self.date_to = date_edit(today)
        self.grid_box = QComboBox()
        self.org_box = QComboBox()
        self.type_box = QComboBox()
        for box in (self.grid_box, self.org_box, self.type_box):
            box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.search = SearchEdit("活动名称或地点", delay_ms=200)
        self.search.setMaximumWidth(180)
        self.new_button = action_button("新建活动", self.new_activity, tooltip="记录一次志愿活动（Ctrl+N）")
        self.open_button = action_button("查看/编辑", self.open_current)
        self.delete_button = action_button("删除", self.delete_current)
        self.import_button = action_button("导入…", self.import_file)
        self.export_button = action_button("导出…", self.export)
        self.model = ActivitiesModel(ctx, self)
        self.view = table(self.model, stretch="title",
                          widths={"on_date": 92, "time": 96, "type": 92, "grid": 84, "org": 120, "place": 140,
                                  "volunteers": 86, "hours": 100, "people_served": 72, "photos": 44})
        self.totals_label = QLabel()
        vbox(hbox("日期", self.date_from, "至", self.date_to, self.grid_box, self.org_box, self.type_box, self.search,
                  STRETCH),
             hbox(self.new_button, self.open_button, self.delete_button, (self.totals_label, 1), self.import_button,
                  self.export_button),
             (self.view, 1), parent=self)

        self.search.search.connect(lambda _text: self.apply_filters())
        for box in (self.grid_box, self.org_box, self.type_box):
            box.currentIndexChanged.connect(self._changed)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._changed)
        self.view.doubleClicked.connect(lambda idx: self.open_activity(self.model.activity_id(idx.row())))
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_activity)
        for key, slot in ((Qt.Key_Return, self.open_current), (Qt.Key_Enter, self.open_current),
                          (Qt.Key_Delete, self.delete_current)):
            shortcut = QShortcut(QKeySequence(key), self.view, slot)
            shortcut.setContext(Qt.WidgetShortcut)

    def fill_choices(self) -> None:
        ledger = self.ctx.ledger
        refill_combo(self.grid_box, "全部网格", [("全社区活动", act_model.COMMUNITY_WIDE)] + grid_items(ledger))
        refill_combo(self.org_box, "全部组织", [(o["name"], o["id"]) for o in vol_model.org_names(ledger)])
        refill_combo(self.type_box, "全部类型", [(t, t) for t in act_model.activity_types(ledger)])

    def current_filter(self) -> act_model.ActivityFilter:
        return act_model.ActivityFilter(
            date_from=qdate_text(self.date_from), date_to=qdate_text(self.date_to),
            grid_id=self.grid_box.currentData(), org_id=self.org_box.currentData(),
            type=self.type_box.currentData(), text=self.search.take())

    def _changed(self, *_args) -> None:
        if not self._loading:
            self.apply_filters()

    def apply_filters(self) -> None:
        flt = self.current_filter()
        if flt.date_from > flt.date_to:
            self.totals_label.setText("开始日期晚于结束日期，请调整日期范围。")
            self.model.set_rows([])
            return
        self.model.set_filter(flt)
        t = act_model.activities_totals(self.ctx.ledger, flt)
        self.totals_label.setText(f"  共 {t['activities']} 次活动，志愿者 {t['volunteers']} 人次，"
                                  f"服务 {fmt_hours(t['hours'])} 小时，服务群众 {t['people_served']} 人")

    def refresh(self) -> None:
        self._loading = True
        self.fill_choices()
        self._loading = False
        self.apply_filters()

    def new_activity(self):
        dialog = ActivityDialog(self.ctx, None, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_activity(self, activity_id: int | None):
        if activity_id is None:
            return None
        try:
            dialog = ActivityDialog(self.ctx, activity_id, self)
        except LedgerError as exc:
            show_error(self, exc)
            return None
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_current(self):
        index = self.view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, "志愿活动", "请先在列表中选择一次活动。")
            return None
        return self.open_activity(self.model.activity_id(index.row()))

    def delete_current(self) -> None:
        index = self.view.currentIndex()
        row = self.model.row_dict(index.row()) if index.isValid() else None
        if row is None:
            QMessageBox.information(self, "删除活动", "请先在列表中选择要删除的活动。")
            return
        activity_id = row["id"]
        run_if_confirmed(self, self.ctx, "删除活动", f"确定要删除 {row['on_date']} 的“{row['title']}”吗？\n"
                         f"该活动的 {row['volunteers']} 条志愿者服务时长记录和 {row['photos']} 张照片会一并删除，不能恢复。",
                         lambda ledger: act_model.delete_activity.op(ledger, activity_id), "删除")

    def export(self) -> None:
        flt = self.current_filter()
        name = f"志愿服务活动_{flt.date_from}_{flt.date_to}.xlsx"
        file, _ = QFileDialog.getSaveFileName(self, "导出志愿服务记录", str(Path.home() / name), "Excel 工作簿 (*.xlsx)")
        if not file:
            return
        path = Path(file) if file.lower().endswith(".xlsx") else Path(file + ".xlsx")
        # exactly what the list shows: its dates, grid, organisation, type and search text
        LedgerOp(self.ctx, lambda ledger: act_model.write_activities_xlsx(ledger, path, flt=flt), parent=self,
                 title="导出").success(lambda n: QMessageBox.information(
                     self, "导出完成", f"已导出 {n} 行（每位志愿者每次活动一行，可按模板再导入）：\n{path}")).run()

    def import_file(self) -> None:
        """The shared import wizard (preview, problems by sheet and row, one transaction); it tells every
        page what changed."""
        ImportWizard(self.ctx, "activities", self).exec()

