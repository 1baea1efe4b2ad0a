"""帮助 ▸ 使用说明 opens the clerk's guide with its pictures, from the source tree or a frozen build."""

import re
import sys

import pytest
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from models.core.db import Operator
from models.ledger import open_db
from resources import paths
from ui.context import AppContext
from ui.dialogs.user_guide import UserGuideWindow
from ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

GUIDE = paths.docs_path("user-guide.md")


@pytest.fixture
def window(qtbot, ledger_path, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "userdata"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "userdata"))
    ledger = open_db(ledger_path, operator=Operator("测试员"))
    main = MainWindow(AppContext(ledger))
    qtbot.addWidget(main)
    main.show()
    yield main
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, UserGuideWindow):
            widget.close()
    main.close()                       # its closing backup runs on the still-open ledger
    qtbot.waitUntil(lambda: not main.isVisible(), timeout=30000)
    ledger.close()


def _first_chapter() -> str:
    return next(line[3:].strip() for line in GUIDE.read_text(encoding="utf-8").splitlines()
                if line.startswith("## "))


def _first_image() -> str:
    return re.search(r"!\[[^\]]*\]\(([^)]+)\)", GUIDE.read_text(encoding="utf-8")).group(1)


def _guide_window() -> UserGuideWindow:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, UserGuideWindow) and w.isVisible()]
    assert len(found) == 1
    return found[0]


def test_help_menu_opens_the_guide_with_its_pictures(window, qtbot):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "帮助(&H)")
    guide_action = next(a for a in help_menu.actions() if a.text().startswith("使用说明"))
    guide_action.trigger()
    guide = _guide_window()
    text = guide.browser.toPlainText()
    assert _first_chapter() in text
    assert "![" not in text                     # rendered as Markdown, not shown as source
    names = guide.image_names()
    assert names and names[0] == _first_image()
    image = guide.browser.document().resource(QTextDocument.ImageResource, names[0])
    assert image is not None and not image.isNull() and image.width() > 100   # not a broken image

    # a window-sized picture is scaled to fit the guide's window, keeping its shape
    from ui.dialogs.user_guide import IMAGE_MAX_WIDTH
    sizes = [fmt.width() for _p, _l, fmt in guide._image_fragments() if fmt.width()]
    assert sizes and max(sizes) == IMAGE_MAX_WIDTH

    guide_action.trigger()                      # a second F1 brings the same window forward
    assert _guide_window() is guide


def test_the_guide_is_found_in_a_frozen_build(qtbot, tmp_path, monkeypatch):
    """build.spec ships docs/ beside resources/ under sys._MEIPASS: the lookup follows it."""
    bundle = tmp_path / "bundle"
    (bundle / "docs" / "images").mkdir(parents=True)
    (bundle / "docs" / "user-guide.md").write_text("# 说明\n\n## 冻结版的一章\n\n![图](images/a.png)\n",
                                                    encoding="utf-8")
    source_picture = paths.docs_path(_first_image())
    (bundle / "docs" / "images" / "a.png").write_bytes(source_picture.read_bytes())
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    guide = UserGuideWindow()
    qtbot.addWidget(guide)
    assert "冻结版的一章" in guide.browser.toPlainText()
    image = guide.browser.document().resource(QTextDocument.ImageResource, "images/a.png")
    assert image is not None and not image.isNull()


def test_a_missing_guide_is_said_in_chinese(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "empty"), raising=False)
    guide = UserGuideWindow()
    qtbot.addWidget(guide)
    assert "找不到使用说明文件" in guide.problem.text()
