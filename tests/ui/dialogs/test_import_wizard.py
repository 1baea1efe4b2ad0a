"""The import wizard driven like a clerk: choose file → mapping → preview → import → summary."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from models.core.db import Operator
from models.ledger import open_db
from models.core.idcard import make_id
from ui.context import AppContext
from ui.dialogs import import_wizard as wizard_module
from ui.dialogs.import_wizard import ImportWizard, ProblemsModel


def _id(n: int) -> str:
    return make_id("110101", dt.date(1970, 1, 1) + dt.timedelta(days=n), 11 + 2 * n)


def _clerk_book(path, notes="低保"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一网格"
    ws.append(["幸福社区居民信息台账"])
    ws.merge_cells("A1:H1")
    ws.append(["填报单位：幸福社区", None, None, None, "2026年10月"])
    ws.append(["序号", "姓名", "性别", "公民身份号码", "手机号", "网格", "楼号", "房号", "备注"])
    ws.append([1, "张三", "男", _id(1), "13800000001", "第一网格", "1号楼", "101", notes])
    ws.append([2, "李梅", "女", _id(2).replace(_id(2), make_id("110101", dt.date(1972, 2, 2), 22)), None,
               None, None, None, None])
    ws.merge_cells("F4:F5")
    ws.merge_cells("G4:G5")
    ws.merge_cells("H4:H5")
    ws.append([3, None, "男", _id(3), "13800000003", "第一网格", "1号楼", "102", None])
    ws.append([4, "王五", "男", _id(1), "13800000004", "第一网格", "1号楼", "103", None])
    ws.append(["合计", "4人"])
    second = wb.create_sheet("二网格")
    second.append(["姓名", "身份证号", "电话", "所属网格", "楼栋", "房号"])
    second.append(["赵六", _id(6), "13800000006", "第二网格", "2号楼", "201"])
    wb.save(path)
    return path


@pytest.fixture
def ctx(ledger_path, clock):
    ledger = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    context = AppContext(ledger)
    yield context
    context.ledger.close()


@pytest.fixture
def no_dialogs(monkeypatch):
    """Every QMessageBox answers Yes / OK and records what it said."""
    said = []

    def info(parent, title, text, *args, **kwargs):
        said.append((title, text))
        return QMessageBox.Ok

    def question(parent, title, text, *args, **kwargs):
        said.append((title, text))
        return QMessageBox.Yes

    monkeypatch.setattr(QMessageBox, "information", info)
    monkeypatch.setattr(QMessageBox, "warning", info)
    monkeypatch.setattr(QMessageBox, "question", question)
    return said


def _wait_for_page(qtbot, wizard, page):
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == page and wizard.job is None, timeout=15000)


def test_from_file_choice_to_summary(qtbot, ctx, tmp_path, monkeypatch, no_dialogs):
    source = _clerk_book(tmp_path / "居民台账.xlsx")
    changed = []
    ctx.changed.connect(changed.append)
    wizard = ImportWizard(ctx, "residents")
    qtbot.addWidget(wizard)
    assert wizard.step_label.text() == "第 1 步：选择文件"
    assert not wizard.next_button.isEnabled()

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), ""))
    qtbot.mouseClick(wizard.choose_button, Qt.LeftButton)

    # The mapping page: header found under the title rows, every column matched.
    assert wizard.stack.currentIndex() == wizard_module.PAGE_MAPPING
    assert [wizard.sheet_tabs.tabText(i) for i in range(wizard.sheet_tabs.count())] == ["一网格", "二网格"]
    assert wizard.header_spins[0].value() == 3
    table = wizard.mapping_tables[0]
    assert [table.item(r, 1).text() for r in range(table.rowCount())][:4] == ["序号", "姓名", "性别", "公民身份号码"]
    assert table.combos[0].currentText() == "（不导入）"
    assert table.combos[1].currentText() == "姓名（必填）"
    assert table.combos[3].currentText() == "身份证号"
    assert table.item(1, 2).text().startswith("张三")
    assert table.item(3, 2).text().startswith(_id(1)[:6] + "********" + _id(1)[-4:])   # masked
    # The clerk maps 备注 elsewhere and back, and 姓名 away: the page says what is missing.
    table.combos[1].setCurrentIndex(0)
    assert "缺少必需的列：姓名" in wizard.mapping_warning.text()
    assert not wizard.next_button.isEnabled()
    name_index = table.combos[1].findData("name")
    table.combos[1].setCurrentIndex(name_index)
    assert wizard.mapping_warning.text() == "" and wizard.next_button.isEnabled()
    # Choosing 姓名 for the 序号 column takes it away from column B.
    table.combos[0].setCurrentIndex(name_index)
    assert table.combos[1].currentText() == "（不导入）"
    table.combos[1].setCurrentIndex(name_index)
    assert table.combos[0].currentText() == "（不导入）"

    qtbot.mouseClick(wizard.next_button, Qt.LeftButton)
    _wait_for_page(qtbot, wizard, wizard_module.PAGE_PREVIEW)
    assert wizard.counts == {"将导入": 3, "有警告": 1, "拒绝": 2}
    assert "拒绝 2 行" in wizard.counts_label.text()
    model = wizard.problems_model
    shown = [(model.index(r, 0).data(), model.index(r, 1).data(), model.index(r, 2).data())
             for r in range(model.rowCount())]
    assert shown == [("一网格", "5", "有警告"), ("一网格", "6", "拒绝"), ("一网格", "7", "拒绝")]
    wizard.filter_combo.setCurrentIndex(1)           # 仅拒绝
    assert model.rowCount() == 2
    assert "缺少姓名" in model.index(0, 3).data()
    wizard.filter_edit.setText("重复")
    assert model.rowCount() == 1 and model.index(0, 1).data() == "7"
    wizard.filter_edit.clear()
    wizard.filter_combo.setCurrentIndex(0)

    qtbot.mouseClick(wizard.import_button, Qt.LeftButton)
    _wait_for_page(qtbot, wizard, wizard_module.PAGE_SUMMARY)
    assert wizard.summary.imported == 3 and wizard.summary.rejected == 2
    assert "导入完成：新增 3 条" in wizard.summary_label.text()
    assert "*" in changed
    assert ctx.ledger.scalar("SELECT COUNT(*) FROM residents") == 3
    # 李梅 got the merged household of 张三.
    assert ctx.ledger.scalar("SELECT COUNT(DISTINCT household_id) FROM residents WHERE grid_id ="
                             " (SELECT id FROM grids WHERE name = '第一网格')") == 1

    report = tmp_path / "问题清单.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(report), ""))
    assert wizard.summary_report_button.isEnabled()
    qtbot.mouseClick(wizard.summary_report_button, Qt.LeftButton)
    rows = list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))
    assert rows[0][-1] == "问题说明" and len(rows) == 4
    assert no_dialogs[-1][0] == "已保存问题清单"


def test_unreadable_file_stays_on_the_first_page(qtbot, ctx, tmp_path, monkeypatch):
    bad = tmp_path / "照片.xlsx"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    wizard = ImportWizard(ctx, "residents")
    qtbot.addWidget(wizard)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    qtbot.mouseClick(wizard.choose_button, Qt.LeftButton)
    assert wizard.stack.currentIndex() == wizard_module.PAGE_FILE
    assert "不是" in wizard.file_error.text()
    assert not wizard.next_button.isEnabled()


def test_header_row_and_sheet_choice_can_be_changed(qtbot, ctx, tmp_path, monkeypatch):
    source = _clerk_book(tmp_path / "a.xlsx")
    wizard = ImportWizard(ctx, "residents")
    qtbot.addWidget(wizard)
    wizard.open_file(source)
    wizard.header_spins[0].setValue(2)               # a wrong header row: nothing matches
    assert "缺少必需的列：姓名" in wizard.mapping_warning.text()
    wizard.header_spins[0].setValue(3)
    assert wizard.mapping_warning.text() == ""
    wizard.sheet_checks[1].setChecked(False)
    assert wizard.sheet_tabs.tabText(1) == "二网格（跳过）"
    qtbot.mouseClick(wizard.next_button, Qt.LeftButton)
    _wait_for_page(qtbot, wizard, wizard_module.PAGE_PREVIEW)
    assert {o.sheet for o in wizard.plan.outcomes} == {"一网格"}


def test_template_button_saves_the_template(qtbot, ctx, tmp_path, monkeypatch, no_dialogs):
    target = tmp_path / "模板"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    wizard = ImportWizard(ctx, "residents")
    qtbot.addWidget(wizard)
    qtbot.mouseClick(wizard.template_button, Qt.LeftButton)
    saved = tmp_path / "模板.xlsx"
    header = [c.value for c in openpyxl.load_workbook(saved).worksheets[0][1]]
    assert header[:4] == ["姓名", "性别", "民族", "身份证号"]
    assert no_dialogs == [("已保存模板", f"模板已保存到：\n{saved}")]


def test_existing_people_updated_when_ticked(qtbot, ctx, tmp_path, no_dialogs):
    source = _clerk_book(tmp_path / "a.xlsx")
    changed = _clerk_book(tmp_path / "b.xlsx", notes="低保、独居")     # 张三's 备注 changed
    # (imported, updated, skipped): the update changes 张三 only, the others hold what the ledger holds
    for path, update, expected in ((source, False, (3, 0, 0)), (changed, False, (0, 0, 3)),
                                   (changed, True, (0, 1, 2)), (changed, True, (0, 0, 3))):
        wizard = ImportWizard(ctx, "residents")
        qtbot.addWidget(wizard)
        wizard.open_file(path)
        qtbot.mouseClick(wizard.next_button, Qt.LeftButton)
        _wait_for_page(qtbot, wizard, wizard_module.PAGE_PREVIEW)
        wizard.update_check.setChecked(update)
        qtbot.mouseClick(wizard.import_button, Qt.LeftButton)
        _wait_for_page(qtbot, wizard, wizard_module.PAGE_SUMMARY)
        s = wizard.summary
        assert (s.imported, s.updated, s.skipped) == expected


def test_problems_model_passes_the_model_tester(qtmodeltester, ledger, tmp_path):
    from models.importing import analyse, load_spec

    plan = analyse(ledger, _clerk_book(tmp_path / "a.xlsx"), load_spec("residents"))
    model = ProblemsModel()
    model.set_outcomes(plan.problems())
    qtmodeltester.check(model)
    model.set_filter("rejected", "")
    qtmodeltester.check(model)
    assert model.index(0, 1).data(Qt.UserRole) == 6


def test_wizard_on_an_in_memory_ledger_works_without_a_thread(qtbot, ledger, tmp_path, no_dialogs):
    wizard = ImportWizard(AppContext(ledger), "residents")
    qtbot.addWidget(wizard)
    wizard.open_file(_clerk_book(tmp_path / "a.xlsx"))
    qtbot.mouseClick(wizard.next_button, Qt.LeftButton)
    assert wizard.stack.currentIndex() == wizard_module.PAGE_PREVIEW
    qtbot.mouseClick(wizard.import_button, Qt.LeftButton)
    assert wizard.stack.currentIndex() == wizard_module.PAGE_SUMMARY
    assert ledger.scalar("SELECT COUNT(*) FROM residents") == 3


def test_cancel_during_import_writes_nothing(qtbot, ctx, tmp_path, monkeypatch, no_dialogs):
    import time

    from models.importing import residents_writer

    real = residents_writer.write_residents

    def slow_write(ledger, outcomes, update, progress):
        real(ledger, outcomes, update, progress)      # rows written inside the transaction …
        for _ in range(1000):                          # … then wait for the clerk to cancel
            time.sleep(0.01)
            progress(len(outcomes))                    # raises ImportCancelled once cancelled
        raise AssertionError("never cancelled")

    monkeypatch.setattr(residents_writer, "write_residents", slow_write)
    wizard = ImportWizard(ctx, "residents")
    qtbot.addWidget(wizard)
    wizard.open_file(_clerk_book(tmp_path / "a.xlsx"))
    qtbot.mouseClick(wizard.next_button, Qt.LeftButton)
    _wait_for_page(qtbot, wizard, wizard_module.PAGE_PREVIEW)
    qtbot.mouseClick(wizard.import_button, Qt.LeftButton)
    job = wizard.job
    assert job is not None
    job.dialog.canceled.emit()                         # what the progress dialog's 取消 button sends
    qtbot.waitUntil(lambda: wizard.job is None, timeout=15000)
    assert ("已取消", "导入已取消，台账没有任何改动。") in no_dialogs
    assert wizard.stack.currentIndex() == wizard_module.PAGE_PREVIEW and not wizard.imported
    assert ctx.ledger.scalar("SELECT COUNT(*) FROM residents") == 0
    assert ctx.ledger.scalar("SELECT COUNT(*) FROM households") == 0


@pytest.mark.parametrize("lived, spell_from", [(False, "2026-10-15"), (True, None)])
def test_rows_without_a_move_in_date_start_today_unless_already_lived_is_ticked(qtbot, ctx, tmp_path, no_dialogs,
                                                                                 lived, spell_from):
    """这些人早已居住: ticked, the people count in past months too; not ticked (the default), they
    count from the import's day and no published month changes."""
    wizard = ImportWizard(ctx, "residents")
    qtbot.addWidget(wizard)
    wizard.open_file(_clerk_book(tmp_path / "a.xlsx"))
    qtbot.mouseClick(wizard.next_button, Qt.LeftButton)
    _wait_for_page(qtbot, wizard, wizard_module.PAGE_PREVIEW)
    assert wizard.lived_check.isVisibleTo(wizard) and not wizard.lived_check.isChecked()
    if lived:
        qtbot.mouseClick(wizard.lived_check, Qt.LeftButton)
    qtbot.mouseClick(wizard.import_button, Qt.LeftButton)
    _wait_for_page(qtbot, wizard, wizard_module.PAGE_SUMMARY)
    starts = {r["from_date"] for r in ctx.ledger.query("SELECT from_date FROM residence_spells")}
    assert starts == {spell_from}


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt"])
def test_the_file_filter_offers_every_format_the_reader_reads(suffix):
    """The reader takes .ods too (python-calamine); the open dialog once hid such files."""
    from ui.dialogs.import_wizard import FILE_FILTER

    first = FILE_FILTER.split(";;")[0]
    assert f"*{suffix}" in first.split("(")[1].rstrip(")").split()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_esc_closes_the_wizard_without_asking_to_save(qtbot, ctx, tmp_path, no_dialogs, monkeypatch):
    """It once asked 尚未保存 — 要保存吗？ once a file was chosen (a wizard is not a form to save), and
    保存 did nothing."""
    from ui.widgets import forms

    asked = []
    monkeypatch.setattr(forms, "ask_unsaved", lambda dialog: asked.append(dialog) or "save")
    wizard = ImportWizard(ctx, "residents")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.open_file(_clerk_book(tmp_path / "a.xlsx"))
    qtbot.keyClick(wizard, Qt.Key_Escape)
    assert asked == [] and not wizard.isVisible()


def test_a_chosen_problem_shows_its_whole_text(qtbot, ctx, tmp_path, no_dialogs):
    """One line of the list cut a long message off (the 待确认 instruction, a second problem)."""
    wizard = ImportWizard(ctx, "residents")
    qtbot.addWidget(wizard)
    wizard.open_file(_clerk_book(tmp_path / "a.xlsx"))
    qtbot.mouseClick(wizard.next_button, Qt.LeftButton)
    _wait_for_page(qtbot, wizard, wizard_module.PAGE_PREVIEW)
    assert wizard.problem_detail.text() == wizard_module.PROBLEM_HINT
    wizard.problems_view.selectRow(0)
    outcome = wizard.problems_model.outcome(0)
    assert wizard.problem_detail.text() == f"{outcome.where}：{outcome.problem_text}"
    wizard.filter_edit.setText("没有这样的问题")
    qtbot.waitUntil(lambda: wizard.problems_model.rowCount() == 0)
    assert wizard.problem_detail.text() == wizard_module.PROBLEM_HINT
