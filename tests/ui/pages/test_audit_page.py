"""操作日志: a 管理员 finds a change by user and date, opens the record's history, exports the log."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QFileDialog, QMessageBox
from python_calamine import CalamineWorkbook

from models.core.db import Operator
from models.grids import hierarchy as grids_model
from models.residents import records as residents_model
from tests.ui.matters_helpers import build_place
from ui.context import AppContext
from ui.pages.audit import AuditPage, AuditTableModel, RecordHistoryDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def history(ledger, clock):
    """Changes by three people on three days: 王芳 renames a grid on 10-08, 李强 adds a resident
    on 10-09 (phone 13812345678), 王芳 corrects that resident on 10-12."""
    place = build_place(ledger)
    clock.set(2026, 10, 8, 9, 0, 0)
    ledger.operator = Operator("王芳", role="工作人员")
    grids_model.rename_grid(ledger, place["grid2"], "第二网格（东区）")
    clock.set(2026, 10, 9, 10, 0, 0)
    ledger.operator = Operator("李强", role="工作人员")
    rid = residents_model.add_resident(ledger, {"name": "张三", "household_id": place["rooms"]["101"],
                                                "phone": "13812345678"})
    clock.set(2026, 10, 12, 11, 0, 0)
    ledger.operator = Operator("王芳", role="工作人员")
    residents_model.update_resident(ledger, rid, {"notes": "独居需每周探望"})
    clock.set(2026, 10, 15, 9, 30, 0)
    ledger.operator = Operator("管理员甲", role="管理员")
    return {"resident": rid, **place}


@pytest.fixture
def page(qtbot, ledger, history):
    widget = AuditPage(AppContext(ledger))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _shown(page) -> list[tuple]:
    model = page.model
    return [tuple(model.data(model.index(r, c)) for c in range(model.columnCount()))
            for r in range(model.rowCount())]


def test_finds_a_change_by_user_and_date(page, history, qtbot):
    assert page.model.rowCount() > 3
    page.operator_box.setCurrentIndex(page.operator_box.findText("王芳"))
    rows = _shown(page)
    assert [(r[1], r[2], r[3]) for r in rows] == [("王芳", "修改", "居民"), ("王芳", "修改", "网格")]
    # only 10-12: the correction of the resident
    page.date_from.setDate(QDate(2026, 10, 12))
    page.date_to.setDate(QDate(2026, 10, 12))
    page.date_check.setChecked(True)
    rows = _shown(page)
    assert len(rows) == 1
    at, who, action, kind, record, change = rows[0]
    assert (at, who, action, kind, record) == ("2026-10-12 11:00:00", "王芳", "修改", "居民", str(history["resident"]))
    assert "备注" in change and "独居需每周探望" in change
    assert page.count_label.text() == "已显示 1 条"
    # the other user on that day: nothing
    page.operator_box.setCurrentIndex(page.operator_box.findText("李强"))
    assert _shown(page) == []
    page.date_check.setChecked(False)
    assert [r[2] for r in _shown(page)] == ["新增"]


def test_text_and_type_filters_and_masked_phones(page, typer, qtbot):
    page.type_box.setCurrentIndex(page.type_box.findText("居民"))
    rows = _shown(page)
    assert {r[3] for r in rows} == {"居民"} and len(rows) == 2
    added = next(r for r in rows if r[2] == "新增")
    assert "138****5678" in added[5] and "13812345678" not in added[5]
    page.type_box.setCurrentIndex(0)
    typer(page.search, "东区")
    qtbot.waitUntil(lambda: len(_shown(page)) == 1)
    assert _shown(page)[0][1:4] == ("王芳", "修改", "网格")


def test_double_click_opens_the_records_whole_history(page, qtbot):
    page.type_box.setCurrentIndex(page.type_box.findText("居民"))
    page.view.setCurrentIndex(page.model.index(0, 0))
    dialog = page.open_history()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, RecordHistoryDialog)
    model = dialog.model
    actions = [(model.data(model.index(r, 1)), model.data(model.index(r, 2))) for r in range(model.rowCount())]
    assert actions == [("李强", "新增"), ("王芳", "修改")]   # oldest first
    assert "居民" in dialog.windowTitle()


def test_export_writes_the_filtered_log(page, tmp_path, monkeypatch):
    out = tmp_path / "日志.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "Excel 工作簿 (*.xlsx)"))
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
    page.operator_box.setCurrentIndex(page.operator_box.findText("王芳"))
    page.export_log()
    assert told and "已导出操作日志 2 条" in told[0]
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert [r[1] for r in rows[2:]] == ["王芳", "王芳"]
    # the export is itself in the log, by the 管理员
    page.operator_box.setCurrentIndex(page.operator_box.findText("管理员甲"))
    assert [r[2] for r in _shown(page)] == ["导出操作日志"]


def test_paged_model_passes_the_model_tester(ledger, clock, qtmodeltester):
    for i in range(260):
        clock.advance(seconds=1)
        with ledger.write():
            ledger.audit("修改", "residents", i, {"notes": "甲"}, {"notes": f"乙{i}"})
    model = AuditTableModel(ledger)
    model.reload()
    assert model.rowCount() == 100 and model.canFetchMore()
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == ledger.scalar("SELECT COUNT(*) FROM audit_log")
    qtmodeltester.check(model)


@pytest.mark.parametrize("role", ["工作人员", "网格员", "督导员"])
def test_other_roles_see_nothing(ledger, history, qtbot, role):
    ledger.operator = Operator("某人", role=role)
    widget = AuditPage(AppContext(ledger))
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 0
    assert not widget.new_button.isEnabled() and not widget.open_button.isEnabled()
    assert "只有管理员可以查看操作日志" in widget.count_label.text()
