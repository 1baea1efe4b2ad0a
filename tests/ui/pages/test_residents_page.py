"""居民台账: the paged model, search as you type, filters, sorting, the form, move-out, household."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox

from models.core.idcard import mask
from models.residents import records as residents_model
from ui.context import AppContext
from ui.dialogs import household as household_dialog
from ui.dialogs import resident_form
from ui.models import residents_model as table_model
from ui.models.residents_model import COLUMNS, ResidentsTableModel, column_of
from ui.pages.residents import ResidentsPage

from tests.ui.ui_helpers import make_id, populate, show_widget

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def people(ledger):
    return populate(ledger)


@pytest.fixture
def ctx(ledger, people):
    return AppContext(ledger)


@pytest.fixture
def page(qtbot, ctx):
    return show_widget(qtbot, ResidentsPage(ctx), 1200, 650)


def names(page_or_model) -> list[str]:
    model = page_or_model.model if hasattr(page_or_model, "model") else page_or_model
    col = column_of("name")
    return [model.index(r, col).data() for r in range(model.rowCount())]


def select(page, name: str) -> None:
    row = names(page).index(name)
    page.table.selectRow(row)


def settle(qtbot, page):
    """Wait until the search box has fired and the count is shown."""
    qtbot.waitUntil(lambda: not page.search.pending() and page.count_label.text().startswith("共"), timeout=3000)


# -- the model ------------------------------------------------------------------------------------

def test_model_pages_with_fetch_more(ctx, monkeypatch, qtmodeltester):
    monkeypatch.setattr(table_model, "PAGE_SIZE", 3)
    model = ResidentsTableModel(ctx)
    model.reload()
    assert model.rowCount() == 3 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 6 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 7 and not model.canFetchMore()
    qtmodeltester.check(model)


def test_model_passes_modeltester_while_paging(ctx, monkeypatch, qtmodeltester):
    monkeypatch.setattr(table_model, "PAGE_SIZE", 2)
    model = ResidentsTableModel(ctx)
    model.reload()
    qtmodeltester.check(model)  # the tester also drives fetchMore
    assert model.rowCount() >= 2


def test_model_shows_masked_ids_and_raw_values(ctx, people):
    model = ResidentsTableModel(ctx)
    model.reload()
    row = model.row_of(people["张三"])
    id_cell = model.index(row, column_of("id_masked"))
    assert id_cell.data() == "110101********0117"
    assert model.index(row, column_of("tags")).data(Qt.UserRole) == ["党员"]
    assert model.index(row, 0).data(table_model.ID_ROLE) == people["张三"]
    assert model.headerData(column_of("id_masked"), Qt.Horizontal) == "身份证号"


def test_model_empty_filter_result(ctx, qtmodeltester):
    model = ResidentsTableModel(ctx)
    model.set_filter(residents_model.ResidentFilter(text="不存在的人"))
    assert model.rowCount() == 0 and not model.canFetchMore()
    qtmodeltester.check(model)


# -- the page -------------------------------------------------------------------------------------

def test_typing_in_the_search_box_narrows_the_table(page, qtbot, typer):
    settle(qtbot, page)
    assert len(names(page)) == 7
    assert page.count_label.text() == "共 7 人"
    typer(page.search, "张")
    qtbot.waitUntil(lambda: sorted(names(page)) == ["张三", "张小明"], timeout=3000)
    settle(qtbot, page)
    assert page.count_label.text() == "共 2 人"

    page.search.clear()
    qtbot.keyClicks(page.search, "zs")
    qtbot.waitUntil(lambda: names(page) == ["张三"], timeout=3000)

    page.search.clear()
    qtbot.keyClicks(page.search, "8002")  # the last digits of a phone
    qtbot.waitUntil(lambda: names(page) == ["李四"], timeout=3000)


def test_filters_grid_building_tag_status(page, qtbot):
    settle(qtbot, page)
    grid = page.place.combos["grid"]
    building = page.place.combos["building"]
    assert not building.isEnabled()
    grid.setCurrentIndex(grid.findText("第二网格"))
    assert sorted(names(page)) == ["单田芳", "曾小红", "赵六"]
    assert building.isEnabled()
    building.setCurrentIndex(building.findText("9号楼"))
    assert names(page) == ["曾小红"]
    page.clear_filters()
    assert len(names(page)) == 7
    page.tag_combo.setCurrentIndex(page.tag_combo.findText("独居老人"))
    assert names(page) == ["王五"]
    settle(qtbot, page)
    assert page.count_label.text() == "共 1 人"


def test_sort_by_clicking_headers(page, qtbot):
    settle(qtbot, page)
    header = page.table.horizontalHeader()
    birth = column_of("birth_date")
    header.sectionClicked.emit(birth)
    births = [page.model.index(r, birth).data() for r in range(page.model.rowCount())]
    assert births == sorted(births)
    assert header.sortIndicatorSection() == birth
    header.sectionClicked.emit(birth)
    births = [page.model.index(r, birth).data() for r in range(page.model.rowCount())]
    assert births == sorted(births, reverse=True)
    assert header.sortIndicatorOrder() == Qt.DescendingOrder
    before = names(page)
    header.sectionClicked.emit(column_of("phone"))  # not sortable: nothing changes
    assert names(page) == before
    assert header.sortIndicatorSection() == birth


def test_sensitive_tags_hidden_from_supervisor(ledger, people, qtbot):
    ledger.operator.role = "督导员"
    page = ResidentsPage(AppContext(ledger))
    qtbot.addWidget(page)
    tags = [page.tag_combo.itemText(i) for i in range(page.tag_combo.count())]
    assert "独居老人" in tags and "社区矫正" not in tags
    row = page.model.row_of(people["赵六"])
    assert page.model.index(row, column_of("tags")).data() == ""


def _drive_form(qtbot, typer, steps):
    """Replace ResidentForm.exec with a clerk who does ``steps(form)`` and returns the result."""
    def exec_(form):
        form.show()
        steps(form)
        return form.result()
    return exec_


def test_add_resident_bad_id_message_then_fix_and_save(page, qtbot, typer, monkeypatch):
    settle(qtbot, page)
    seen = {}

    def clerk(form):
        typer(form.name, "孙七")
        bad = make_id("19900307", 123)[:-1] + ("0" if make_id("19900307", 123)[-1] != "0" else "1")
        typer(form.id_number, bad)
        qtbot.waitUntil(lambda: form.message("id_number") != "", timeout=2000)
        seen["bad"] = form.message("id_number")
        seen["save_enabled_while_bad"] = form.save_button.isEnabled()
        form.id_number.selectAll()
        qtbot.keyClick(form.id_number, Qt.Key_Backspace)
        typer(form.id_number, make_id("19900307", 123))
        qtbot.waitUntil(lambda: form.message("id_number") == "", timeout=2000)
        seen["birth"] = form.birth.value()
        seen["gender"] = form.gender.currentText()
        place = form.place.combos
        place["grid"].setCurrentIndex(place["grid"].findText("第二网格"))
        place["building"].setCurrentIndex(place["building"].findText("9号楼"))
        place["unit"].setCurrentIndex(place["unit"].findText("1单元"))
        place["household"].setCurrentIndex(place["household"].findText("101"))
        form.relation.setCurrentText("配偶")
        qtbot.waitUntil(lambda: form.save_button.isEnabled(), timeout=2000)
        qtbot.mouseClick(form.save_button, Qt.LeftButton)

    monkeypatch.setattr(resident_form.ResidentForm, "exec", _drive_form(qtbot, typer, clerk))
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    assert "校验" in seen["bad"]  # 身份证号校验位不正确…
    assert seen["save_enabled_while_bad"] is False
    assert seen["birth"] == "1990-03-07" and seen["gender"] == "男"
    assert "孙七" in names(page)
    assert names(page)[page.table.currentIndex().row()] == "孙七"  # the new row is selected
    row = page.model.row_of(page.selected_id())
    assert page.model.index(row, column_of("room")).data() == "101"
    assert page.model.index(row, column_of("id_masked")).data().startswith("110101********")


def test_form_shows_problems_of_touched_fields_only(ctx, qtbot, typer):
    form = resident_form.ResidentForm(ctx, None)
    qtbot.addWidget(form)
    assert not form.save_button.isEnabled()  # no name yet
    assert form.message("name") == ""  # …but no red text before the clerk typed anything
    assert "姓名" in form.general.text()
    typer(form.phone, "12345")
    qtbot.waitUntil(lambda: form.message("phone") != "", timeout=2000)
    typer(form.name, "钱八")
    form.validate()
    assert form.message("name") == ""
    assert not form.save_button.isEnabled()  # the phone is still wrong


@pytest.mark.dates
def test_an_id_number_fills_birth_and_gender_by_the_ledgers_today(ctx, qtbot, clock):
    """Born after the real today but before the ledger's: valid (the wall clock is never asked)."""
    clock.set(2035, 1, 1, 9, 0, 0)
    form = resident_form.ResidentForm(ctx, None)
    qtbot.addWidget(form)
    form.id_number.setText(make_id("20310501", 122))
    assert (form.birth.value(), form.gender.currentData()) == ("2031-05-01", "女")
    assert not form.birth.isEnabled()   # taken from the number
    clock.set(2031, 4, 30, 9, 0, 0)     # the day before that birth: not a valid number yet
    form.id_number.setText(make_id("20310501", 123))
    assert form.birth.isEnabled()


