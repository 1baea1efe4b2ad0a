"""Errors in the window: classified by kind, bugs logged, one calm message at a time.

The locked ledger is real: a ledger file in rollback-journal mode (as on a network
share, where a writer blocks readers) and a second connection holding ``BEGIN
EXCLUSIVE`` — another PC saving.  The residents table then fetches its next page on the
GUI thread, called by Qt itself (a virtual method), and the error reaches the clerk
through the hook ``ui.app`` installs.
"""

import sqlite3
import sys
import threading

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QTableView

from models.core.db import Operator
from models.core.errors import NotFound
from models.ledger import open_db
from tests.ledger_faults import BUSY, locked, shared_file, user_dir  # noqa: F401 - fixtures
from ui import app as app_module
from ui import errors
from ui.context import AppContext
from ui.models import residents_model

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture(autouse=True)
def log_text(user_dir):
    """The log file's text so far (the window's logging set up in the test's user folder)."""
    app_module.setup_logging()
    path = user_dir / "logs" / "gridledger.log"
    return lambda: path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.fixture
def reporter(qtbot, monkeypatch):
    """The hooks of ui.app, installed for this test only."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(app_module, "_reporter", None)
    hooks = app_module.install_error_hooks()
    assert sys.excepthook == hooks.excepthook and threading.excepthook == hooks.thread_excepthook
    yield hooks
    if hooks.box is not None:
        hooks.box.done(0)


def _bug():
    try:
        {}["grid"]
    except KeyError as exc:
        return exc


# -- error_text / show_error ------------------------------------------------------------------

def test_error_text_by_kind(shared_file, user_dir):
    ledger = open_db(shared_file, create=False)
    try:
        with locked(shared_file), pytest.raises(sqlite3.OperationalError) as raised:
            ledger.query("SELECT * FROM residents")
    finally:
        ledger.close()
    assert errors.error_text(raised.value) == BUSY
    assert errors.error_text(NotFound("找不到这个事项。")) == "找不到这个事项。"
    bug = errors.error_text(_bug())
    assert bug.startswith("程序内部出错") and str(user_dir / "logs" / "gridledger.log") in bug


def test_show_error_logs_bugs_only(warnings, log_text):
    errors.show_error(None, NotFound("找不到这个事项。"))
    assert warnings == ["找不到这个事项。"] and log_text() == ""
    errors.show_error(None, _bug())
    assert warnings[1].startswith("程序内部出错")
    assert "Traceback" in log_text() and "KeyError: 'grid'" in log_text()


# -- exceptions nobody caught ------------------------------------------------------------------

@pytest.mark.qt_no_exception_capture
def test_a_locked_ledger_while_the_table_fetches_a_page_is_the_clerks_message(qtbot, shared_file, reporter,
                                                                              monkeypatch, log_text):
    monkeypatch.setattr(residents_model, "PAGE_SIZE", 1)
    ledger = open_db(shared_file, operator=Operator("测试员"), create=False)
    ctx = AppContext(ledger)
    model = residents_model.ResidentsTableModel(ctx)
    model.reload()
    assert model.rowCount() == 1 and model.canFetchMore()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    with locked(shared_file), qtbot.waitSignal(reporter.shown, timeout=5000) as shown:
        view.resize(600, 400)
        view.show()  # Qt asks the model for more rows (fetchMore) from its event loop
    assert shown.args == [BUSY]
    assert reporter.box.text() == BUSY and reporter.box.isVisible()
    assert log_text() == ""  # the environment's fault, not a bug
    reporter.box.done(0)
    view.setModel(None)  # the view would otherwise go on asking a closed ledger
    ledger.close()


@pytest.mark.qt_no_exception_capture
def test_one_message_at_a_time_and_no_storm(qtbot, reporter, log_text):
    now = [100.0]
    reporter._monotonic = lambda: now[0]
    with qtbot.waitSignal(reporter.shown, timeout=3000):
        for _ in range(3):
            exc = _bug()
            sys.excepthook(type(exc), exc, exc.__traceback__)
    qtbot.wait(50)
    assert reporter.dropped == 2 and len([w for w in QApplication.topLevelWidgets()
                                          if isinstance(w, QMessageBox) and w.isVisible()]) == 1
    assert log_text().count("Traceback") == 3  # every bug is logged, even when not shown
    reporter.box.done(0)
    assert reporter.box is None

    exc = _bug()
    sys.excepthook(type(exc), exc, exc.__traceback__)   # the same message straight after closing
    qtbot.wait(50)
    assert reporter.box is None and reporter.dropped == 3
    now[0] += reporter.QUIET_SECONDS + 1
    with qtbot.waitSignal(reporter.shown, timeout=3000):
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert reporter.box.text().startswith("程序内部出错")


@pytest.mark.qt_no_exception_capture
def test_a_thread_that_dies_is_logged_and_told_on_the_gui_thread(qtbot, reporter, log_text):
    def work():
        raise ZeroDivisionError("division by zero")

    thread = threading.Thread(target=work)
    with qtbot.waitSignal(reporter.shown, timeout=3000) as shown:
        thread.start()
        thread.join()
    assert shown.args[0].startswith("程序内部出错")
    assert "ZeroDivisionError" in log_text() and "in work" in log_text()


def test_keyboard_interrupt_is_not_a_message(reporter, monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "__excepthook__", lambda *a: seen.append(a[0]))
    reporter.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert seen == [KeyboardInterrupt] and reporter.box is None
