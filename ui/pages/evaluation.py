"""月度评比: pick a month → ranking with every indicator → the records behind a cell →
加减分 → 定稿 (publish), with the differences against the published figures.

The table shows the figures computed from the ledger now (as of the month's last
second); once the month is 定稿 the status line says which version is published
and the 与定稿的差异 tab lists every figure that has changed since.  Computing and
every action run as :class:`ui.ops.LedgerOp` (a 400-grid ledger takes about a second);
the buttons follow the permission table (``evaluation.adjust|publish|scheme``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHeaderView, QInputDialog, QLabel,
                               QMessageBox, QSplitter, QTableView, QTabWidget, QWidget)

from models.core.periods import month_text, recent_months
from models.evaluation import adjustments, monthly, publications, publishing
from models.evaluation.figures import MonthEvaluation
from models.street import package
from ui.dialogs.evaluation import AdjustmentDialog, SchemeDialog, TraceDialog
from ui.errors import show_error
from ui.models.evaluation_models import RankingModel, RowsModel
from ui.ops import LedgerOp
from ui.widgets.layout import STRETCH, hbox, panel, vbox
from ui.widgets.list_page import action_button, read_only_view

#: areas whose changes alter the figures
WATCHED = {"residents", "grids", "matters", "visits", "volunteers", "evaluation", "settings", "*"}

ADJUSTMENT_COLUMNS = ["计入", "网格/社区", "分值", "原因", "给分人", "来源", "时间"]
DIFF_COLUMNS = ["网格/社区", "项目", "定稿值", "当前值"]


#: the buttons and the row of the permission table each one needs
BUTTON_ACTIONS = (("add_button", "evaluation.adjust"), ("remove_button", "evaluation.adjust"),
                  ("publish_button", "evaluation.publish"), ("scheme_button", "evaluation.scheme"))
PACKAGE_TIP = "导出本月定稿的评比数据（签名的报送文件，不含居民个人信息），交街道办导入"
PACKAGE_FILTER = "报送文件 (*.glpkg)"


def _compute(ledger, month: str):
    """Everything the page shows for ``month`` (a read, run as a LedgerOp)."""
    evaluation = monthly.evaluate(ledger, month, with_previous=True)
    return {
        "evaluation": evaluation,
        "adjustments": adjustments.adjustments(ledger, month, evaluation.scheme)
        + adjustments.adjustments(ledger, month[:4]),
        "published": publications.latest_publication(ledger, month),
        "diff": publishing.diff_against_published(ledger, month),
    }


class EvaluationPage(QWidget):
    """Signals:
        computed(): new figures are on screen (tests wait for it).
    """

    computed = Signal()

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.evaluation: MonthEvaluation | None = None
        self.publication = None
        self._stale = False
        self._job = None
        self._publish_job = None

        self.month = QComboBox()
        self.month.setMinimumWidth(130)
        self._fill_months()
        self.status = QLabel()
        self.status.setObjectName("publishStatus")
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.add_button = action_button("新增加减分…", self.add_adjustment)
        self.remove_button = action_button("删除加减分", self.remove_adjustment)
        self.publish_button = action_button("定稿", self.publish)
        self.scheme_button = action_button("评比方案…", self.edit_scheme)
        self.refresh_button = action_button("重新计算", self.refresh)
        self.print_button = action_button("打印通报…", self.print_bulletin,
                                          tooltip="在“报表”中预览并打印本月的月度评比通报")
        self.package_button = action_button("报送…", self.export_package, tooltip=PACKAGE_TIP)

        self.model = RankingModel(self)
        self.table = read_only_view(self.model)
        self.table.setObjectName("rankingTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectItems)   # a cell: its records
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.hint = QLabel("点击指标或加减分单元格，可查看计分依据（哪些事项、哪些住户、哪些居民）。"
                           "浅红底为红榜（前 3 名），灰底为黑榜（后 3 名），并列的一同列入。")
        self.hint.setWordWrap(True)    # one line was cut at the right at 150 % (issue 13)
        self.community = QLabel()
        self.community.setWordWrap(True)

        self.adjustments_model = RowsModel(ADJUSTMENT_COLUMNS, self)
        self.adjustments_view = _rows_view(self.adjustments_model)
        self.diff_model = RowsModel(DIFF_COLUMNS, self)
        self.diff_view = _rows_view(self.diff_model)
        self.tabs = QTabWidget()
        self.tabs.addTab(panel(self.adjustments_view,
                               hbox("督办黄牌、红牌按评比方案自动扣分，不能删除。", STRETCH, self.remove_button),
                               margins=None), "加减分")
        self.tabs.addTab(self.diff_view, "与定稿的差异")

        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(panel((self.table, 1), self.community, self.hint))
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        # at 1366×768 the 加减分 list showed two rows (issue 13): room for a header and five rows
        rows = self.adjustments_view.verticalHeader().defaultSectionSize()
        self.tabs.setMinimumHeight(self.tabs.tabBar().sizeHint().height() + rows * 7
                                   + self.remove_button.sizeHint().height() + 32)
        # the status on a line of its own: beside seven buttons it pushed them over each other at
        # 150 % scaling (911 logical pixels wide)
        self.status.setWordWrap(True)
        vbox(hbox("评比月份：", self.month, self.refresh_button, STRETCH, self.add_button,
                  self.publish_button, self.package_button, self.scheme_button, self.print_button),
             self.status, (splitter, 1), parent=self)

        self.month.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.clicked.connect(self.open_trace)
        ctx.changed.connect(self._on_changed)
        ctx.ledger_replaced.connect(self._fill_months)
        ctx.ledger_replaced.connect(self._apply_role)
        self._apply_role()
        self.refresh()

    def _apply_role(self) -> None:
        """The buttons the operator's role may use (the permission table decides)."""
        for name, action in BUTTON_ACTIONS:
            self.ctx.enable_if_allowed(getattr(self, name), action)
        self._apply_package()

    def _apply_package(self) -> None:
        """报送: only for a published (定稿) month, and for who may (``evaluation.package``)."""
        if self.ctx.enable_if_allowed(self.package_button, "evaluation.package", PACKAGE_TIP) \
                and getattr(self, "publication", None) is None:
            self.package_button.setEnabled(False)
            self.package_button.setToolTip("本月尚未定稿：定稿后才能报送")

    # -- data ------------------------------------------------------------------------------------
    def _fill_months(self) -> None:
        """Months up to the current one; the default is the last month that has ended."""
        self.month.blockSignals(True)
        self.month.clear()
        for month in recent_months(self.ctx.ledger.now(), 36):
            self.month.addItem(month_text(month), month)
        self.month.setCurrentIndex(1 if self.month.count() > 1 else 0)
        self.month.blockSignals(False)

    def current_month(self) -> str:
        return self.month.currentData()

    def print_bulletin(self) -> None:
        """Open the 报表 page on this month's 月度评比通报 and generate its preview."""
        window = getattr(self.ctx, "window", None)
        if window is None or not self.current_month():
            return
        window.show_page("reports").preview("monthly", month=self.current_month())

    def set_month(self, month: str) -> None:
        index = self.month.findData(month)
        if index < 0:
            self.month.addItem(month_text(month), month)
            index = self.month.count() - 1
        if index == self.month.currentIndex():
            self.refresh()
        else:
            self.month.setCurrentIndex(index)  # refreshes

    def refresh(self) -> None:
        """Recompute the selected month (a LedgerOp: off the GUI thread)."""
        month = self.current_month()
        if not month:
            return
        self._stale = False
        if self._job is not None and self._job.is_running():
            self._job.cancel()
        self.status.setText("正在计算……")
        self._job = LedgerOp(self.ctx, lambda ledger: _compute(ledger, month), parent=self,
                             title=f"计算{month_text(month)}评比").quiet() \
            .success(lambda result: self._show(result) if result["evaluation"].month == self.current_month()
                     else None) \
            .run()

    def _show(self, result: dict) -> None:
        evaluation = result["evaluation"]
        self.evaluation = evaluation
        self.publication = result["published"]
        self.model.set_evaluation(evaluation)
        items = result["adjustments"]
        self.adjustments_model.set_rows(
            [{"计入": month_text(a.period) if len(a.period) == 7 else f"{a.period}年度",
              "网格/社区": a.target_name if a.grid_id is not None else f"{a.target_name}（全社区）", "分值": f"{a.points:+g}", "原因": a.reason, "给分人": a.author,
              "来源": "手工" if a.source == "手工" else "督办发牌", "时间": a.at} for a in items],
            ADJUSTMENT_COLUMNS, payload=[a.id for a in items])
        diffs = result["diff"]
        self.diff_model.set_rows([{"网格/社区": d.name, "项目": d.label, "定稿值": _text(d.published),
                                   "当前值": _text(d.current)} for d in diffs], DIFF_COLUMNS)
        pub = self.publication
        if pub is None and self.ctx.ledger.now_ts() <= evaluation.as_of:
            self.status.setText(f"{month_text(evaluation.month)}：本月尚未结束，按目前已录入的数据计算，不能定稿")
        elif pub is None:
            self.status.setText(f"{month_text(evaluation.month)}：未定稿（按当前数据计算，截至 {evaluation.as_of}）")
            self.publish_button.setText("定稿")
        else:
            text = f"已定稿（第{pub.version}版，{pub.published_at[:16]} {pub.published_by}）"
            text += f"；与定稿相比有 {len(diffs)} 处变化，见“与定稿的差异”" if diffs else "；数据与定稿一致"
            self.status.setText(text)
            self.publish_button.setText("重新定稿")
        self.tabs.setTabText(1, f"与定稿的差异（{len(diffs)}）" if diffs else "与定稿的差异")
        self._apply_package()
        lines = []
        for c in evaluation.communities:
            parts = "，".join(f"{i.name} {i.percent}" for i in c.indicators.values())
            adjusted = f"；社区加减分 {c.adjustments:+.2f}" if c.adjustments else ""
            lines.append(f"{c.name}（全社区合计 {c.households} 户、{c.residents} 人）：{parts}{adjusted}；"
                         f"总分 {c.total:.2f}")
        self.community.setText("\n".join(lines))
        self.computed.emit()

    # -- actions ---------------------------------------------------------------------------------
    def open_trace(self, index) -> TraceDialog | None:
        """Show the records behind the clicked cell (indicators and 加减分 columns)."""
        if not index.isValid() or not self.model.is_traceable(index.column()):
            return None
        figures = self.model.figures(index.row())
        try:
            dialog = TraceDialog(self.ctx.ledger, self.evaluation.month, figures,
                                 self.model.column_key(index.column()), self)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, title="无法查看计分依据")
            return None
        self.last_trace = dialog
        dialog.exec()
        return dialog

    def add_adjustment(self) -> None:
        if self.evaluation is None:
            return
        grids = [(g.grid_id, g.name) for g in self.evaluation.grids]
        communities = [(c.community_id, c.name) for c in self.evaluation.communities]
        current = self.table.currentIndex()
        selected = self.model.figures(current.row()).grid_id if current.isValid() else None
        dialog = AdjustmentDialog(self.ctx, self.evaluation.month, grids, self, grid_id=selected,
                                  communities=communities)
        self.last_adjustment_dialog = dialog
        dialog.exec()   # saved through a LedgerOp: the page refreshes on its Changes

    def remove_adjustment(self) -> None:
        index = self.adjustments_view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, "删除加减分", "请先在列表中选择一条手工加减分。")
            return
        adjustment_id = self.adjustments_model.payload(index.row())
        row = self.adjustments_model.row_dict(index.row())
        if adjustment_id is None:
            QMessageBox.information(self, "删除加减分", "督办发牌的自动扣分不能删除（可撤销的是督办本身）。")
            return
        answer = QMessageBox.question(self, "删除加减分",
                                      f"确定删除“{row['网格/社区']} {row['分值']} 分：{row['原因']}”吗？")
        if answer != QMessageBox.Yes:
            return
        LedgerOp(self.ctx, lambda ledger: adjustments.remove_adjustment.op(ledger, adjustment_id), parent=self,
                 title="删除加减分").disabling(self.remove_button).run()

    def publish(self) -> None:
        """定稿 (confirm); republishing asks for the reason."""
        month = self.current_month()
        label = month_text(month)
        reason = ""
        if self.publication is None:
            answer = QMessageBox.question(
                self, "定稿", f"确定将{label}的评比结果定稿吗？\n定稿后，通报和导出使用定稿时的数据；"
                              f"之后的修改会显示为与定稿的差异，需要重新定稿才会生效。")
            if answer != QMessageBox.Yes:
                return
        else:
            reason, ok = QInputDialog.getText(
                self, "重新定稿", f"{label}已定稿（第 {self.publication.version} 版）。\n请填写重新定稿的原因：")
            if not ok:
                return
            if not reason.strip():
                QMessageBox.warning(self, "重新定稿", "重新定稿必须填写原因。")
                return
        # recomputing the month takes about a second on a large ledger: the window stays responsive
        before = self.status.text()
        self.status.setText(f"正在定稿{label}……")
        job = LedgerOp(self.ctx, lambda ledger: publishing.publish.op(ledger, month, reason), parent=self,
                       title=f"{label}定稿").disabling(self.publish_button).success(self._published)
        job.finished.connect(lambda: self.status.setText(before) if job.error is not None else None)
        self._publish_job = job.run()

    def _published(self, changes) -> None:
        """After 定稿 (every page has refreshed from its Changes): tell the clerk."""
        pub = changes.result
        QMessageBox.information(self, "定稿", f"{month_text(pub.month)}已定稿（第 {pub.version} 版）。")

    def export_package(self) -> None:
        """报送: save the published month's signed package (``models.street.package.export_package``)."""
        pub = self.publication
        if pub is None:
            QMessageBox.information(self, "报送", "本月尚未定稿：请先定稿，再报送。")
            return
        month = pub.month
        changed = self.diff_model.rowCount()
        if changed:
            answer = QMessageBox.question(
                self, "报送", f"当前数据与定稿相比有 {changed} 处变化（见“与定稿的差异”）。\n"
                              f"报送的是第 {pub.version} 版定稿的数据；要报送新数据，请先“重新定稿”。\n\n"
                              f"仍然报送第 {pub.version} 版吗？")
            if answer != QMessageBox.Yes:
                return
        name = f"{self.ctx.ledger.community_name or '社区'}_{month}_第{pub.version}版.glpkg"
        start = str(Path(self.ctx.ledger.path or ".").parent / name)
        file, _ = QFileDialog.getSaveFileName(self, "报送文件保存到", start, PACKAGE_FILTER)
        if not file:
            return
        out = Path(file) if file.lower().endswith(".glpkg") else Path(file + ".glpkg")
        LedgerOp(self.ctx, lambda ledger: package.export_package.op(ledger, month, out), parent=self,
                 title="报送").disabling(self.package_button).success(self._exported).run()

    def _exported(self, changes) -> None:
        done = changes.result
        QMessageBox.information(
            self, "报送", f"已导出{month_text(self.publication.month)}报送文件（定稿第 {done['version']} 版，"
                          f"{done['grids']} 个网格）：\n{done['path']}\n\n请把这个文件交给街道办（U 盘或聊天软件均可）。"
                          f"\n街道第一次导入时会电话核对本台账的公钥指纹：\n{done['fingerprint']}")

    def edit_scheme(self) -> None:
        dialog = SchemeDialog(self.ctx, self)
        self.last_scheme_dialog = dialog
        dialog.exec()   # saved through a LedgerOp: the pages refresh on its Changes

    # -- refresh on changes ----------------------------------------------------------------------
    def _on_changed(self, area: str) -> None:
        if area not in WATCHED:
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def on_shown(self) -> None:
        if self._stale:
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            self.refresh()


def _rows_view(model) -> QTableView:
    """A list of rows under the ranking: read-only, columns fitted, the last one stretched."""
    view = read_only_view(model)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
