"""报表: choose a report and its period → PDF preview inside the window → 打印 or 另存为 PDF.

The data is gathered and the PDF laid out off the GUI thread (a :class:`ui.ops.LedgerOp`)
with a progress dialog; the finished PDF goes to a private temporary folder and
is shown with QtPdf (``QPdfDocument`` + ``QPdfView``).  Printing renders each
page at up to 300 dpi into the chosen printer (Qt's print dialog, in Chinese
through the application's translators).  The temporary folder is removed when
the page goes away (a roster with full ID numbers must not linger on disk).
"""

from __future__ import annotations

import atexit
import datetime as dt
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

from PySide6.QtCore import QDate, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QTransform
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QSizePolicy, QSpinBox,
                               QVBoxLayout, QWidget)

import reports
from models.core.periods import month_text, recent_months
from models.grids import hierarchy as grids_model
from models.reporting import data as rd
from models.residents import records as residents_model
from models.volunteers import records as volunteers_model
from models.core.errors import LedgerError
from reports.fonts import register_fonts
from reports.templates import RenderCancelled
from ui.ops import LedgerOp
from ui.widgets.list_page import action_button

#: preview PDFs live in a private temporary folder with this prefix
TMP_PREFIX = "gridledger-report-"
#: the highest resolution pages are rendered at for printing (A4 at 300 dpi ≈ 35 MB per page image)
PRINT_DPI = 300
ZOOMS = [("适合宽度", "width"), ("整页", "page"), ("100%", 1.0), ("150%", 1.5)]


def _qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _text_of(edit: QDateEdit) -> str:
    return edit.date().toString("yyyy-MM-dd")


def _date_edit(value: dt.date) -> QDateEdit:
    edit = QDateEdit(_qdate(value))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _remove_stale_previews(max_age_hours: float = 12) -> None:
    """Remove preview folders left behind by a crash (or held open by a PDF viewer on Windows)."""
    cutoff = time.time() - max_age_hours * 3600
    for folder in Path(tempfile.gettempdir()).glob(TMP_PREFIX + "*"):
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass


def _safe_file_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "报表"


