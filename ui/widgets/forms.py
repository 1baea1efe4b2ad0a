"""How every form in the window takes the keyboard (issue 13): one event filter on the application.

Installed once on the ``QApplication`` (``ui.app`` and the tests' ``qapp``), :class:`FormKeys`
gives every dialog of ``ui/`` (a *form*: not Qt's message boxes, file or progress dialogs) the
same rules, so no form can forget one:

- **Enter moves on** to the next field, never saves (Shift+Enter is a new line in a text box);
  Enter on a button presses it.  A field whose Enter is a command of its own (a search box that
  adds what it found) says so with the property ``KEEPS_ENTER``.
- **Ctrl+S saves**: it presses the form's 保存/确定 button (its default or ``primary`` button).
- **Mnemonics jump, never type**: a label ``类别(&C)`` gets the field beside it as its buddy when
  the form opens; an Alt+letter that no label or button claims is swallowed, never typed.
- **The first empty field has the focus** when a form opens (the first field when none is empty).
- **Esc or closing the window with changes asks** 保存 / 不保存 / 取消 (:func:`ask_unsaved`);
  a dialog that saves nothing (the import wizard) sets ``guard_unsaved = False``.
- **A form fits the screen** it opens on (150 % scaling: 911×512), its body scrolling when it
  must, its buttons always visible (:mod:`ui.widgets.fit`).
- **Dates and times are typed as clerks type them** (``1130``, ``11.30``, ``20261130``, ``11-30``…,
  :func:`models.core.periods.parse_typed_datetime`) into any date/time field of the window: the
  text typed is shown as it is and taken on Enter, Tab or leaving the field; a text that is not a
  date leaves the value as it was and says so (``TYPED_ERROR`` property, a tool tip).
"""

from __future__ import annotations

import re
import weakref

from PySide6.QtCore import QDateTime, QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QApplication,
                               QButtonGroup, QCheckBox, QComboBox, QDateTimeEdit, QDialog,
                               QDialogButtonBox, QFileDialog, QFormLayout, QInputDialog, QLabel,
                               QLayout, QLineEdit, QMessageBox, QPlainTextEdit, QProgressDialog,
                               QPushButton, QRadioButton, QTextEdit, QToolTip, QWidget)

from models.core.periods import parse_typed_datetime
from ui.widgets.fit import fit_to_screen

#: property of a field whose Enter is a command of its own (e.g. "回车添加")
KEEPS_ENTER = "keepsEnter"
#: property of a date/time field: the last text typed that was not a date/time ("" when fine)
TYPED_ERROR = "typedError"
#: property of a date/time field while the clerk types into it: the text so far
_TYPED = "typedText"
#: characters that may start or continue a typed date/time
_DATE_CHARS = set("0123456789.-/:：年月日点 ")
_MNEMONIC = re.compile(r"&([^&\s])")

_NOT_FORMS = (QMessageBox, QFileDialog, QProgressDialog, QInputDialog)


# -- which windows are forms, and their parts -------------------------------------------------------

def form_of(widget: QWidget | None) -> QDialog | None:
    """The form (a dialog of ``ui/``) ``widget`` is in, or None."""
    if widget is None:
        return None
    window = widget.window()
    if not isinstance(window, QDialog) or isinstance(window, _NOT_FORMS):
        return None
    return window if type(window).__module__.startswith("ui.") else None


def _inputs(dialog: QDialog) -> list[QWidget]:
    """The dialog's input fields in focus-chain (Tab) order."""
    found, widget = [], dialog.nextInFocusChain()
    while widget is not None and widget is not dialog and len(found) < 500:
        if (widget.window() is dialog and widget.isVisibleTo(dialog) and widget.isEnabled()
                and widget.focusPolicy() & Qt.TabFocus and _is_input(widget)):
            found.append(widget)
        widget = widget.nextInFocusChain()
    return found


def _is_input(widget: QWidget) -> bool:
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly() and not isinstance(widget.parent(), (QComboBox, QAbstractSpinBox))
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return not widget.isReadOnly()
    return isinstance(widget, (QComboBox, QAbstractSpinBox, QCheckBox, QRadioButton))


