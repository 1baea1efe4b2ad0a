"""The application: QApplication in Chinese, the error hooks, the ledger to open, the main window.

``python main.py`` → ``cli.run`` → :func:`run_gui` (``args.db`` may be None).  Nothing
below imports this module: the main window and the first-start dialog share
:mod:`ui.ledger_files` with it.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QThreadPool, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QDialog

from models.core import errors as core_errors
from models.core.db import Ledger
from resources import version
from resources.paths import default_db_path, log_file, resource_path
from ui.context import AppContext
from ui.dialogs.first_start import FirstStartDialog
from ui.errors import ErrorReporter
from ui.ledger_files import (log_in_to, open_ledger_file, recent_ledgers,  # noqa: F401 - the app's API
                             remember_ledger)
from ui.main_window import MainWindow
from ui.widgets import forms

APP_NAME = "网格台账"

#: CJK faces a clerk's PC or this machine may have, best first.
FONT_PREFERENCE = ("Microsoft YaHei UI", "Microsoft YaHei", "微软雅黑", "PingFang SC", "Noto Sans CJK SC",
                   "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
                   "WenQuanYi Zen Hei", "SimHei", "黑体", "SimSun", "宋体")

#: set to "1" (print when the first page of residents is on screen) or "quit" (print, then quit):
#: used by benchmarks/bench_startup.py
STARTUP_MARK_ENV = "GRIDLEDGER_STARTUP_MARK"
#: the page to open first (a key of ui.pages.PAGES), e.g. "residents"
START_PAGE_ENV = "GRIDLEDGER_START_PAGE"

_translators: list[QTranslator] = []
#: the hooks' reporter while the window runs (kept alive here)
_reporter: ErrorReporter | None = None


# -- the application object --------------------------------------------------------------

def install_translations(app: QApplication) -> None:
    """Qt's own dialogs and buttons (确定/取消, file dialogs) in Simplified Chinese."""
    QLocale.setDefault(QLocale(QLocale.Chinese, QLocale.China))
    folder = QLibraryInfo.path(QLibraryInfo.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, folder) or translator.load(name, str(resource_path("translations"))):
            app.installTranslator(translator)
            _translators.append(translator)


def choose_font(app: QApplication) -> None:
    """A readable CJK face at a size clerks can read (10 pt)."""
    bundled = resource_path("fonts", "ui")
    if bundled.is_dir():
        for file in bundled.glob("*.tt[fc]"):
            QFontDatabase.addApplicationFont(str(file))
    available = set(QFontDatabase.families())
    font = QFont(app.font())
    for family in FONT_PREFERENCE:
        if family in available:
            font.setFamilies([family])
            break
    font.setPointSize(10)
    app.setFont(font)


def load_style(app: QApplication) -> None:
    qss = resource_path("qss", "app.qss")
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, in Chinese with the app's font and style."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    # no setApplicationDisplayName: Qt would append it to every title ("网格台账 — 幸福社区 — 网格台账")
    app.setOrganizationName("GridLedger")
    app.setApplicationVersion(version.VERSION)
    icon = resource_path("icons", "app.ico")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    if not _translators:
        install_translations(app)
    choose_font(app)
    load_style(app)
    forms.install(app)   # Enter moves on, Ctrl+S saves, mnemonics jump, Esc with changes asks
    return app


def setup_logging() -> None:
    """Bugs go, with their traceback, to a rotating log file in the user's data folder."""
    core_errors.setup_logging(log_file())


def install_error_hooks() -> ErrorReporter:
    """Exceptions nobody caught — in a slot, a Qt virtual method (a table model fetching
    its next page), or a thread — are classified, bugs logged, and one calm message shown
    (see :class:`ui.errors.ErrorReporter`).  Returns the reporter."""
    global _reporter
    if _reporter is None:
        _reporter = ErrorReporter(QApplication.instance())
    sys.excepthook = _reporter.excepthook
    threading.excepthook = _reporter.thread_excepthook
    return _reporter


# -- the ledger to open ----------------------------------------------------------------------

def startup_ledger(db_arg: str | None) -> tuple[Ledger | None, Path | None]:
    """The ledger to open at start, or (None, path to prefill) for the first-start dialog."""
    if db_arg:
        path = Path(db_arg)
        if path.exists():
            return open_ledger_file(path), path
        return None, path
    for candidate in recent_ledgers():
        if candidate.exists():
            ledger = open_ledger_file(candidate)
            if ledger is not None:
                return ledger, candidate
    default = default_db_path()
    if default.exists():
        return open_ledger_file(default), default
    return None, None


def mark_startup(window) -> None:
    """For benchmarks/bench_startup.py: say when the first page of residents is on screen."""
    mode = os.environ.get(STARTUP_MARK_ENV)
    if not mode:
        return
    try:
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    except ImportError:  # Windows
        rss = 0
    print(f"GRIDLEDGER_FIRST_PAGE {time.time():.6f} {rss}", flush=True)
    if mode == "quit":
        QTimer.singleShot(0, QApplication.instance().quit)


def _log_in(ledger: Ledger) -> bool:
    """The login dialogs; only the start-up benchmark (``GRIDLEDGER_STARTUP_MARK``) logs in from
    ``GRIDLEDGER_USER``/``GRIDLEDGER_PASSWORD`` as the command line does, so that it can measure."""
    user, password = os.environ.get("GRIDLEDGER_USER"), os.environ.get("GRIDLEDGER_PASSWORD")
    if os.environ.get(STARTUP_MARK_ENV) and user and password:
        from models.core import accounts

        if accounts.has_accounts(ledger):
            accounts.authenticate(ledger, user, password)   # LoginRefused: shown by the hooks, no window
        else:
            accounts.create_first_admin(ledger, username=user, display_name=user, password=password)
        return True
    return log_in_to(ledger)


def run_gui(args) -> int:
    """Open the window.  Returns the exit status."""
    app = create_application()
    setup_logging()
    hooks = sys.excepthook, threading.excepthook
    install_error_hooks()
    try:
        ledger, path = startup_ledger(getattr(args, "db", None))
        if ledger is None:
            dialog = FirstStartDialog(prefill_path=path)
            if dialog.exec() != QDialog.Accepted or dialog.ledger is None:
                return 0
            ledger = dialog.ledger
        if getattr(args, "clock", None) is not None:
            ledger.clock = args.clock   # GRIDLEDGER_NOW (cli.clock): the window stands at that moment too
        if not _log_in(ledger):        # every opening asks who works (issue 10)
            ledger.close()
            return 0
        remember_ledger(ledger.path)

        ctx = AppContext(ledger)
        window = MainWindow(ctx, start_page=os.environ.get(START_PAGE_ENV))
        window.first_page_shown.connect(lambda: mark_startup(window))
        window.showMaximized()
        status = app.exec()
        QThreadPool.globalInstance().waitForDone(5000)  # work still running on its own connection
        ctx.ledger.close()
        return status
    finally:
        sys.excepthook, threading.excepthook = hooks
