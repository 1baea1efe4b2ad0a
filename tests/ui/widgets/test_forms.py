"""The rules every form keeps (issue 13, ui/widgets/forms.py), checked on every form of the window.

Each rule was first seen broken by a clerk typing fast: Enter saved half-filled residents, Alt+C
typed a "c" into 反映人, the 办结 dialog opened with the focus outside 办理结果, Esc threw away a
filled form, 1130 was not a time.
"""

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (QAbstractButton, QApplication, QCheckBox, QComboBox, QLabel, QLineEdit,
                               QPlainTextEdit, QRadioButton)

from tests.ui.all_forms import FORMS, form_env, open_form
from tests.ui.keyboard import Keyboard
from ui.widgets import forms

pytestmark = [pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def env(ledger):
    return form_env(ledger)


def fields(dialog):
    return forms._inputs(dialog)


def texts(dialog):
    return [w.text() for w in dialog.findChildren(QLineEdit)] + \
        [w.toPlainText() for w in dialog.findChildren(QPlainTextEdit)]


def writes(ledger):
    return ledger.conn.total_changes


@pytest.mark.parametrize("name", FORMS)
def test_enter_in_every_field_moves_on_and_never_saves(qtbot, ctx, env, ledger, name):
    dialog = open_form(qtbot, ctx, env, name)
    before = writes(ledger)
    for field in fields(dialog):
        if not field.isVisible() or not field.isEnabled():
            continue            # a field that an earlier Enter hid or disabled
        field.setFocus()
        qtbot.waitUntil(lambda f=field: QApplication.focusWidget() in (f, f.focusProxy()) or f.isAncestorOf(
            QApplication.focusWidget()))
        target = QApplication.focusWidget()
        qtbot.keyClick(target, Qt.Key_Return)
        assert dialog.isVisible(), f"{name}: Enter in {field!r} closed the form"
        if not field.property(forms.KEEPS_ENTER):      # a search box's Enter searches (or adds) instead
            assert QApplication.focusWidget() is not target, f"{name}: Enter in {field!r} did not move on"
    assert writes(ledger) == before, f"{name}: Enter wrote to the ledger"


def mnemonic_labels(dialog):
    return [label for label in dialog.findChildren(QLabel)
            if label.isVisibleTo(dialog) and forms.mnemonic_of(label.text())]


@pytest.mark.parametrize("name", FORMS)
def test_every_mnemonic_moves_the_focus_and_types_nothing(qtbot, ctx, env, name):
    dialog = open_form(qtbot, ctx, env, name)
    text_fields = [w for w in fields(dialog) if isinstance(w, (QLineEdit, QPlainTextEdit))
                   or isinstance(w, QComboBox) and w.isEditable()]
    letters = [forms.mnemonic_of(label.text()) for label in mnemonic_labels(dialog)]
    letters += [forms.mnemonic_of(b.text()) for b in dialog.findChildren(QAbstractButton)
                if b.isVisibleTo(dialog) and forms.mnemonic_of(b.text())]
    assert len(letters) == len(set(letters)), f"{name}: a mnemonic letter is used twice: {letters}"
    for label in mnemonic_labels(dialog):
        letter = forms.mnemonic_of(label.text())
        start = next((w for w in text_fields if w is not label.buddy()), None)
        if start is None:
            continue
        start.setFocus()
        qtbot.waitUntil(lambda s=start: s.hasFocus() or s.isAncestorOf(QApplication.focusWidget()))
        before = texts(dialog)
        qtbot.keyClick(QApplication.focusWidget(), getattr(Qt, f"Key_{letter}"), Qt.AltModifier)
        assert texts(dialog) == before, f"{name}: Alt+{letter} typed a letter"
        buddy = label.buddy()
        assert buddy is not None, f"{name}: {label.text()} leads nowhere"
        focus = QApplication.focusWidget()
        assert focus is buddy or buddy.isAncestorOf(focus) or focus is buddy.focusProxy(), \
            f"{name}: Alt+{letter} ({label.text()}) went to {focus!r}"


def test_an_alt_letter_no_label_claims_types_nothing(qtbot, ctx, env):
    dialog = open_form(qtbot, ctx, env, "登记民情事项")
    dialog.reporter_edit.setFocus()
    qtbot.keyClick(dialog.reporter_edit, Qt.Key_Q, Qt.AltModifier)
    assert dialog.reporter_edit.text() == ""


def test_alt_c_in_the_reporter_jumps_to_the_category(qtbot, ctx, env, typer):
    dialog = open_form(qtbot, ctx, env, "登记民情事项")
    typer(dialog.reporter_edit, "何婷")
    qtbot.keyClick(dialog.reporter_edit, Qt.Key_C, Qt.AltModifier)
    assert dialog.reporter_edit.text() == "何婷"
    assert QApplication.focusWidget() is dialog.category_box
    assert not dialog.reporter_edit.completer_.popup().isVisible()


def _empty(widget):
    if isinstance(widget, QLineEdit):
        return widget.text() == ""
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText() == ""
    if isinstance(widget, QComboBox):
        return widget.currentIndex() < 0 or widget.isEditable() and widget.currentText() == ""
    if isinstance(widget, QRadioButton):
        return not any(b.isChecked() for b in widget.group().buttons()) if widget.group() else False
    return False


@pytest.mark.parametrize("name", FORMS)
def test_every_form_opens_with_the_focus_in_its_first_empty_field(qtbot, ctx, env, name):
    dialog = open_form(qtbot, ctx, env, name)
    chain = fields(dialog)
    if not chain:
        return          # a form without fields (户信息: a table and buttons)
    focus = QApplication.focusWidget()
    assert focus in chain or any(f.isAncestorOf(focus) for f in chain), f"{name}: focus on {focus!r}"
    index = next(i for i, f in enumerate(chain) if f is focus or f.isAncestorOf(focus))
    empty = [f for f in chain if _empty(f)]
    if empty:
        assert chain[index] is empty[0], f"{name}: the focus is on {chain[index]!r}, not on {empty[0]!r}"
    else:
        assert index == 0


@pytest.mark.parametrize("form, field", [("事项办结", "result_edit"), ("登记民情事项", "reporter_edit"),
                                         ("新增居民", "name"), ("事项督办", "note_edit"),
                                         ("事项作废", "reason_box")])
def test_the_close_dialog_and_others_start_where_the_clerk_types(qtbot, ctx, env, form, field):
    dialog = open_form(qtbot, ctx, env, form)
    widget = getattr(dialog, field)
    assert QApplication.focusWidget() is widget or widget.isAncestorOf(QApplication.focusWidget())


def _first_text_field(dialog):
    return next((w for w in fields(dialog) if isinstance(w, (QLineEdit, QPlainTextEdit)) and _empty(w)), None)


@pytest.fixture
def answers(monkeypatch):
    given = []

    def ask(dialog):
        given.append(dialog)
        return answer_queue.pop(0)

    answer_queue: list[str] = []
    monkeypatch.setattr(forms, "ask_unsaved", ask)
    return given, answer_queue


@pytest.mark.parametrize("name", FORMS)
def test_esc_with_changes_asks_and_without_changes_closes(qtbot, ctx, env, ledger, name, answers, typer):
    asked, queue = answers
    dialog = open_form(qtbot, ctx, env, name)
    field = _first_text_field(dialog)
    if field is None:
        pytest.skip("no empty text field")
    typer(field, "某")
    queue.append("cancel")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Escape)
    assert asked == [dialog] and dialog.isVisible(), f"{name}: Esc with changes did not ask"
    before = writes(ledger)
    queue.append("discard")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Escape)
    assert not dialog.isVisible() and writes(ledger) == before


