"""网格管理 → 党组织: set up the 联合党委, a grid's 党支部 and a building's 党小组 with clicks, add a
党员 resident as 书记 and a 下沉干部, refuse what the rules refuse, print the roster."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from models.grids import hierarchy as grids_model
from models.residents import party
from models.residents import records as R
from tests.ui.ui_helpers import show_widget
from ui.pages.grids import GridsPage

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def people(ledger, place):
    return {
        "张党员": R.add_resident(ledger, {"name": "张党员", "household_id": place["rooms"]["101"],
                                          "political_status": "中共党员"}),
        "王群众": R.add_resident(ledger, {"name": "王群众", "household_id": place["rooms"]["102"]}),
        "陈下沉": grids_model.add_staff(ledger, "陈下沉", "网格员", sinking_cadre=True),
    }


def _click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton)


def test_build_the_tree_and_add_members(qtbot, ctx, ledger, place, people, qtmodeltester):
    page = GridsPage(ctx)
    show_widget(qtbot, page)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["网格与楼栋", "党组织"]
    page.tabs.setCurrentIndex(1)
    pane = page.party_pane
    assert pane.place_box.currentText() == "社区联合党委"
    _click(qtbot, pane.add_org_button)
    assert pane.tree.currentItem().text(0) == "幸福社区联合党委"
    assert [pane.place_box.itemText(i) for i in range(pane.place_box.count())] == ["第一网格党支部", "第二网格党支部"]
    _click(qtbot, pane.add_org_button)
    assert pane.tree.currentItem().text(0) == "第一网格党支部"
    assert pane.place_box.currentText() == "1号楼党小组"
    _click(qtbot, pane.add_org_button)
    group = pane.tree.currentItem()
    assert (group.text(0), group.text(2)) == ("1号楼党小组", "未配备")

    # candidates: the building's party members and the 下沉干部; never the 群众
    texts = [pane.candidate_box.itemText(i) for i in range(pane.candidate_box.count())]
    assert texts == ["陈下沉（下沉干部）", "张党员（第一网格 1号楼）"]
    pane.candidate_box.setCurrentIndex(1)
    pane.duty_box.setCurrentText("书记")
    _click(qtbot, pane.add_member_button)
    pane.candidate_box.setCurrentIndex(0)
    pane.duty_box.setCurrentText("书记")
    _click(qtbot, pane.add_member_button)
    assert pane.error.text() == "1号楼党小组已经有书记。"
    pane.duty_box.setCurrentText("委员")
    _click(qtbot, pane.add_member_button)
    qtmodeltester.check(pane.members_model)
    assert [(r["duty"], r["name"], r["kind"]) for r in pane.members_model.rows] == [
        ("书记", "张党员", "党员居民"), ("委员", "陈下沉", "下沉干部")]
    assert pane.tree.currentItem().text(2) == "张党员"
    pane.members_view.selectRow(1)
    _click(qtbot, pane.remove_button)
    assert [r["name"] for r in pane.members_model.rows] == ["张党员"]
    assert ledger.scalar("SELECT COUNT(*) FROM staff WHERE name = '陈下沉'") == 1    # the staff record stays


def test_print_opens_the_roster_on_the_reports_page(qtbot, ctx, ledger, place):
    party.add_org(ledger, "联合党委")
    asked = []

    class Reports:
        def preview(self, kind):
            asked.append(kind)

    class Window:
        def show_page(self, key):
            asked.append(key)
            return Reports()

    ctx.window = Window()
    page = GridsPage(ctx)
    show_widget(qtbot, page)
    _click(qtbot, page.party_pane.print_button)
    assert asked == ["reports", "party"]
