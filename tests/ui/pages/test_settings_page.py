"""设置 page: a clerk edits the office's lists, the 督办 rules, the issuer and the idle lock with
real clicks; a refused change shows under the buttons; other roles only look."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from models.core import issuer as issuer_model
from models.core import lists
from models.core.db import Operator
from models.evaluation import scheme as scheme_model
from models.matters import records as M
from tests.ui.ui_helpers import show_widget
from ui.context import AppContext
from ui.pages.settings import SettingsPage

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def page(qtbot, ctx, place):
    widget = SettingsPage(ctx)
    show_widget(qtbot, widget)
    return widget


def _choose(tab, name):
    row = next(i for i, r in enumerate(tab.model.rows) if r["name"] == name)
    tab.view.selectRow(row)


def _click(qtbot, tab, text):
    button = next(b for b in tab.buttons if b.text() == text)
    qtbot.mouseClick(button, Qt.LeftButton)


def test_the_tabs(page):
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        "人员标签", "事项类别", "事项来源", "活动类型", "走访方式", "督办", "落款与锁定"]


def test_add_a_category_with_its_rule_then_retire_a_used_one(page, qtbot, ledger, place, qtmodeltester):
    tab = page.list_tabs["matter_category"]
    qtmodeltester.check(tab.model)
    tab.name_edit.clear()
    tab.name_edit.setText("电梯故障")
    tab.level_box.setCurrentText("大事")
    tab.days_spin.setValue(15)
    _click(qtbot, tab, "新增")
    assert lists.category_rule(ledger, "电梯故障") == {"level": "大事", "deadline_days": 15}
    assert tab.chosen()["name"] == "电梯故障"
    assert tab.model.index(tab.model.rowCount() - 1, 4).data() == "15 天"

    M.register_matter(ledger, {"source": "来电", "category": "路灯照明", "level": "小事",
                               "description": "路灯不亮", "household_id": place["rooms"]["101"]})
    tab.refresh()
    _choose(tab, "路灯照明")
    tab.name_edit.setText("照明设施")
    _click(qtbot, tab, "改名")
    assert "不能改名" in tab.error.text() and not tab.error.isHidden()
    _click(qtbot, tab, "停用")
    assert "路灯照明" not in M.categories(ledger)
    assert tab.model.index(tab.view.currentIndex().row(), 1).data() == "已停用"
    assert ledger.query("SELECT category FROM matters") == [{"category": "路灯照明"}]


def test_a_visit_way_cannot_be_added(page):
    tab = page.list_tabs["visit_way"]
    assert next(b for b in tab.buttons if b.text() == "新增").isHidden()
    assert "只能停用" in tab.hint.text()


def test_tags_sensitive_and_retired(page, qtbot, ledger):
    tab = page.tags_tab
    tab.name_edit.setText("困境儿童")
    tab.sensitive_check.setChecked(True)
    _click(qtbot, tab, "新增")
    row = tab.chosen()
    assert (row["name"], row["sensitive"]) == ("困境儿童", 1)
    assert tab.model.index(tab.view.currentIndex().row(), 1).data() == "敏感（重点人员）"
    _click(qtbot, tab, "停用")
    assert [t["retired"] for t in lists.tags(ledger) if t["name"] == "困境儿童"] == [1]


def test_supervision_rules_and_the_issuer_and_the_lock(page, qtbot, ledger):
    tab = page.supervision_tab
    assert (tab.window_spin.value(), tab.yellow_spin.value(), tab.red_spin.value()) == (3, -1, -2)
    tab.window_spin.setValue(7)
    tab.red_spin.setValue(-3)
    qtbot.mouseClick(tab.save_button, Qt.LeftButton)
    assert M.supervision_window_days(ledger) == 7
    assert scheme_model.current_scheme(ledger).card_points == {"黄牌": -1.0, "红牌": -3.0}
    assert tab.saved.text() == "已保存。"

    other = page.issuer_tab
    other.issuer_edit.setText("幸福街道幸福社区居民委员会")
    qtbot.mouseClick(other.issuer_button, Qt.LeftButton)
    assert issuer_model.issuer_name(ledger) == "幸福街道幸福社区居民委员会"
    other.lock_spin.setValue(30)
    qtbot.mouseClick(other.lock_button, Qt.LeftButton)
    assert lists.idle_lock_minutes(ledger) == 30 and other.saved.text() == "锁定时间已保存。"
    other.issuer_edit.setText("")
    qtbot.mouseClick(other.issuer_button, Qt.LeftButton)
    assert other.error.text() == "通报落款单位不能为空。"
    audited = ledger.query("SELECT action, table_name FROM audit_log WHERE table_name = 'settings'")
    assert len(audited) >= 4


@pytest.mark.parametrize("role", ["工作人员", "网格员", "督导员"])
def test_other_roles_only_look(qtbot, ledger, place, role):
    ledger.operator = Operator("某人", role=role)
    page = SettingsPage(AppContext(ledger))
    show_widget(qtbot, page)
    tab = page.list_tabs["matter_source"]
    assert not any(b.isEnabled() for b in tab.buttons)
    assert "可以修改设置" in tab.buttons[0].toolTip()
    assert not page.supervision_tab.save_button.isEnabled() and not page.issuer_tab.lock_button.isEnabled()


def test_a_retired_tag_is_offered_only_to_residents_who_have_it(qtbot, ctx, ledger, place):
    from models.residents import records as R
    from ui.dialogs.resident_form import ResidentForm

    holder = R.add_resident(ledger, {"name": "张三", "household_id": place["rooms"]["101"], "tags": ["低保户"]})
    lists.retire_tag(ledger, next(t["id"] for t in lists.tags(ledger) if t["name"] == "低保户"))
    new_form = ResidentForm(ctx)
    show_widget(qtbot, new_form)
    assert new_form.tag_boxes["低保户"].isHidden() and not new_form.tag_boxes["党员"].isHidden()
    old_form = ResidentForm(ctx, resident_id=holder)
    show_widget(qtbot, old_form)
    assert not old_form.tag_boxes["低保户"].isHidden() and old_form.tag_boxes["低保户"].isChecked()
