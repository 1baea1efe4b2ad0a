"""街道台账 · 月度评比 and 年度考评 (issue 12).

月度评比: the communities ranked over their pooled counts and every grid of every community
ranked together (:func:`models.street.ranking.street_month`), who has not reported, 导出排名
(csv/xlsx, by community or by grid) and 打印通报 (the street bulletin PDF).  年度考评: every
community's monthly totals, mean, grade and rank (:func:`models.street.ranking.street_year`).
Everything shown comes from the packages imported: the street ledger holds no personal data.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHeaderView, QLabel, QMessageBox, QTabWidget, QWidget

from models.core import periods
from models.core.periods import month_text
from models.street import ranking
from models.street.bulletin import street_annual_data, street_bulletin_data
from models.street.registry import is_street
from ui.models.evaluation_models import RowsModel
from ui.models.street_models import StreetRankingModel
from ui.ops import LedgerOp
from ui.widgets.layout import hbox, vbox
from ui.widgets.list_page import action_button, read_only_view
from ui.widgets.month_box import EndedMonthBox
from ui.widgets.export_file import ask_export_path



def _fit(view):
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    return view


def write_bulletin(ledger, month: str, out: Path) -> int:
    """The street bulletin of ``month`` to ``out`` (a temporary file moved into place)."""
    return _write_pdf(street_bulletin_data(ledger, month), out)


def write_annual(ledger, year: int, out: Path) -> int:
    """The street's 年度社区考评 of ``year`` to ``out``."""
    return _write_pdf(street_annual_data(ledger, year), out)


def _write_pdf(data, out: Path) -> int:
    import reports

    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=str(out.parent))
    os.close(fd)
    try:
        pages = reports.render(data, tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return pages


class StreetRankingPage(QWidget):
    """Signals:
        computed(): the month's figures are on screen (tests wait for it).
    """

    computed = Signal()
    REFRESH_AREAS = {"street", "settings", "evaluation", "*"}

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.result: ranking.StreetMonth | None = None
        self._job = None
        self.month = EndedMonthBox()
        self.status = QLabel()
        self.status.setObjectName("publishStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.export_button = action_button("导出排名…", self.export_ranking,
                                           tooltip="导出当前标签页的排名（社区或网格）为 Excel/CSV")
        self.print_button = action_button("打印通报…", self.print_bulletin,
                                          tooltip="生成街道社区和网格月度评比通报（PDF）")
        self.scheme_button = action_button("评比方案…", self.edit_scheme,
                                           tooltip="街道统一用这个方案给各社区、各网格计分")
        self.communities_model = StreetRankingModel(grids=False, parent=self)
        self.grids_model = StreetRankingModel(grids=True, parent=self)
        self.communities_view = _fit(read_only_view(self.communities_model))
        self.communities_view.setObjectName("streetCommunityRanking")
        self.grids_view = _fit(read_only_view(self.grids_model))
        self.grids_view.setObjectName("streetGridRanking")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.communities_view, "社区排名")
        self.tabs.addTab(self.grids_view, "网格排名（全街道）")
        hint = QLabel("社区按本社区各网格合并的计数计算（含全社区志愿活动），全街道网格统一排名；均按街道的评比方案计分，"
                      "数据来自各社区报送的定稿版本。浅红底为红榜（前 3 名），灰底为黑榜（后 3 名）。"
                      "鼠标停在指标上可看到计数。")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        vbox(hbox("评比月份：", self.month, (self.status, 1), self.scheme_button, self.export_button,
                  self.print_button),
             (self.tabs, 1), hint, parent=self)
        self._fill_months()
        self.month.currentIndexChanged.connect(lambda _i: self.refresh())
        ctx.changed.connect(self._on_changed)
        ctx.ledger_replaced.connect(self._fill_months)
        ctx.enable_if_allowed(self.scheme_button, "evaluation.scheme", self.scheme_button.toolTip())
        self.refresh()

    def edit_scheme(self) -> None:
        """The street's scheme (and its 通报落款单位): the community's 评比方案 dialog."""
        from ui.dialogs.evaluation import SchemeDialog

        self.last_scheme_dialog = SchemeDialog(self.ctx, self)
        self.last_scheme_dialog.exec()   # saved through a LedgerOp: the page refreshes on its Changes

    def _fill_months(self) -> None:
        self.month.fill(self.ctx.ledger.now())

    def current_month(self) -> str:
        return self.month.month()

    def set_month(self, month: str) -> None:
        if not self.month.select(month):
            self.refresh()

    def refresh(self) -> None:
        month = self.current_month()
        if not month or not is_street(self.ctx.ledger):   # a page left over from a street ledger
            return
        self.status.setText("正在计算……")
        self._job = LedgerOp(self.ctx, lambda ledger: ranking.street_month(ledger, month, with_previous=True),
                             parent=self, title=f"计算{month_text(month)}街道评比") \
            .success(lambda result: self._show(result) if result.month == self.current_month() else None).run()

    def _show(self, result: ranking.StreetMonth) -> None:
        self.result = result
        self.communities_model.set_figures(result.communities, result.scheme)
        self.grids_model.set_figures(result.grids, result.scheme)
        total = len(result.communities) + len(result.not_reported)
        text = f"{result.street_name} {month_text(result.month)}：{len(result.communities)} / {total} 个社区已报送，" \
               f"{len(result.grids)} 个网格参评"
        if result.not_reported:
            text += f"；未报送：{'、'.join(result.not_reported)}"
        others = [name for name, r in result.reports.items() if r.other_scheme]
        if others:
            text += f"；{'、'.join(others)}自评方案与街道不同，已按街道方案计算"
        self.status.setText(text)
        self.tabs.setTabText(0, f"社区排名（{len(result.communities)}）")
        self.tabs.setTabText(1, f"网格排名（全街道 {len(result.grids)}）")
        self.computed.emit()

    def _on_changed(self, area: str) -> None:
        if area in self.REFRESH_AREAS:
            self.refresh()

    # -- actions -----------------------------------------------------------------------------------
    def export_ranking(self) -> None:
        month = self.current_month()
        level = "grid" if self.tabs.currentIndex() == 1 else "community"
        what = "网格" if level == "grid" else "社区"
        start = str(Path(self.ctx.ledger.path or ".").parent / f"{month}{what}排名.xlsx")
        out = ask_export_path(self, f"导出{what}排名", start)
        if out is None:
            return
        LedgerOp(self.ctx, lambda ledger: ranking.export_street_ranking(ledger, out, month, level), parent=self,
                 title=f"导出{what}排名").success(
            lambda count: QMessageBox.information(self, "导出排名", f"已导出 {count} 行{what}排名到：\n{out}")).run()

    def print_bulletin(self) -> None:
        month = self.current_month()
        start = str(Path(self.ctx.ledger.path or ".").parent / f"{month}街道月度评比通报.pdf")
        file, _ = QFileDialog.getSaveFileName(self, "保存通报", start, "PDF 文件 (*.pdf)")
        if not file:
            return
        out = Path(file) if file.lower().endswith(".pdf") else Path(file + ".pdf")
        LedgerOp(self.ctx, lambda ledger: write_bulletin(ledger, month, out), parent=self,
                 title="生成街道通报").success(
            lambda pages: QMessageBox.information(self, "打印通报", f"通报已生成（共 {pages} 页）：\n{out}")).run()


