"""The main window: navigation sidebar, one page at a time, the 文件 menu, a status bar.

Pages come from ``ui.pages.PAGES`` (key, title, "module:Class"); a page's module is
imported the first time the clerk opens it, so start-up only pays for the first page.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QMainWindow, QMessageBox, QStackedWidget, QWidget)

from models import backup
from resources import version
from ui import ops
from ui.context import AppContext
from ui.dialogs.first_start import NewLedgerDialog
from ui.dialogs.help import ShortcutsDialog
from ui.errors import show_error
from ui.ledger_files import LEDGER_FILTER, log_in_to, open_ledger_file, recent_ledgers, remember_ledger


def load_page_class(spec: str):
    """``"ui.pages.residents:ResidentsPage"`` → the class."""
    module_name, class_name = spec.split(":")
    return getattr(importlib.import_module(module_name), class_name)


class MainWindow(QMainWindow):
    """The window on one ledger *file* (``ctx.ledger.path``; the window never shows an
    in-memory ledger: its work runs on worker connections to that file).

    Signals:
        first_page_shown(): the first page has its data on screen (start-up benchmark).
    """

    first_page_shown = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, start_page: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        ctx.window = self
        ctx.ledger_replaced.connect(self._ledger_changed)
        ctx.changed.connect(self._area_changed)
        self._specs: list[tuple[str, str, str]] = []
        self._pages: dict[str, QWidget] = {}

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(132)
        self.navigation.setIconSize(QSize(0, 0))
        self.stack = QStackedWidget()
        self._build_pages()

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.ledger_label = QLabel()
        self.community_label = QLabel()
        self.statusBar().addWidget(self.community_label)
        self.statusBar().addPermanentWidget(self.ledger_label)

        self._build_menu()
        self.navigation.currentRowChanged.connect(self.show_page_at)
        keys = [k for k, _t, _s in self._specs]
        self.apply_roles()
        self.navigation.setCurrentRow(keys.index(start_page) if start_page in keys and self.may_open(start_page)
                                      else 0)
        self._update_title()
        self.setMinimumSize(800, 480)   # 1366×768 at 150 % is 911×512: 1000×600 ran off the screen (issue 13)
        self.fit_screen()
        from ui.idle_lock import IdleLock

        #: locks the window behind the login after the idle minutes (setting idle_lock_minutes)
        self.idle_lock = IdleLock(ctx, self)

    def fit_screen(self) -> None:
        """Fill a small office screen (1366×768); a roomy default elsewhere."""
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is None:
            self.resize(1280, 720)
        elif screen.width() <= 1440 or screen.height() <= 900:
            self.setGeometry(screen)
        else:
            self.resize(1400, 860)

    # -- pages ---------------------------------------------------------------------------------
    def _build_pages(self) -> None:
        """The sections of this ledger's kind (a street ledger has its own, issue 12), as placeholders."""
        from ui.pages import pages_for

        self.navigation.blockSignals(True)
        self.navigation.clear()
        for page in self._pages.values():
            page.deleteLater()
        self._pages = {}
        while self.stack.count():
            widget = self.stack.widget(0)
            self.stack.removeWidget(widget)
            widget.deleteLater()
        self._specs = pages_for(self.ctx.ledger)
        for key, title, _spec in self._specs:
            item = QListWidgetItem(title)
            item.setData(Qt.UserRole, key)
            item.setSizeHint(QSize(120, 40))
            self.navigation.addItem(item)
        for _ in self._specs:  # a placeholder per page; the real page replaces it when first opened
            self.stack.addWidget(QWidget())
        self.navigation.blockSignals(False)

    def may_open(self, key: str) -> bool:
        """Whether the operator's role may see page ``key`` (``ui.pages.PAGE_PERMISSIONS``)."""
        from ui.pages import PAGE_PERMISSIONS

        return key not in PAGE_PERMISSIONS or self.ctx.may(PAGE_PERMISSIONS[key])

    def apply_roles(self) -> None:
        """Hide the pages the operator's role may not see (用户管理, 操作日志 are the 管理员's)."""
        for row, (key, _title, _spec) in enumerate(self._specs):
            self.navigation.item(row).setHidden(not self.may_open(key))
        current = self.navigation.currentRow()
        if current >= 0 and self.navigation.item(current).isHidden():
            self.navigation.setCurrentRow(0)

    def page(self, key: str) -> QWidget:
        """The page called ``key`` (created on first use)."""
        index = next(i for i, (k, _t, _s) in enumerate(self._specs) if k == key)
        if key not in self._pages:
            cls = load_page_class(self._specs[index][2])
            page = cls(self.ctx, self)
            placeholder = self.stack.widget(index)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.stack.insertWidget(index, page)
            self._pages[key] = page
        return self._pages[key]

    def show_page(self, key: str) -> QWidget:
        index = next(i for i, (k, _t, _s) in enumerate(self._specs) if k == key)
        if self.navigation.currentRow() != index:
            self.navigation.setCurrentRow(index)  # comes back through show_page_at
        return self.page(key)

    def show_page_at(self, index: int) -> None:
        if index < 0:
            return
        key = self._specs[index][0]
        if not self.may_open(key):
            return
        first_time = key not in self._pages
        try:
            page = self.page(key)
        except Exception as exc:  # noqa: BLE001 - a broken page must not take the window down
            show_error(self, exc, title="无法打开页面")
            return
        self.stack.setCurrentWidget(page)
        if not first_time and hasattr(page, "on_shown"):
            page.on_shown()
        if first_time and len(self._pages) == 1:
            QTimer.singleShot(0, self.first_page_shown.emit)

    # -- menu ----------------------------------------------------------------------------------
    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("文件(&F)")
        new = QAction("新建台账(&N)…", self)
        # no Ctrl+N here: on the pages it adds a record (新增居民, 登记事项)
        new.triggered.connect(self.new_ledger)
        menu.addAction(new)
        open_ = QAction("打开台账(&O)…", self)
        open_.setShortcut(QKeySequence.Open)
        open_.triggered.connect(self.open_ledger)
        menu.addAction(open_)
        self.recent_menu = menu.addMenu("最近打开(&R)")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu.addSeparator()
        password = QAction("修改密码(&P)…", self)
        password.triggered.connect(self.change_password)
        menu.addAction(password)
        menu.addSeparator()
        backup = QAction("备份台账(&B)…", self)
        backup.triggered.connect(self.backup_ledger)
        menu.addAction(backup)
        menu.addSeparator()
        quit_ = QAction("退出(&X)", self)
        quit_.setShortcut(QKeySequence("Ctrl+Q"))
        quit_.triggered.connect(self.close)
        menu.addAction(quit_)

        settings_menu = self.menuBar().addMenu("设置(&S)")
        key = QAction("签名密钥(&K)…", self)
        key.triggered.connect(self.show_signing_key)
        settings_menu.addAction(key)

        help_menu = self.menuBar().addMenu("帮助(&H)")
        guide = QAction("使用说明(&U)", self)
        guide.setShortcut(QKeySequence.HelpContents)
        guide.triggered.connect(self.show_user_guide)
        help_menu.addAction(guide)
        self.guide_action = guide
        keys = QAction("快捷键(&K)", self)
        keys.triggered.connect(lambda: self._show_help(ShortcutsDialog))
        help_menu.addAction(keys)
        about = QAction("关于网格台账(&A)", self)
        about.triggered.connect(lambda: QMessageBox.about(
            self, "关于网格台账",
            f"网格台账 GridLedger {version.VERSION}\n\n社区网格化管理台账：居民、网格、民情事项、走访、志愿服务、月度评比。\n"
            "一次录入、多表生成；离线使用，数据保存在一个台账文件中。"))
        help_menu.addAction(about)

    def show_user_guide(self):
        """帮助 ▸ 使用说明 (F1): the guide with its pictures, offline."""
        from ui.dialogs.user_guide import show_user_guide

        self.help_window = show_user_guide(self)
        return self.help_window

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = [p for p in recent_ledgers() if p.exists()]
        if not paths:
            action = self.recent_menu.addAction("（无）")
            action.setEnabled(False)
            return
        for i, path in enumerate(paths, 1):
            action = self.recent_menu.addAction(f"&{i} {path.name}  —  {path.parent}")
            action.triggered.connect(lambda _=False, p=path: self.switch_to(p))

    # -- ledgers -------------------------------------------------------------------------------
    def switch_to(self, path: Path) -> bool:
        """Open the ledger at ``path`` in this window."""
        path = Path(path)
        if path.resolve() == Path(self.ctx.ledger.path).resolve():
            return True
        ledger = open_ledger_file(path, self)
        if ledger is None:
            return False
        ledger.clock = self.ctx.ledger.clock
        if not log_in_to(ledger, self):
            ledger.close()
            return False
        self.use_ledger(ledger)
        remember_ledger(path)
        return True

    def use_ledger(self, ledger) -> None:
        self.ctx.replace_ledger(ledger)

    def open_ledger(self) -> None:
        start = str(Path(self.ctx.ledger.path).parent)
        file, _ = QFileDialog.getOpenFileName(self, "打开台账", start, LEDGER_FILTER)
        if file:
            self.switch_to(Path(file))

    def new_ledger(self) -> None:
        dialog = NewLedgerDialog(self)
        if dialog.exec() == QDialog.Accepted and dialog.ledger is not None:
            dialog.ledger.clock = self.ctx.ledger.clock
            if not log_in_to(dialog.ledger, self):
                dialog.ledger.close()
                return
            self.use_ledger(dialog.ledger)
            remember_ledger(dialog.ledger.path)

    def change_password(self) -> None:
        """文件 ▸ 修改密码: the logged-in user's own password."""
        from ui.dialogs.login import ChangePasswordDialog

        if ChangePasswordDialog(self.ctx, parent=self).exec() == QDialog.Accepted:
            QMessageBox.information(self, "修改密码", "密码已修改，下次登录请使用新密码。")

    def backup_ledger(self) -> None:
        ledger = self.ctx.ledger
        stamp = ledger.now().strftime("%Y%m%d_%H%M")
        name = f"{ledger.community_name or '台账'}_备份_{stamp}.db"
        suggested = str(Path(ledger.path).parent / name)
        file, _ = QFileDialog.getSaveFileName(self, "备份台账到", suggested, LEDGER_FILTER)
        if not file:
            return
        out = Path(file)
        if out.suffix == "":
            out = out.with_suffix(".db")
        if out.resolve() == Path(ledger.path).resolve():
            QMessageBox.warning(self, "备份台账", "不能把备份保存为正在使用的台账文件本身，请换一个文件名。")
            return
        if out.exists():
            QMessageBox.warning(self, "备份台账", f"文件“{out}”已存在，请换一个文件名。")
            return

        def work(worker_ledger, progress, is_cancelled):
            progress("正在复制并校验台账……")
            return backup.backup(worker_ledger, out)

        ops.LedgerOp(self.ctx, work, parent=self, title="备份台账", progress=True).success(
            lambda result: QMessageBox.information(self, "备份完成", f"台账已备份并校验完好：\n{result}")).run()

    def show_signing_key(self) -> None:
        """设置 ▸ 签名密钥: the ledger's public key fingerprint (issue 12)."""
        from ui.dialogs.signing_key import SigningKeyDialog

        self.last_key_dialog = SigningKeyDialog(self.ctx, self)
        self.last_key_dialog.exec()

    def _show_help(self, dialog_class) -> QWidget:
        """Open a help window (使用说明, 快捷键) beside the work, not modal; returns it."""
        dialog = dialog_class(self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        self.help_window = dialog
        return dialog

    # -- status --------------------------------------------------------------------------------
    def _update_title(self) -> None:
        from models.street.registry import is_street, street_name

        if is_street(self.ctx.ledger):
            name = street_name(self.ctx.ledger)
            self.setWindowTitle(f"网格台账 — {name}（街道台账）")
            self.community_label.setText(f"街道：{name}    操作员：{self.ctx.ledger.operator.name}"
                                         f"（{self.ctx.ledger.operator.role or '未登录'}）")
            self._show_path()
            return
        name = self.ctx.ledger.community_name
        self.setWindowTitle(f"网格台账 — {name}" if name else "网格台账")
        self.community_label.setText(f"社区：{name or '（未设置）'}    操作员：{self.ctx.ledger.operator.name}"
                                     f"（{self.ctx.ledger.operator.role or '未登录'}）")
        self._show_path()

    def _show_path(self) -> None:
        path = self.ctx.ledger.path
        self.ledger_label.setText(f"台账文件：{path}")
        self.ledger_label.setToolTip(str(path))

    def _ledger_changed(self) -> None:
        from ui.pages import pages_for

        if pages_for(self.ctx.ledger) != self._specs:   # a street ledger after a community's, or back
            self._build_pages()
            self.navigation.setCurrentRow(0)
        self.apply_roles()
        self._update_title()

    def _area_changed(self, area: str) -> None:
        if area in ("settings", "grids", "*"):
            self._update_title()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        # only work the clerk started and sees (a progress dialog: import, report, backup …);
        # a count or a page's refresh ends on its own and the application waits for it
        visible = [op for op in list(ops.RUNNING) if op.dialog is not None]
        if visible:
            answer = QMessageBox.question(self, "退出", "还有后台任务正在进行，确定要退出吗？\n未完成的任务会被取消。")
            if answer != QMessageBox.Yes:
                event.ignore()
                return
            for op in visible:
                op.cancel()
            for op in visible:
                op.wait(10000)  # a thread must end before the application does
        super().closeEvent(event)

