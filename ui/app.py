"""The application: QApplication in Chinese, the ledger to open, the main window.

``python main.py`` → ``cli.run`` → :func:`run_gui` (``args.db`` may be None).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from models.core.db import Ledger
from models.ledger import open_db
from models.core.errors import LedgerError
from resources.paths import log_file, resource_path, user_data_dir

APP_NAME = "网格台账"
MAX_RECENT = 8

#: CJK faces a clerk's PC or this machine may have, best first.
FONT_PREFERENCE = ("Microsoft YaHei UI", "Microsoft YaHei", "微软雅黑", "PingFang SC", "Noto Sans CJK SC",
                   "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
                   "WenQuanYi Zen Hei", "SimHei", "黑体", "SimSun", "宋体")

#: set to "1" (print when the first page of residents is on screen) or "quit" (print, then quit):
#: used by benchmarks/bench_startup.py
STARTUP_MARK_ENV = "GRIDLEDGER_STARTUP_MARK"
#: the page to open first (a key of ui.pages.PAGES), e.g. "residents"
START_PAGE_ENV = "GRIDLEDGER_START_PAGE"

log = logging.getLogger("gridledger")
_translators: list[QTranslator] = []


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
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("GridLedger")
    if not _translators:
        install_translations(app)
    choose_font(app)
    load_style(app)
    return app


def setup_logging() -> None:
    """Bugs go, with their traceback, to a rotating log file in the user's data folder."""
    path = log_file()
    if any(getattr(h, "baseFilename", None) == str(path) for h in log.handlers):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                       encoding="utf-8")
    except OSError:
        return  # a read-only profile: logging to stderr only
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def _excepthook(exc_type, exc, tb) -> None:
    """An exception escaping a slot: log it and tell the clerk instead of dying silently."""
    from ui.worker import show_error

    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    import traceback

    text = "".join(traceback.format_exception(exc_type, exc, tb))
    if not isinstance(exc, LedgerError):
        sys.__excepthook__(exc_type, exc, tb)
    show_error(QApplication.activeWindow(), exc, text)


# -- recent ledgers ------------------------------------------------------------------------

def app_settings() -> QSettings:
    """The window's own settings (recent ledgers, geometry): an ini file in the user's data folder."""
    return QSettings(str(user_data_dir() / "settings.ini"), QSettings.IniFormat)


def recent_ledgers() -> list[Path]:
    value = app_settings().value("recent_ledgers", [])
    if isinstance(value, str):
        value = [value]
    return [Path(v) for v in (value or []) if v]


def remember_ledger(path: Path | None) -> None:
    """Put ``path`` at the top of the 最近打开 list."""
    if path is None:
        return
    path = Path(path).resolve()
    items = [path] + [p for p in recent_ledgers() if p != path]
    settings = app_settings()
    settings.setValue("recent_ledgers", [str(p) for p in items[:MAX_RECENT]])
    settings.sync()


def default_ledger_path() -> Path:
    from cli import default_db_path

    return default_db_path()


def open_ledger_file(path: Path, parent=None, *, quiet: bool = False) -> Ledger | None:
    """Open an existing ledger; a LedgerError is shown in Chinese and gives None."""
    try:
        return open_db(path, create=False)
    except LedgerError as exc:
        if not quiet:
            QMessageBox.warning(parent, "无法打开台账", str(exc))
        return None


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
    default = default_ledger_path()
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


def run_gui(args) -> int:
    """Open the window.  Returns the exit status."""
    app = create_application()
    setup_logging()
    sys.excepthook = _excepthook
    ledger, path = startup_ledger(getattr(args, "db", None))
    if ledger is None:
        from ui.dialogs.first_start import FirstStartDialog

        dialog = FirstStartDialog(prefill_path=path)
        if dialog.exec() != QDialog.Accepted or dialog.ledger is None:
            return 0
        ledger = dialog.ledger
    remember_ledger(ledger.path)

    from ui.context import AppContext
    from ui.main_window import MainWindow

    ctx = AppContext(ledger)
    window = MainWindow(ctx, start_page=os.environ.get(START_PAGE_ENV))
    window.first_page_shown.connect(lambda: mark_startup(window))
    window.showMaximized()
    status = app.exec()
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(5000)  # a count still running on its own connection
    ctx.ledger.close()
    return status