class StreetAnnualPage(QWidget):
    """年度考评 over the street's communities."""

    computed = Signal()
    REFRESH_AREAS = {"street", "settings", "*"}

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.result = None
        self.year = QComboBox()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.model = RowsModel([], self)
        self.view = _fit(read_only_view(self.model))
        self.view.setObjectName("streetAnnual")
        hint = QLabel("年度得分 = 该社区已报送月份月度总分的平均数（“—”为当月未报送，不计入），等次按街道评比方案的分数线。"
                      "全年未报送的社区不参加考评。")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.print_button = action_button("打印考评表…", self.print_annual, tooltip="生成街道年度社区考评（PDF）")
        vbox(hbox("考评年度：", self.year, (self.status, 1), self.print_button), (self.view, 1), hint, parent=self)
        self._fill_years()
        self.year.currentIndexChanged.connect(lambda _i: self.refresh())
        ctx.changed.connect(lambda area: self.refresh() if area in self.REFRESH_AREAS else None)
        ctx.ledger_replaced.connect(self._fill_years)
        self.refresh()

    def _fill_years(self) -> None:
        self.year.blockSignals(True)
        self.year.clear()
        last = periods.month_of(self.ctx.ledger.now())
        this_year = int(last[:4])
        for y in range(this_year, this_year - 5, -1):
            self.year.addItem(f"{y}年", y)
        if last.endswith("-01") and self.year.count() > 1:
            self.year.setCurrentIndex(1)      # in January, last year is the one to assess
        self.year.blockSignals(False)

    def refresh(self) -> None:
        year = self.year.currentData()
        if year is None or not is_street(self.ctx.ledger):
            return
        LedgerOp(self.ctx, lambda ledger: ranking.street_year(ledger, year), parent=self,
                 title=f"计算{year}年度考评").success(self._show).run()

    def print_annual(self) -> None:
        year = self.year.currentData()
        start = str(Path(self.ctx.ledger.path or ".").parent / f"{year}年度社区考评.pdf")
        file, _ = QFileDialog.getSaveFileName(self, "保存考评表", start, "PDF 文件 (*.pdf)")
        if not file:
            return
        out = Path(file) if file.lower().endswith(".pdf") else Path(file + ".pdf")
        LedgerOp(self.ctx, lambda ledger: write_annual(ledger, year, out), parent=self,
                 title="生成年度考评").success(
            lambda pages: QMessageBox.information(self, "打印考评表", f"考评表已生成（共 {pages} 页）：\n{out}")).run()

    def _show(self, result) -> None:
        self.result = result
        columns = ["排名", "社区"] + [f"{int(m[5:])}月" for m in result.months] + ["报送月数", "年度得分", "等次"]
        rows = []
        for r in result.rows:
            row = {"排名": r.rank, "社区": r.community}
            for m in result.months:
                value = r.monthly.get(m)
                row[f"{int(m[5:])}月"] = "—" if value is None else f"{value:.2f}"
            row.update({"报送月数": r.months_counted, "年度得分": f"{r.total:.2f}", "等次": r.grade})
            rows.append(row)
        self.model.set_rows(rows, columns)
        grades = "，".join(f"{g} {n} 个" for g, n in result.grade_counts)
        self.status.setText(f"{result.street_name} {result.year}年：{len(result.rows)} 个社区参加考评（{grades}）"
                            if result.rows else f"{result.year}年还没有社区报送。")
        self.computed.emit()
