"""帮助 ▸ 使用说明: the clerk's guide (docs/user-guide.md with its pictures), offline.

The guide is Markdown; ``QTextDocument.setMarkdown`` renders it, and the pictures
(``![说明](images/NAME.png)``) are found relative to the docs folder through the
browser's search paths, in the source tree and in the frozen build alike
(:func:`resources.paths.docs_path`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QPixmap, QTextCursor, QTextDocument, QTextImageFormat
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from resources.paths import docs_path

GUIDE_FILE = "user-guide.md"
#: the widest a picture is shown (the main window's 1366 px screenshots are scaled down to it)
IMAGE_MAX_WIDTH = 840


class UserGuideWindow(QDialog):
    """The guide in a window of its own (not modal: the clerk follows it while working)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("使用说明")
        self.setModal(False)
        self.resize(980, 720)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setSearchPaths([str(docs_path())])
        self.problem = QLabel()
        self.problem.setObjectName("fieldError")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QDialogButtonBox()
        buttons.addButton("关闭", QDialogButtonBox.RejectRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.load()

    def load(self) -> None:
        """Read the guide (again) and show it from the top."""
        path = docs_path(GUIDE_FILE)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            self.problem.setText(f"找不到使用说明文件“{path}”，请重新安装网格台账。")
            self.problem.show()
            return
        document = self.browser.document()
        document.setBaseUrl(QUrl.fromLocalFile(str(docs_path()) + "/"))
        document.setMarkdown(text, QTextDocument.MarkdownDialectGitHub)
        self._fit_images()
        self.browser.moveCursor(QTextCursor.Start)

    def _fit_images(self) -> None:
        """Show a window-sized screenshot (1366 px) at :data:`IMAGE_MAX_WIDTH`, keeping its shape;
        dialogs (smaller) at their own size."""
        document = self.browser.document()
        cursor = QTextCursor(document)
        for position, length, fmt in self._image_fragments():
            image = document.resource(QTextDocument.ImageResource, QUrl(fmt.name()))
            # a QImage or a QPixmap, whichever the browser loaded
            if not isinstance(image, (QImage, QPixmap)) or image.isNull() or image.width() <= IMAGE_MAX_WIDTH:
                continue
            fmt.setWidth(IMAGE_MAX_WIDTH)
            fmt.setHeight(image.height() * IMAGE_MAX_WIDTH / image.width())
            cursor.setPosition(position)
            cursor.setPosition(position + length, QTextCursor.KeepAnchor)
            cursor.setCharFormat(fmt)

    def _image_fragments(self) -> list[tuple[int, int, QTextImageFormat]]:
        found = []
        block = self.browser.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.charFormat().isImageFormat():
                    found.append((fragment.position(), fragment.length(), fragment.charFormat().toImageFormat()))
                it += 1
            block = block.next()
        return found

    def image_names(self) -> list[str]:
        """The pictures the guide shows, in order (``images/NAME.png``)."""
        return [fmt.name() for _position, _length, fmt in self._image_fragments()]


_open: list[UserGuideWindow] = []


def show_user_guide(parent: QWidget | None = None) -> UserGuideWindow:
    """Open the guide, or bring the one already open to the front."""
    for window in list(_open):
        try:
            if window.isVisible():
                window.raise_()
                window.activateWindow()
                return window
        except RuntimeError:
            pass
        _open.remove(window)
    window = UserGuideWindow(parent)
    window.setAttribute(Qt.WA_DeleteOnClose)
    window.destroyed.connect(lambda _o=None, w=window: _open.remove(w) if w in _open else None)
    _open.append(window)
    window.show()
    return window