def test_edit_keeps_hidden_sensitive_tags(ledger, people, qtbot):
    ledger.operator.role = "网格员"  # may edit, may not see 重点人员 tags
    ledger.operator.grid_ids = frozenset(r["id"] for r in ledger.query("SELECT id FROM grids"))
    ctx = AppContext(ledger)
    form = resident_form.ResidentForm(ctx, people["赵六"])
    qtbot.addWidget(form)
    assert "社区矫正" not in form.tag_boxes and "独居老人" in form.tag_boxes
    form.phone.setText("13500135000")
    form.save()
    assert form.result() == QDialog.Accepted
    ledger.operator.role = "管理员"     # the tags as someone who may see them (issue 10)
    assert residents_model.get_resident(ledger, people["赵六"])["tags"] == ["社区矫正"]
    assert residents_model.get_resident(ledger, people["赵六"])["phone"] == "13500135000"


def test_move_out_with_date_and_confirmation(page, qtbot, monkeypatch, ledger, people):
    settle(qtbot, page)
    select(page, "王五")
    assert page.move_out_button.isEnabled() and not page.restore_button.isEnabled()
    questions = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: questions.append(a[2]) or QMessageBox.Yes)

    def exec_(dialog):
        dialog.note.setText("迁往外省")
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
        return dialog.result()
    monkeypatch.setattr(resident_form.StatusDialog, "exec", exec_)
    qtbot.mouseClick(page.move_out_button, Qt.LeftButton)
    assert "王五" in questions[0] and "2026-10-15" in questions[0]
    assert "王五" not in names(page)  # the default filter shows 在册 only
    resident = residents_model.get_resident(ledger, people["王五"])
    assert (resident["status"], resident["status_date"]) == ("迁出", "2026-10-15")
    page.status_combo.setCurrentIndex(page.status_combo.findData("迁出"))
    assert names(page) == ["王五"]
    assert page.model.index(0, column_of("status_date")).data() == "2026-10-15"
    select(page, "王五")
    assert page.restore_button.isEnabled() and not page.move_out_button.isEnabled()


