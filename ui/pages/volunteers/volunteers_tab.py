"""The 志愿者 tab: the volunteer list with hours for a period, and the selected volunteer's page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QMessageBox, QWidget

import reports
from models.reporting import data as report_data
from models.volunteers import records as vol_model
from ui.ops import LedgerOp
from ui.pages.volunteers.activity_dialog import ActivityDialog
from ui.pages.volunteers.common import ListModel, fmt_hours, reselect, run_if_confirmed, table
from ui.pages.volunteers.volunteer_dialog import VolunteerEditDialog
from ui.widgets.layout import STRETCH, hbox, hsplit, panel, vbox
from ui.widgets.list_page import action_button, refill_combo
from ui.widgets.period_bar import PeriodBar
from ui.widgets.search_edit import SearchEdit


def _label(scale: float, bold: bool = False) -> QLabel:
    """A label in a larger (and bold) type."""
    label = QLabel()
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    label.setFont(font)
    return label


class VolunteersTab(QWidget):
    """The volunteer list (hours in the period) and the selected volunteer's page."""

    COLUMNS = [("name", "姓名"), ("kind", "身份"), ("grid", "网格"), ("phone", "联系电话"), ("orgs", "所属组织"),
               ("activities", "活动（次）"), ("hours", "时长（小时）")]
    LIMIT = 1000   #: rows listed at most (the 200,000-household demo has 14,000 volunteers)
    HISTORY = [("on_date", "日期"), ("title", "活动名称"), ("type", "类型"), ("grid", "网格"), ("org", "组织单位"),
               ("hours", "小时")]

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.period = PeriodBar(ctx.ledger.now().date())
        self.search = SearchEdit("姓名或手机号", delay_ms=200)
        self.search.setMaximumWidth(160)
        self.org_box = QComboBox()
        self.org_box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.new_button = action_button("新增志愿者", self.new_volunteer)
        self.edit_button = action_button("编辑", self.edit_current)
        self.delete_button = action_button("删除", self.delete_current)
        self.count_label = QLabel()
        self.model = ListModel(self.COLUMNS, self)
        self.view = table(self.model, stretch="orgs",
                          widths={"name": 76, "kind": 56, "grid": 72, "phone": 104, "activities": 76, "hours": 96})

        self.name_label = _label(1.35, bold=True)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.hours_label = _label(1.2)
        self.hours_label.setStyleSheet("color: #1a5fb4;")
        self.history = ListModel(self.HISTORY, self)
        # 活动名称 gets a width of its own (stretched, it was squeezed to one character, "动名", at
        # 1366×768); together they fit the panel's half of a 1366-wide window, hours included (its
        # header 时长（小时） was cut off there); a narrower panel scrolls sideways
        self.history_view = table(self.history, widths={"on_date": 86, "title": 156, "type": 72, "grid": 60,
                                                        "org": 104, "hours": 52})
        self.certificate_button = action_button("开具志愿服务证明…", self.certificate,
                                                tooltip="按上方统计期间生成 PDF 证明（身份证号脱敏）")
        self.detail = panel(self.name_label, self.info_label, self.hours_label,
                            hbox("服务记录（双击查看活动）", STRETCH, self.certificate_button),
                            (self.history_view, 1), margins=(8, 0, 0, 0))
        left = panel(hbox(self.new_button, self.edit_button, self.delete_button, (self.count_label, 1)),
                     (self.view, 1))
        self.splitter = hsplit(left, self.detail, stretch=(1, 1), sizes=[600, 600])
        vbox(hbox(self.period, self.search, self.org_box, STRETCH), (self.splitter, 1), parent=self)

        self.search.search.connect(lambda _text: self.reload())
        self.org_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.period.changed.connect(self.reload)
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.show_volunteer_at(cur.row()))
        self.view.doubleClicked.connect(lambda _i: self.edit_current())
        self.history_view.doubleClicked.connect(self._open_history)
        self.current_id: int | None = None

    def refresh(self) -> None:
        refill_combo(self.org_box, "全部组织", [(o["name"], o["id"]) for o in vol_model.org_names(self.ctx.ledger)])
        self.reload()

    def reload(self) -> None:
        text, lo, hi = self.search.take(), *self.period.bounds()
        if lo > hi:
            self.count_label.setText("开始日期晚于结束日期，请调整统计期间。")
            return
        rows = vol_model.list_volunteers(self.ctx.ledger, text, self.org_box.currentData(), lo, hi,
                                         limit=self.LIMIT)
        for r in rows:
            r["kind"] = "居民" if r["resident_id"] else "社区外"
            r["grid"] = r["grid"] or ""
            r["orgs"] = r["orgs"] or ""
        keep = self.current_id
        self.model.set_rows(rows)
        total = round(sum(r["hours"] for r in rows), 2)
        if len(rows) < self.LIMIT:
            self.count_label.setText(f"  共 {len(rows)} 名志愿者，期间服务 {fmt_hours(total)} 小时")
        else:
            everyone = vol_model.count_volunteers(self.ctx.ledger, text, self.org_box.currentData())
            self.count_label.setText(f"  共 {everyone} 名志愿者，列出服务时长最多的 {len(rows)} 名；"
                                     "找其他人请按姓名或手机号搜索")
        self.show_volunteer_at(reselect(self.view, keep))

    def show_volunteer_at(self, row: int) -> None:
        r = self.model.row_dict(row)
        self.show_volunteer(r["id"] if r else None)

    def show_volunteer(self, volunteer_id: int | None) -> None:
        self.current_id = volunteer_id
        self.certificate_button.setEnabled(volunteer_id is not None)
        if volunteer_id is None:
            self.name_label.setText("")
            self.info_label.setText("没有符合条件的志愿者。")
            self.hours_label.setText("")
            self.history.set_rows([])
            return
        ledger = self.ctx.ledger
        lo, hi = self.period.bounds()
        vol = vol_model.get_volunteer(ledger, volunteer_id)
        self.name_label.setText(vol["name"])
        lines = [vol["kind"] + (f"，{vol['address']}" if vol["address"] else "")]
        if vol["id_masked"]:
            lines.append(f"身份证号：{vol['id_masked']}")
        if vol["phone"]:
            lines.append(f"联系电话：{vol['phone']}")
        lines.append("所属组织：" + ("、".join(o["name"] for o in vol["orgs"]) or "（无）"))
        if vol["skills"]:
            lines.append(f"技能特长：{vol['skills']}")
        self.info_label.setText("\n".join(lines))
        history = vol_model.service_history(ledger, volunteer_id, lo, hi)
        for h in history:
            h["org"] = h["org"] or ""
        total = vol_model.volunteer_hours(ledger, volunteer_id, lo, hi)
        self.hours_label.setText(f"{lo} 至 {hi}：参加 {len(history)} 次活动，服务时长合计 {fmt_hours(total)} 小时")
        self.history.set_rows(history)

    def _open_history(self, index) -> None:
        row = self.history.row_dict(index.row())
        if row is None:
            return
        dialog = ActivityDialog(self.ctx, row["activity_id"], self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()

    def certificate(self) -> None:
        """Save the selected volunteer's 志愿服务证明 for the period as a PDF."""
        if self.current_id is None:
            QMessageBox.information(self, "志愿服务证明", "请先在列表中选择一名志愿者。")
            return
        volunteer_id, (lo, hi), name = self.current_id, self.period.bounds(), self.name_label.text()
        file, _ = QFileDialog.getSaveFileName(self, "保存志愿服务证明",
                                              str(Path.home() / f"志愿服务证明_{name}_{lo}_{hi}.pdf"),
                                              "PDF 文件 (*.pdf)")
        if not file:
            return
        path = Path(file) if file.lower().endswith(".pdf") else Path(file + ".pdf")
        LedgerOp(self.ctx, lambda ledger: reports.render(report_data.certificate(ledger, volunteer_id, lo, hi),
                                                         str(path)),
                 parent=self, title="生成证明").success(lambda _r: QMessageBox.information(
                     self, "志愿服务证明", f"已生成“{name}”{lo} 至 {hi} 的志愿服务证明：\n{path}")).run()

    def new_volunteer(self):
        dialog = VolunteerEditDialog(self.ctx, None, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def edit_current(self):
        if self.current_id is None:
            QMessageBox.information(self, "志愿者", "请先在列表中选择一名志愿者。")
            return None
        dialog = VolunteerEditDialog(self.ctx, self.current_id, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def delete_current(self) -> None:
        if self.current_id is None:
            QMessageBox.information(self, "删除志愿者", "请先在列表中选择一名志愿者。")
            return
        name = self.name_label.text()
        volunteer_id = self.current_id
        run_if_confirmed(self, self.ctx, "删除志愿者", f"确定要删除志愿者“{name}”吗？\n（有服务记录的志愿者不能删除。）",
                         lambda ledger: vol_model.delete_volunteer.op(ledger, volunteer_id), "删除")

