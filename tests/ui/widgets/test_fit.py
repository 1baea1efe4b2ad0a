"""Every form fits a 1366×768 screen at 150 % Windows scaling (911×512 logical pixels), its buttons
visible (issue 13; ui/widgets/fit.py).  At that scaling 志愿活动 (900×720), 评比方案 (680×580),
走访记录 (680×600 minimum) and 导入居民 (900×620) opened with 保存 below the screen."""

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QScrollArea

from tests.ui.all_forms import FORMS, form_env, open_form
from ui.widgets import fit, forms

pytestmark = [pytest.mark.qt_log_ignore("This plugin does not support")]

AT_150 = QRect(0, 0, 911, 512)


@pytest.fixture
def env(ledger):
    return form_env(ledger)


def _inside(widget, dialog) -> bool:
    top_left = widget.mapTo(dialog, QPoint(0, 0))
    return dialog.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("name", list(FORMS))
def test_every_form_fits_150_percent_with_its_buttons_visible(qtbot, ctx, env, name):
    dialog = open_form(qtbot, ctx, env, name)
    if fit.fit_to_screen(dialog, AT_150):
        assert AT_150.contains(dialog.geometry())      # moved onto the screen when changed
    assert dialog.width() <= AT_150.width() and dialog.height() <= AT_150.height()
    save = forms.save_button(dialog)
    if save is not None:
        assert save.isVisible() and _inside(save, dialog), "保存 is off the form"
    scrolled = bool(dialog.property(fit.SCROLLED))
    for button in dialog.findChildren(QAbstractButton):
        in_scroll = any(isinstance(p, QScrollArea) for p in _parents(button, dialog))
        if button.isVisible() and not in_scroll:
            assert _inside(button, dialog), button.text()
    assert scrolled == (name in ("志愿活动", "评比方案")), "only forms that cannot shrink scroll"


def _parents(widget, stop):
    parent = widget.parentWidget()
    while parent is not None and parent is not stop:
        yield parent
        parent = parent.parentWidget()


def test_a_form_that_fits_is_left_as_it_is(qtbot, ctx, env):
    dialog = open_form(qtbot, ctx, env, "登记民情事项")
    before = dialog.size()
    assert not fit.fit_to_screen(dialog, AT_150)
    assert dialog.size() == before and not dialog.property(fit.SCROLLED)


def test_a_scrolled_form_still_saves_with_its_keys(qtbot, ctx, env):
    """The body moved into a scroll area: the fields are the same widgets, Ctrl+S still finds 保存."""
    dialog = open_form(qtbot, ctx, env, "志愿活动")
    title = dialog.title_edit
    assert fit.fit_to_screen(dialog, AT_150)
    assert dialog.findChild(QScrollArea, fit.SCROLL_NAME).widget().isAncestorOf(title)
    assert forms.save_button(dialog) is dialog.save_button
    assert title in forms._inputs(dialog)
    assert not fit.fit_to_screen(dialog, AT_150)       # once is enough
