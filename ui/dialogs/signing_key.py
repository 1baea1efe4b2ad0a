"""设置 ▸ 签名密钥: this ledger's public key fingerprint, and its key file for the street office."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QPushButton, QVBoxLayout

from models.core import signing
from models.core.errors import EnvironmentProblem
from models.street.registry import is_street, street_name
from ui.errors import show_error


class SigningKeyDialog(QDialog):
    """Shows the fingerprint (to read out by phone) and saves the public key file."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        ledger = ctx.ledger
        self.setWindowTitle("签名密钥")
        self.public = signing.public_key(ledger)
        self.name = street_name(ledger) if is_street(ledger) else ledger.community_name
        intro = QLabel("本台账有自己的签名密钥。每月向街道报送的评比数据用它签名，街道据此确认报送确实来自本社区、"
                       "没有被改动。街道第一次导入本社区的报送时，会打电话核对下面的公钥指纹。")
        if is_street(ledger):
            intro.setText("街道台账也有自己的签名密钥（将来向区里汇总时使用）。各社区的公钥指纹在“报送情况”页列出。")
        intro.setWordWrap(True)
        self.fingerprint = QLabel(signing.fingerprint(self.public))
        self.fingerprint.setObjectName("fingerprint")
        font = QFont(self.fingerprint.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setFamilies(["Consolas", "DejaVu Sans Mono", "monospace"])
        self.fingerprint.setFont(font)
        self.fingerprint.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.fingerprint.setAlignment(Qt.AlignCenter)
        self.export_button = QPushButton("导出公钥文件…")
        self.export_button.clicked.connect(self.export_key)
        hint = QLabel("公钥文件可以交给街道预先登记本社区；私钥保存在台账文件中，不会导出。")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel("公钥指纹："))
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.export_button, 0, Qt.AlignLeft)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def export_key(self) -> None:
        start = str(Path(self.ctx.ledger.path or ".").parent / f"{self.name or '台账'}_公钥.txt")
        file, _ = QFileDialog.getSaveFileName(self, "导出公钥文件", start, "公钥文件 (*.txt)")
        if not file:
            return
        try:
            Path(file).write_text(signing.key_file_text(self.name, self.public), encoding="utf-8")
        except OSError as exc:
            show_error(self, EnvironmentProblem(f"无法写入“{file}”：{exc.strerror or exc}"), title="导出公钥文件")
            return
        QMessageBox.information(self, "导出公钥文件", f"公钥文件已保存到：\n{file}")
