"""The main window: navigation sidebar, one page at a time, the 文件 menu, a status bar.

Pages come from ``ui.pages.PAGES`` (key, title, "module:Class"); a page's module is
imported the first time the clerk opens it, so start-up only pays for the first page.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from shiboken6 import isValid
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QMainWindow, QMessageBox, QStackedWidget, QWidget)

from models import backup, salvage
from models.core import sealed
from models.core.errors import EnvironmentProblem, LedgerError, classify, log_bug
from resources import version
from ui import ops
from ui.context import AppContext
from ui.dialogs.first_start import NewLedgerDialog
from ui.dialogs.help import ShortcutsDialog
from ui.dialogs.restore import (BackupSettingsDialog, DamageDialog, RestoreDialog, ask_password, confirm_restore,
                               salvage_target)
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
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)   # 150 %: the names fit
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
        self.backup_label = QLabel()
        self.backup_label.setObjectName("backupStatus")
        self.statusBar().addWidget(self.community_label)
        self.statusBar().addPermanentWidget(self.backup_label)
        self.statusBar().addPermanentWidget(self.ledger_label)
        self._auto_backup_op = None
        self._close_backup_done = False
        self.daily_timer = QTimer(self)   # while it stays open: a backup a day (checked hourly)
        self.daily_timer.setInterval(3600 * 1000)
        self.daily_timer.timeout.connect(lambda: self.auto_backup("每日", backup.DAILY_INTERVAL))
        self.daily_timer.start()

        self._build_menu()
        self.restore_action.setEnabled(ctx.may("ledger.restore"))
        self.backup_settings_action.setEnabled(ctx.may("backup.configure"))
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
        QTimer.singleShot(0, self, self._after_open)

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
        backup_action = QAction("备份台账(&B)…", self)
        backup_action.triggered.connect(self.backup_ledger)
        menu.addAction(backup_action)
        sealed_action = QAction("加密备份（U盘）(&E)…", self)
        sealed_action.triggered.connect(lambda: self.backup_ledger(encrypted=True))
        menu.addAction(sealed_action)
        self.restore_action = QAction("从备份恢复(&R)…", self)
        self.restore_action.triggered.connect(self.restore_from_backup)
        menu.addAction(self.restore_action)
        self.backup_settings_action = QAction("备份设置(&S)…", self)
        self.backup_settings_action.triggered.connect(self.backup_settings)
        menu.addAction(self.backup_settings_action)
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

    def backup_ledger(self, encrypted: bool = False) -> None:
        ledger = self.ctx.ledger
        stamp = ledger.now().strftime("%Y%m%d_%H%M")
        suffix = sealed.SUFFIX if encrypted else ".db"
        name = f"{ledger.community_name or '台账'}_备份_{stamp}{suffix}"
        suggested = str(Path(ledger.path).parent / name)
        file, _ = QFileDialog.getSaveFileName(self, "加密备份到" if encrypted else "备份台账到", suggested,
                                              "加密备份 (*.glenc)" if encrypted else LEDGER_FILTER)
        if not file:
            return
        out = Path(file)
        if encrypted and out.suffix != sealed.SUFFIX:
            out = out.with_name(out.name + sealed.SUFFIX)
        if out.suffix == "":
            out = out.with_suffix(".db")
        if out.resolve() == Path(ledger.path).resolve():
            QMessageBox.warning(self, "备份台账", "不能把备份保存为正在使用的台账文件本身，请换一个文件名。")
            return
        if out.exists():
            QMessageBox.warning(self, "备份台账", f"文件“{out}”已存在，请换一个文件名。")
            return

        password = None
        if encrypted:
            password = ask_password(self, "加密备份", confirm=True)
            if password is None:
                return

        def work(worker_ledger, progress, is_cancelled):
            progress("正在复制并校验台账……")
            return backup.backup(worker_ledger, out, password=password, progress=progress,
                                 is_cancelled=is_cancelled)

        ops.LedgerOp(self.ctx, work, parent=self, title="备份台账", progress=True, cancellable=True).success(
            lambda result: QMessageBox.information(
                self, "备份完成", f"台账已备份并校验完好{'（已加密，恢复时需要密码）' if password else ''}：\n{result}")).run()

    # -- automatic backups, damage, restore ------------------------------------------------------
    def _after_open(self) -> None:
        """After a ledger is opened: check it for damage (in the background), then back it up."""
        if not isValid(self) or not self._ledger_open():
            return
        path = self.ctx.ledger.path
        self.update_backup_status()
        if path is None:
            return

        def diagnose(_none, progress, is_cancelled):
            try:
                return salvage.diagnose(path)
            except Exception as exc:  # noqa: BLE001 - automatic work: logged, never a message box
                if classify(exc) is None:
                    log_bug(exc)
                return None

        def checked(damage) -> None:
            if damage is not None:
                self.show_damage(damage)
            else:
                self.auto_backup("打开", backup.OPEN_CLOSE_INTERVAL)

        ops.run_detached(self, diagnose, title="检查台账", quiet=True).success(checked).run()

    def _ledger_open(self) -> bool:
        """Whether the window's ledger connection is open (a test may have closed it)."""
        try:
            self.ctx.ledger.conn.total_changes
        except Exception:  # noqa: BLE001 - sqlite3.ProgrammingError on a closed connection
            return False
        return True

    def auto_backup(self, reason: str, interval, then=None) -> None:
        """An automatic backup in the background; its progress and result go to the status line."""
        if not isValid(self) or not self._ledger_open():
            if then is not None:
                then()
            return
        ledger = self.ctx.ledger
        if self._auto_backup_op is not None:   # one at a time: follow the one running
            if then is not None:
                self._auto_backup_op.finished.connect(then)
            return
        if ledger.path is None:
            if then is not None:
                then()
            return
        latest = backup.last_backup(ledger)
        if interval is not None and latest is not None and ledger.now() - latest.taken < interval:
            if then is not None:
                then()
            return

        def progress(done: int, total: int, text: str) -> None:
            if not isValid(self):
                return
            share = f" {done * 100 // total}%" if total > 0 else ""
            self.backup_label.setText(f"正在自动备份……{share}")

        def ended() -> None:
            if not isValid(self):
                return
            self._auto_backup_op = None
            if op.error is None:
                self.update_backup_status()
            if then is not None:
                then()

        def failed(problem) -> None:
            if not isValid(self):
                return
            self.backup_label.setText(f"自动备份失败：{problem}")
            self.backup_label.setStyleSheet("color: #c0392b;")

        def work(led, p, c):
            try:
                return backup.auto_backup(led, reason, interval=interval, progress=p, is_cancelled=c)
            except Exception as exc:  # noqa: BLE001 - automatic work: a bug is logged, never a message box
                if classify(exc) is not None:
                    raise
                log_bug(exc)
                raise EnvironmentProblem("自动备份没有完成，详细信息已记入日志文件。") from exc

        op = self._auto_backup_op = ops.LedgerOp(self.ctx, work, parent=self, title="自动备份",
                                                 on_progress=progress).failure(failed)
        op.finished.connect(ended)
        op.run()

    def update_backup_status(self) -> None:
        if self.ctx.ledger.path is None:
            self.backup_label.setText("")
            return
        text, warn = backup.backup_status(self.ctx.ledger)
        self.backup_label.setText(text)
        self.backup_label.setStyleSheet("color: #c0392b; font-weight: bold;" if warn else "")

    def show_damage(self, damage) -> None:
        """Explain a damaged ledger and offer the ways out."""
        dialog = DamageDialog(damage, self)
        if dialog.exec() != QDialog.Accepted:
            return
        if dialog.choice == "restore" and dialog.backup is not None:
            self.restore_file(dialog.backup)
        elif dialog.choice == "salvage":
            self.salvage_ledger(damage.path)

    def backup_settings(self) -> None:
        """文件 ▸ 备份设置 (管理员): the second folder and the retention rule."""
        if not self.ctx.may("backup.configure"):
            QMessageBox.warning(self, "备份设置", self.ctx.refusal("backup.configure"))
            return
        ledger = self.ctx.ledger
        dialog = BackupSettingsDialog(ledger.get_setting("backup.second_folder") or "", backup.retention(ledger), self)
        if dialog.exec() != QDialog.Accepted:
            return
        second, rule = dialog.second, dialog.rule
        ops.LedgerOp(self.ctx, lambda led: backup.configure_backups.op(led, second=second, rule=rule),
                     parent=self, title="备份设置").run()

    def restore_from_backup(self) -> None:
        """文件 ▸ 从备份恢复 (管理员)."""
        if not self.ctx.may("ledger.restore"):
            QMessageBox.warning(self, "从备份恢复", self.ctx.refusal("ledger.restore"))
            return
        extra = [f for f in [backup.second_folder(self.ctx.ledger)] if f is not None]
        dialog = RestoreDialog(Path(self.ctx.ledger.path), extra, self)
        if dialog.exec() == QDialog.Accepted and dialog.chosen is not None:
            self.restore_file(dialog.chosen)

    def restore_file(self, source: Path) -> None:
        """Verify ``source``, confirm, then restore it over the window's ledger in the background
        (every connection to the file is closed first) and open the result."""
        path = Path(self.ctx.ledger.path)
        if self._auto_backup_op is not None or any(op.dialog is not None for op in ops.RUNNING):
            QMessageBox.warning(self, "从备份恢复", "还有后台任务（如自动备份）正在进行，请稍后再恢复。")
            return
        confirmed, password = confirm_restore(self, source, path)
        if not confirmed:
            return
        operator, clock = self.ctx.ledger.operator, self.ctx.ledger.clock

        def prepare(worker_ledger, progress, is_cancelled):
            # the long part, in the background with the ledger still open: verify and copy the
            # backup beside the ledger, then back up the current ledger (恢复前)
            prepared = backup.prepare_restore(source, path, operator=operator, clock=clock, password=password,
                                              progress=progress)
            try:
                progress("正在备份当前台账……")
                safety = backup.auto_backup(worker_ledger, "恢复前", interval=None, progress=progress)
            except BaseException:
                prepared.discard()
                raise
            return prepared, safety

        def swap(result) -> None:
            # the short part, here on the GUI thread (no page can read meanwhile): close every
            # connection to the file, swap it, open the restored ledger
            prepared, safety = result
            old = self.ctx.ledger
            ops.close_worker_connections()
            old.close()
            try:
                done = backup.finish_restore(prepared, safety)
            except LedgerError as exc:
                problem = exc
                done = None
            ledger = open_ledger_file(path, self)
            if ledger is None:
                return
            ledger.operator, ledger.clock = operator, clock
            self.use_ledger(ledger)
            if done is None:
                QMessageBox.warning(self, "恢复失败", f"{problem}\n当前台账没有改动。")
                return
            kept = f"\n原台账已保留为：{done.kept}" if done.kept else ""
            QMessageBox.information(self, "恢复完成", f"已从备份恢复：{source.name}{kept}\n"
                                    f"{backup.describe_restore(done.manifest, None).split('（')[0]}")

        ops.LedgerOp(self.ctx, prepare, parent=self, title="从备份恢复", progress=True).success(swap).run()

    def salvage_ledger(self, damaged: Path) -> None:
        """Salvage what can be read of ``damaged`` into a new ledger, then offer to open it."""
        out = salvage_target(self, Path(damaged))
        if out is None:
            return

        def done(result) -> None:
            answer = QMessageBox.question(self, "抢救完成", result.summary() + "\n\n现在打开新台账吗？")
            if answer == QMessageBox.Yes:
                self.switch_to(result.out)

        ops.run_detached(self, lambda _none, progress, is_cancelled: salvage.salvage(damaged, out, progress=progress),
                         title="抢救数据").success(done).run()

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
        self.restore_action.setEnabled(self.ctx.may("ledger.restore"))
        self.backup_settings_action.setEnabled(self.ctx.may("backup.configure"))
        QTimer.singleShot(0, self, self._after_open)

    def _area_changed(self, area: str) -> None:
        if area in ("settings", "grids", "*"):
            self._update_title()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        # only work the clerk started and sees (a progress dialog: import, report, backup …);
        # a count or a page's refresh ends on its own and the application waits for it
        visible = [op for op in list(ops.RUNNING) if op.dialog is not None and not op.wait(0)]
        if visible:
            answer = QMessageBox.question(self, "退出", "还有后台任务正在进行，确定要退出吗？\n未完成的任务会被取消。")
            if answer != QMessageBox.Yes:
                event.ignore()
                return
            for op in visible:
                op.cancel()
            for op in visible:
                op.wait(10000)  # a thread must end before the application does
        elif not self._close_backup_done and self.ctx.ledger.path is not None:
            # on closing: an automatic backup (at most once per hour), then close for real
            self._close_backup_done = True
            latest = backup.last_backup(self.ctx.ledger)
            if latest is None or self.ctx.ledger.now() - latest.taken >= backup.OPEN_CLOSE_INTERVAL:
                event.ignore()
                self.auto_backup("关闭", backup.OPEN_CLOSE_INTERVAL, then=lambda: isValid(self) and QTimer.singleShot(0, self, self.close))
                return
        self.daily_timer.stop()
        super().closeEvent(event)

