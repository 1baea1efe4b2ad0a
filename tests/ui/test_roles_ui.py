"""Role-aware pages: every page hides or disables what the logged-in role may not do.

A 督导员 sees no enabled edit button on any page (only reading, printing, exporting masked
lists, and 督办 on a matter); a 网格员 sees no 定稿, 评比方案 or 加减分; only a 管理员 sees
用户管理 and 操作日志.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QAbstractButton, QTabWidget

from models.core.db import Operator
from models.demo import build_demo
from models.ledger import open_db
from ui.context import AppContext
from ui.dialogs.matter_detail import MatterDetailDialog
from ui.main_window import MainWindow
from ui.pages import PAGES

pytestmark = [pytest.mark.qt_log_ignore("propagateSizeHints"), pytest.mark.usefixtures("close_matter_windows")]

#: what a 督导员 may press: filters, opening to read, printing, masked exports, refreshing
SUPERVISOR_BUTTONS = {
    "刷新", "清除筛选", "清除条件", "查看办理", "查看", "今日到期", "已超期", "待回访", "登记日期", "走访日期",
    "会议日期", "导出…", "导出 Excel…", "开具志愿服务证明…", "上月", "全部", "本年", "本月", "打印通报…",
    "重新计算", "生成预览", "在列表中查看",
    "打印党组织设置一览表", "议事进程",   # reading: the 议事进程 dialog's record buttons follow records.edit
}
READING = re.compile(r"^查看全部 \d+ 件$")
GRID_STAFF_NEVER = ("定稿", "评比方案…", "新增加减分…", "删除加减分")


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("roles") / "demo.db"
    ledger = open_db(path, operator=Operator("测试员"), community_name="幸福社区")
    build_demo(ledger, households=40, months=2)
    ledger.close()
    return path


def _window(qtbot, path, role):
    ledger = open_db(path, operator=Operator(f"一位{role}", user_id=None, role=role))
    ctx = AppContext(ledger)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def _enabled_buttons(qtbot, window) -> dict[str, set[str]]:
    """Every page the role may open → the texts of its visible, enabled buttons, every tab shown."""
    seen = {}
    for key, _title, _spec in PAGES:
        if not window.may_open(key):
            continue
        page = window.show_page(key)
        qtbot.wait(1)
        texts: set[str] = set()
        tab_widgets = page.findChildren(QTabWidget) or [None]
        for tabs in tab_widgets:
            for i in range(tabs.count() if tabs is not None else 1):
                if tabs is not None:
                    tabs.setCurrentIndex(i)
                    qtbot.wait(1)
                texts |= {b.text() for b in page.findChildren(QAbstractButton)
                          if b.text() and b.isVisibleTo(page) and b.isEnabled()}
        seen[key] = texts
    return seen


def test_a_supervisor_sees_no_enabled_edit_button_on_any_page(qtbot, demo_path):
    window = _window(qtbot, demo_path, "督导员")
    seen = _enabled_buttons(qtbot, window)
    assert set(seen) == {k for k, _t, _s in PAGES} - {"users", "audit"}
    editing = {key: sorted(t for t in texts if t not in SUPERVISOR_BUTTONS and not READING.match(t))
               for key, texts in seen.items()}
    assert editing == {key: [] for key in seen}
    # …but on a matter they issue 督办
    ledger = window.ctx.ledger
    matter_id = ledger.scalar("SELECT id FROM matters WHERE state IN ('登记', '已分派') ORDER BY id LIMIT 1")
    assert matter_id is not None
    detail = MatterDetailDialog(window.ctx, matter_id, window)
    qtbot.addWidget(detail)
    actions = {b.text() for b in detail.findChildren(QAbstractButton) if b.isVisibleTo(detail) and b.isEnabled()}
    assert any("督办" in text for text in actions)
    assert not [t for t in actions if t.startswith(("办结", "分派", "改派", "上报", "作废", "延期", "修改"))]
    window.ctx.ledger.close()


def test_a_grid_worker_sees_no_publishing_scheme_or_adjustments(qtbot, demo_path):
    window = _window(qtbot, demo_path, "网格员")
    seen = _enabled_buttons(qtbot, window)
    assert not seen["evaluation"] & set(GRID_STAFF_NEVER)
    assert "users" not in seen and "audit" not in seen
    assert "登记事项" in seen["matters"]           # they do handle matters
    window.ctx.ledger.close()


def test_an_administrator_sees_everything(qtbot, demo_path):
    window = _window(qtbot, demo_path, "管理员")
    seen = _enabled_buttons(qtbot, window)
    assert set(seen) == {k for k, _t, _s in PAGES}
    assert set(GRID_STAFF_NEVER) - {"删除加减分"} <= seen["evaluation"]
    assert "新增用户" in seen["users"] and "导出…" in seen["audit"]
    window.ctx.ledger.close()


@pytest.mark.parametrize("role", ["工作人员", "网格员", "督导员"])
def test_admin_pages_are_hidden_and_cannot_be_reached(qtbot, demo_path, role):
    window = _window(qtbot, demo_path, role)
    keys = [k for k, _t, _s in PAGES]
    for key in ("users", "audit"):
        assert window.navigation.item(keys.index(key)).isHidden()
        window.show_page_at(keys.index(key))
        assert key not in window._pages        # never even built
    window.ctx.ledger.close()