def test_declined_confirmation_changes_nothing(page, qtbot, monkeypatch, ledger, people):
    select(page, "李四")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)

    def exec_(dialog):
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
        return dialog.result()
    monkeypatch.setattr(resident_form.StatusDialog, "exec", exec_)
    qtbot.mouseClick(page.death_button, Qt.LeftButton)
    assert residents_model.get_resident(ledger, people["李四"])["status"] == "在册"


def test_household_dialog_set_head_and_move(ledger, people, qtbot, monkeypatch, qtmodeltester):
    ctx = AppContext(ledger)
    household_id = residents_model.get_resident(ledger, people["李四"])["household_id"]
    dialog = household_dialog.HouseholdDialog(ctx, household_id, focus_resident=people["李四"])
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 3
    assert dialog.model.index(0, 0).data() == "张三（户主）"
    assert dialog.model.index(0, 4).data() == "110101********0117"
    assert "户主：张三" in dialog.head_label.text()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    dialog.set_head()
    assert "户主：李四" in dialog.head_label.text()
    assert dialog.changed

    # move 张小明 to 曾小红's household
    target = residents_model.get_resident(ledger, people["曾小红"])["household_id"]
    row = next(r for r in range(dialog.model.rowCount()) if dialog.model.index(r, 0).data() == "张小明")
    dialog.table.selectRow(row)

    def exec_(move):
        move.place.set_household(target)
        move.relation.setCurrentText("其他")
        move.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
        return move.result()
    monkeypatch.setattr(household_dialog.MoveDialog, "exec", exec_)
    dialog.move_member()
    assert dialog.model.rowCount() == 2
    moved = residents_model.get_resident(ledger, people["张小明"])
    assert moved["household_id"] == target and moved["relation"] == "其他"


def test_move_dialog_requires_a_household(ctx, qtbot):
    move = household_dialog.MoveDialog(ctx, "张三")
    qtbot.addWidget(move)
    move.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
    assert move.result() != QDialog.Accepted
    assert move.error.text() == "请选择要迁入的户（网格、楼栋、单元、房号）。"


def test_columns_have_chinese_titles():
    for _key, title, _sort in COLUMNS:
        assert title and all(not ch.isascii() for ch in title)