def _is_empty(widget: QWidget) -> bool:
    if isinstance(widget, QLineEdit):
        return not widget.text()
    if isinstance(widget, QPlainTextEdit):
        return not widget.toPlainText()
    if isinstance(widget, QTextEdit):
        return not widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentIndex() < 0 or (widget.isEditable() and not widget.currentText())
    if isinstance(widget, QRadioButton):
        group = widget.group()
        buttons = group.buttons() if group else [b for b in widget.parent().findChildren(QRadioButton)
                                                 if b.parent() is widget.parent()]
        return not any(b.isChecked() for b in buttons)
    return False


def first_empty_field(dialog: QDialog) -> QWidget | None:
    """The first field (Tab order) the clerk has not filled, else the first field; None without fields."""
    inputs = _inputs(dialog)
    return next((w for w in inputs if _is_empty(w)), inputs[0] if inputs else None)


def save_button(dialog: QDialog) -> QPushButton | None:
    """The button that saves the form: its default button, a ``primary`` one, or the 确定 of its button box."""
    buttons = [b for b in dialog.findChildren(QPushButton) if b.window() is dialog and b.isVisibleTo(dialog)]
    for wanted in (lambda b: b.isDefault(), lambda b: b.objectName() == "primary"):
        found = [b for b in buttons if wanted(b)]
        if found:
            return found[0]
    for box in dialog.findChildren(QDialogButtonBox):
        for button in box.buttons():
            if box.buttonRole(button) == QDialogButtonBox.AcceptRole and button.isVisibleTo(dialog):
                return button
    return None


def field_values(dialog: QDialog) -> list:
    """What the form's fields hold (to see whether the clerk changed anything)."""
    values = []
    for widget in dialog.findChildren(QWidget):
        if widget.window() is not dialog:
            continue
        if isinstance(widget, QLineEdit) and not isinstance(widget.parent(), (QComboBox, QAbstractSpinBox)):
            values.append(widget.text())
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)) and not widget.isReadOnly():
            values.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            values.append((widget.currentIndex(), widget.currentText()))
        elif isinstance(widget, QAbstractSpinBox):
            values.append(widget.text())
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            values.append(widget.isChecked())
    return values


def has_changes(dialog: QDialog) -> bool:
    """Whether the clerk changed a field since the form opened."""
    before = getattr(dialog, "_form_values", None)
    return before is not None and before != field_values(dialog)


def mnemonic_of(text: str) -> str | None:
    """The letter of a mnemonic (``类别(&C)`` → ``C``), or None."""
    match = _MNEMONIC.search(text.replace("&&", ""))
    return match.group(1).upper() if match else None


def _first_focusable(item) -> QWidget | None:
    """The first widget that takes the focus in a layout item (a widget or a layout)."""
    if item is None:
        return None
    widget = item.widget() if hasattr(item, "widget") else None
    if isinstance(item, QWidget):
        widget = item
    if widget is not None:
        if widget.focusPolicy() & Qt.TabFocus:
            return widget
        return next((w for w in widget.findChildren(QWidget) if w.focusPolicy() & Qt.TabFocus), None)
    layout = item.layout() if not isinstance(item, QLayout) else item
    if layout is None:
        return None
    for index in range(layout.count()):
        found = _first_focusable(layout.itemAt(index))
        if found is not None:
            return found
    return None


def _layout_holding(root: QLayout, widget: QWidget) -> QLayout | None:
    for index in range(root.count()):
        item = root.itemAt(index)
        if item.widget() is widget:
            return root
        if item.layout() is not None:
            found = _layout_holding(item.layout(), widget)
            if found is not None:
                return found
    return None


def give_labels_buddies(dialog: QDialog) -> None:
    """A label with a mnemonic and no buddy gets the field laid out beside it (so Alt+letter jumps there)."""
    for label in dialog.findChildren(QLabel):
        if label.buddy() is not None or not mnemonic_of(label.text()):
            continue
        parent = label.parentWidget()
        layout = _layout_holding(parent.layout(), label) if parent is not None and parent.layout() else None
        if layout is None:
            continue
        field = None
        if isinstance(layout, QFormLayout):
            row, _role = layout.getWidgetPosition(label)
            field = _first_focusable(layout.itemAt(row, QFormLayout.FieldRole))
        else:
            index = layout.indexOf(label)
            for later in range(index + 1, layout.count()):
                field = _first_focusable(layout.itemAt(later))
                if field is not None:
                    break
        if field is not None:
            label.setBuddy(field)


