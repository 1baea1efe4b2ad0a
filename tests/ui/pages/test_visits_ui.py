"""走访日志: the paged list and the quick record dialog (tick rooms, problem → matter)."""

import pytest
from PySide6.QtCore import QPoint, Qt

from models.grids import hierarchy as grids_model
from models.matters import records as matters_model
from models.visits import records as visits_model
from tests.ui.ui_helpers import show_widget
from ui.pages import visits as visits_page
from ui.pages.visits import VisitsPage, VisitsTableModel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def page(qtbot, ctx, place):
    return show_widget(qtbot, VisitsPage(ctx))


def _tick(qtbot, dialog, room_text):
    """Tick a room with the keyboard: make it current, press Space."""
    rooms = dialog.rooms
    for i in range(rooms.count()):
        if rooms.item(i).text().split("　")[0] == room_text:
            rooms.setCurrentRow(i)
            qtbot.keyClick(rooms, Qt.Key_Space)
            return
    raise AssertionError(f"no room {room_text}")


def _check(qtbot, box):
    """Click a check box on its indicator (a wide box's centre may be past its text)."""
    qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(6, box.height() // 2))


def _open_dialog(qtbot, page, place):
    qtbot.mouseClick(page.new_button, Qt.LeftButton)
    dialog = page.dialog
    assert dialog.isVisible()
    dialog.place.set_path(grid=place["grid1"], building=place["building1"])
    return dialog


def test_record_a_visit_to_several_rooms(page, ledger, place, qtbot, typer):
    dialog = _open_dialog(qtbot, page, place)
    assert dialog.date_edit.date().toString("yyyy-MM-dd") == "2026-10-15"
    assert dialog.staff_box.currentText() == "张网格长"        # the grid's staff first
    assert [dialog.rooms.item(i).text() for i in range(dialog.rooms.count())] == [
        "1单元101", "1单元102", "1单元103", "1单元104", "2单元201"]
    for room in ("1单元101", "1单元103", "2单元201"):
        _tick(qtbot, dialog, room)
    assert dialog.selected_label.text() == "已选 3 户：1号楼1单元101、1号楼1单元103、1号楼2单元201"
    _tick(qtbot, dialog, "1单元103")                         # Space again: untick
    _tick(qtbot, dialog, "1单元104")
    dialog.way_box.setCurrentText("电话")
    typer(dialog.notes_edit, "了解老人身体状况")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)

    assert not dialog.isVisible()
    visit = visits_model.get_visit(ledger, dialog.visit_id)
    assert sorted(visit["household_ids"]) == sorted(place["rooms"][r] for r in ("101", "104", "201"))
    assert (visit["way"], visit["staff_name"], visit["notes"], visit["visited_on"]) == (
        "电话", "张网格长", "了解老人身体状况", "2026-10-15")
    # the list shows it
    assert page.model.rowCount() == 1
    assert page.model.index(0, 4).data() == "3 户"
    assert page.model.index(0, 1).data() == "张网格长"
    assert page.count_label.text() == "共 1 条走访记录"


def test_every_room_text_fits_its_cell(page, ledger, place, qtbot):
    """Rooms are laid out in equal cells: a 户主 name longer than the first room's is not cut off."""
    from models.residents import records as residents_model
    from tests.ui.ui_helpers import make_id

    for n, (room, name) in enumerate([("101", "张波"), ("102", "欧阳晓晓"), ("103", "王秀英")], 1):
        residents_model.add_resident(ledger, {
            "name": name, "id_number": make_id(f"1980010{n}", n), "household_id": place["rooms"][room],
            "relation": "户主", "ethnicity": "汉族", "residence_type": "户籍人口"})
    dialog = _open_dialog(qtbot, page, place)
    metrics = dialog.rooms.fontMetrics()
    for i in range(dialog.rooms.count()):
        item = dialog.rooms.item(i)
        assert dialog.rooms.visualItemRect(item).width() > metrics.horizontalAdvance(item.text()), item.text()


