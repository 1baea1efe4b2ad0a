"""操作日志 (管理员 only): who did what and when, filtered, a record's whole history, the export.

The list pages from SQL (:func:`models.core.audit_log.search_page`, keyset on time), newest
first; nothing counts the whole log (a busy office has millions of rows), the foot says how
many rows are shown so far.  Values are shown as the log holds them: ID numbers and phones
masked.
"""

from __future__ import annotations


from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QMessageBox, QTableView,
                               QVBoxLayout, QWidget)

from models.core import audit_log
from ui.models.paged_model import PagedTableModel
from ui.models.rows_model import Column, RowsTableModel, row_id
from ui.ops import LedgerOp
from ui.widgets.layout import hbox
from ui.widgets.list_page import ListPageMixin, combo, date_range, list_view, read_only_view, refill_combo
from ui.widgets.search_edit import SearchEdit
from ui.widgets.export_file import ask_export_path, writer_progress

PAGE_SIZE = 100


def _change(row: dict) -> str:
    return " ".join(str(row.get("change") or "").split())


COLUMNS = [
    Column("时间", "at", raw=row_id),
    Column("操作人", "operator"),
    Column("操作", "action"),
    Column("记录类型", "record_type"),
    Column("记录编号", "row_id", numeric=True),
    Column("内容（原值 → 新值）", "change", _change, tooltip=lambda row: row.get("change") or ""),
]

HISTORY_COLUMNS = [
    Column("时间", "at", raw=row_id),
    Column("操作人", "operator"),
    Column("操作", "action"),
    Column("内容（原值 → 新值）", "change", _change, tooltip=lambda row: row.get("change") or ""),
]


class AuditTableModel(PagedTableModel):
    """Audit rows matching an :class:`models.core.audit_log.AuditFilter`, newest first, page by page.

    ``Qt.UserRole`` of column 0 is the audit row's id.
    """

    def __init__(self, ledger, parent=None):
        super().__init__(ledger, COLUMNS, audit_log.AuditFilter(), parent=parent)

    def fetch_page(self, after):
        return audit_log.search_page(self.ledger, self.filter, after=after, limit=PAGE_SIZE)


class RecordHistoryDialog(QDialog):
    """Everything done to one record, oldest first (from the audit log)."""

    def __init__(self, ctx, table_name: str, record_id: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"记录历史 — {audit_log.record_type(table_name)}（编号 {record_id}）")
        self.resize(900, 480)
        rows = audit_log.record_history(ctx.ledger, table_name, record_id)
        self.model = RowsTableModel(HISTORY_COLUMNS, self)
        self.model.set_rows(rows)
        self.view: QTableView = read_only_view(self.model)
        header = self.view.horizontalHeader()
        for col, width in enumerate((150, 90, 90)):
            header.resizeSection(col, width)
        header.setStretchLastSection(True)
        summary = QLabel(f"共 {len(rows)} 条操作记录（身份证号、电话已打码）")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(summary)
        layout.addWidget(buttons)