class ReportsPage(QWidget):
    """The 报表 page.

    Signals:
        rendered(int): a preview is on screen (its page count).
    """

    rendered = Signal(int)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._job = None
        _remove_stale_previews()
        self._tmp_dir = Path(tempfile.mkdtemp(prefix=TMP_PREFIX))
        tmp = self._tmp_dir
        atexit.register(shutil.rmtree, tmp, True)
        self._serial = 0
        self._sensitive_tags: set[int] = set()
        self.current_pdf: Path | None = None
        self.current_title = ""
        self.destroyed.connect(lambda *_: shutil.rmtree(tmp, ignore_errors=True))
        # Parsing the CJK fonts takes a moment: do it now, off the GUI thread, not on the first preview.
        threading.Thread(target=register_fonts, name="report-fonts", daemon=True).start()
        self._build()
        self.refresh()

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        today = self.ctx.ledger.now().date()
        self.kind = QComboBox()
        for kind in rd.REPORT_KINDS:
            self.kind.addItem(kind.title, kind.key)
        self.month = QComboBox()
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(today.year)
        self.date_from = _date_edit(today.replace(day=1))
        self.date_to = _date_edit(today)
        self.as_of = _date_edit(today)
        self.grid = QComboBox()
        self.building = QComboBox()
        self.tag = QComboBox()
        self.include_sensitive = QCheckBox("包含重点人员")
        self.full_ids = QCheckBox("打印完整身份证号")
        self.full_ids.setToolTip("完整身份证号属于个人敏感信息，打印将记入审计日志。")
        self.include_sensitive.setToolTip("重点人员名单仅限授权人员查阅。")
        self.volunteer_search = QLineEdit()
        self.volunteer_search.setPlaceholderText("输入姓名或电话查找")
        self.volunteer = QComboBox()
        self.volunteer.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.volunteer.setMinimumContentsLength(12)
        self.doc_number = QLineEdit()
        self.doc_number.setPlaceholderText("可不填，例如 幸社评〔2026〕10号")
        self.doc_number.setToolTip("印在红头下方的发文字号（可不填）。")
        self.copy_to = QLineEdit()
        self.copy_to.setPlaceholderText("可不填，例如 某某街道办事处")
        self.copy_to.setToolTip("印在通报末页版记中的抄送机关（可不填）。")

        self.form = QFormLayout()
        self.form.addRow("报表：", self.kind)
        self.form.addRow("月份：", self.month)
        self.form.addRow("年份：", self.year)
        self.form.addRow("开始日期：", self.date_from)
        self.form.addRow("结束日期：", self.date_to)
        self.form.addRow("截至日期：", self.as_of)
        self.form.addRow("网格：", self.grid)
        self.form.addRow("楼栋：", self.building)
        self.form.addRow("人群：", self.tag)
        self.form.addRow("", self.include_sensitive)
        self.form.addRow("", self.full_ids)
        self.form.addRow("查找志愿者：", self.volunteer_search)
        self.form.addRow("志愿者：", self.volunteer)
        self.form.addRow("发文字号：", self.doc_number)
        self.form.addRow("抄送：", self.copy_to)

        self.generate_button = action_button("生成预览", self.generate)
        self.generate_button.setDefault(True)
        self.print_button = action_button("打印…", self.print_report)
        self.save_button = action_button("另存为 PDF…", self.save_as)
        for button in (self.print_button, self.save_button):
            button.setEnabled(False)
        self.status = QLabel("选择报表和期间后，点击“生成预览”。")
        self.status.setWordWrap(True)

        settings = QGroupBox("报表设置")
        left = QVBoxLayout(settings)
        left.addLayout(self.form)
        left.addWidget(self.generate_button)
        left.addWidget(self.print_button)
        left.addWidget(self.save_button)
        left.addWidget(self.status)
        left.addStretch(1)
        settings.setFixedWidth(300)

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.zoom = QComboBox()
        for text, value in ZOOMS:
            self.zoom.addItem(text, value)
        self.pages_label = QLabel("")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("预览"))
        bar.addStretch(1)
        bar.addWidget(self.pages_label)
        bar.addWidget(QLabel("缩放："))
        bar.addWidget(self.zoom)
        right = QVBoxLayout()
        right.addLayout(bar)
        right.addWidget(self.view, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(settings)
        layout.addLayout(right, 1)

        self._volunteer_timer = QTimer(self)
        self._volunteer_timer.setSingleShot(True)
        self._volunteer_timer.setInterval(250)
        self._volunteer_timer.timeout.connect(self._load_volunteers)
        self.volunteer_search.textEdited.connect(lambda _t: self._volunteer_timer.start())
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.grid.currentIndexChanged.connect(self._load_buildings)
        self.zoom.currentIndexChanged.connect(self._zoom_changed)
        self.ctx.changed.connect(self._area_changed)
        self.ctx.ledger_replaced.connect(self.clear_preview)
        # a preview (and the file name 另存为 offers) belongs to the choices it was made for: any
        # change of report, period or scope clears it (issue 13: the old preview stayed on screen)
        for combo in (self.kind, self.month, self.grid, self.building, self.tag, self.volunteer):
            combo.currentIndexChanged.connect(self._choice_changed)
        self.year.valueChanged.connect(self._choice_changed)
        for edit in (self.date_from, self.date_to, self.as_of):
            edit.dateChanged.connect(self._choice_changed)
        for box in (self.include_sensitive, self.full_ids):
            box.toggled.connect(self._choice_changed)

    # -- data of the pickers ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the pickers (months, grids, tags, volunteers) from the ledger."""
        ledger = self.ctx.ledger
        current_month = self.month.currentData()
        self.month.blockSignals(True)
        self.month.clear()
        months = recent_months(ledger.now(), 36)
        for month in months:
            self.month.addItem(month_text(month), month)
        # the month that can be evaluated in full is the previous one
        wanted = current_month or months[1]
        self.month.setCurrentIndex(max(0, self.month.findData(wanted)))
        self.month.blockSignals(False)

        current_grid = self.grid.currentData()
        self.grid.blockSignals(True)
        self.grid.clear()
        self.grid.addItem("全部网格", None)
        rows = grids_model.grids(ledger)
        several = len({r["community"] for r in rows}) > 1
        for r in rows:
            self.grid.addItem(f"{r['community']} · {r['name']}" if several else r["name"], r["id"])
        self.grid.setCurrentIndex(max(0, self.grid.findData(current_grid)))
        self.grid.blockSignals(False)
        self._load_buildings()

        self.tag.clear()
        self.tag.addItem("全部人群", None)
        self._sensitive_tags = set()
        for t in residents_model.tag_list(ledger, self.ctx.may("personal.see_sensitive")):
            self.tag.addItem(t["name"] + ("（重点人员）" if t["sensitive"] else ""), t["id"])
            if t["sensitive"]:
                self._sensitive_tags.add(t["id"])
        self._load_volunteers()
        self._kind_changed()

    def _load_buildings(self) -> None:
        self.building.clear()
        self.building.addItem("全部楼栋", None)
        grid_id = self.grid.currentData()
        if grid_id is not None:
            for b in grids_model.buildings(self.ctx.ledger, grid_id):
                self.building.addItem(f"{b['compound']}{b['name']}", b["id"])

    def _load_volunteers(self) -> None:
        current = self.volunteer.currentData()
        self.volunteer.clear()
        for v in volunteers_model.list_volunteers(self.ctx.ledger, self.volunteer_search.text(), limit=50):
            grid = f"，{v['grid']}" if v.get("grid") else ""
            self.volunteer.addItem(f"{v['name']}（{v['hours']:g} 小时{grid}）", v["id"])
        if current is not None:
            self.volunteer.setCurrentIndex(max(0, self.volunteer.findData(current)))

    def _area_changed(self, area: str) -> None:
        if area in ("*", "grids", "volunteers", "settings", "residents"):
            self.refresh()

    def selected_kind(self) -> rd.ReportKind:
        return rd.report_kind(self.kind.currentData())

    def _kind_changed(self) -> None:
        kind = self.selected_kind()
        show = {
            self.month: kind.period == "month", self.year: kind.period == "year",
            self.date_from: kind.period == "range", self.date_to: kind.period == "range",
            self.as_of: kind.period == "as_of", self.grid: bool(kind.grid), self.building: kind.building,
            self.tag: kind.tags, self.include_sensitive: kind.tags and self.ctx.may("personal.see_sensitive"),
            self.full_ids: kind.ids and self.ctx.may("personal.full_ids"),
            self.volunteer_search: kind.volunteer, self.volunteer: kind.volunteer,
            self.doc_number: kind.notice, self.copy_to: kind.notice,
        }
        for widget, visible in show.items():
            self.form.setRowVisible(widget, visible)
        # 全部网格 is offered only where it works (居民花名册 is printed one grid at a time)
        all_grids = self.grid.model().item(0) if self.grid.count() else None
        if all_grids is not None:
            all_grids.setEnabled(kind.grid != "required")
        if kind.grid == "required" and self.grid.currentData() is None and self.grid.count() > 1:
            self.grid.setCurrentIndex(1)
        if kind.volunteer:
            # a certificate usually covers the year so far
            self.date_from.setDate(QDate(self.ctx.ledger.now().year, 1, 1))

    # -- the request -----------------------------------------------------------------------------------
    def request(self) -> rd.ReportRequest:
        """What the clerk chose (validated later by ``report_data.gather``)."""
        kind = self.selected_kind()
        req = rd.ReportRequest(kind.key)
        if kind.period == "month":
            req.month = self.month.currentData()
        elif kind.period == "year":
            req.year = self.year.value()
        elif kind.period == "range":
            req.date_from, req.date_to = _text_of(self.date_from), _text_of(self.date_to)
        else:
            req.as_of = _text_of(self.as_of)
        if kind.grid:
            req.grid_id = self.grid.currentData()
        if kind.building:
            req.building_id = self.building.currentData()
        if kind.tags and self.tag.currentData() is not None:
            req.tag_ids = [self.tag.currentData()]
        if kind.tags:
            req.include_sensitive = self.include_sensitive.isChecked() and self.ctx.may("personal.see_sensitive")
            if self.tag.currentData() in self._sensitive_tags:
                req.include_sensitive = True  # only listed for operators who may see them
        if kind.ids:
            req.full_ids = self.full_ids.isChecked() and self.ctx.may("personal.full_ids")
        if kind.volunteer:
            req.volunteer_id = self.volunteer.currentData()
        if kind.notice:
            req.doc_number, req.copy_to = self.doc_number.text().strip(), self.copy_to.text().strip()
        return req

    def _period_text(self, req: rd.ReportRequest) -> str:
        if req.month:
            return month_text(req.month)
        if req.year:
            return f"{req.year}年"
        if req.date_from:
            return f"{req.date_from}至{req.date_to}"
        return f"截至{req.as_of}"

    def preview(self, kind: str, *, month: str | None = None, year: int | None = None,
                grid_id: int | None = None) -> None:
        """Select a report (and its month/year/grid) and generate its preview — for other pages,
        e.g. a “打印通报” button on the 月度评比 page: ``window.show_page("reports").preview("monthly",
        month="2026-10")``."""
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        if month is not None:
            if self.month.findData(month) < 0:
                self.month.addItem(month_text(month), month)
            self.month.setCurrentIndex(self.month.findData(month))
        if year is not None:
            self.year.setValue(int(year))
        if grid_id is not None:
            self.grid.setCurrentIndex(max(0, self.grid.findData(grid_id)))
        self.generate()

    # -- generating ------------------------------------------------------------------------------------
    def generate(self) -> None:
        """Gather and lay out the chosen report off the GUI thread, then preview it."""
        req = self.request()
        kind = self.selected_kind()
        if kind.grid == "required" and req.grid_id is None:
            QMessageBox.warning(self, "请选择网格", f"{kind.title}按网格打印，请先选择一个网格。")
            return
        if kind.volunteer and req.volunteer_id is None:
            QMessageBox.warning(self, "请选择志愿者", "请先查找并选择一名志愿者。")
            return
        if req.full_ids:
            answer = QMessageBox.question(
                self, "打印完整身份证号",
                "完整身份证号属于个人敏感信息。本次打印将记入审计日志，打印件请妥善保管、用后销毁。\n确定要打印完整身份证号吗？",
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                return
        if self._job is not None and self._job.is_running():
            return
        self._serial += 1
        target = self._tmp_dir / f"report-{self._serial}.pdf"
        title = f"{kind.title.split('（')[0]}_{self._period_text(req)}"

        def work(ledger, progress, cancelled):
            progress("正在汇总数据……")
            data = rd.gather(ledger, req, progress=progress)
            if cancelled():
                return None
            progress("正在排版……")

            def page_done(pages: int) -> None:
                if cancelled():
                    raise RenderCancelled("已取消")
                progress(f"正在排版……已完成 {pages} 页")

            pages = reports.render(data, str(target), progress=page_done)
            return {"path": target, "pages": pages, "title": title}

        self.status.setText("正在生成……")
        self.generate_button.setEnabled(False)
        job = LedgerOp(self.ctx, work, parent=self, title=f"生成{kind.title.split('（')[0]}", progress=True,
                       cancellable=True).success(self._show)
        job.finished.connect(self._job_finished)
        self._job = job   # before run(): a synchronous executor delivers within run()
        job.run()

    def _job_finished(self) -> None:
        self.generate_button.setEnabled(True)
        job = self._job
        if job is None:
            return
        if job.cancelled:
            self.status.setText("已取消生成。")
        elif job.error is not None:
            self._failed(job.error)

    def _failed(self, exc: BaseException) -> None:
        self.generate_button.setEnabled(True)
        self.status.setText("生成失败：" + (str(exc) if isinstance(exc, LedgerError) else "程序内部出错，详见日志。"))

    def _show(self, result: dict | None) -> None:
        self.generate_button.setEnabled(True)
        if not result:
            self.status.setText("已取消。")
            return
        old = self.current_pdf
        self.document.close()
        error = self.document.load(str(result["path"]))
        if error != QPdfDocument.Error.None_:
            self.status.setText("无法打开生成的 PDF 预览。")
            return
        if old is not None and old != result["path"]:
            old.unlink(missing_ok=True)
        self.current_pdf = Path(result["path"])
        self.current_title = result["title"]
        pages = self.document.pageCount()
        self.pages_label.setText(f"共 {pages} 页")
        self.status.setText(f"已生成：{self.current_title}（共 {pages} 页）。")
        self.print_button.setEnabled(True)
        self.save_button.setEnabled(True)
        self._zoom_changed()
        self.rendered.emit(pages)

    def _choice_changed(self, *_args) -> None:
        if self.current_pdf is not None:
            self.clear_preview()

    def clear_preview(self) -> None:
        """Forget the preview (another ledger was opened: its report must not stay on screen)."""
        self.document.close()
        if self.current_pdf is not None:
            self.current_pdf.unlink(missing_ok=True)
        self.current_pdf = None
        self.current_title = ""
        self.pages_label.setText("")
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.status.setText("选择报表和期间后，点击“生成预览”。")

    def _zoom_changed(self) -> None:
        value = self.zoom.currentData()
        if value == "width":
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif value == "page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(float(value))

    # -- saving and printing -------------------------------------------------------------------------
    def save_as(self) -> None:
        if self.current_pdf is None:
            return
        path, _filter = QFileDialog.getSaveFileName(self, "另存为 PDF", f"{_safe_file_name(self.current_title)}.pdf",
                                                    "PDF 文件 (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        try:
            shutil.copyfile(self.current_pdf, path)
        except PermissionError:
            QMessageBox.warning(self, "保存失败", f"无法写入“{path}”：文件可能正被其他程序打开，或没有写入权限。")
            return
        except OSError as exc:
            QMessageBox.warning(self, "保存失败", f"无法保存到“{path}”：{exc.strerror or exc}")
            return
        self.status.setText(f"已保存到 {path}")

    def print_report(self) -> None:
        """Qt's print dialog, then every chosen page to the printer."""
        if self.current_pdf is None or self.document.pageCount() == 0:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setDocName(self.current_title)
        first = self.document.pagePointSize(0)
        printer.setPageOrientation(QPageLayout.Orientation.Landscape if first.width() > first.height()
                                   else QPageLayout.Orientation.Portrait)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印报表")
        dialog.setMinMax(1, self.document.pageCount())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            printed = self.print_to(printer)
        except LedgerError as exc:
            QMessageBox.warning(self, "打印失败", str(exc))
            return
        self.status.setText(f"已发送 {printed} 页到打印机。")

    def print_to(self, printer: QPrinter) -> int:
        """Draw the chosen pages (all when no range was chosen) on ``printer``.  Returns how many."""
        count = self.document.pageCount()
        first, last = printer.fromPage(), printer.toPage()
        if first <= 0:
            first, last = 1, count
        last = min(max(last, first), count)
        painter = QPainter()
        if not painter.begin(printer):
            raise LedgerError("无法连接打印机，请检查打印机是否已开机并连接。")
        try:
            dpi = min(printer.resolution(), PRINT_DPI)
            for n, index in enumerate(range(first - 1, last)):
                if n:
                    printer.newPage()
                points = self.document.pagePointSize(index)
                size = QSize(max(1, round(points.width() / 72 * dpi)), max(1, round(points.height() / 72 * dpi)))
                image = self.document.render(index, size)
                area = painter.viewport()
                if (image.width() > image.height()) != (area.width() > area.height()):
                    image = image.transformed(QTransform().rotate(90))
                scaled = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                x = area.x() + (area.width() - scaled.width()) // 2
                y = area.y() + (area.height() - scaled.height()) // 2
                painter.setViewport(area)
                painter.setWindow(area)
                painter.drawImage(QRect(x, y, scaled.width(), scaled.height()), image)
            return last - first + 1
        finally:
            painter.end()

