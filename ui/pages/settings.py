"""设置: the office's own lists and settings (管理员 / 工作人员 edit; the others only look).

One tab per list of :data:`models.core.lists.LIST_KINDS` (事项类别 with level and deadline
days, 事项来源, 活动类型, 走访方式), one for 人员标签, one for 督办 (window and card points) and
one for 落款与锁定 (the report issuer, the idle-lock minutes).  Every button is one operation
of models/ run through :class:`ui.ops.LedgerOp`; a refusal shows under the tab's buttons.
Names that records use are retired (停用), never renamed or deleted: past records keep them.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QGroupBox, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QTabWidget, QVBoxLayout, QWidget)

from models.core import issuer as issuer_model
from models.core import lists
from models.evaluation import scheme as scheme_model
from models.matters import records as matters_model
from ui.models.rows_model import Column, RowsTableModel, row_id
from ui.ops import LedgerOp
from ui.widgets.dialog_parts import error_label
from ui.widgets.layout import STRETCH, hbox, vbox
from ui.widgets.list_page import list_view, page_head

EDIT = "settings.edit"


def _status(row: dict) -> str:
    return "已停用" if row.get("retired") else "在用"


def _used(row: dict) -> str:
    return f"{row['used']} 条" if row.get("used") else "未使用"


def _days(row: dict) -> str:
    return f"{row['deadline_days']} 天" if row.get("deadline_days") else "默认"


class _EditorTab(QWidget):
    """A list with its buttons: the table, a name field and the actions on the chosen row."""

    def __init__(self, ctx, columns: list[Column], widths: list[int], hint: str, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsTableModel(columns, self)
        self.view = list_view(self.model, widths, 0)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("名称")
        self.name_edit.setMaxLength(lists.NAME_MAX_CHARS)
        self.error = error_label()
        self.hint = QLabel(hint)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.buttons: list[QPushButton] = []
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._follow())

    def button(self, text: str, slot) -> QPushButton:
        b = QPushButton(text)
        b.clicked.connect(slot)
        self.buttons.append(b)
        return b

    def chosen(self) -> dict | None:
        index = self.view.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def run(self, work, then=None) -> None:
        """Run one operation; on success refill and keep the chosen row."""
        self.error.hide()
        keep = (self.chosen() or {}).get("id")

        def done(result):
            self.refresh(select=result if isinstance(result, int) else keep)
            if then:
                then(result)

        LedgerOp(self.ctx, work, parent=self).success(lambda changes: done(changes.result)) \
            .failure(self.show_error).run()

    def show_error(self, exc) -> None:
        self.error.setText(str(exc))
        self.error.show()

    def select(self, item_id) -> None:
        row = self.model.row_of(item_id) if item_id is not None else -1
        if row >= 0:
            self.view.selectRow(row)

    def allow(self) -> None:
        for b in self.buttons:
            self.ctx.enable_if_allowed(b, EDIT)
        self.name_edit.setEnabled(self.ctx.may(EDIT))

    def _follow(self) -> None:
        row = self.chosen()
        if row:
            self.name_edit.setText(row["name"])


class ListTab(_EditorTab):
    """One list of ``office_lists`` (事项类别 also edits level and deadline days)."""

    def __init__(self, ctx, kind: str, parent=None):
        self.kind = kind
        self.spec = lists.LIST_KINDS[kind]
        columns = [Column("名称", "name", raw=row_id), Column("状态", "retired", _status),
                   Column("已有记录", "used", _used, numeric=True)]
        widths = [220, 80, 100]
        if kind == "matter_category":
            columns += [Column("新事项默认分级", "level"),
                        Column("大事办理时限", "deadline_days", _days, numeric=True)]
            widths += [120, 110]
        hint = ("已被记录使用的名称只能停用（新记录不再可选，过去的记录保持原样），不能改名或删除；"
                "未使用的可以改名或删除。")
        if not self.spec.addable:
            hint += "走访方式只能停用、恢复和调整顺序（走访记录只接受入户、电话、微信）。"
        super().__init__(ctx, columns, widths, hint, parent)
        self.level_box = QComboBox()
        self.level_box.addItems(list(lists.LEVELS))
        self.days_spin = QSpinBox()
        self.days_spin.setRange(0, lists.MAX_DEADLINE_DAYS)
        self.days_spin.setSpecialValueText("默认")
        self.days_spin.setSuffix(" 天")
        add = self.button("新增", self.add)
        add.setObjectName("primary")
        rows = [hbox(f"{self.spec.title}名称", self.name_edit, add, self.button("改名", self.rename), STRETCH)]
        if kind == "matter_category":
            rows.append(hbox("新事项默认分级", self.level_box, "大事办理时限", self.days_spin,
                             self.button("保存分级与时限", self.save_rule), STRETCH))
        rows.append(hbox(self.button("上移", lambda: self.move(-1)), self.button("下移", lambda: self.move(1)),
                         self.button("停用", self.retire), self.button("恢复", self.restore),
                         self.button("删除", self.delete), STRETCH))
        if not self.spec.addable:
            add.setVisible(False)
        vbox(self.view, *rows, self.error, self.hint, parent=self)
        self.refresh()

    def refresh(self, select=None) -> None:
        self.model.set_rows(lists.items(self.ctx.ledger, self.kind))
        self.select(select)
        self.allow()

    def _follow(self) -> None:
        super()._follow()
        row = self.chosen()
        if row and self.kind == "matter_category":
            self.level_box.setCurrentText(row.get("level") or "小事")
            self.days_spin.setValue(row.get("deadline_days") or 0)

    def _rule(self) -> dict:
        if self.kind != "matter_category":
            return {}
        return {"level": self.level_box.currentText(), "deadline_days": self.days_spin.value() or None}

    def add(self) -> None:
        name, rule = self.name_edit.text(), self._rule()
        self.run(lambda led: lists.add_item.op(led, self.kind, name, **rule))

    def _on_chosen(self, fn) -> None:
        row = self.chosen()
        if row is None:
            self.show_error(f"请先在列表中选择一项{self.spec.title}。")
            return
        fn(row)

    def rename(self) -> None:
        name = self.name_edit.text()
        self._on_chosen(lambda row: self.run(lambda led: lists.rename_item.op(led, row["id"], name)))

    def save_rule(self) -> None:
        rule = self._rule()
        self._on_chosen(lambda row: self.run(
            lambda led: lists.set_category_rule.op(led, row["id"], rule["level"], rule["deadline_days"])))

    def move(self, step: int) -> None:
        self._on_chosen(lambda row: self.run(lambda led: lists.move_item.op(led, row["id"], step)))

    def retire(self) -> None:
        self._on_chosen(lambda row: self.run(lambda led: lists.retire_item.op(led, row["id"])))

    def restore(self) -> None:
        self._on_chosen(lambda row: self.run(lambda led: lists.restore_item.op(led, row["id"])))

    def delete(self) -> None:
        self._on_chosen(lambda row: self.run(lambda led: lists.delete_item.op(led, row["id"])))


class TagsTab(_EditorTab):
    """人员标签: name, sensitive (重点人员: seen by 管理员/工作人员 only), order, retired."""

    def __init__(self, ctx, parent=None):
        columns = [Column("标签", "name", raw=row_id), Column("敏感", "sensitive",
                                                             lambda r: "敏感（重点人员）" if r["sensitive"] else ""),
                   Column("状态", "retired", _status), Column("已有居民", "used",
                                                            lambda r: f"{r['used']} 人" if r["used"] else "未使用",
                                                            numeric=True)]
        super().__init__(ctx, columns, [200, 130, 80, 100],
                         "敏感标签只有管理员和工作人员能看到。已有居民带着的标签只能停用（居民保留，不再可选），"
                         "不能改名或删除。", parent)
        self.sensitive_check = QCheckBox("敏感标签")
        add = self.button("新增", self.add)
        add.setObjectName("primary")
        vbox(self.view,
             hbox("标签名称", self.name_edit, self.sensitive_check, add, self.button("保存修改", self.save), STRETCH),
             hbox(self.button("上移", lambda: self.move(-1)), self.button("下移", lambda: self.move(1)),
                  self.button("停用", self.retire), self.button("恢复", self.restore),
                  self.button("删除", self.delete), STRETCH),
             self.error, self.hint, parent=self)
        self.refresh()

    def refresh(self, select=None) -> None:
        self.model.set_rows(lists.tags(self.ctx.ledger))
        self.select(select)
        self.allow()
        self.sensitive_check.setEnabled(self.ctx.may(EDIT))

    def _follow(self) -> None:
        super()._follow()
        row = self.chosen()
        if row:
            self.sensitive_check.setChecked(bool(row["sensitive"]))

    def _on_chosen(self, fn) -> None:
        row = self.chosen()
        if row is None:
            self.show_error("请先在列表中选择一个标签。")
            return
        fn(row)

    def add(self) -> None:
        name, sensitive = self.name_edit.text(), self.sensitive_check.isChecked()
        self.run(lambda led: lists.add_tag.op(led, name, sensitive=sensitive))

    def save(self) -> None:
        name, sensitive = self.name_edit.text(), self.sensitive_check.isChecked()
        self._on_chosen(lambda row: self.run(
            lambda led: lists.update_tag.op(led, row["id"], name=name, sensitive=sensitive)))

    def move(self, step: int) -> None:
        self._on_chosen(lambda row: self.run(lambda led: lists.move_tag.op(led, row["id"], step)))

    def retire(self) -> None:
        self._on_chosen(lambda row: self.run(lambda led: lists.retire_tag.op(led, row["id"])))

    def restore(self) -> None:
        self._on_chosen(lambda row: self.run(lambda led: lists.restore_tag.op(led, row["id"])))

    def delete(self) -> None:
        self._on_chosen(lambda row: self.run(lambda led: lists.delete_tag.op(led, row["id"])))


class SupervisionTab(QWidget):
    """督办: the window (days before a deadline) and the card points of the scheme in force."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.window_spin = QSpinBox()
        self.window_spin.setRange(0, matters_model.MAX_SUPERVISION_WINDOW_DAYS)
        self.window_spin.setSuffix(" 天")
        self.yellow_spin, self.red_spin = QDoubleSpinBox(), QDoubleSpinBox()
        for spin in (self.yellow_spin, self.red_spin):
            spin.setRange(-100, 0)
            spin.setDecimals(2)
            spin.setSingleStep(0.5)
            spin.setSuffix(" 分")
        self.save_button = QPushButton("保存督办规则")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        self.error = error_label()
        self.saved = QLabel()
        self.saved.setObjectName("hint")
        hint = QLabel("督办只能发给未办结、且已超期或在上述天数内到期的事项。黄牌、红牌的扣分计入发牌当月所在网格；"
                      "事项作废时，其督办扣分在作废当月退回（加减分中可见）。扣分改动只影响尚未定稿的月份。")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        box = QGroupBox("督办规则")
        vbox(hbox("可督办：已超期或到期前", self.window_spin, "以内", STRETCH),
             hbox("黄牌扣分", self.yellow_spin, "红牌扣分", self.red_spin, STRETCH),
             hbox(self.save_button, self.saved, STRETCH), self.error, hint, parent=box)
        vbox(box, STRETCH, parent=self)
        self.refresh()

    def refresh(self) -> None:
        ledger = self.ctx.ledger
        self.window_spin.setValue(matters_model.supervision_window_days(ledger))
        points = scheme_model.current_scheme(ledger).card_points
        self.yellow_spin.setValue(points.get("黄牌", 0))
        self.red_spin.setValue(points.get("红牌", 0))
        allowed = self.ctx.enable_if_allowed(self.save_button, "evaluation.scheme") and self.ctx.may(EDIT)
        for w in (self.window_spin, self.yellow_spin, self.red_spin):
            w.setEnabled(allowed)

    def save(self) -> None:
        days = self.window_spin.value()
        cards = {"黄牌": self.yellow_spin.value(), "红牌": self.red_spin.value()}
        self.error.hide()
        LedgerOp(self.ctx, lambda led: scheme_model.save_supervision_rules.op(led, days, cards), parent=self) \
            .success(lambda _c: self.saved.setText("已保存。")).failure(self._failed).run()

    def _failed(self, exc) -> None:
        self.error.setText(str(exc))
        self.error.show()