class AuditPage(ListPageMixin, QWidget):
    """操作日志."""

    REFRESH_AREAS = ("*", "residents", "grids", "matters", "visits", "meetings", "volunteers", "evaluation",
                     "settings")

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        head = self._start_list_page(ctx, "操作日志", ("导出…", self.export_log),
                                     ("查看记录历史", lambda _id: self.open_history()))
        self.new_button.setToolTip("把筛选出的操作日志导出为 Excel（身份证号、电话打码）")
        self.search = SearchEdit("搜索操作人、操作、内容……")
        self.search.setMinimumWidth(220)
        self.operator_box = combo([], "全部操作人")
        self.action_box = combo([], "全部操作")
        self.type_box = combo([], "全部记录类型")
        today = ctx.ledger.now().date()
        self.date_check, self.date_from, self.date_to = date_range(
            "日期", QDate(today.year, today.month, 1), QDate(today.year, today.month, today.day))
        filters = hbox((self.search, 2), (self.operator_box, 1), (self.action_box, 1), (self.type_box, 1),
                       self.date_check, self.date_from, "至", self.date_to)

        self.model = AuditTableModel(lambda: self.ctx.ledger, self)
        self.view = list_view(self.model, (150, 90, 100, 80, 70, 400), stretch=5,
                              open_row=lambda _id: self.open_history())
        self._lay_out_list(head, (filters,), hint="双击一行查看该记录的全部历史")
        self.model.rowsInserted.connect(lambda *_: self._show_count())

        self.search.search.connect(lambda _t: self.apply_filters())
        for box in (self.operator_box, self.action_box, self.type_box):
            box.currentIndexChanged.connect(self._filters_changed)
        # as ListPageMixin._start_listening, without its Ctrl+N (nothing is "new" here)
        self._connect_date_range()
        self.ctx.changed.connect(self._on_changed)
        self._fill_choices()
        self.apply_filters()

    # -- filters ---------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        if not self.ctx.may("audit.view"):
            for widget in (self.new_button, self.open_button, self.view):
                widget.setEnabled(False)
            return
        choices = audit_log.filter_choices(self.ctx.ledger)
        refill_combo(self.operator_box, "全部操作人", [(o, o) for o in choices.operators])
        refill_combo(self.action_box, "全部操作", [(a, a) for a in choices.actions])
        refill_combo(self.type_box, "全部记录类型", [(label, t) for t, label in choices.record_types])

    def current_filter(self) -> audit_log.AuditFilter:
        date_from, date_to = self.date_range_values()
        return audit_log.AuditFilter(operator=self.operator_box.currentData() or "",
                                     action=self.action_box.currentData() or "",
                                     table_name=self.type_box.currentData() or "",
                                     date_from=date_from, date_to=date_to, text=self.search.text().strip())

    def apply_filters(self) -> None:
        if not self.ctx.may("audit.view"):
            self.model.set_rows([])
            self.count_label.setText(self.ctx.refusal("audit.view"))
            return
        self.model.set_filter(self.current_filter())
        self._show_count()

    def _show_count(self) -> None:
        shown = self.model.loaded()
        more = "，向下滚动继续加载" if self.model.canFetchMore() else ""
        self.count_label.setText(f"已显示 {shown} 条{more}")

    # -- actions ---------------------------------------------------------------------------
    def current_row(self) -> dict | None:
        index = self.view.currentIndex()
        return self.model.row(index) if index.isValid() else None

    def open_history(self) -> RecordHistoryDialog | None:
        """The whole history of the current row's record (non-blocking); None without one."""
        row = self.current_row()
        if row is None:
            return None
        if row.get("row_id") is None:
            QMessageBox.information(self, "记录历史", "这一行不针对某一条记录（如备份、导出、登录），没有记录历史。")
            return None
        return self._show_dialog(RecordHistoryDialog(self.ctx, row["table_name"], row["row_id"], self))

    def export_log(self) -> LedgerOp | None:
        if not self.ctx.may("audit.view"):
            return None
        stamp = self.ctx.ledger.now().strftime("%Y%m%d")
        out = ask_export_path(self, "导出操作日志", f"操作日志_{stamp}.xlsx")
        if out is None:
            return None
        flt = self.current_filter()

        def work(ledger, progress, is_cancelled):
            report = writer_progress(progress, is_cancelled, "正在导出操作日志")
            return audit_log.export_audit(ledger, out, flt, progress=report, is_cancelled=is_cancelled)

        def done(n: int) -> None:
            self.refresh()   # the export is itself a row of the log
            QMessageBox.information(self, "导出完成", f"已导出操作日志 {n} 条到：\n{out}\n（身份证号、电话已打码）")

        return LedgerOp(self.ctx, work, parent=self, title="导出操作日志", progress=True,
                        cancellable=True).success(done).run()
