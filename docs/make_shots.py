"""Make the user guide's screenshots from a demo ledger (offscreen, 1366×768).

    python docs/make_shots.py            # every picture into docs/images/
    python docs/make_shots.py home matters   # only these

Every picture the guide shows is made here from the real window on a demo ledger at a
fixed moment (2026-10-31 18:00), so the pictures are regenerated whenever the UI changes
and always match the program.  ``tests/test_user_guide.py`` fails when the guide names a
picture that does not exist, or a chapter has none.

Each shot is a function ``(window) -> QWidget`` returning what to photograph (the main
window, or a dialog it opened); dialogs are closed after their picture.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QWidget  # noqa: E402

IMAGES = ROOT / "docs" / "images"
SIZE = (1366, 768)
NOW = dt.datetime(2026, 10, 31, 18, 0)
#: how long a page gets to load its first rows (worker threads) before its picture
SETTLE_MS = 700

#: name → (what it shows, how to get it); filled by :func:`shot`
SHOTS: dict[str, tuple[str, Callable]] = {}


def shot(name: str, caption: str):
    """Register ``fn(window) -> QWidget`` as the picture ``docs/images/<name>.png``."""
    def register(fn):
        SHOTS[name] = (caption, fn)
        return fn
    return register


def page(key: str):
    def show(window):
        window.show_page(key)
        return window
    return show


def settle(ms: int = SETTLE_MS) -> None:
    QTest.qWait(ms)


def open_dialog(opener: Callable[[], None], dialog_type: type) -> QDialog:
    """Run ``opener`` (which would ``exec()`` a dialog) and return the dialog it opened,
    shown but not modal, so it can be photographed and closed."""
    found: list[QDialog] = []

    def catch():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, dialog_type) and widget.isVisible():
                found.append(widget)
                return
        QTimer.singleShot(50, catch)

    QTimer.singleShot(50, catch)
    QTimer.singleShot(SETTLE_MS, lambda: found and None)
    original = QDialog.exec

    def non_blocking(self):
        self.show()
        return 0

    QDialog.exec = non_blocking
    try:
        opener()
    finally:
        QDialog.exec = original
    settle()
    if not found:
        raise RuntimeError(f"no {dialog_type.__name__} opened")
    return found[0]


# -- the pictures ------------------------------------------------------------------------------

for _key, _title, _spec in __import__("ui.pages", fromlist=["PAGES"]).PAGES:
    shot(f"page-{_key}", f"{_title}页")(page(_key))


# -- running -------------------------------------------------------------------------------

def demo_ledger(folder: Path):
    """A demo ledger of 600 households at :data:`NOW`, as the CLI's ``demo`` makes it."""
    from models.core.db import Operator
    from models.demo import DEFAULT_COMMUNITY, build_demo
    from models.ledger import open_db

    path = folder / "演示台账.db"
    ledger = open_db(path, operator=Operator("演示管理员"), clock=lambda: NOW,
                     community_name=DEFAULT_COMMUNITY)
    build_demo(ledger, households=600, seed=1, months=12)
    return ledger


def main(argv: list[str]) -> int:
    from ui.app import create_application
    from ui.context import AppContext
    from ui.main_window import MainWindow

    wanted = argv[1:] or list(SHOTS)
    unknown = [n for n in wanted if n not in SHOTS]
    if unknown:
        print(f"没有这些截图：{', '.join(unknown)}；可选：{', '.join(SHOTS)}")
        return 2
    app = create_application()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = demo_ledger(Path(tmp))
        window = MainWindow(AppContext(ledger))
        window.resize(*SIZE)
        window.show()
        settle()
        for name in wanted:
            caption, make = SHOTS[name]
            target = make(window)
            settle()
            picture = target.grab()
            picture.save(str(IMAGES / f"{name}.png"))
            print(f"{name}.png  {caption}  {picture.width()}×{picture.height()}")
            if isinstance(target, QDialog):
                target.reject()
        window.close()
        ledger.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