def test_a_problem_found_becomes_a_matter_in_one_step(page, ledger, place, qtbot, typer):
    dialog = _open_dialog(qtbot, page, place)
    _tick(qtbot, dialog, "1单元102")
    _check(qtbot, dialog.problem_check)
    assert dialog.problem_box.isVisibleTo(dialog)
    assert dialog.problem_household_box.currentText() == "1号楼1单元102"   # the one household
    dialog.category_box.setCurrentText("安全隐患")
    assert dialog.level_box.currentText() == "小事"
    typer(dialog.problem_edit, "楼道堆放杂物")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)

    matter = matters_model.get_matter(ledger, dialog.matter_id)
    assert (matter["source"], matter["visit_id"], matter["household_id"], matter["description"],
            matter["state"], matter["assignee_name"]) == (
        "巡查走访", dialog.visit_id, place["rooms"]["102"], "楼道堆放杂物", "已分派", "张网格长")
    assert page.model.index(0, 7).data() == "1 件"


def test_missing_input_is_named_and_nothing_saved(page, ledger, place, qtbot, typer):
    dialog = _open_dialog(qtbot, page, place)
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.error_label.text() == "请至少勾选一户。"
    _tick(qtbot, dialog, "1单元101")
    _check(qtbot, dialog.problem_check)
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert dialog.error_label.text() == "请填写发现的问题。"
    assert visits_model.count(ledger) == 0 and matters_model.count(ledger) == 0


def test_ticks_survive_changing_building_but_not_grid(page, place, qtbot):
    dialog = _open_dialog(qtbot, page, place)
    _tick(qtbot, dialog, "1单元101")
    dialog.place.set_path(grid=place["grid1"])                       # building cleared
    assert dialog.rooms.count() == 0 and len(dialog.selected) == 1
    dialog.place.set_path(grid=place["grid1"], building=place["building1"])
    assert dialog.rooms.item(0).checkState() == Qt.Checked
    dialog.place.set_path(grid=place["grid2"])                       # one visit = one grid
    assert dialog.selected == {}


def test_edit_a_visit(page, ledger, place, qtbot):
    visit_id = visits_model.record_visit(ledger, visited_on="2026-10-14", staff_id=place["worker"], way="入户",
                                         household_ids=[place["rooms"]["101"], place["rooms"]["102"]])
    page.refresh()
    page.view.setCurrentIndex(page.model.index(0, 0))
    qtbot.mouseClick(page.open_button, Qt.LeftButton)
    dialog = page.dialog
    assert dialog.windowTitle() == "修改走访记录"
    assert dialog.staff_box.currentText() == "李网格员"
    checked = [dialog.rooms.item(i).text() for i in range(dialog.rooms.count())
               if dialog.rooms.item(i).checkState() == Qt.Checked]
    assert checked == ["1单元101", "1单元102"]
    _tick(qtbot, dialog, "1单元102")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert visits_model.get_visit(ledger, visit_id)["household_ids"] == [place["rooms"]["101"]]
    assert page.model.index(0, 4).data() == "1 户"


def test_model_pages_and_passes_modeltester(qtmodeltester, ledger, place, monkeypatch):
    monkeypatch.setattr(visits_page, "PAGE_SIZE", 2)
    for day in range(10, 15):
        visits_model.record_visit(ledger, visited_on=f"2026-10-{day}", staff_id=place["head"], way="入户",
                                  household_ids=[place["rooms"]["101"]], notes=f"第{day}天")
    model = VisitsTableModel(ledger)
    model.reload()
    assert model.rowCount() == 2 and model.canFetchMore()
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        f"2026-10-{d}" for d in (14, 13, 12, 11, 10)]
    qtmodeltester.check(model)