def test_esc_on_an_untouched_form_closes_without_asking(qtbot, ctx, env, answers):
    asked, _queue = answers
    dialog = open_form(qtbot, ctx, env, "事项办结")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Escape)
    assert not dialog.isVisible() and asked == []


def test_closing_the_window_with_changes_asks_save_saves(qtbot, ctx, env, ledger, answers, typer):
    asked, queue = answers
    dialog = open_form(qtbot, ctx, env, "新增楼栋")
    typer(dialog.name, "3号楼")
    queue.append("cancel")
    dialog.close()                         # the window's × (QDialog.closeEvent → reject)
    assert asked == [dialog] and dialog.isVisible()
    queue.append("save")
    dialog.close()
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted


def test_ctrl_s_saves_the_resident_form_and_enter_does_not(qtbot, ctx, env, ledger, typer):
    dialog = open_form(qtbot, ctx, env, "新增居民")
    typer(dialog.name, "何婷")
    qtbot.keyClick(dialog.name, Qt.Key_Return)
    assert dialog.isVisible() and QApplication.focusWidget() is dialog.id_number
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    assert dialog.isVisible()
    assert ledger.scalar("SELECT COUNT(*) FROM residents WHERE name = '何婷'") == 0
    dialog.place.set_household(env["rooms"]["102"])
    dialog.relation.setCurrentText("户主")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_S, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert ledger.scalar("SELECT COUNT(*) FROM residents WHERE name = '何婷'") == 1


