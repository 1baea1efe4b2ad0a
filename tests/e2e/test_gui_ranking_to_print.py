"""The clerk's monthly flow in the real window: 月度评比 → ranking → the records behind a
figure → 打印通报 → preview in 报表 → save the PDF, whose text shows the same ranking."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QFileDialog

from models.evaluation.monthly import evaluate
from models.core.db import Operator
from models.ledger import open_db
from tests.reports.report_helpers import build_sample, pdf_text
from ui.context import AppContext
from ui.dialogs import evaluation as dialogs
from ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def window(qtbot, ledger_path, clock):
    led = open_db(ledger_path, operator=Operator("测试员", role="工作人员"), clock=clock)
    build_sample(led, clock)
    clock.set(2026, 11, 20, 12, 0, 0)
    ctx = AppContext(led)
    win = MainWindow(ctx, start_page="evaluation")
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    ctx.ledger.close()


def _column(model, title: str) -> int:
    return next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Horizontal) == title)


def test_from_ranking_table_to_printed_bulletin(qtbot, window, tmp_path, monkeypatch):
    page = window.show_page("evaluation")
    page.set_month("2026-10")
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=30000)   # computed on a worker thread
    shown = [(model.index(r, _column(model, "排名")).data(), model.index(r, _column(model, "网格")).data(),
              model.index(r, _column(model, "总分")).data()) for r in range(model.rowCount())]
    expected = evaluate(window.ctx.ledger, "2026-10")
    assert [name for _rank, name, _total in shown] == [g.name for g in expected.grids]
    assert [float(total) for _r, _n, total in shown] == sorted((g.total for g in expected.grids), reverse=True)

    # the records behind the first grid's visit coverage
    traces = []
    monkeypatch.setattr(dialogs.TraceDialog, "exec", lambda self: traces.append(self) or 0)
    rect = page.table.visualRect(model.index(0, _column(model, "走访覆盖率")))
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert traces and "走访覆盖率" in traces[0].windowTitle() and traces[0].model.rowCount() > 0

    # 打印通报 → the 报表 page shows the bulletin of the same month
    reports = window.page("reports")
    with qtbot.waitSignal(reports.rendered, timeout=30000) as rendered:
        qtbot.mouseClick(page.print_button, Qt.LeftButton)
    assert window.stack.currentWidget() is reports
    assert window.navigation.currentItem().text() == "报表"
    assert reports.kind.currentData() == "monthly" and reports.month.currentData() == "2026-10"
    assert rendered.args[0] >= 1
    assert reports.document.status() == QPdfDocument.Status.Ready
    assert reports.document.pageCount() == rendered.args[0]

    out = tmp_path / "通报.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF 文件 (*.pdf)"))
    qtbot.mouseClick(reports.save_button, Qt.LeftButton)
    text = pdf_text(out)
    assert "2026年10月" in text and "月度评比通报" in text
    first, second = (g.name for g in expected.grids[:2])
    assert text.index(first) < text.index(second)
