"""A clerk's day with the keyboard alone (issue 13): register a matter, assign it, close it with a real
time, follow it up — every key sent to whatever has the focus, counted (tests/ui/keyboard.py).

Figures (keys, seconds) are printed for docs/performance.md: run with ``-s``.  Before issue 13 the
same flow took 51 keys (Enter saved the form from the description; 办结 opened with the focus
outside 办理结果, and Enter there was a new line, so Tab to 确定; 回访 preselected 满意).
"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from models.matters import records as matters_model
from tests.ui.keyboard import Keyboard
from tests.ui.ui_helpers import show_widget
from ui.dialogs import matter_detail
from ui.pages.matters import MattersPage

pytestmark = [pytest.mark.qt_log_ignore("This plugin does not support"),
              pytest.mark.usefixtures("close_matter_windows")]


def _wait_dialog(qtbot, detail):
    qtbot.waitUntil(lambda: detail.action_dialog is not None and detail.action_dialog.isVisible()
                    and QApplication.activeWindow() is detail.action_dialog)
    return detail.action_dialog


def _back_to(qtbot, window):
    window.activateWindow()        # the window manager gives the focus back when a dialog closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_register_assign_close_follow_up_with_the_keyboard_alone(qtbot, ctx, place, ledger, clock):
    page = show_widget(qtbot, MattersPage(ctx))
    _back_to(qtbot, page)
    page.view.setFocus()
    kb = Keyboard(qtbot)

    kb.press(Qt.Key_N, Qt.ControlModifier)                 # 登记事项
    form = page.form
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.reporter_edit)   # the first empty field
    kb.type("老李")                                          # not a resident: free text
    kb.press(Qt.Key_Return)                                  # → 联系电话
    kb.type("13812345678")
    kb.press(Qt.Key_Return)                                  # → 网格
    kb.press(Qt.Key_Down)                                    # 第一网格
    kb.press(Qt.Key_Return)                                  # → 楼栋
    kb.press(Qt.Key_Down)                                    # 1号楼
    kb.tab_to(form.location_edit)
    kb.type("小区东门")
    kb.press(Qt.Key_Return)                                  # → 类别
    kb.press(Qt.Key_Down)                                    # 环境卫生 (its level follows)
    kb.tab_to(form.description_edit)
    kb.type("垃圾桶满溢")
    kb.press(Qt.Key_Return)                                  # Enter moves on, never saves
    assert form.isVisible() and matters_model.count(ledger) == 0
    kb.press(Qt.Key_S, Qt.ControlModifier)                   # Ctrl+S saves
    assert not form.isVisible()
    matter_id = form.matter_id
    assert matters_model.get_matter(ledger, matter_id)["reporter_name"] == "老李"

    _back_to(qtbot, page)
    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index(0, 0))
    kb.press(Qt.Key_Return)                                  # open it
    detail = matter_detail.OPEN_DETAILS[-1]
    _back_to(qtbot, detail)

    clock.advance(minutes=10)
    kb.press(Qt.Key_P, Qt.AltModifier)                       # 分派: the grid's 网格员 is proposed
    dialog = _wait_dialog(qtbot, detail)
    assert dialog.staff_box.currentText() == "李网格员（网格员）"
    kb.press(Qt.Key_S, Qt.ControlModifier)
    qtbot.waitUntil(lambda: matters_model.get_matter(ledger, matter_id)["state"] == "已分派")
    detail.action_dialog = None

    clock.advance(hours=2)
    _back_to(qtbot, detail)
    kb.press(Qt.Key_B, Qt.AltModifier)                       # 办结: the focus is in 办理结果
    dialog = _wait_dialog(qtbot, detail)
    assert QApplication.focusWidget() is dialog.result_edit
    kb.type("已清运")
    before_time = kb.keys
    if hasattr(dialog, "time_edit"):                         # the real time it was done (issue 11)
        kb.tab_to(dialog.time_edit)
        kb.type("1100")
        kb.press(Qt.Key_Return)
    time_keys = kb.keys - before_time
    kb.press(Qt.Key_S, Qt.ControlModifier)
    qtbot.waitUntil(lambda: matters_model.get_matter(ledger, matter_id)["state"] == "已办结")
    if hasattr(dialog, "time_edit"):
        assert matters_model.get_matter(ledger, matter_id)["closed_at"] == "2026-10-15 11:00:00"
    detail.action_dialog = None

    clock.advance(days=1)
    _back_to(qtbot, detail)
    kb.press(Qt.Key_H, Qt.AltModifier)                       # 回访: no satisfaction chosen for the clerk
    dialog = _wait_dialog(qtbot, detail)
    assert dialog.satisfaction() is None
    kb.press(Qt.Key_Space)                                   # the first choice has the focus: 满意
    kb.press(Qt.Key_S, Qt.ControlModifier)
    qtbot.waitUntil(lambda: matters_model.get_matter(ledger, matter_id)["state"] == "已回访")
    assert matters_model.get_matter(ledger, matter_id)["satisfaction"] == "满意"
    typed = len("老李" "13812345678" "小区东门" "垃圾桶满溢" "已清运")
    print(f"\nKEYBOARD FLOW keys={kb.keys} (typed characters {typed}, the 办结 time {time_keys}, "
          f"other keys {kb.keys - typed - time_keys}) seconds={kb.seconds():.2f}")