# -- typed dates and times ----------------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    ("1130", "2026-10-15 11:30"), ("11.30", "2026-10-15 11:30"), ("11:30", "2026-10-15 11:30"),
    ("20261014", "2026-10-14 09:30"), ("2026.10.14", "2026-10-14 09:30"), ("2026-10-14", "2026-10-14 09:30"),
    ("10-14", "2026-10-14 09:30"), ("20261014 0815", "2026-10-14 08:15"),
])
def test_times_and_dates_are_typed_as_clerks_type_them(qtbot, ctx, env, typed, expected):
    dialog = open_form(qtbot, ctx, env, "登记民情事项")
    edit = dialog.registered_edit
    edit.setDateTime(QDateTime.fromString("2026-10-15 09:30", "yyyy-MM-dd HH:mm"))
    edit.setFocus()
    keyboard = Keyboard(qtbot)
    keyboard.type(typed)
    assert edit.findChild(QLineEdit).text() == typed       # shown as typed
    keyboard.press(Qt.Key_Return)                           # taken, and the cursor moves on
    assert edit.dateTime().toString("yyyy-MM-dd HH:mm") == expected
    assert QApplication.focusWidget() is not edit and dialog.isVisible()


def test_a_typed_date_is_taken_when_the_clerk_tabs_away_and_nonsense_is_refused(qtbot, ctx, env):
    dialog = open_form(qtbot, ctx, env, "迁出登记")
    edit = dialog.date
    edit.setFocus()
    keyboard = Keyboard(qtbot)
    keyboard.type("10.1")
    keyboard.press(Qt.Key_Tab)
    assert edit.date().toString("yyyy-MM-dd") == "2026-10-01"
    edit.setFocus()
    keyboard.type("1399")
    keyboard.press(Qt.Key_Tab)
    assert edit.date().toString("yyyy-MM-dd") == "2026-10-01"
    assert "不是有效的日期" in edit.property(forms.TYPED_ERROR)
    edit.setFocus()
    keyboard.type("20261130")              # after today: the field's maximum refuses it
    keyboard.press(Qt.Key_Tab)
    assert edit.date().toString("yyyy-MM-dd") == "2026-10-01"


# -- focus that shows ---------------------------------------------------------------------------------

def test_the_focus_is_drawn_on_check_boxes_drop_downs_and_radio_buttons():
    from resources.paths import resource_path
    qss = resource_path("qss", "app.qss").read_text(encoding="utf-8")
    for selector in ("QCheckBox:focus", "QRadioButton:focus", "QComboBox:focus", "QDateTimeEdit:focus"):
        assert selector in qss, selector


def test_focus_style_changes_how_a_focused_check_box_looks(qtbot, qapp):
    from resources.paths import resource_path
    from tests.ui.ui_helpers import show_widget
    from PySide6.QtWidgets import QWidget, QVBoxLayout
    holder = QWidget()
    holder.setStyleSheet(resource_path("qss", "app.qss").read_text(encoding="utf-8"))
    box, other = QCheckBox("独居老人"), QCheckBox("党员")
    layout = QVBoxLayout(holder)
    layout.addWidget(box)
    layout.addWidget(other)
    show_widget(qtbot, holder, 200, 80)
    holder.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is holder)
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    unfocused = box.grab().toImage()
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    assert box.grab().toImage() != unfocused
