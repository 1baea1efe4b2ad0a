"""The application shell: work off the GUI thread, main window, 文件 menu, first start, recent ledgers."""

import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QPushButton

from models.grids import hierarchy as grids_model
from models.core.db import Operator
from models.ledger import open_db
from models.core.errors import ValidationError
from ui import app as app_module
from ui.context import AppContext
from ui.dialogs import first_start
from ui.main_window import MainWindow
from ui import ops
from ui.ops import LedgerOp

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture(autouse=True)
def user_dir(tmp_path, monkeypatch):
    """Settings, logs and the demo ledger go to a temporary user folder."""
    home = tmp_path / "userdata"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("LOCALAPPDATA", str(home))
    return home / "GridLedger"


@pytest.fixture
def messages(monkeypatch):
    seen = []
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind,
                            lambda parent, title, text, *a, _k=kind, **kw: seen.append((_k, title, text)))
    return seen


@pytest.fixture
def file_ctx(ledger_path):
    ledger = open_db(ledger_path, operator=Operator("测试员"))
    ctx = AppContext(ledger)
    yield ctx
    ctx.ledger.close()


# -- work off the GUI thread (ui.ops.LedgerOp with a progress dialog) -------------------------------

def _wait(qtbot, job):
    qtbot.waitUntil(lambda: not job.is_running(), timeout=10000)


def test_worker_runs_with_its_own_connection(qtbot, file_ctx, messages):
    done = []

    def work(ledger, progress, is_cancelled):
        progress(1, 2)
        grids_model.add_grid(ledger, "后台网格")
        progress("快好了")
        return ledger.operator.name

    job = LedgerOp(file_ctx, work, title="测试任务", progress=True).success(done.append).run()
    _wait(qtbot, job)
    assert done == ["测试员"]  # the worker writes as the window's operator
    assert [g["name"] for g in grids_model.grids(file_ctx.ledger)] == ["后台网格"]
    assert messages == []


def test_worker_shows_ledger_errors_as_they_are(qtbot, file_ctx, messages):
    def work(ledger, progress, is_cancelled):
        raise ValidationError("户数必须大于 0。")

    done = []
    _wait(qtbot, LedgerOp(file_ctx, work, title="生成", progress=True).success(done.append).run())
    assert done == []
    assert messages == [("warning", "生成失败", "户数必须大于 0。")]


def test_worker_logs_bugs_and_shows_a_generic_message(qtbot, file_ctx, messages, user_dir):
    app_module.setup_logging()

    def work(ledger, progress, is_cancelled):
        return 1 / 0

    _wait(qtbot, LedgerOp(file_ctx, work, title="计算", progress=True).run())
    kind, title, text = messages[0]
    assert title == "计算失败" and "程序内部出错" in text and "日志" in text
    log = (user_dir / "logs" / "gridledger.log").read_text(encoding="utf-8")
    assert "ZeroDivisionError" in log and "Traceback" in log


def test_worker_can_be_cancelled(qtbot, file_ctx, messages):
    started, done = [], []

    def work(ledger, progress, is_cancelled):
        started.append(True)
        deadline = time.monotonic() + 5
        while not is_cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        return "finished"

    job = ops.run_on_file(None, file_ctx.ledger.path, work, title="长任务").success(done.append).run()
    qtbot.waitUntil(lambda: bool(started), timeout=5000)
    button = job.dialog.findChild(QPushButton)
    assert button.text() == "取消"
    button.click()
    _wait(qtbot, job)
    assert job.cancelled and done == [] and messages == []


# -- main window ------------------------------------------------------------------------------------

def test_main_window_title_status_and_pages(qtbot, file_ctx):
    window = MainWindow(file_ctx, start_page="residents")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_page_shown, timeout=3000):
        window.show()
    assert window.windowTitle() == "网格台账 — 幸福社区"
    assert window.community_label.text() == "社区：幸福社区    操作员：测试员（管理员）"
    assert str(file_ctx.ledger.path) in window.ledger_label.text()
    titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert "居民台账" in titles and "网格管理" in titles
    assert set(window._pages) == {"residents"}  # other pages load when first opened
    grids = window.show_page("grids")
    assert window.stack.currentWidget() is grids
    assert window.navigation.currentItem().text() == "网格管理"
    menu_titles = [a.text() for a in window.menuBar().actions()[0].menu().actions() if a.text()]
    assert menu_titles[:3] == ["新建台账(&N)…", "打开台账(&O)…", "最近打开(&R)"]
    assert "备份台账(&B)…" in menu_titles and "退出(&X)" in menu_titles


def test_main_window_fits_a_small_screen(qtbot, file_ctx):
    window = MainWindow(file_ctx, start_page="residents")
    qtbot.addWidget(window)
    assert window.minimumWidth() <= 1366 and window.minimumHeight() <= 768
    window.resize(1366, 740)
    window.show()
    page = window.page("residents")
    # every action button shows its whole text
    for button in (page.add_button, page.edit_button, page.move_out_button, page.death_button,
                   page.household_button, page.export_button):
        assert button.width() >= button.sizeHint().width() - 1, button.text()


