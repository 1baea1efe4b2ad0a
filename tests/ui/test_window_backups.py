"""The window's side of issue 16: automatic backups and their status line, 文件 ▸ 从备份恢复
with its confirmation (管理员 only), and a damaged ledger explained with its ways out."""

import sqlite3

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from models import backup
from models.core.db import Operator
from models.ledger import open_db
from tests.ledger_faults import damage_leaf, fill_residents
from ui.context import AppContext
from ui.dialogs import restore as restore_dialogs
from ui.main_window import MainWindow

pytestmark = [pytest.mark.qt_log_ignore("propagateSizeHints"), pytest.mark.threaded]


@pytest.fixture(autouse=True)
def user_dir(tmp_path, monkeypatch):
    home = tmp_path / "userdata"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@pytest.fixture
def messages(monkeypatch):
    seen = []
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind,
                            lambda parent, title, text, *a, _k=kind, **kw: seen.append((_k, title, text)))
    return seen


@pytest.fixture
def path(tmp_path, clock):
    p = tmp_path / "台账.db"
    led = open_db(p, operator=Operator("王主任"), clock=clock, community_name="幸福社区")
    fill_residents(led, 600)
    led.close()
    return p


def open_window(qtbot, path, clock, role="管理员"):
    ledger = open_db(path, operator=Operator("王主任", role=role), clock=clock)
    window = MainWindow(AppContext(ledger), start_page="home")
    qtbot.addWidget(window)
    return window


def residents(path):
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT COUNT(*) FROM residents").fetchone()[0]
    finally:
        conn.close()


def test_opening_backs_up_and_the_status_line_says_so(qtbot, path, clock, messages):
    window = open_window(qtbot, path, clock)
    qtbot.waitUntil(lambda: backup.last_backup(window.ctx.ledger) is not None, timeout=10000)
    qtbot.waitUntil(lambda: window.backup_label.text().startswith("最近备份"), timeout=10000)
    assert window.backup_label.text() == "最近备份：2026-10-15 09:30（打开）"
    assert messages == []


def test_restore_from_the_window_with_confirmation(qtbot, path, clock, messages, monkeypatch):
    led = open_db(path, create=False, clock=clock)
    made = backup.auto_backup(led, "每日", interval=None)          # 600 residents
    fill_residents(led, 50)                                      # 650 now
    led.close()
    clock.advance(hours=2)
    window = open_window(qtbot, path, clock)
    qtbot.waitUntil(lambda: len(backup.ledger_backups(path)) == 2, timeout=10000)   # 打开 (2 hours later)
    qtbot.waitUntil(lambda: window._auto_backup_op is None, timeout=10000)

    asked = []

    def choose(dialog):
        assert dialog.table.rowCount() >= 2
        texts = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
        row = texts.index("每日")
        assert dialog.table.item(row, 3).text() == "600" and dialog.table.item(row, 0).text() == "2026-10-15 09:30:00"
        dialog.table.selectRow(row)
        dialog.restore_button.click()
        return dialog.result()

    monkeypatch.setattr(restore_dialogs.RestoreDialog, "exec", choose)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a, **k: asked.append(text) or QMessageBox.Yes)
    window.restore_action.trigger()
    qtbot.waitUntil(lambda: any(m[1] == "恢复完成" for m in messages), timeout=20000)
    assert "恢复后：居民 600 人，事项 0 件（当前：居民 650 人，事项 0 件）" in asked[0]
    assert window.ctx.ledger.scalar("SELECT COUNT(*) FROM residents") == 600
    assert residents(path) == 600
    kept = list(path.parent.glob("台账.替换前-*.db"))
    assert len(kept) == 1 and residents(kept[0]) == 650
    actions = [r["action"] for r in window.ctx.ledger.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-1] == "恢复备份"
    assert made.exists()


def test_restore_cancelled_at_the_confirmation_changes_nothing(qtbot, path, clock, messages, monkeypatch):
    led = open_db(path, create=False, clock=clock)
    made = backup.auto_backup(led, "每日", interval=None)
    fill_residents(led, 50)
    led.close()
    window = open_window(qtbot, path, clock)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)
    window.restore_file(made)
    assert residents(path) == 650 and window.ctx.ledger.scalar("SELECT COUNT(*) FROM residents") == 650


def test_restore_is_for_administrators_only(qtbot, path, clock, messages):
    window = open_window(qtbot, path, clock, role="工作人员")
    assert not window.restore_action.isEnabled()
    window.restore_from_backup()
    assert messages and "只有管理员可以从备份恢复台账" in messages[-1][2]


def test_a_damaged_ledger_opens_into_the_explanation(qtbot, path, clock, messages, monkeypatch, tmp_path):
    led = open_db(path, create=False, clock=clock)
    backup.auto_backup(led, "打开", interval=None)
    led.close()
    damage_leaf(path, "residents")
    shown = []

    def exec_(dialog):
        shown.append((dialog.explanation.text(), dialog.restore_button.text(), dialog.salvage_button.isEnabled()))
        dialog.salvage_button.click()
        return dialog.result()

    monkeypatch.setattr(restore_dialogs.DamageDialog, "exec", exec_)
    out = tmp_path / "抢救.db"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *a, **k:
                        messages.append(("question", title, text)) or QMessageBox.No)
    open_window(qtbot, path, clock)
    qtbot.waitUntil(lambda: any(m[1] == "抢救完成" for m in messages), timeout=20000)
    text, restore_text, can_salvage = shown[0]
    assert "台账文件“台账.db”已损坏" in text and can_salvage
    assert restore_text == "从最近的备份恢复（2026-10-15 09:30，打开）"
    assert 0 < residents(out) < 600


def test_backup_settings_from_the_window(qtbot, path, clock, messages, monkeypatch, tmp_path):
    stick = tmp_path / "U盘"
    stick.mkdir()

    def fill(dialog):
        dialog.folder.setText(str(stick))
        dialog.spins["days"].setValue(10)
        return QDialog.Accepted

    monkeypatch.setattr(restore_dialogs.BackupSettingsDialog, "exec", fill)
    window = open_window(qtbot, path, clock)
    window.backup_settings_action.trigger()
    qtbot.waitUntil(lambda: backup.retention(window.ctx.ledger)["days"] == 10, timeout=10000)
    assert backup.retention(window.ctx.ledger) == {"days": 10, "weeks": 8, "months": 12}
    assert backup.second_folder(window.ctx.ledger) == stick
    clerk = open_window(qtbot, path, clock, role="工作人员")
    assert not clerk.backup_settings_action.isEnabled()