@pytest.mark.parametrize("choice, full", [("脱敏导出", False), ("导出完整号码", True)])
def test_export_current_filter_in_background(qtbot, ledger_path, tmp_path, monkeypatch, choice, full):
    from models.core.db import Operator
    from models.ledger import open_db
    from PySide6.QtWidgets import QFileDialog

    import openpyxl

    ledger = open_db(ledger_path, operator=Operator("测试员"))
    populate(ledger)
    ctx = AppContext(ledger)
    page = ResidentsPage(ctx)
    qtbot.addWidget(page)
    page.place.combos["grid"].setCurrentIndex(page.place.combos["grid"].findText("第一网格"))
    out = tmp_path / "名单.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QMessageBox, "exec",
                        lambda box: next(b for b in box.buttons() if b.text() == choice).click())
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: shown.append(text))
    page.export_residents()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert shown[0].startswith("已导出 4 人")
    sheet = openpyxl.load_workbook(out).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    full_id = make_id("19800101", 11)
    assert (full_id in values) is full
    assert ("110101********0117" in values) is (not full)
    actions = [r["action"] for r in ledger.query("SELECT action FROM audit_log WHERE table_name = 'residents'"
                                                 " AND action LIKE '导出%'")]
    assert actions == (["导出完整身份证号"] if full else ["导出"])
    ledger.close()



def test_supervisor_is_read_only(ledger, people, qtbot):
    ledger.operator.role = "督导员"
    ctx = AppContext(ledger)
    page = ResidentsPage(ctx)
    qtbot.addWidget(page)
    select(page, "张三")
    assert not page.add_button.isEnabled() and not page.move_out_button.isEnabled()
    assert page.edit_button.text() == "查看" and page.edit_button.isEnabled()
    form = resident_form.ResidentForm(ctx, people["张三"])
    qtbot.addWidget(form)
    assert form.save_button.isHidden() and not form.name.isEnabled()


def test_form_tab_order_follows_the_layout(ctx, qtbot):
    form = resident_form.ResidentForm(ctx, None)
    qtbot.addWidget(form)

    def next_tab(widget):
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.TabFocus):
            widget = widget.nextInFocusChain()
        return widget
    assert next_tab(form.name) is form.id_number
    assert next_tab(form.id_number) is form.birth.known
    assert next_tab(form.notes) is form.place.combos["grid"]


def test_enter_in_a_line_edit_moves_to_the_next_field(ctx, qtbot):
    form = resident_form.ResidentForm(ctx, None)
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    form.name.setFocus()
    qtbot.keyClick(form.name, Qt.Key_Return)
    assert form.result() != QDialog.Accepted  # Enter never saves half a form
    qtbot.waitUntil(lambda: form.focusWidget() is form.id_number, timeout=2000)


def test_edit_form_shows_status_history(ledger, people, qtbot):
    residents_model.move_out(ledger, people["王五"], "2026-10-01", "迁往外省")
    form = resident_form.ResidentForm(AppContext(ledger), people["王五"])
    qtbot.addWidget(form)
    assert form.status_label.text() == "迁出（2026-10-01）"
    assert "2026-10-01 迁出（迁往外省）" in form.history_label.text()


def test_import_button_opens_the_wizard_for_residents(page, qtbot, monkeypatch):
    wizard = pytest.importorskip("ui.dialogs.import_wizard")  # another area's dialog
    opened = []
    monkeypatch.setattr(wizard.ImportWizard, "exec", lambda self: opened.append(self) or 0)
    assert page.import_button.isVisible()
    qtbot.mouseClick(page.import_button, Qt.LeftButton)
    assert len(opened) == 1 and opened[0].parent() is page


def test_a_saved_resident_hidden_by_the_filter_is_shown_and_named(page, qtbot, typer, monkeypatch):
    """Issue 13: name + ID saved a resident the filter on screen hid; the clerk saw nothing."""
    settle(qtbot, page)
    page.search.setText("王五")                     # the list shows 王五 only
    page.apply_filter()
    assert names(page) == ["王五"]

    def clerk(form):
        typer(form.name, "孙七")
        typer(form.id_number, make_id("19900307", 123))
        qtbot.waitUntil(lambda: form.message("id_number") == "", timeout=2000)
        qtbot.waitUntil(lambda: form.save_button.isEnabled(), timeout=2000)
        qtbot.mouseClick(form.save_button, Qt.LeftButton)

    monkeypatch.setattr(resident_form.ResidentForm, "exec", _drive_form(qtbot, typer, clerk))
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    assert names(page)[page.table.currentIndex().row()] == "孙七"
    assert page.saved_label.text().startswith("已保存：孙七　未指定所在户")
    assert "原筛选条件下不显示" in page.saved_label.text()