class IssuerTab(QWidget):
    """落款与锁定: the issuing body printed on reports; the idle-lock minutes."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.issuer_edit = QLineEdit()
        self.issuer_edit.setMaxLength(issuer_model.ISSUER_MAX_CHARS)
        self.issuer_button = QPushButton("保存落款单位")
        self.issuer_button.clicked.connect(self.save_issuer)
        self.lock_spin = QSpinBox()
        self.lock_spin.setRange(*lists.IDLE_LOCK_RANGE)
        self.lock_spin.setSuffix(" 分钟")
        self.lock_spin.setSpecialValueText("不自动锁定")
        self.lock_button = QPushButton("保存锁定时间")
        self.lock_button.clicked.connect(self.save_lock)
        self.error = error_label()
        self.saved = QLabel()
        self.saved.setObjectName("hint")
        issuer_box = QGroupBox("报表落款")
        note = QLabel("通报、考评结果和台账的落款单位（页眉和落款处）。不填时为“<社区>居民委员会”。")
        note.setObjectName("hint")
        note.setWordWrap(True)
        vbox(hbox("落款单位", self.issuer_edit, self.issuer_button), note, parent=issuer_box)
        lock_box = QGroupBox("离开锁定")
        vbox(hbox("无操作", self.lock_spin, "后锁定窗口，需重新登录", self.lock_button, STRETCH), parent=lock_box)
        vbox(issuer_box, lock_box, hbox(self.saved, STRETCH), self.error, STRETCH, parent=self)
        self.refresh()

    def refresh(self) -> None:
        ledger = self.ctx.ledger
        self.issuer_edit.setText(issuer_model.issuer_name(ledger))
        self.lock_spin.setValue(lists.idle_lock_minutes(ledger))
        self.issuer_edit.setEnabled(self.ctx.enable_if_allowed(self.issuer_button, "reports.issuer"))
        self.lock_spin.setEnabled(self.ctx.enable_if_allowed(self.lock_button, EDIT))

    def _run(self, work, what: str) -> None:
        self.error.hide()
        self.saved.clear()
        LedgerOp(self.ctx, work, parent=self).success(lambda _c: self.saved.setText(f"{what}已保存。")) \
            .failure(self._failed).run()

    def save_issuer(self) -> None:
        text = self.issuer_edit.text()
        self._run(lambda led: issuer_model.set_report_issuer.op(led, text), "落款单位")

    def save_lock(self) -> None:
        minutes = self.lock_spin.value()
        self._run(lambda led: lists.set_idle_lock_minutes.op(led, minutes), "锁定时间")

    def _failed(self, exc) -> None:
        self.error.setText(str(exc))
        self.error.show()


class SettingsPage(QWidget):
    """设置: the tabs above; refreshed when settings change."""

    REFRESH_AREAS = ("settings", "evaluation", "*")

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.list_tabs = {kind: ListTab(ctx, kind) for kind in lists.LIST_KINDS}
        self.tags_tab = TagsTab(ctx)
        self.supervision_tab = SupervisionTab(ctx)
        self.issuer_tab = IssuerTab(ctx)
        self.tabs.addTab(self.tags_tab, "人员标签")
        for kind, tab in self.list_tabs.items():
            self.tabs.addTab(tab, lists.LIST_KINDS[kind].title)
        self.tabs.addTab(self.supervision_tab, "督办")
        self.tabs.addTab(self.issuer_tab, "落款与锁定")
        note = QLabel("" if ctx.may(EDIT) else ctx.refusal(EDIT))
        note.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.addLayout(page_head("设置"))
        if note.text():
            layout.addWidget(note)
        layout.addWidget(self.tabs)
        ctx.changed.connect(self._changed)

    def _changed(self, area: str) -> None:
        if area in self.REFRESH_AREAS:
            self.refresh()

    def refresh(self) -> None:
        for tab in (*self.list_tabs.values(), self.tags_tab):
            tab.refresh(select=(tab.chosen() or {}).get("id"))
        self.supervision_tab.refresh()
        self.issuer_tab.refresh()
