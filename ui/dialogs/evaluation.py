"""Dialogs of the 月度评比 page: the records behind a figure, a new 加减分, the 评比方案.

The two that write (加减分, 评比方案) save through a :class:`ui.ops.LedgerOp` running the
models' operation; a refused or malformed input is shown in the dialog, which stays open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPlainTextEdit, QTableView, QVBoxLayout, QWidget)

from models.core import issuer
from models.core.periods import month_text
from models.evaluation import scheme as scheme_model
from models.evaluation.adjustments import add_adjustment
from models.evaluation.figures import ADJUSTMENTS_KEY, Figures
from models.evaluation.scoring import COUNT_LABELS
from models.evaluation.trace import COUNTED_COLUMN, is_counted, trace
from ui.models.evaluation_models import RowsModel
from ui.ops import LedgerOp
from ui.widgets.dialog_parts import error_label

ERROR_STYLE = "color: #c0392b;"


def _say(label: QLabel, text: str) -> None:
    """Put ``text`` on a dialog's error line (an ``error_label``) and show it."""
    label.setText(text)
    label.setVisible(bool(text))


class TraceDialog(QDialog):
    """The records behind one grid's figure (计分依据): counts on top, the rows below."""

    def __init__(self, ledger, month: str, figures: Figures, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        if key == ADJUSTMENTS_KEY:
            title, summary = "加减分", f"本月加减分合计 {figures.adjustments:+.2f} 分" \
                                       f"（手工 {figures.manual_adjustments:+g}，督办发牌 {figures.card_adjustments:+g}）"
        else:
            ind = figures.indicators[key]
            title = ind.name
            num, den = ind.counts_text.split("/")
            summary = f"{ind.numerator_label}：{num}    {ind.denominator_label}：{den}    得分率：{ind.percent}"
            if ind.value is not None:
                summary += f"（折合 {ind.value:g}，目标 {ind.target:g}）"
            summary += f"    得分：{ind.points:.2f} / {ind.weight:g}"
            summary += "\n计算方法：" + COUNT_LABELS[key][2]
        self.setWindowTitle(f"计分依据 — {figures.name} · {title} · {month_text(month)}")
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.model = RowsModel()
        rows = trace(ledger, month, figures.grid_id, key)
        self.rows = rows
        self.model.set_rows(rows)
        self.only_missed = QCheckBox("只看未计入的记录")
        self.only_missed.setVisible(bool(rows) and COUNTED_COLUMN in rows[0])
        self.only_missed.toggled.connect(self._filter)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel("（没有相关记录）")
        self.empty.setVisible(not rows)
        self.count = QLabel(f"共 {len(rows)} 条记录")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addWidget(self.only_missed)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self.resize(860, 520)

    def _filter(self, only_missed: bool) -> None:
        rows = [r for r in self.rows if is_counted(r) is False] if only_missed else self.rows
        self.model.set_rows(rows, list(self.rows[0]) if self.rows else None)
        self.count.setText(f"共 {len(rows)} 条记录" + ("（未计入）" if only_missed else ""))


class AdjustmentDialog(QDialog):
    """A new manual 加减分: a grid or a whole community, points, reason (required), who gives it.

    The 网格/社区 combo lists the communities first ("全社区（社区加减分）": the points
    count in the community's own total, not in any grid's), then the grids.  Its
    item data is ``("grid", id)`` or ``("community", id)``.
    """

    def __init__(self, ctx, month: str, grids: list[tuple[int, str]], parent: QWidget | None = None,
                 grid_id: int | None = None, communities: list[tuple[int, str]] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.month = month
        self.adjustment_id: int | None = None
        self.setWindowTitle("新增加减分")
        self.period = QComboBox()
        self.period.addItem(f"{month_text(month)}月度评比", month)
        self.period.addItem(f"{month[:4]}年度考评", month[:4])
        self.grid = QComboBox()
        communities = list(communities or [])
        for cid, name in communities:
            text = "全社区（社区加减分）" if len(communities) == 1 else f"{name}全社区（社区加减分）"
            self.grid.addItem(text, ("community", cid))
            self.grid.setItemData(self.grid.count() - 1, f"{name}：只计入社区总分，不计入任何网格", Qt.ToolTipRole)
        if communities and grids:
            self.grid.insertSeparator(self.grid.count())
        first_grid = self.grid.count()
        for gid, name in grids:
            self.grid.addItem(name, ("grid", gid))
        wanted = self._index_of(("grid", grid_id)) if grid_id is not None else -1
        if wanted >= 0:
            self.grid.setCurrentIndex(wanted)
        elif grids:
            self.grid.setCurrentIndex(first_grid)
        self.target_note = QLabel("社区加减分只计入社区的总分，不计入、也不分摊到各网格。")
        self.target_note.setWordWrap(True)
        self.grid.currentIndexChanged.connect(self._target_changed)
        self.points = QLineEdit()
        self.points.setPlaceholderText("加分填正数，减分填负数，例如 -1 或 2.5")
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("必须填写原因（会印在通报上）")
        self.reason.setFixedHeight(80)
        self.author = QLineEdit(ctx.ledger.operator.name)
        self.error = error_label()
        form = QFormLayout(self)
        for label, field in (("计入：", self.period), ("网格/社区：", self.grid), ("", self.target_note),
                             ("分值：", self.points), ("原因：", self.reason), ("给分人：", self.author),
                             ("", self.error)):
            form.addRow(label, field)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("保存")
        self.buttons.button(QDialogButtonBox.Cancel).setText("取消")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._target_changed()
        self.resize(460, 320)

    def _index_of(self, target: tuple[str, int]) -> int:
        """The combo row holding ``target`` (findData cannot compare Python tuples), else -1."""
        for index in range(self.grid.count()):
            data = self.grid.itemData(index)
            if data and tuple(data) == target:
                return index
        return -1

    def target(self) -> tuple[str, int] | None:
        """``("grid", id)``, ``("community", id)`` or None (nothing chosen)."""
        data = self.grid.currentData()
        return tuple(data) if data else None

    def _target_changed(self, _index: int = -1) -> None:
        target = self.target()
        self.target_note.setVisible(bool(target) and target[0] == "community")

    def _save(self) -> None:
        target = self.target()
        if target is None:
            _say(self.error, "请选择网格或全社区。")
            return
        if not self.points.text().strip():
            _say(self.error, "请填写分值。")
            return
        kind, target_id = target
        who = {"grid_id": target_id} if kind == "grid" else {"community_id": target_id}
        period, points, reason, author = (self.period.currentData(), self.points.text(),
                                          self.reason.toPlainText(), self.author.text())
        LedgerOp(self.ctx, lambda ledger: add_adjustment.op(ledger, period, points, reason, author=author, **who),
                 parent=self, title="新增加减分") \
            .disabling(self.buttons).success(self._saved).failure(lambda exc: _say(self.error, str(exc))).run()

    def _saved(self, changes) -> None:
        self.adjustment_id = changes.result
        self.accept()


class SchemeDialog(QDialog):
    """评比方案: weights, targets, card points and grade thresholds; refuses nonsense in Chinese."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        ledger = ctx.ledger
        self.setWindowTitle("评比方案")
        current = scheme_model.current_scheme(ledger)
        self.names: dict[str, QLineEdit] = {}
        self.weights: dict[str, QLineEdit] = {}
        self.targets: dict[str, QLineEdit] = {}
        box = QGroupBox("评比指标（权重合计必须为 100）")
        grid = QGridLayout(box)
        for col, text in enumerate(["指标", "名称", "权重（分）", "目标值"]):
            grid.addWidget(QLabel(f"<b>{text}</b>"), 0, col)
        for row, ind in enumerate(current.indicators, 1):
            default_name = next(d.name for d in scheme_model.DEFAULT_INDICATORS if d.key == ind.key)
            grid.addWidget(QLabel(f"{row}. {default_name}"), row, 0)
            self.names[ind.key] = QLineEdit(ind.name)
            self.weights[ind.key] = QLineEdit(_num(ind.weight))
            self.weights[ind.key].textChanged.connect(self._update_total)
            grid.addWidget(self.names[ind.key], row, 1)
            grid.addWidget(self.weights[ind.key], row, 2)
            if ind.key in scheme_model.TARGETED_KEYS:
                self.targets[ind.key] = QLineEdit(_num(ind.target))
                holder = QHBoxLayout()
                holder.addWidget(self.targets[ind.key])
                holder.addWidget(QLabel(scheme_model.TARGET_UNITS[ind.key]))
                grid.addLayout(holder, row, 3)
            else:
                grid.addWidget(QLabel("—（比率）"), row, 3)
        self.total = QLabel()
        grid.addWidget(self.total, len(current.indicators) + 1, 0, 1, 4)

        cards_box = QGroupBox("督办发牌自动扣分（计入发牌当月）")
        cards = QFormLayout(cards_box)
        self.cards: dict[str, QLineEdit] = {}
        for card in scheme_model.CARDS:
            self.cards[card] = QLineEdit(_num(current.card_points.get(card, 0)))
            cards.addRow(f"{card}：", self.cards[card])

        grades_box = QGroupBox("年度等次分数线（从高到低）")
        grades = QFormLayout(grades_box)
        self.grades: list[tuple[str, QLineEdit]] = []
        for name, threshold in current.grades:
            edit = QLineEdit(_num(threshold))
            self.grades.append((name, edit))
            grades.addRow(f"{name} ≥", edit)
        grades.addRow(QLabel(f"低于最后一条分数线为“{scheme_model.LOWEST_GRADE}”。"))

        issuer_box = QGroupBox("通报落款单位")
        issuer_form = QFormLayout(issuer_box)
        self.issuer = QLineEdit(issuer.issuer_name(ledger))
        self.issuer.setMaxLength(issuer.ISSUER_MAX_CHARS + 10)  # longer text gets the clear message
        self.issuer.setPlaceholderText(issuer.default_issuer(ledger))
        self.issuer.setToolTip(f"印在通报、考评表等报表的落款处，最多 {issuer.ISSUER_MAX_CHARS} 个字")
        issuer_form.addRow("落款单位：", self.issuer)
        issuer_form.addRow(QLabel(f"印在月度评比通报、年度考评等报表的落款处（不能为空，最多 "
                                  f"{issuer.ISSUER_MAX_CHARS} 个字）；默认为“{issuer.default_issuer(ledger)}”。"))

        self.error = error_label()
        note = QLabel("修改后的方案用于尚未定稿的月份；已定稿的月份保持定稿时的方案。")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel
                                        | QDialogButtonBox.RestoreDefaults)
        self.buttons.button(QDialogButtonBox.Ok).setText("保存")
        self.buttons.button(QDialogButtonBox.Cancel).setText("取消")
        self.buttons.button(QDialogButtonBox.RestoreDefaults).setText("恢复默认方案")
        self.buttons.button(QDialogButtonBox.RestoreDefaults).clicked.connect(self._restore_defaults)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(box)
        side = QHBoxLayout()
        side.addWidget(cards_box)
        side.addWidget(grades_box)
        layout.addLayout(side)
        layout.addWidget(issuer_box)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._update_total()

    def data(self) -> dict:
        """The scheme as typed (JSON form, not yet validated)."""
        return {
            "indicators": [{"key": key, "name": self.names[key].text(), "weight": self.weights[key].text(),
                            "target": self.targets[key].text() if key in self.targets else None}
                           for key in self.names],
            "card_points": {card: edit.text() for card, edit in self.cards.items()},
            "grades": [[name, edit.text()] for name, edit in self.grades],
        }

    def _update_total(self) -> None:
        total = 0.0
        try:
            total = sum(float(e.text()) for e in self.weights.values())
        except ValueError:
            self.total.setText("权重合计：（有非数字）")
            return
        self.total.setText(f"权重合计：{_num(round(total, 4))}")
        self.total.setStyleSheet("" if abs(total - 100) < 1e-9 else ERROR_STYLE)

    def _restore_defaults(self) -> None:
        default = scheme_model.default_scheme()
        for ind in default.indicators:
            self.names[ind.key].setText(ind.name)
            self.weights[ind.key].setText(_num(ind.weight))
            if ind.key in self.targets:
                self.targets[ind.key].setText(_num(ind.target))
        for card, edit in self.cards.items():
            edit.setText(_num(default.card_points[card]))
        for (name, edit), (_n, threshold) in zip(self.grades, default.grades):
            edit.setText(_num(threshold))
        self.issuer.setText(issuer.default_issuer(self.ctx.ledger))

    def _save(self) -> None:
        data, issuing_body = self.data(), self.issuer.text()
        LedgerOp(self.ctx, lambda ledger: scheme_model.save_scheme.op(ledger, data, issuer=issuing_body),
                 parent=self, title="保存评比方案") \
            .disabling(self.buttons).success(lambda _changes: self.accept()) \
            .failure(lambda exc: _say(self.error, str(exc))).run()


def _num(value) -> str:
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"
