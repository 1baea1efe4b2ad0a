"""报表 page: choose a report and period → preview (QtPdf) → print / save as PDF."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from models.core.db import Operator
from models.ledger import open_db
from tests.reports.report_helpers import build_sample, pdf_text
from tests.ui.ui_helpers import show_widget
from ui.context import AppContext
from ui.pages.reports import ReportsPage

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def ctx(ledger_path, clock):
    led = open_db(ledger_path, operator=Operator("测试员", role="工作人员", sensitive=True), clock=clock)
    sample = build_sample(led, clock)
    context = AppContext(led)
    context.sample = sample
    yield context
    context.ledger.close()  # the one open now (a test may have opened another)
    led.close()


@pytest.fixture
def page(qtbot, ctx):
    return show_widget(qtbot, ReportsPage(ctx), 1200, 800)


def choose(page, key: str) -> None:
    page.kind.setCurrentIndex(page.kind.findData(key))


def generate(qtbot, page) -> int:
    with qtbot.waitSignal(page.rendered, timeout=30000) as blocker:
        qtbot.mouseClick(page.generate_button, Qt.LeftButton)
    return blocker.args[0]


def test_bulletin_preview_shows_pages(qtbot, page):
    choose(page, "monthly")
    page.month.setCurrentIndex(page.month.findData("2026-10"))
    assert page.form.isRowVisible(page.month) and not page.form.isRowVisible(page.year)
    assert not page.print_button.isEnabled()
    pages = generate(qtbot, page)
    assert pages > 0
    assert page.document.status() == QPdfDocument.Status.Ready
    assert page.document.pageCount() == pages
    assert "共" in page.pages_label.text()
    assert page.print_button.isEnabled() and page.save_button.isEnabled()
    assert "2026年10月" in page.status.text()


def test_bulletin_prints_the_document_number_and_copy_to_typed(qtbot, page, tmp_path, monkeypatch):
    choose(page, "monthly")
    page.month.setCurrentIndex(page.month.findData("2026-10"))
    assert page.form.isRowVisible(page.doc_number) and page.form.isRowVisible(page.copy_to)
    page.doc_number.setText("幸社评〔2026〕10号")  # keyClicks cannot type Chinese offscreen
    page.copy_to.setText("某某街道办事处")
    generate(qtbot, page)
    out = tmp_path / "通报.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF 文件 (*.pdf)"))
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    qtbot.waitUntil(out.exists)
    text = pdf_text(out)
    assert "幸社评〔2026〕10号" in text and "抄送：某某街道办事处" in text
    choose(page, "scorecards")
    assert not page.form.isRowVisible(page.doc_number)


def test_roster_needs_a_grid_and_prints_masked_ids(qtbot, page, ctx, tmp_path, monkeypatch):
    choose(page, "roster")
    assert page.form.isRowVisible(page.grid) and page.form.isRowVisible(page.building)
    assert page.grid.currentData() is not None  # a roster is per grid: the first one is chosen
    page.grid.setCurrentIndex(page.grid.findData(ctx.sample["grids"]["g1"]))
    assert page.building.count() == 3  # 全部楼栋 + 3号楼 + 5号楼
    page.as_of.setDate(page.as_of.date().fromString("2026-10-31", "yyyy-MM-dd"))
    assert generate(qtbot, page) >= 1
    out = tmp_path / "花名册.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF 文件 (*.pdf)"))
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    text = pdf_text(out)
    assert "居民花名册" in text and "张桂兰" in text
    assert "110101********" in text and ctx.sample["ids"]["zhang"] not in text


def test_full_ids_are_confirmed_first(qtbot, page, monkeypatch):
    choose(page, "roster")
    assert page.form.isRowVisible(page.full_ids)  # 工作人员 may print full IDs
    page.full_ids.setChecked(True)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.No)
    qtbot.mouseClick(page.generate_button, Qt.LeftButton)
    assert asked and "审计日志" in asked[0]
    assert page.current_pdf is None


def test_certificate_for_a_chosen_volunteer(qtbot, page, ctx):
    choose(page, "certificate")
    assert page.form.isRowVisible(page.volunteer)
    qtbot.keyClicks(page.volunteer_search, "1380000")  # her phone (Qt test keys are ASCII only)
    qtbot.waitUntil(lambda: page.volunteer.count() == 1 and "张桂兰" in page.volunteer.itemText(0), timeout=3000)
    page.date_to.setDate(page.date_to.date().fromString("2026-10-31", "yyyy-MM-dd"))
    assert generate(qtbot, page) == 1
    assert "张桂兰" in pdf_text(page.current_pdf)


def test_print_draws_every_page(qtbot, page, tmp_path, monkeypatch):
    choose(page, "ledger")
    page.month.setCurrentIndex(page.month.findData("2026-10"))
    pages = generate(qtbot, page)
    printed = tmp_path / "printed.pdf"

    class FakePrintDialog:
        def __init__(self, printer, parent=None):
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(printed))
            printer.setResolution(72)

        def setWindowTitle(self, title):
            assert title == "打印报表"

        def setMinMax(self, low, high):
            assert (low, high) == (1, pages)

        def exec(self):
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr("ui.pages.reports.QPrintDialog", FakePrintDialog)
    qtbot.mouseClick(page.print_button, Qt.LeftButton)
    from pypdf import PdfReader

    reader = PdfReader(str(printed))
    assert len(reader.pages) == pages
    first = reader.pages[0].mediabox
    assert float(first.width) > float(first.height)  # the ledger prints landscape
    assert f"已发送 {pages} 页" in page.status.text()


def test_bad_request_is_explained(qtbot, page, monkeypatch):
    choose(page, "matters")
    page.date_from.setDate(page.date_to.date().addDays(5))
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    qtbot.mouseClick(page.generate_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(warnings), timeout=30000)
    assert "开始日期不能晚于结束日期" in warnings[0]
    assert page.current_pdf is None
    qtbot.waitUntil(page.generate_button.isEnabled, timeout=5000)
    assert "生成失败" in page.status.text()


def test_other_pages_can_open_a_preview(qtbot, page):
    """What a “打印通报” button elsewhere calls: the report, its month, the preview."""
    with qtbot.waitSignal(page.rendered, timeout=30000):
        page.preview("annual", year=2026)
    assert page.kind.currentData() == "annual" and page.form.isRowVisible(page.year)
    assert page.document.pageCount() >= 1
    first = page.document.pagePointSize(0)
    assert first.width() > first.height()


def test_opening_another_ledger_clears_the_preview(qtbot, page, ctx, tmp_path):
    choose(page, "monthly")
    page.month.setCurrentIndex(page.month.findData("2026-10"))
    generate(qtbot, page)
    old_pdf = page.current_pdf
    other = open_db(tmp_path / "other.db", operator=Operator("测试员", role="工作人员"), community_name="和平社区")
    ctx.replace_ledger(other)
    assert page.document.pageCount() == 0 and page.current_pdf is None
    assert not page.print_button.isEnabled() and not old_pdf.exists()
    assert page.grid.count() == 1  # the new ledger has no grids yet: only 全部网格


def test_cancel_stops_a_long_render(qtbot, page, monkeypatch):
    import threading

    from models.reporting import data as report_data

    release = threading.Event()
    real_gather = report_data.gather

    def slow_gather(ledger, request, progress=None):
        release.wait(10)  # the clerk presses 取消 while the data is being gathered
        return real_gather(ledger, request, progress)

    monkeypatch.setattr("ui.pages.reports.rd.gather", slow_gather)
    choose(page, "ledger")
    page.month.setCurrentIndex(page.month.findData("2026-10"))
    qtbot.mouseClick(page.generate_button, Qt.LeftButton)
    job = page._job
    assert job is not None and not page.generate_button.isEnabled()
    with qtbot.waitSignal(job.finished, timeout=30000):
        job.cancel()
        release.set()
    assert page.current_pdf is None and page.document.pageCount() == 0
    assert page.status.text() == "已取消生成。"
    assert page.generate_button.isEnabled()


def test_switching_the_report_clears_the_preview_and_its_file_name(qtbot, page):
    """Issue 13: the previous preview stayed after choosing another report, and 另存为 offered its name."""
    choose(page, "monthly")
    page.month.setCurrentIndex(page.month.findData("2026-10"))
    generate(qtbot, page)
    assert page.current_title and page.save_button.isEnabled()
    choose(page, "roster")
    assert page.current_pdf is None and page.current_title == ""
    assert page.document.pageCount() == 0 and not page.save_button.isEnabled()
    generate(qtbot, page)
    page.as_of.setDate(page.as_of.date().addDays(-1))          # another day: another roster
    assert page.current_pdf is None and not page.print_button.isEnabled()


def test_the_roster_does_not_offer_all_grids(qtbot, page):
    choose(page, "roster")
    assert page.grid.itemText(0) == "全部网格"
    assert not page.grid.model().item(0).isEnabled() and page.grid.currentIndex() >= 1
    choose(page, "monthly")
    assert page.grid.model().item(0).isEnabled()


def test_a_future_year_is_refused_in_the_window(qtbot, page, ctx, warnings):
    next_year, today = ctx.ledger.now().year + 1, ctx.ledger.now()
    choose(page, "annual")
    page.year.setValue(next_year)
    qtbot.mouseClick(page.generate_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(warnings), timeout=30000)
    assert warnings == [f"{next_year}年还没有到（今天是{today.year}年{today.month}月{today.day}日），不能打印年度考评。"]


def test_the_party_roster_is_a_report_without_a_period(qtbot, page):
    choose(page, "party")
    assert not any(page.form.isRowVisible(w) for w in (page.month, page.year, page.date_from, page.as_of, page.grid))
    assert generate(qtbot, page) == 1
    assert "党组织设置一览表" in page.status.text()