@pytest.mark.parametrize("untick, stored, spell_from", [
    (False, "2026-10-15", "2026-10-15"),      # the default: moved in today, counted from today
    (True, None, None),                       # 不详: lived here since before the ledger began
])
def test_new_residents_move_in_date_defaults_to_today_or_is_marked_unknown(page, qtbot, typer, monkeypatch,
                                                                           ledger, untick, stored, spell_from):
    settle(qtbot, page)
    seen = {}

    def clerk(form):
        seen["default"] = (form.moved_in.known.isChecked(), form.moved_in.value())
        typer(form.name, "周八")
        if untick:
            qtbot.mouseClick(form.moved_in.known, Qt.LeftButton)
            seen["shown"] = form.moved_in.edit.text()
        place = form.place.combos
        place["grid"].setCurrentIndex(place["grid"].findText("第二网格"))
        place["building"].setCurrentIndex(place["building"].findText("9号楼"))
        place["unit"].setCurrentIndex(place["unit"].findText("1单元"))
        place["household"].setCurrentIndex(place["household"].findText("101"))
        form.relation.setCurrentText("其他")
        qtbot.waitUntil(lambda: form.save_button.isEnabled(), timeout=2000)
        qtbot.mouseClick(form.save_button, Qt.LeftButton)

    monkeypatch.setattr(resident_form.ResidentForm, "exec", _drive_form(qtbot, typer, clerk))
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    assert seen["default"] == (True, "2026-10-15")
    if untick:
        assert seen["shown"] == "不详（建账前已居住）"
    rid = ledger.scalar("SELECT id FROM residents WHERE name = '周八'")
    assert ledger.scalar("SELECT moved_in_on FROM residents WHERE id = ?", [rid]) == stored
    assert ledger.scalar("SELECT from_date FROM residence_spells WHERE resident_id = ?", [rid]) == spell_from


def test_a_move_out_dated_in_a_published_month_says_so_before_saving(page, qtbot, monkeypatch, ledger, people):
    """Issue 11: a correction with a date in a 定稿 month is announced before it is saved, and
    the 定稿 page's difference list then shows it."""
    from PySide6.QtCore import QDate

    from models.evaluation import publishing

    publishing.publish(ledger, "2026-09")
    settle(qtbot, page)
    select(page, "王五")
    questions = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: questions.append(a[2]) or QMessageBox.Yes)

    def exec_(dialog):
        dialog.date.setDate(QDate(2026, 9, 20))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
        return dialog.result()
    monkeypatch.setattr(resident_form.StatusDialog, "exec", exec_)
    qtbot.mouseClick(page.move_out_button, Qt.LeftButton)
    assert "这会改变已定稿的 2026年9月 评比结果。" in questions[0]
    assert any(d.label == "在住人数" for d in publishing.diff_against_published(ledger, "2026-09"))
    # a move-out dated after the published month does not touch it: no warning
    questions.clear()
    select(page, "李四")

    def exec_today(dialog):
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
        return dialog.result()
    monkeypatch.setattr(resident_form.StatusDialog, "exec", exec_today)
    qtbot.mouseClick(page.move_out_button, Qt.LeftButton)
    assert questions and "已定稿" not in questions[0]


@pytest.mark.parametrize("sensitive", [True, False])
def test_the_form_shows_the_id_masked_until_shown_and_audited(ledger, people, qtbot, sensitive):
    """Issue 10: 显示完整号码 is an explicit, audited action of an account with 可查看敏感信息."""
    ledger.operator.sensitive = sensitive
    full = residents_model.get_resident(ledger, people["赵六"])["id_number"]
    form = resident_form.ResidentForm(AppContext(ledger), people["赵六"])
    qtbot.addWidget(form)
    assert form.id_number.text() == mask(full) and form.id_number.isReadOnly()
    assert form.reveal_button.isVisibleTo(form) and form.reveal_button.isEnabled() == sensitive
    if not sensitive:
        assert "可查看敏感信息" in form.reveal_button.toolTip()
        return
    form.phone.setText("13500135000")
    form.save()                                   # a save while masked keeps the number
    assert residents_model.get_resident(ledger, people["赵六"])["id_number"] == full
    form = resident_form.ResidentForm(AppContext(ledger), people["赵六"])
    qtbot.addWidget(form)
    qtbot.mouseClick(form.reveal_button, Qt.LeftButton)
    assert form.id_number.text() == full and not form.id_number.isReadOnly()
    assert not form.reveal_button.isVisibleTo(form)
    row = ledger.query("SELECT action, row_id FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert row == {"action": "查看完整身份证号", "row_id": people["赵六"]}