def mnemonic_target(dialog: QDialog, letter: str) -> QWidget | None:
    """The field a label's mnemonic ``letter`` leads to, or the button it presses."""
    for label in dialog.findChildren(QLabel):
        if label.window() is dialog and label.isVisibleTo(dialog) and mnemonic_of(label.text()) == letter:
            if label.buddy() is not None and label.buddy().isEnabled():
                return label.buddy()
    for button in dialog.findChildren(QAbstractButton):
        if button.window() is dialog and button.isVisibleTo(dialog) and button.isEnabled() \
                and mnemonic_of(button.text()) == letter:
            return button
    return None


def ask_unsaved(dialog: QDialog) -> str:
    """Ask what to do with a form's changes: ``"save"``, ``"discard"`` or ``"cancel"`` (tests patch this)."""
    box = QMessageBox(QMessageBox.Question, "尚未保存", "所填内容还没有保存。要保存吗？", parent=dialog)
    save = box.addButton("保存", QMessageBox.AcceptRole)
    discard = box.addButton("不保存", QMessageBox.DestructiveRole)
    cancel = box.addButton("取消", QMessageBox.RejectRole)
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return "save" if clicked is save else "discard" if clicked is discard else "cancel"


# -- typed dates and times --------------------------------------------------------------------------

def _date_edit_of(widget: QObject) -> QDateTimeEdit | None:
    if isinstance(widget, QDateTimeEdit):
        return widget
    parent = widget.parent() if isinstance(widget, QLineEdit) else None
    return parent if isinstance(parent, QDateTimeEdit) else None


def _edit_line(edit: QDateTimeEdit) -> QLineEdit:
    return edit.findChild(QLineEdit)


def commit_typed(edit: QDateTimeEdit) -> bool:
    """Take what the clerk typed into ``edit`` (if anything); False when it was not a date/time."""
    typed = edit.property(_TYPED)
    if not typed:
        return True
    edit.setProperty(_TYPED, "")
    sections = edit.displayedSections()
    has_date = bool(sections & QDateTimeEdit.DateSections_Mask)
    has_time = bool(sections & QDateTimeEdit.TimeSections_Mask)
    current = edit.dateTime().toPython()
    value = parse_typed_datetime(typed, current, has_date=has_date, has_time=has_time)
    if value is not None:
        low, high = edit.minimumDateTime().toPython(), edit.maximumDateTime().toPython()
        if not low <= value <= high:
            value = None
    edit.setDateTime(QDateTime(current))   # shows the value again (the typed text is gone)
    if value is None:
        kind = "日期和时间" if has_date and has_time else "日期" if has_date else "时间"
        message = f"“{typed}”不是有效的{kind}，请写成如 {_example(has_date, has_time)}。"
        edit.setProperty(TYPED_ERROR, message)
        QToolTip.showText(edit.mapToGlobal(edit.rect().bottomLeft()), message, edit)
        return False
    edit.setProperty(TYPED_ERROR, "")
    edit.setDateTime(QDateTime(value.replace(microsecond=0)))
    return True


def _example(has_date: bool, has_time: bool) -> str:
    if has_date and has_time:
        return "20261130 1130、2026-11-30 11:30 或只写时间 1130"
    return "20261130、2026.11.30 或 11-30" if has_date else "1130 或 11:30"


def _type_into(edit: QDateTimeEdit, event) -> bool:
    """A key typed into a date/time field; True when it was taken as typed text."""
    typed = edit.property(_TYPED) or ""
    key, text = event.key(), event.text()
    if event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
        return False
    if typed and key == Qt.Key_Backspace:
        typed = typed[:-1]
    elif text and text in _DATE_CHARS and (typed or text.isdigit()):
        typed += text
    else:
        return False
    edit.setProperty(_TYPED, typed)
    line = _edit_line(edit)
    if typed:
        line.setText(typed)
    else:
        edit.setDateTime(edit.dateTime())
    return True


# -- leaving with changes ------------------------------------------------------------------------

def _guard_reject(dialog: QDialog) -> None:
    """Make the dialog's ``reject`` (Esc, the window's ×, Alt+F4, ``close()``) ask first when it has changes.

    Qt calls ``reject`` through the dialog's Python attribute, so the guard is set on the instance;
    the 取消 button keeps the reject it was connected to (a deliberate 取消 asks nothing).
    """
    if getattr(dialog, "_form_guarded", False):
        return
    # no reference cycle through the instance (dialog → its reject → dialog): a cycle leaves the
    # dialog's wrapper to Python's garbage collector, which may delete it at any later moment
    original = type(dialog).reject
    ref = weakref.ref(dialog)

    def reject() -> None:
        form = ref()
        if form is None:
            return
        if has_changes(form):
            answer = ask_unsaved(form)
            if answer == "save":
                button = save_button(form)
                if button is not None and button.isEnabled():
                    button.click()
                return
            if answer == "cancel":
                return
        original(form)

    dialog.reject = reject
    dialog._form_guarded = True


