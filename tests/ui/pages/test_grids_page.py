"""网格管理 page: create grids, buildings, units, households; staff; counts."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QInputDialog, QMessageBox

from models.grids import hierarchy as grids_model
from tests.ui.ui_helpers import show_widget
from ui.pages import grids as grids_page
from ui.pages.grids import GridsPage

# the offscreen platform says this when a window is shown
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def page(qtbot, ctx):
    return show_widget(qtbot, GridsPage(ctx))


def _answer_text(monkeypatch, *answers):
    queue = list(answers)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (queue.pop(0), True))


def _text(model, row, col):
    return model.index(row, col).data()


def _find(page, text):
    matches = page.tree.findItems(text, Qt.MatchExactly | Qt.MatchRecursive, 0)
    return matches[0] if matches else None


def _fill_and_accept(typer, **fields):
    """Replace a dialog's exec(): type into its real line edits, then press OK."""
    def exec_(dialog):
        for name, text in fields.items():
            typer(getattr(dialog, name), text)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
        return dialog.result()
    return exec_


def test_create_grid_building_unit_household(page, qtbot, monkeypatch, warnings, typer):
    _answer_text(monkeypatch, "第一网格")
    qtbot.mouseClick(page.add_grid_button, Qt.LeftButton)
    grid = _find(page, "第一网格")
    assert grid is not None
    assert page.totals.text() == "共 1 个网格，0 户，在册居民 0 人"

    page.tree.setCurrentItem(grid)
    assert page.add_building_button.isEnabled() and not page.add_unit_button.isEnabled()
    monkeypatch.setattr(grids_page.BuildingDialog, "exec", _fill_and_accept(typer, compound="阳光小区", name="3号楼"))
    qtbot.mouseClick(page.add_building_button, Qt.LeftButton)
    grid = _find(page, "第一网格")
    assert grid.text(1) == "1"  # buildings column
    grid.setExpanded(True)
    building = _find(page, "阳光小区3号楼")
    assert building is not None

    page.tree.setCurrentItem(building)
    _answer_text(monkeypatch, "1单元")
    qtbot.mouseClick(page.add_unit_button, Qt.LeftButton)
    _find(page, "阳光小区3号楼").setExpanded(True)
    unit = _find(page, "1单元")
    page.tree.setCurrentItem(unit)
    _answer_text(monkeypatch, "301")
    qtbot.mouseClick(page.add_household_button, Qt.LeftButton)
    assert _find(page, "第一网格").text(2) == "1"  # households column
    _find(page, "1单元").setExpanded(True)
    assert _find(page, "301") is not None
    assert warnings == []

    # the same room again is refused in Chinese
    page.tree.setCurrentItem(_find(page, "1单元"))
    _answer_text(monkeypatch, "301")
    qtbot.mouseClick(page.add_household_button, Qt.LeftButton)
    assert warnings == ["该单元已有房号“301”。"]


def test_duplicate_grid_and_empty_name_are_refused(page, qtbot, monkeypatch, warnings):
    _answer_text(monkeypatch, "第一网格", "第一网格", "   ")
    for _ in range(3):
        qtbot.mouseClick(page.add_grid_button, Qt.LeftButton)
    assert warnings == ["已有同名的网格“第一网格”。", "名称不能为空。"]


def test_rename_building_keeps_compound(page, qtbot, monkeypatch, ledger):
    gid = grids_model.add_grid(ledger, "第二网格")
    bid = grids_model.add_building(ledger, gid, "5号楼", "花园小区")
    page.refresh()
    _find(page, "第二网格").setExpanded(True)
    page.tree.setCurrentItem(_find(page, "花园小区5号楼"))
    seen = []

    def get_text(parent, title, label, mode, text):
        seen.append(text)
        return "6号楼", True
    monkeypatch.setattr(QInputDialog, "getText", get_text)
    qtbot.mouseClick(page.rename_button, Qt.LeftButton)
    assert seen == ["5号楼"]  # the stored name, not the compound + name shown
    assert grids_model.buildings(ledger, gid) == [{"id": bid, "name": "6号楼", "compound": "花园小区"}]
    assert _find(page, "花园小区6号楼") is not None


