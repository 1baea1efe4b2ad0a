"""A photo (or sign-in sheet) of an activity at a readable size."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel

from ui.widgets.layout import STRETCH, hbox, vbox


class PhotoPreview(QDialog):
    """The image scaled to fit the screen, with its size in pixels."""

    def __init__(self, data: bytes, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        screen = QApplication.primaryScreen()
        avail = screen.availableGeometry().size() if screen else QSize(1280, 720)
        fit = pixmap.scaled(min(pixmap.width(), avail.width() - 80), min(pixmap.height(), avail.height() - 140),
                            Qt.KeepAspectRatio, Qt.SmoothTransformation)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignCenter)
        self.image.setPixmap(fit)
        info = QLabel(f"{pixmap.width()} × {pixmap.height()} 像素")
        info.setStyleSheet("color: #666;")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        vbox((self.image, 1), hbox(info, STRETCH, buttons), parent=self)