# -- the filter ----------------------------------------------------------------------------------------

class FormKeys(QObject):
    """The application-wide event filter (see the module's doc).  :func:`install` puts it in place."""

    def eventFilter(self, obj, event) -> bool:  # noqa: C901 - one switch over the event kinds
        kind = event.type()
        if kind == QEvent.KeyPress and isinstance(obj, QWidget):
            if self._key(obj, event):
                event.accept()     # taken: QApplication passes an ignored key on to the parents
                return True
            return False
        if kind == QEvent.FocusOut and isinstance(obj, QWidget):
            edit = _date_edit_of(obj)
            if edit is not None:
                commit_typed(edit)
            return False
        if kind == QEvent.Show and isinstance(obj, QDialog) and form_of(obj) is obj:
            self._shown(obj)
            return False
        return False

    # -- opening ---------------------------------------------------------------------------------
    @staticmethod
    def _shown(dialog: QDialog) -> None:
        give_labels_buddies(dialog)
        if getattr(dialog, "_form_values", None) is None:
            fit_to_screen(dialog)
            field = first_empty_field(dialog)
            if field is not None:
                field.setFocus(Qt.OtherFocusReason)
            dialog._form_values = field_values(dialog)
            if getattr(dialog, "guard_unsaved", True):
                _guard_reject(dialog)

    # -- keys ------------------------------------------------------------------------------------
    def _key(self, widget: QWidget, event) -> bool:
        edit = _date_edit_of(widget)
        key, modifiers = event.key(), event.modifiers()
        if edit is not None:
            if key == Qt.Key_Escape and edit.property(_TYPED):
                edit.setProperty(_TYPED, "")
                edit.setDateTime(edit.dateTime())
                return True
            if key in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Tab, Qt.Key_Backtab):
                commit_typed(edit)
            elif _type_into(edit, event):
                return True
        dialog = form_of(widget)
        if dialog is None or widget.focusPolicy() == Qt.NoFocus:
            return False          # not a form, or a key passed on from a field to its container
        if key in (Qt.Key_Return, Qt.Key_Enter):
            return self._enter(dialog, widget, event)
        if key == Qt.Key_S and modifiers == Qt.ControlModifier:
            button = save_button(dialog)
            if button is not None and button.isEnabled():
                button.click()
            return True
        if modifiers == Qt.AltModifier and Qt.Key_A <= key <= Qt.Key_Z or \
                modifiers == Qt.AltModifier and Qt.Key_0 <= key <= Qt.Key_9:
            target = mnemonic_target(dialog, chr(key).upper())
            if isinstance(target, QPushButton):
                target.click()
            elif isinstance(target, QAbstractButton):
                target.setFocus(Qt.ShortcutFocusReason)
                target.click()
            elif target is not None:
                target.setFocus(Qt.ShortcutFocusReason)
            return True    # never typed as a letter
        return False

    @staticmethod
    def _enter(dialog: QDialog, widget: QWidget, event) -> bool:
        modifiers = event.modifiers()
        if isinstance(widget, QAbstractButton) and not widget.isCheckable():
            widget.click()        # Enter on a button presses that button (never the form's default)
            return True
        if isinstance(widget, QAbstractItemView) or widget.property(KEEPS_ENTER) or (
                isinstance(widget.parent(), QComboBox) and widget.parent().property(KEEPS_ENTER)):
            widget.event(event)   # the field's own Enter (a search, "回车添加"), not passed on to the form
            return True
        if isinstance(widget, (QPlainTextEdit, QTextEdit)) and modifiers & Qt.ShiftModifier:
            return False          # a new line
        if modifiers & Qt.ControlModifier:
            return False          # Ctrl+Enter: the form's own shortcut, if any
        dialog.focusNextChild()
        return True



_filter: FormKeys | None = None


def install(app: QApplication) -> FormKeys:
    """Put the form rules on ``app`` (once); returns the filter."""
    global _filter
    if _filter is None:
        _filter = FormKeys(app)
        app.installEventFilter(_filter)
    return _filter