def test_filters(page, ledger, place, qtbot, typer):
    visits_model.record_visit(ledger, visited_on="2026-10-01", staff_id=place["head"], way="入户",
                              household_ids=[place["rooms"]["101"]], notes="防诈骗宣传")
    visits_model.record_visit(ledger, visited_on="2026-10-12", staff_name="外来志愿者", way="微信",
                              household_ids=[place["other"]], notes="询问物业")
    page.refresh()
    assert page.model.rowCount() == 2
    page.way_box.setCurrentText("微信")
    assert page.model.rowCount() == 1 and page.model.index(0, 1).data() == "外来志愿者"
    page.way_box.setCurrentIndex(0)
    page.grid_box.setCurrentIndex(page.grid_box.findData(place["grid1"]))
    assert page.model.rowCount() == 1 and page.model.index(0, 6).data() == "防诈骗宣传"
    page.grid_box.setCurrentIndex(0)
    typer(page.search, "物业")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.index(0, 6).data() == "询问物业"
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.date_check.setChecked(True)          # 2026-10-01 … today
    page.date_from.setDate(page.date_from.date().fromString("2026-10-05", "yyyy-MM-dd"))
    assert page.model.rowCount() == 1


def test_a_supervisor_looks_at_visits_but_records_none(qtbot, ledger, place):
    from models.core.db import Operator
    from ui.context import AppContext

    visit_id = visits_model.record_visit(ledger, visited_on="2026-10-14", staff_id=place["worker"], way="入户",
                                         household_ids=[place["rooms"]["101"]])
    ledger.operator = Operator("督导", role="督导员")
    page = show_widget(qtbot, VisitsPage(AppContext(ledger)))
    assert not page.new_button.isEnabled() and "督导员" in page.new_button.toolTip()
    assert not page.files.import_button.isEnabled() and page.files.export_button.isEnabled()
    assert page.record_visit() is None
    dialog = page.edit_visit(visit_id)   # opened to read
    assert not dialog.save_button.isEnabled() and dialog.save() is None
    assert visits_model.get_visit(ledger, visit_id)["notes"] == ""


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_import_and_export_from_the_page(page, ledger, place, qtbot, tmp_path, monkeypatch, suffix):
    """The matters and visits pages had no 导入/导出: only the command line could."""
    import csv

    import openpyxl
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from ui.pages import file_buttons

    visits_model.record_visit(ledger, visited_on="2026-10-10", staff_name="张网格长", way="入户",
                              household_ids=[place["rooms"]["101"]], notes="了解情况")
    shown = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda _p, title, text, *a, **k:
                                                                 shown.append((title, text))))
    out = tmp_path / f"走访{suffix}"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(page.files.export_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown[0][0] == "导出完成" and "已导出 1 条走访记录" in shown[0][1]
    if suffix == ".csv":
        rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    else:
        rows = [list(r) for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True)]
    assert rows[0][0].startswith("幸福社区入户走访记录　全部月份　共 1 户次") and rows[1][0] == "走访日期"
    assert rows[2][0] == "2026-10-10"
    # with the page's date range ticked, the export holds that range and says so
    from PySide6.QtCore import QDate
    page.date_from.setDate(QDate(2026, 10, 11))
    page.date_to.setDate(QDate(2026, 10, 15))
    page.date_check.setChecked(True)
    shown.clear()
    qtbot.mouseClick(page.files.export_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "已导出 0 条走访记录" in shown[0][1]
    if suffix == ".csv":
        title = next(csv.reader(out.open(encoding="utf-8-sig")))[0]
    else:
        title = openpyxl.load_workbook(out).active["A1"].value
    assert title.startswith("幸福社区入户走访记录　走访日期：2026-10-11 至 2026-10-15　共 0 户次")

    opened = []
    monkeypatch.setattr(file_buttons.ImportWizard, "exec", lambda wizard: opened.append(wizard.kind))
    qtbot.mouseClick(page.files.import_button, Qt.LeftButton)
    assert opened == ["visits"]