def test_staff_add_assign_unassign(page, qtbot, monkeypatch, ledger, warnings, typer):
    gid = grids_model.add_grid(ledger, "第一网格")
    page.refresh()
    monkeypatch.setattr(grids_page.StaffDialog, "exec", _fill_and_accept(typer, name="李四", phone="138 0013 8000"))
    qtbot.mouseClick(page.add_staff_button, Qt.LeftButton)
    roster = page.roster_model
    assert roster.rowCount() == 1
    assert _text(roster, 0, 0) == "李四"
    assert _text(roster, 0, 2) == "13800138000"
    assert _text(roster, 0, 4) == "（未分配）"

    page.tree.setCurrentItem(_find(page, "第一网格"))
    monkeypatch.setattr(grids_page.AssignDialog, "exec", lambda d: QDialog.Accepted)
    qtbot.mouseClick(page.assign_button, Qt.LeftButton)
    assert page.grid_staff_model.rowCount() == 1
    assert _text(page.grid_staff_model, 0, 1) == "李四"
    assert _text(page.grid_staff_model, 0, 3) == "整个网格"
    assert _text(page.roster_model, 0, 4) == "第一网格"

    page.grid_staff.selectRow(0)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.No)
    qtbot.mouseClick(page.unassign_button, Qt.LeftButton)
    assert page.grid_staff_model.rowCount() == 1  # declined: nothing changed
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    qtbot.mouseClick(page.unassign_button, Qt.LeftButton)
    assert page.grid_staff_model.rowCount() == 0
    assert "李四" in asked[0] and "取消" in asked[0]
    assert grids_model.staff_of_grid(ledger, gid) == []
    assert warnings == []


def test_staff_dialog_rejects_bad_phone(qtbot, typer):
    dialog = grids_page.StaffDialog()
    qtbot.addWidget(dialog)
    typer(dialog.name, "王五")
    typer(dialog.phone, "12345")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
    assert dialog.result() != QDialog.Accepted
    assert dialog.error.text()  # a Chinese explanation from models.core.phones


def test_counts_per_grid(page, ledger):
    gid = grids_model.add_grid(ledger, "第三网格")
    unit = grids_model.add_unit(ledger, grids_model.add_building(ledger, gid, "1号楼"), "1单元")
    for room in ("101", "102"):
        grids_model.add_household(ledger, unit, room)
    page.ctx.notify("grids")
    item = _find(page, "第三网格")
    assert (item.text(1), item.text(2), item.text(3)) == ("1", "2", "0")


def test_staff_tables_pass_modeltester(page, qtmodeltester, ledger):
    # (the tree is Qt's own QTreeWidget model; this page writes no item model of its own)
    gid = grids_model.add_grid(ledger, "第一网格")
    staff = grids_model.add_staff(ledger, "赵六", "网格长")
    grids_model.assign_staff(ledger, staff, grid_id=gid)
    page.refresh()
    page.tree.setCurrentItem(_find(page, "第一网格"))
    assert page.grid_staff_model.rowCount() == 1
    qtmodeltester.check(page.roster_model)
    qtmodeltester.check(page.grid_staff_model)


def test_a_supervisor_changes_nothing_here(qtbot, ledger):
    from models.core.db import Operator
    from tests.ui.matters_helpers import build_place
    from ui.context import AppContext

    build_place(ledger)
    ledger.operator = Operator("督导", role="督导员")
    page = show_widget(qtbot, GridsPage(AppContext(ledger)))
    _find(page, "第一网格").setExpanded(True)
    page.tree.setCurrentItem(_find(page, "1号楼"))
    assert page.selected()[0] == "building"
    buttons = (page.add_grid_button, page.add_building_button, page.add_unit_button, page.add_household_button,
               page.rename_button, page.assign_button, page.add_staff_button)
    assert not any(b.isEnabled() for b in buttons)
    assert page.add_grid_button.toolTip() == "只有管理员、工作人员或网格员可以修改台账（当前角色：督导员）。"


def test_the_grid_page_counts_in_register_as_the_residents_page_does(qtbot, ctx, ledger):
    """Issue 13: 50,428 在册 on the grid page, 50,429 on the residents page (a resident without a household)."""
    from models.residents import records as residents_model
    from tests.ui.ui_helpers import make_id, populate
    from ui.pages.residents import ResidentsPage
    populate(ledger)
    residents_model.add_resident(ledger, {"name": "未分户", "id_number": make_id("19800101", 91)})
    grids = show_widget(qtbot, grids_page.GridsPage(ctx))
    residents = show_widget(qtbot, ResidentsPage(ctx))
    in_register = residents_model.count(ledger, residents_model.ResidentFilter(status="在册"))
    assert in_register == 8
    assert grids.totals.text().endswith(f"在册居民 {in_register} 人（其中 1 人未分户）")
    qtbot.waitUntil(lambda: "共 8 人" in residents.count_label.text())


