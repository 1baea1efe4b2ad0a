"""会议: the list and the form (kind, level, linked matters, 四议两公开 stage)."""

import pytest
from PySide6.QtCore import Qt

from models.meetings import records as meetings_model
from tests.ui.matters_helpers import register
from tests.ui.ui_helpers import show_widget
from ui.pages.meetings import MeetingsPage, MeetingsTableModel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def page(qtbot, ctx, place):
    return show_widget(qtbot, MeetingsPage(ctx))


def test_meeting_with_a_linked_matter(page, ledger, place, qtbot, typer):
    big = register(ledger, place, level="大事", category="违章建筑", description="楼顶违建彩钢房")
    register(ledger, place, description="路灯不亮")
    qtbot.mouseClick(page.new_button, Qt.LeftButton)
    dialog = page.dialog
    assert dialog.isVisible()
    # with nothing typed, big matters are offered
    assert dialog.found_box.count() == 1 and dialog.found_box.currentData() == big
    dialog.kind_box.setCurrentText("联席会议")
    typer(dialog.topic_edit, "违建联合整治")
    typer(dialog.place_edit, "社区会议室")
    typer(dialog.host_edit, "周书记")
    typer(dialog.attendees_edit, "城管、物业、居民代表")
    dialog.attendance_spin.setValue(12)
    typer(dialog.resolution_edit, "城管牵头一周内拆除")
    dialog.stage_box.setCurrentIndex(dialog.stage_box.findData("居民代表会议决议"))
    register(ledger, place, level="大事", category="环境治理", description="河道异味")
    dialog.find_matters("")
    assert dialog.found_box.count() == 2
    typer(dialog.matter_search, "彩钢")
    qtbot.waitUntil(lambda: dialog.found_box.count() == 1)
    assert dialog.found_box.currentData() == big
    qtbot.mouseClick(dialog.add_matter_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.add_matter_button, Qt.LeftButton)   # twice: still one
    assert dialog.linked.count() == 1
    assert dialog.linked.item(0).text().startswith("2026-10-0001　大事　登记　楼顶违建彩钢房")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)

    assert not dialog.isVisible()
    meeting = meetings_model.get_meeting(ledger, dialog.meeting_id)
    assert (meeting["kind"], meeting["level"], meeting["topic"], meeting["place"], meeting["host"],
            meeting["attendance"], meeting["resolution"], meeting["stage"], meeting["matter_ids"]) == (
        "联席会议", "社区", "违建联合整治", "社区会议室", "周书记", 12, "城管牵头一周内拆除",
        "居民代表会议决议", [big])
    assert meeting["held_at"] == "2026-10-15 09:30:00"
    assert page.model.rowCount() == 1
    assert [page.model.index(0, c).data() for c in range(9)] == [
        "2026-10-15 09:30", "联席会议", "社区", "违建联合整治", "社区会议室", "周书记", "12 人",
        "四议两公开 4/6 居民代表会议决议", "1 件"]


