"""文件 ▸ 从备份恢复 (管理员), and the answer to a damaged ledger.

:class:`RestoreDialog` lists the ledger's automatic backups (time, why, who, residents,
matters) and lets the clerk pick another backup file; :func:`confirm_restore` verifies the
chosen backup, asks for its password when it has one, and asks for confirmation with
"恢复后：居民 N 人，事项 M 件（当前：…）".  :class:`DamageDialog` explains a damaged
ledger and offers the latest good backup (by name and time) or salvage into a new ledger.
The work itself (:func:`models.backup.restore`, :func:`models.salvage.salvage`) runs in
the background through :func:`ui.ops.run_detached`; the main window does the swap.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout,
                               QHeaderView, QInputDialog, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from models import backup
from models.core import safecopy, sealed
from models.core.errors import LedgerError
from models.salvage import Damage

BACKUP_FILTER = "台账备份 (*.db *.glenc *.sqlite *.sqlite3);;所有文件 (*)"
COLUMNS = ("备份时间", "原因", "操作员", "居民（人）", "事项（件）", "文件")


class RestoreDialog(QDialog):
    """The backups of the ledger at ``ledger_path``; after ``exec()``, ``chosen`` is the file picked."""

    def __init__(self, ledger_path: Path, extra_folders: list[Path] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("从备份恢复")
        self.chosen: Path | None = None
        self.backups = backup.ledger_backups(ledger_path, list(extra_folders))
        layout = QVBoxLayout(self)
        hint = QLabel("选择要恢复的备份。恢复前会先备份当前台账，当前台账文件也会保留一份带日期的副本。")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.table = QTableWidget(len(self.backups), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        for row, item in enumerate(self.backups):
            m = None if item.encrypted else safecopy.peek_manifest(item.path)
            cells = (f"{item.taken:%Y-%m-%d %H:%M:%S}", item.reason + ("（加密）" if item.encrypted else ""),
                     (m.operator if m else "") or "—", f"{m.residents():,}" if m else "—",
                     f"{m.matters():,}" if m else "—", item.path.name)
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if col in (3, 4):
                    cell.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, col, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        if self.backups:
            self.table.selectRow(0)
        self.table.doubleClicked.connect(lambda _index: self._choose())
        layout.addWidget(self.table, 1)
        if not self.backups:
            layout.addWidget(QLabel("没有找到这个台账的自动备份，可以点“其他备份文件…”选择。"))
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton("恢复…", QDialogButtonBox.AcceptRole)
        self.restore_button.setEnabled(bool(self.backups))
        self.other_button = buttons.addButton("其他备份文件…", QDialogButtonBox.ActionRole)
        buttons.addButton("取消", QDialogButtonBox.RejectRole)
        self.restore_button.clicked.connect(self._choose)
        self.other_button.clicked.connect(self._other)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 420)

    def _choose(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        self.chosen = self.backups[rows[0].row()].path
        self.accept()

    def _other(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self, "选择备份文件", "", BACKUP_FILTER)
        if file:
            self.chosen = Path(file)
            self.accept()


def ask_password(parent: QWidget | None, title: str, *, confirm: bool = False) -> str | None:
    """A password from the clerk (None when cancelled or empty)."""
    text, ok = QInputDialog.getText(parent, title, "备份密码：", QLineEdit.Password)
    if not ok or not text:
        return None
    if confirm:
        again, ok = QInputDialog.getText(parent, title, "再输入一次密码：", QLineEdit.Password)
        if not ok:
            return None
        if again != text:
            QMessageBox.warning(parent, title, "两次输入的密码不一致，备份未进行。")
            return None
    return text


def confirm_restore(parent: QWidget | None, source: Path, ledger_path: Path) -> tuple[bool, str | None]:
    """Verify ``source``, ask for its password when it has one, and ask for confirmation.

    Returns:
        (confirmed, password).
    """
    password = None
    if sealed.is_sealed(source):
        password = ask_password(parent, "从备份恢复")
        if password is None:
            return False, None
    try:
        manifest = backup.inspect_backup(source, password)
    except LedgerError as exc:
        QMessageBox.warning(parent, "不能用这个文件恢复", str(exc))
        return False, None
    text = (f"备份：{source.name}\n备份时间：{manifest.created_at}（{manifest.operator or '自动备份'}）\n\n"
            f"{backup.describe_restore(manifest, backup.current_counts(ledger_path))}\n\n"
            "恢复会用这个备份替换当前台账。替换前会先备份当前台账，并保留一份带日期的副本。确定要恢复吗？")
    answer = QMessageBox.question(parent, "确认恢复", text, QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
    return answer == QMessageBox.Yes, password


class DamageDialog(QDialog):
    """What is wrong with a ledger and the ways out.  After ``exec()``, ``choice`` is
    ``"restore"`` (with ``backup`` the file), ``"salvage"`` or None."""

    def __init__(self, damage: Damage, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("台账文件已损坏")
        self.choice: str | None = None
        found = backup.ledger_backups(damage.path)
        self.backup = found[0].path if found else None
        layout = QVBoxLayout(self)
        self.explanation = QLabel(damage.explanation() + ("\n" + "\n".join(damage.problems[:3]) if damage.problems else ""))
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.explanation)
        layout.addWidget(QLabel("可以这样处理："))
        row = QHBoxLayout()
        if found:
            latest = found[0]
            self.restore_button = QPushButton(f"从最近的备份恢复（{latest.taken:%Y-%m-%d %H:%M}，{latest.reason}）")
            self.restore_button.setToolTip(str(latest.path))
        else:
            self.restore_button = QPushButton("从备份恢复（没有找到自动备份）")
            self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(lambda: self._pick("restore"))
        self.salvage_button = QPushButton("抢救能读出的数据到新台账…")
        self.salvage_button.setEnabled(damage.readable)
        self.salvage_button.clicked.connect(lambda: self._pick("salvage"))
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        row.addWidget(self.restore_button)
        row.addWidget(self.salvage_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.setMinimumWidth(560)

    def _pick(self, choice: str) -> None:
        self.choice = choice
        self.accept()


def answer_damage(damage: Damage, parent: QWidget | None = None) -> Path | None:
    """A ledger that cannot be opened at all (before the window exists): explain, then restore
    the latest backup or salvage into a new ledger, on this thread (a rare path; a busy cursor).

    Returns:
        the ledger file to open now (the restored one, or the salvaged new one), or None.
    """
    from PySide6.QtGui import QCursor, QGuiApplication

    from models import salvage
    from models.core.db import Operator, default_operator

    dialog = DamageDialog(damage, parent)
    if dialog.exec() != QDialog.Accepted or dialog.choice is None:
        return None
    try:
        if dialog.choice == "restore":
            confirmed, password = confirm_restore(parent, dialog.backup, damage.path)
            if not confirmed:
                return None
            QGuiApplication.setOverrideCursor(QCursor(Qt.WaitCursor))
            try:
                done = backup.restore(dialog.backup, damage.path, operator=Operator(default_operator()),
                                      password=password)
            finally:
                QGuiApplication.restoreOverrideCursor()
            QMessageBox.information(parent, "恢复完成", f"已从备份恢复。\n损坏的台账已保留为：{done.kept}")
            return damage.path
        out = salvage_target(parent, damage.path)
        if out is None:
            return None
        QGuiApplication.setOverrideCursor(QCursor(Qt.WaitCursor))
        try:
            result = salvage.salvage(damage.path, out)
        finally:
            QGuiApplication.restoreOverrideCursor()
        QMessageBox.information(parent, "抢救完成", result.summary())
        return out
    except LedgerError as exc:
        QMessageBox.warning(parent, "未能完成", str(exc))
        return None


def salvage_target(parent: QWidget | None, damaged: Path) -> Path | None:
    """Where the clerk wants the salvaged new ledger (None when cancelled)."""
    suggested = str(damaged.with_name(f"{damaged.stem}_抢救{damaged.suffix or '.db'}"))
    file, _ = QFileDialog.getSaveFileName(parent, "抢救到新台账", suggested, "网格台账 (*.db)")
    if not file:
        return None
    out = Path(file)
    return out if out.suffix else out.with_suffix(".db")


class BackupSettingsDialog(QDialog):
    """文件 ▸ 备份设置 (管理员): the second folder (a USB stick) and the retention rule.
    After ``exec()``, ``second`` and ``rule`` hold what the clerk chose."""

    def __init__(self, second: str, rule: dict, parent: QWidget | None = None):
        from PySide6.QtWidgets import QFormLayout, QSpinBox

        super().__init__(parent)
        self.setWindowTitle("备份设置")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        row = QHBoxLayout()
        self.folder = QLineEdit(second)
        self.folder.setPlaceholderText("不设置（例如 U 盘上的文件夹）")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form.addRow("第二个备份文件夹：", row)
        self.spins = {}
        for key, label, suffix in (("days", "最近几天全部保留：", " 天"), ("weeks", "每周保留一份：", " 周"),
                                   ("months", "每月保留一份：", " 个月")):
            spin = QSpinBox()
            spin.setRange(1, 120)
            spin.setSuffix(suffix)
            spin.setValue(int(rule[key]))
            self.spins[key] = spin
            form.addRow(label, spin)
        layout.addLayout(form)
        hint = QLabel("第二个文件夹存在时（U 盘插着），每次自动备份也复制一份过去。")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("保存")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "第二个备份文件夹", self.folder.text())
        if folder:
            self.folder.setText(folder)

    @property
    def second(self) -> str:
        return self.folder.text().strip()

    @property
    def rule(self) -> dict:
        return {key: spin.value() for key, spin in self.spins.items()}
