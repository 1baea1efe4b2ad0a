"""Entry defects a fast clerk met (issue 13), each reproduced on the real widgets."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from models.grids import hierarchy as grids_model
from models.residents import records as residents_model
from tests.ui.all_forms import form_env, open_form
from tests.ui.keyboard import Keyboard
from tests.ui.ui_helpers import make_id

pytestmark = [pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def env(ledger):
    return form_env(ledger)


def test_follow_up_starts_with_no_satisfaction_chosen(qtbot, ctx, env):
    dialog = open_form(qtbot, ctx, env, "事项回访")
    assert dialog.satisfaction() is None
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.error_label.text() == "请选择满意度。"


def test_assigning_proposes_the_grids_worker_not_its_supervisor(qtbot, ctx, env, ledger):
    supervisor = grids_model.add_staff(ledger, "赵督导", "督导员", "13900000009")
    grids_model.assign_staff(ledger, supervisor, grid_id=env["grid1"])
    dialog = open_form(qtbot, ctx, env, "事项分派")
    assert dialog.staff_box.itemText(0) == "赵督导（督导员）"          # listed first, as before
    assert dialog.staff_box.currentText() == "李网格员（网格员）"


def test_down_and_enter_typed_fast_pick_the_resident(qtbot, ctx, env, ledger):
    dialog = open_form(qtbot, ctx, env, "登记民情事项")
    keyboard = Keyboard(qtbot)
    assert QApplication.focusWidget() is dialog.reporter_edit
    keyboard.type("王大")
    keyboard.press(Qt.Key_Down)        # before the lookup's pause: it looks up now and selects the first
    keyboard.press(Qt.Key_Return)
    assert dialog.reporter_edit.resident_id == env["resident"]
    assert dialog.reporter_edit.text() == "王大妈"
    assert dialog.phone_edit.text() == "13800138001"
    assert dialog.place.household_id() == env["rooms"]["101"]


def test_the_suggestions_never_open_empty(qtbot, ctx, env):
    dialog = open_form(qtbot, ctx, env, "登记民情事项")
    keyboard = Keyboard(qtbot)
    keyboard.type("王大")
    dialog.reporter_edit.lookup()
    assert dialog.reporter_edit.completer_.popup().isVisible()
    keyboard.type("x")                  # nobody is called 王大x: the old rows go, no empty popup
    assert not dialog.reporter_edit.completer_.popup().isVisible()
    dialog.reporter_edit.lookup()
    assert not dialog.reporter_edit.completer_.popup().isVisible()


def test_a_son_older_than_the_head_is_a_warning_on_the_form_and_still_saves(qtbot, ctx, env, ledger, typer):
    head = residents_model.add_resident(ledger, {"name": "张三", "id_number": make_id("19790301", 11),
                                                 "household_id": env["rooms"]["102"], "relation": "户主"})
    dialog = open_form(qtbot, ctx, env, "新增居民")
    typer(dialog.name, "张大")
    typer(dialog.id_number, make_id("19720501", 31))
    dialog.place.set_household(env["rooms"]["102"])
    dialog.relation.setCurrentText("子")
    dialog.validate()
    assert "大7岁" in dialog.messages["relation"].text() and dialog.messages["relation"].isVisibleTo(dialog)
    assert dialog.save_button.isEnabled()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_S, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert ledger.scalar("SELECT relation FROM residents WHERE name = '张大'") == "子"
    del head