def test_redivision_dialog_previews_and_moves_buildings_from_a_date(page, qtbot, monkeypatch, ledger, typer):
    """网格调整: tick a building, choose 新建网格, type its name, set the date; the preview says what
    moves; 调整 moves it and the tree shows the new grid."""
    from PySide6.QtCore import QDate

    from models.residents import records as residents
    from ui.pages.grid_redivision import NEW_GRID

    gid = grids_model.add_grid(ledger, "第一网格")
    for name, people in (("1号楼", 1), ("2号楼", 2)):
        unit = grids_model.add_unit(ledger, grids_model.add_building(ledger, gid, name), "1单元")
        for k in range(people):
            home = grids_model.add_household(ledger, unit, f"10{k}")
            residents.add_resident(ledger, {"name": f"居民{'甲乙丙'[k]}", "household_id": home,
                                            "moved_in_on": "不详"})
    page.ctx.notify("grids")
    page.tree.setCurrentItem(_find(page, "第一网格"))
    assert page.redivide_button.isEnabled()
    seen = {}

    def exec_(dialog):
        assert dialog.preview.text() == "请勾选要调整的楼栋。"
        items = [dialog.buildings.item(i) for i in range(dialog.buildings.count())]
        assert [i.text() for i in items] == ["1号楼", "2号楼"]
        items[1].setCheckState(Qt.Checked)
        dialog.target.setCurrentIndex(dialog.target.findData(NEW_GRID))
        assert dialog.new_name.isEnabled()
        dialog.on_date.setDate(QDate(2026, 10, 1))
        seen["preview"] = dialog.preview.text()
        ok = dialog.buttons.button(QDialogButtonBox.Ok)
        qtbot.mouseClick(ok, Qt.LeftButton)
        seen["error"] = dialog.error.text()           # the new grid has no name yet
        typer(dialog.new_name, "第二网格")
        seen["named"] = dialog.preview.text()
        qtbot.mouseClick(ok, Qt.LeftButton)
        return dialog.result()

    monkeypatch.setattr(grids_page.RedivisionDialog, "exec", exec_)
    qtbot.mouseClick(page.redivide_button, Qt.LeftButton)
    assert seen["preview"] == "将把 1 栋楼、2 户、2 名在住居民自 2026-10-01 起调入“新网格”。"
    assert seen["named"] == "将把 1 栋楼、2 户、2 名在住居民自 2026-10-01 起调入“第二网格”。"
    assert seen["error"] == "请填写新网格的名称。"
    new = _find(page, "第二网格")
    assert new is not None and (new.text(1), new.text(2), new.text(3)) == ("1", "2", "2")
    old = _find(page, "第一网格")
    assert (old.text(1), old.text(2), old.text(3)) == ("1", "1", "1")
    history = grids_model.grid_history(ledger, ledger.scalar("SELECT id FROM buildings WHERE name = '2号楼'"))
    assert [(h["grid"], h["from_date"]) for h in history] == [("第一网格", None), ("第二网格", "2026-10-01")]


def test_redivision_dialog_warns_when_the_date_falls_in_a_published_month(qtbot, ctx, ledger):
    from PySide6.QtCore import QDate

    from models.evaluation import publishing
    from ui.pages.grid_redivision import RedivisionDialog

    gid = grids_model.add_grid(ledger, "第一网格")
    grids_model.add_building(ledger, gid, "1号楼")
    publishing.publish(ledger, "2026-09")
    dialog = RedivisionDialog(ctx, gid)
    qtbot.addWidget(dialog)
    assert dialog.published.text() == ""                       # today (15 Oct): September is untouched
    dialog.on_date.setDate(QDate(2026, 9, 15))
    assert dialog.published.text() == "这会改变已定稿的 2026年9月 评比结果。"


def test_closing_a_grid_needs_its_buildings_moved_first_then_shows_the_date(page, qtbot, monkeypatch, ledger):
    from PySide6.QtCore import QDate

    gid = grids_model.add_grid(ledger, "第一网格")
    other = grids_model.add_grid(ledger, "第二网格")
    building = grids_model.add_building(ledger, gid, "1号楼")
    page.ctx.notify("grids")
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))

    def exec_(dialog):
        dialog.on_date.setDate(QDate(2026, 10, 1))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
        return dialog.result()
    monkeypatch.setattr(grids_page.CloseGridDialog, "exec", exec_)
    page.tree.setCurrentItem(_find(page, "第一网格"))
    qtbot.mouseClick(page.close_grid_button, Qt.LeftButton)
    assert warned and "还有 1 栋楼" in warned[0]
    grids_model.redivide(ledger, [building], "2026-10-01", grid_id=other)
    page.ctx.notify("grids")
    page.tree.setCurrentItem(_find(page, "第一网格"))
    qtbot.mouseClick(page.close_grid_button, Qt.LeftButton)
    assert _find(page, "第一网格（2026-10-01 起撤销）") is not None