def test_open_another_ledger_from_the_menu(qtbot, file_ctx, tmp_path, monkeypatch, clock):
    other = tmp_path / "另一个.db"
    open_db(other, community_name="和平社区", clock=clock).close()
    window = MainWindow(file_ctx, start_page="residents")
    qtbot.addWidget(window)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))
    window.open_ledger()
    assert window.windowTitle() == "网格台账 — 和平社区"
    assert file_ctx.ledger.path == other
    assert app_module.recent_ledgers()[0] == other.resolve()


def test_opening_a_non_ledger_file_is_refused_in_chinese(qtbot, file_ctx, tmp_path, monkeypatch, messages):
    junk = tmp_path / "照片.db"
    junk.write_bytes(b"not a database at all" * 100)
    window = MainWindow(file_ctx, start_page="residents")
    qtbot.addWidget(window)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(junk), ""))
    window.open_ledger()
    assert messages and messages[0][1] == "无法打开台账" and "不是网格台账文件" in messages[0][2]
    assert window.windowTitle() == "网格台账 — 幸福社区"


def test_backup_from_the_menu(qtbot, file_ctx, tmp_path, monkeypatch, messages):
    window = MainWindow(file_ctx, start_page="residents")
    qtbot.addWidget(window)
    out = tmp_path / "备份" / "copy.db"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    window.backup_ledger()
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert messages[0][0] == "information" and "已备份" in messages[0][2]
    copy = open_db(out, create=False)
    assert copy.community_name == "幸福社区"
    copy.close()
    assert file_ctx.ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE action = '备份'") == 1


# -- start-up and first start ---------------------------------------------------------------------------

def test_startup_with_a_missing_db_asks_first(tmp_path):
    missing = tmp_path / "新台账.db"
    assert app_module.startup_ledger(str(missing)) == (None, missing)
    assert not missing.exists()  # nothing is created before the clerk says so


def test_startup_opens_the_most_recent_ledger(ledger_path):
    app_module.remember_ledger(ledger_path)
    ledger, path = app_module.startup_ledger(None)
    assert path == ledger_path.resolve() and ledger.community_name == "幸福社区"
    ledger.close()


def test_first_start_creates_a_new_ledger(qtbot, tmp_path, typer):
    target = tmp_path / "网格台账" / "我的台账.db"
    dialog = first_start.FirstStartDialog(prefill_path=target)
    qtbot.addWidget(dialog)
    assert "找不到台账文件" in dialog.findChildren(first_start.QLabel)[1].text()
    dialog.create_button.click()
    assert dialog.form.error.text() == "请填写社区名称。"
    typer(dialog.form.community, "红旗社区")
    dialog.create_button.click()
    assert dialog.result() == QDialog.Accepted
    assert dialog.ledger.community_name == "红旗社区" and target.exists()
    dialog.ledger.close()


def test_first_start_builds_the_demo_in_the_background(qtbot, monkeypatch, user_dir, messages):
    calls = []

    def fake_demo(ledger, progress, is_cancelled, households=None):
        # the real generator is H1's (models.demo); here: the worker plumbing and opening the result
        progress("生成网格……")
        grids_model.set_own_community(ledger, "演示社区")
        calls.append(ledger.path)
        return ledger.path

    monkeypatch.setattr(first_start, "build_demo_ledger", fake_demo)
    dialog = first_start.FirstStartDialog()
    qtbot.addWidget(dialog)
    dialog.demo_button.click()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.Accepted, timeout=10000)
    assert calls == [user_dir / "演示台账.db"]
    assert dialog.ledger.community_name == "演示社区"
    dialog.ledger.close()
    assert messages == []


def test_run_gui_without_ledger_and_first_start_cancelled(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    monkeypatch.setattr(first_start.FirstStartDialog, "exec", lambda self: QDialog.Rejected)
    args = SimpleNamespace(db=str(tmp_path / "nothing.db"))
    assert app_module.run_gui(args) == 0
    assert not Path(args.db).exists()


def test_hidden_page_refreshes_when_shown_again(qtbot, file_ctx):
    window = MainWindow(file_ctx, start_page="residents")
    qtbot.addWidget(window)
    window.show()
    grids_page = window.show_page("grids")
    window.show_page("residents")
    grids_model.add_grid(file_ctx.ledger, "新网格")
    file_ctx.notify("grids")
    assert not grids_page.tree.findItems("新网格", Qt.MatchRecursive)  # not counted while hidden
    window.show_page("grids")
    assert grids_page.tree.findItems("新网格", Qt.MatchRecursive)


def test_first_start_demo_with_the_real_generator(qtbot, monkeypatch, user_dir, messages):
    monkeypatch.setattr(first_start, "DEMO_HOUSEHOLDS", 20)
    dialog = first_start.FirstStartDialog()
    qtbot.addWidget(dialog)
    dialog.demo_button.click()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.Accepted or bool(messages), timeout=60000)
    assert messages == []
    assert dialog.ledger.scalar("SELECT COUNT(*) FROM residents") > 20
    assert dialog.ledger.community_name
    dialog.ledger.close()