def test_grid_level_needs_a_grid_and_edit_keeps_links(page, ledger, place, qtbot, typer):
    matter = register(ledger, place, description="加装电梯")
    qtbot.mouseClick(page.new_button, Qt.LeftButton)
    dialog = page.dialog
    dialog.kind_box.setCurrentText("红色议事厅")
    dialog.level_box.setCurrentText("网格")
    assert dialog.grid_box.isVisibleTo(dialog) and not dialog.compound_edit.isVisibleTo(dialog)
    typer(dialog.topic_edit, "加装电梯费用分摊")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.error_label.text() == "网格层级的会议请选择网格。"
    dialog.grid_box.setCurrentIndex(dialog.grid_box.findData(place["grid1"]))
    typer(dialog.matter_search, "电梯")
    qtbot.waitUntil(lambda: dialog.found_box.currentData() == matter)
    qtbot.mouseClick(dialog.add_matter_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    meeting_id = dialog.meeting_id
    assert page.model.index(0, 2).data() == "网格（第一网格）"

    page.view.setCurrentIndex(page.model.index(0, 0))
    qtbot.mouseClick(page.open_button, Qt.LeftButton)
    edit = page.dialog
    assert edit is not dialog and edit.windowTitle() == "修改会议记录"
    assert (edit.kind_box.currentText(), edit.level_box.currentText(), edit.grid_box.currentData(),
            edit.topic_edit.text(), edit.linked_ids()) == ("红色议事厅", "网格", place["grid1"],
                                                           "加装电梯费用分摊", [matter])
    edit.stage_box.setCurrentIndex(edit.stage_box.findData("两委会商议"))
    edit.linked.setCurrentRow(0)
    qtbot.mouseClick(edit.remove_matter_button, Qt.LeftButton)
    qtbot.mouseClick(edit.save_button, Qt.LeftButton)
    meeting = meetings_model.get_meeting(ledger, meeting_id)
    assert (meeting["stage"], meeting["matter_ids"]) == ("两委会商议", [])


def test_list_filters(page, ledger, place):
    meetings_model.add_meeting(ledger, {"kind": "联席会议", "held_at": "2026-03-01 09:00", "topic": "春季"})
    meetings_model.add_meeting(ledger, {"kind": "红色议事厅", "level": "网格", "grid_id": place["grid2"],
                                        "held_at": "2026-10-01 09:00", "topic": "秋季"})
    page.refresh()
    assert page.model.rowCount() == 2 and page.count_label.text() == "共 2 次会议"
    page.kind_box.setCurrentText("联席会议")
    assert [page.model.index(r, 3).data() for r in range(page.model.rowCount())] == ["春季"]
    page.kind_box.setCurrentIndex(0)
    page.grid_box.setCurrentIndex(page.grid_box.findData(place["grid2"]))
    assert [page.model.index(r, 3).data() for r in range(page.model.rowCount())] == ["秋季"]
    page.grid_box.setCurrentIndex(0)
    page.date_check.setChecked(True)            # this year up to today
    page.date_from.setDate(page.date_from.date().fromString("2026-06-01", "yyyy-MM-dd"))
    assert [page.model.index(r, 3).data() for r in range(page.model.rowCount())] == ["秋季"]


def test_model_passes_modeltester(qtmodeltester, ledger, place):
    model = MeetingsTableModel()
    qtmodeltester.check(model)
    for day in (1, 2, 3):
        meetings_model.add_meeting(ledger, {"kind": "联席会议", "held_at": f"2026-10-0{day} 09:00",
                                            "topic": f"议题{day}", "attendance": day})
    model.set_rows(meetings_model.list_meetings(ledger))
    assert model.rowCount() == 3
    assert model.index(0, 0).data(Qt.UserRole) == model.meeting_id(0)
    assert model.index(0, 6).data() == "3 人"
    qtmodeltester.check(model)


def test_a_supervisor_looks_at_meetings_but_records_none(qtbot, ledger, place):
    from models.core.db import Operator
    from ui.context import AppContext

    ledger.operator = Operator("督导", role="督导员")
    page = show_widget(qtbot, MeetingsPage(AppContext(ledger)))
    assert not page.new_button.isEnabled() and page.add_meeting() is None
    assert meetings_model.list_meetings(ledger) == []


def test_record_the_six_steps_of_a_council_hall(page, ledger, qtbot, typer, monkeypatch, qtmodeltester):
    """议事进程: a 红色议事厅 walks 民事民提 → 民事民议 with typed outcomes; out-of-order is refused
    under the buttons; the list shows the current stage with its method."""
    hall = meetings_model.add_meeting(ledger, {"kind": "红色议事厅", "held_at": "2026-10-10 19:00",
                                               "topic": "加装电梯"})
    page.refresh()
    told = []
    monkeypatch.setattr("ui.pages.meetings.QMessageBox.information", lambda *a: told.append(a[2]))
    assert page.open_stages() is None and told == ["请先在列表中选择一次会议。"]
    page.view.selectRow(0)
    dialog = page.open_stages()
    qtmodeltester.check(dialog.model)
    assert "议事方法：六步工作法" in dialog.method_label.text() and "当前：尚未开始" in dialog.method_label.text()
    assert dialog.stage_box.currentText() == "民事民提"
    dialog.date_edit.setDate(dialog.date_edit.date().addDays(-10))
    typer(dialog.participants_edit, "3号楼居民")
    typer(dialog.outcome_edit, "提出加装电梯")
    qtbot.mouseClick(dialog.record_button, Qt.LeftButton)
    assert dialog.stage_box.currentText() == "民事民议"          # the next stage is offered
    assert dialog.model.index(0, 2).data() == "2026-10-05" and dialog.model.index(1, 2).data() == "未到"
    dialog.stage_box.setCurrentIndex(3)                           # 民事民筹 before 民事民议, 民事民决
    typer(dialog.outcome_edit, "筹资")
    qtbot.mouseClick(dialog.record_button, Qt.LeftButton)
    assert dialog.error.text() == "请先记录上一阶段“民事民决”。"
    dialog.stage_box.setCurrentIndex(1)
    typer(dialog.outcome_edit, "议定出资方案")
    qtbot.mouseClick(dialog.record_button, Qt.LeftButton)
    assert "当前：六步工作法 2/6 民事民议" in dialog.method_label.text()
    assert page.model.index(0, 7).data() == "六步工作法 2/6 民事民议"
    qtbot.mouseClick(dialog.undo_button, Qt.LeftButton)
    assert meetings_model.get_meeting(ledger, hall)["stage"] == "民事民提"
    dialog.reject()
