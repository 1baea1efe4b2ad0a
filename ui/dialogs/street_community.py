"""街道台账 ▸ 登记社区: a community and the public key file it handed over (issue 12)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from models.core import signing
from models.street import registry
from ui.ops import LedgerOp
from ui.widgets.dialog_parts import error_label, line_edit, save_cancel_buttons, show_save_error

KEY_FILTER = "公钥文件 (*.txt *.pub);;所有文件 (*)"


class AddCommunityDialog(QDialog):
    """Name + key file; the key's fingerprint is shown before it is registered."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("登记社区")
        self.key_text = ""
        self.name = line_edit("例如：幸福社区")
        self.name.setMaxLength(40)
        self.key_path = line_edit("社区导出的公钥文件")
        self.key_path.setReadOnly(True)
        browse = QPushButton("选择文件…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.key_path, 1)
        row.addWidget(browse)
        self.fingerprint = QLabel("（未选择公钥文件）")
        self.fingerprint.setObjectName("fingerprint")
        self.error_label = error_label()
        form = QFormLayout()
        form.addRow("社区名称：", self.name)
        form.addRow("公钥文件：", row)
        form.addRow("公钥指纹：", self.fingerprint)
        hint = QLabel("社区在“设置 ▸ 签名密钥”中导出公钥文件。登记前请与社区电话核对上面的指纹。")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        buttons, self.save_button = save_cancel_buttons(self, self.save, "登记")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def browse(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self, "选择社区的公钥文件", "", KEY_FILTER)
        if file:
            self.use_key_file(file)

    def use_key_file(self, path) -> None:
        try:
            with open(path, encoding="utf-8") as f:
                self.key_text = f.read()
        except (OSError, UnicodeDecodeError):
            self.key_text = ""
        self.key_path.setText(str(path))
        public = signing.read_key_file(self.key_text)
        self.fingerprint.setText(signing.fingerprint(public) if public else "（不是有效的公钥文件）")
        if public and not self.name.text().strip():
            for line in self.key_text.splitlines():
                if line.startswith("社区："):
                    self.name.setText(line[3:].strip())

    def save(self) -> None:
        name, text = self.name.text(), self.key_text
        LedgerOp(self.ctx, lambda ledger: registry.add_community.op(ledger, name, text), parent=self,
                 title="登记社区").disabling(self.save_button).success(lambda _c: self.accept()) \
            .failure(lambda exc: show_save_error(self, exc)).run()