def test_ctrl_n_adds_a_record_on_whichever_page_is_shown(qtbot, file_ctx, monkeypatch):
    """Every page binds Ctrl+N; only the visible page's shortcut may fire (no ambiguity)."""
    from ui.pages.matters import MattersPage
    from ui.pages.meetings import MeetingsPage
    from ui.pages.residents import ResidentsPage
    from ui.pages.visits import VisitsPage
    from ui.pages.volunteers import ActivitiesTab

    calls = []
    for cls, name in [(ResidentsPage, "add_resident"), (MattersPage, "register_matter"),
                      (VisitsPage, "record_visit"), (MeetingsPage, "add_meeting"),
                      (ActivitiesTab, "new_activity")]:
        monkeypatch.setattr(cls, name, lambda self, _n=name: calls.append(_n))
    window = MainWindow(file_ctx, start_page="residents")
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    for key, expected in [("matters", "register_matter"), ("visits", "record_visit"),
                          ("meetings", "add_meeting"), ("volunteers", "new_activity"),
                          ("residents", "add_resident")]:
        window.show_page(key)
        window.navigation.setFocus()        # where the focus is after clicking the sidebar
        calls.clear()
        qtbot.keyClick(window.navigation, Qt.Key_N, Qt.ControlModifier)
        assert calls == [expected], key


# -- closing the window while work runs ----------------------------------------------------------

def _blocking(release: threading.Event, started: threading.Event):
    def work(ledger, *progress):
        started.set()
        release.wait(10)
    return work


@pytest.mark.parametrize("visible", [False, True])
def test_closing_asks_only_about_work_the_clerk_can_see(qtbot, file_ctx, monkeypatch, visible):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *a, **k: asked.append(text)
                        or QMessageBox.No)
    window = MainWindow(file_ctx, start_page="grids")
    qtbot.addWidget(window)
    window.show()
    release, started = threading.Event(), threading.Event()
    if visible:   # with a progress dialog, as an export
        op = LedgerOp(file_ctx, _blocking(release, started), parent=window, title="导出居民名单", progress=True,
                      cancellable=True).run()
    else:         # a page's count
        op = LedgerOp(file_ctx, _blocking(release, started), parent=window, title="统计人数").quiet().run()
    assert started.wait(5)
    window.close()
    release.set()
    qtbot.waitUntil(lambda: not op.is_running(), timeout=5000)
    if visible:
        assert asked == ["还有后台任务正在进行，确定要退出吗？\n未完成的任务会被取消。"] and window.isVisible()
    else:
        assert asked == [] and not window.isVisible()


@pytest.mark.threaded
@pytest.mark.parametrize("how", ["fails", "cancelled"])
def test_a_demo_that_does_not_finish_is_discarded(qtbot, monkeypatch, user_dir, messages, how):
    started = threading.Event()

    def unfinished_demo(ledger, progress, is_cancelled, households=None):
        grids_model.set_own_community(ledger, "演示社区")
        started.set()
        if how == "fails":
            raise ValidationError("户数必须大于 0。")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            progress("生成中……")   # the real generator's progress raises Cancelled once cancelled
            if is_cancelled():
                raise first_start.Cancelled("已取消生成演示台账。")
            time.sleep(0.01)

    monkeypatch.setattr(first_start, "build_demo_ledger", unfinished_demo)
    dialog = first_start.FirstStartDialog()
    qtbot.addWidget(dialog)
    dialog.demo_button.click()
    assert started.wait(5)
    if how == "cancelled":
        dialog.demo_job.dialog.findChild(QPushButton).click()   # 取消
    qtbot.waitUntil(lambda: dialog.demo_button.isEnabled(), timeout=10000)
    assert not (user_dir / "演示台账.db").exists() and dialog.ledger is None
    assert messages == ([("warning", "生成演示台账失败", "户数必须大于 0。")] if how == "fails" else [])


def test_the_app_name_is_not_appended_to_every_title(qapp):
    """Issue 13: "网格台账 — 幸福社区 — 网格台账": a display name set makes Qt append it to every title."""
    app = app_module.create_application([])
    name = app.applicationName()
    try:
        app.setApplicationName("看显示名是否跟随")
        assert app.applicationDisplayName() == "看显示名是否跟随"     # not set: nothing is appended
    finally:
        app.setApplicationName(name)


def test_help_opens_the_bundled_guide_and_the_shortcuts(qtbot, file_ctx):
    window = MainWindow(file_ctx, start_page="home")
    qtbot.addWidget(window)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "帮助(&H)")
    texts = [a.text() for a in help_menu.actions()]
    assert texts[:2] == ["使用说明(&U)", "快捷键(&K)"]
    help_menu.actions()[0].trigger()
    guide = window.help_window
    assert guide.windowTitle() == "使用说明" and "网格台账 使用说明" in guide.browser.toPlainText()
    help_menu.actions()[1].trigger()
    keys = window.help_window
    shown = {keys.table.item(r, 0).text() for r in range(keys.table.rowCount())}
    assert {"Ctrl+N", "Ctrl+S", "Esc"} <= shown
