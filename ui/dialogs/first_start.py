"""First start (no ledger yet) and 文件 ▸ 新建台账.

The clerk creates a new ledger (community name + where to save it), opens a small
demo ledger (built in the background) or opens an existing ledger file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QFrame, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QRadioButton,
                               QVBoxLayout, QWidget)

from models import demo
from models.core.db import Ledger
from models.core.errors import Cancelled, LedgerError
from models.ledger import open_db
from resources.paths import default_db_path, user_data_dir
from ui import ops
from ui.ledger_files import LEDGER_FILTER, nobody, open_ledger_file

DEMO_HOUSEHOLDS = 400
DEMO_FILE_NAME = "演示台账.db"


def build_demo_ledger(ledger: Ledger, progress, is_cancelled, households: int | None = None) -> Path:
    """Fill ``ledger`` with the demo generator (worker thread).  Returns the ledger's path."""

    def say(text: str) -> None:
        if is_cancelled():  # stops the generator between steps; the half-built file is discarded
            raise Cancelled("已取消生成演示台账。")
        progress(text)

    demo.build_demo(ledger, households=households or DEMO_HOUSEHOLDS, seed=1, progress=say)
    return ledger.path


class NewLedgerForm(QWidget):
    """Community (or street) name + file location, with the checks a new ledger needs.

    A new ledger is a community's (社区台账, the default) or a street office's (街道台账,
    issue 12: it receives the communities' monthly packages and holds no personal data).
    """

    def __init__(self, prefill_path: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.community_kind = QRadioButton("社区台账")
        self.community_kind.setChecked(True)
        self.street_kind = QRadioButton("街道台账（汇总各社区的月度报送）")
        self.street_kind.toggled.connect(self._kind_changed)
        kinds = QHBoxLayout()
        kinds.addWidget(self.community_kind)
        kinds.addWidget(self.street_kind)
        kinds.addStretch(1)
        self.community = QLineEdit()
        self.community.setPlaceholderText("例如：幸福社区")
        self.community.setMaxLength(40)
        self.path_edit = QLineEdit(str(prefill_path or default_db_path()))
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("台账类型：", kinds)
        self.name_label = QLabel("社区名称：")
        form.addRow(self.name_label, self.community)
        form.addRow("保存位置：", row)
        form.addRow("", self.error)

    def _kind_changed(self) -> None:
        street = self.street_kind.isChecked()
        self.name_label.setText("街道名称：" if street else "社区名称：")
        self.community.setPlaceholderText("例如：长江路街道" if street else "例如：幸福社区")

    def _browse(self) -> None:
        file, _ = QFileDialog.getSaveFileName(self, "新台账保存到", self.path_edit.text(), LEDGER_FILTER)
        if file:
            self.path_edit.setText(file)

    def target(self) -> Path:
        path = Path(self.path_edit.text().strip())
        return path if path.suffix else path.with_suffix(".db")

    def create(self) -> Ledger | None:
        """Create (or, if the clerk agrees, open) the ledger; None when not done."""
        name = self.community.text().strip()
        street = self.street_kind.isChecked()
        if not name:
            self.error.setText("请填写街道名称。" if street else "请填写社区名称。")
            self.community.setFocus()
            return None
        if not self.path_edit.text().strip():
            self.error.setText("请选择台账文件的保存位置。")
            return None
        path = self.target()
        if path.exists():
            answer = QMessageBox.question(self, "文件已存在",
                                          f"“{path}”已存在。\n要打开这个已有的台账吗？")
            if answer != QMessageBox.Yes:
                return None
            try:
                return open_db(path, create=False, operator=nobody())
            except LedgerError as exc:
                self.error.setText(str(exc))
                return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if street:   # issue 12: a street office's ledger (no community, no residents)
                return open_db(path, street_name=name, operator=nobody())
            return open_db(path, community_name=name, operator=nobody())
        except OSError as exc:
            self.error.setText(f"无法在该位置创建台账：{exc.strerror or exc}")
        except LedgerError as exc:
            self.error.setText(str(exc))
        return None


class FirstStartDialog(QDialog):
    """Shown when there is no ledger to open.  After ``exec()``, ``ledger`` holds the open ledger."""

    def __init__(self, prefill_path: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("网格台账 — 开始使用")
        self.ledger: Ledger | None = None
        self.demo_job = None

        title = QLabel("欢迎使用网格台账")
        title.setObjectName("pageTitle")
        intro = QLabel("还没有打开任何台账。请新建本社区的台账，或先打开演示台账熟悉功能。")
        intro.setWordWrap(True)
        if prefill_path is not None and not prefill_path.exists():
            intro.setText(f"找不到台账文件“{prefill_path}”。可以在这个位置新建台账，或打开其他台账。")

        new_box = QGroupBox("新建台账")
        self.form = NewLedgerForm(prefill_path)
        self.create_button = QPushButton("新建台账")
        self.create_button.setObjectName("primary")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._create)
        box_layout = QVBoxLayout(new_box)
        box_layout.addWidget(self.form)
        box_layout.addWidget(self.create_button, 0, Qt.AlignRight)

        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        self.demo_button = QPushButton("打开演示台账")
        self.demo_button.clicked.connect(self._demo)
        accounts = "、".join(f"{name}（{role}）" for name, _display, role in demo.DEMO_USERS)
        demo_hint = QLabel(f"生成约 {DEMO_HOUSEHOLDS} 户的示例数据（虚构人员），用于熟悉功能。"
                           f"演示账号：{accounts}，密码都是 {demo.DEMO_PASSWORD}。")
        demo_hint.setObjectName("hint")
        demo_hint.setWordWrap(True)
        self.open_button = QPushButton("打开已有台账…")
        self.open_button.clicked.connect(self._open)
        others = QHBoxLayout()
        others.addWidget(self.demo_button)
        others.addWidget(demo_hint, 1)
        others.addWidget(self.open_button)

        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Cancel).setText("退出")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(new_box)
        layout.addWidget(line)
        layout.addLayout(others)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)
        self.form.community.setFocus()

    def _create(self) -> None:
        ledger = self.form.create()
        if ledger is not None:
            self.ledger = ledger
            self.accept()

    def _open(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self, "打开台账", str(user_data_dir()), LEDGER_FILTER)
        if not file:
            return
        self.ledger = open_ledger_file(Path(file), self)
        if self.ledger is not None:
            self.accept()

    def demo_path(self) -> Path:
        return user_data_dir() / DEMO_FILE_NAME

    def _demo(self) -> None:
        path = self.demo_path()
        if path.exists():
            self.ledger = open_ledger_file(path, self, title="无法打开演示台账")
            if self.ledger is not None:
                self.accept()
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self.demo_button.setEnabled(False)

        def done(result: Path) -> None:
            self.ledger = open_db(result, create=False, operator=nobody())
            self.accept()

        def ended() -> None:  # failed (the error has been shown) or cancelled
            if job.error is not None or job.cancelled:
                self.demo_button.setEnabled(True)
                self._discard_demo(path)

        job = self.demo_job = ops.run_on_file(self, path, build_demo_ledger, title="生成演示台账").success(done)
        job.finished.connect(ended)
        job.run()

    @staticmethod
    def _discard_demo(path: Path) -> None:
        """A half-built demo must not be opened next time as if it were complete."""
        for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
            try:
                p.unlink()
            except OSError:
                pass


class NewLedgerDialog(QDialog):
    """文件 ▸ 新建台账.  After ``exec()``, ``ledger`` holds the new ledger."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("新建台账")
        self.ledger: Ledger | None = None
        suggested = default_db_path()
        if suggested.exists():
            suggested = suggested.with_name("新台账.db")
        self.form = NewLedgerForm(suggested)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("新建")
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def _create(self) -> None:
        ledger = self.form.create()
        if ledger is not None:
            self.ledger = ledger
            self.accept()
