"""The import wizard: choose a file → check the header and the column mapping → preview every
problem → import (cancellable, in a worker thread) → summary with the problem list.

``ImportWizard(ctx, kind, parent).exec()`` for any kind the engine has a spec for
(``models/importing/<kind>.py``).  All the work is done by ``models.importing``; this
dialog only shows it.  Reading the whole file and writing are operations
(:class:`ui.ops.LedgerOp`, with a cancellable progress dialog) on a worker thread.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox, QDialog, QFileDialog, QFrame,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QSpinBox, QStackedWidget, QTableView, QTableWidget, QTableWidgetItem,
                               QTabWidget, QVBoxLayout, QWidget)

from models import importing
from models.core.errors import LedgerError
from models.core.idcard import mask
from models.core.ops import Changes
from models.importing import (REJECTED, WARNING, ImportFileError, ImportPlan, ImportSummary, SheetLayout)
from models.importing.values import text as cell_text
from ui.errors import show_error
from ui.models.rows_model import Column, RowsTableModel
from ui.ops import LedgerOp
from ui.widgets.list_page import action_button

FILE_FILTER = "表格文件 (*.xlsx *.xlsm *.xls *.ods *.csv *.txt);;所有文件 (*)"
NOT_IMPORTED = "（不导入）"

PAGE_FILE, PAGE_MAPPING, PAGE_PREVIEW, PAGE_SUMMARY = range(4)

FILTERS = [("全部问题", None), ("仅拒绝", REJECTED), ("仅警告", WARNING), ("仅提示", "note")]


def _wrapping_label(box, *, bold: bool = False, scale: float = 1.0) -> QLabel:
    """A word-wrapping label added to ``box`` (bold, or its font scaled, when asked)."""
    label = QLabel()
    label.setWordWrap(True)
    if bold or scale != 1.0:
        font = QFont(label.font())
        font.setBold(bold)
        font.setPointSizeF(font.pointSizeF() * scale)
        label.setFont(font)
    box.addWidget(label)
    return label


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_ID_LIKE = re.compile(r"\d{6}(19|20)?\d{6}\d{3}[\dXx]?")


def _masked(text: str) -> str:
    """Sample cells that look like ID numbers are shown masked (privacy, SPEC §3)."""
    return mask(text) if _ID_LIKE.fullmatch(text.replace(" ", "")) else text


def _status_color(outcome):
    return QColor("#c00000") if outcome.status == REJECTED else (
        QColor("#b36b00") if outcome.status == WARNING else QColor("#555555"))


class ProblemsModel(RowsTableModel):
    """The rows with problems: 工作表, 行号, 结果, 问题说明; filtered by result and text."""

    STATUS_TEXT = {REJECTED: "拒绝", WARNING: "有警告", "ok": "提示"}
    TEXT_TOOLTIPS = False

    def __init__(self, parent=None):
        super().__init__([
            Column("工作表", "sheet", lambda o: o.sheet, raw=lambda o: o.sheet),
            Column("行号", "row_number", lambda o: str(o.row_number), raw=lambda o: o.row_number),
            Column("结果", "status", lambda o: self.STATUS_TEXT.get(o.status, ""), raw=lambda o: o.status,
                   foreground=_status_color),
            Column("问题说明", "problem_text", lambda o: o.problem_text, raw=lambda o: o.problem_text,
                   tooltip=lambda o: o.problem_text),
        ], parent)
        self._all: list = []
        self._status: str | None = None
        self._text = ""

    def set_outcomes(self, outcomes: list) -> None:
        self._all = outcomes
        self.set_rows(self._shown())

    def set_filter(self, status: str | None, text: str = "") -> None:
        self._status, self._text = status, text.strip()
        self.set_rows(self._shown())

    def _shown(self) -> list:
        rows = self._all
        if self._status == "note":
            rows = [o for o in rows if o.notes and o.status == "ok"]
        elif self._status:
            rows = [o for o in rows if o.status == self._status]
        if self._text:
            needle = self._text
            rows = [o for o in rows if needle in o.sheet or needle in o.problem_text or needle == str(o.row_number)]
        return rows

    def outcome(self, row: int):
        return self.rows[row]


class MappingTable(QTableWidget):
    """One sheet's columns: 列, 表头, 示例, 对应到 (a combo per column)."""

    mapping_changed = Signal()

    def __init__(self, spec, layout: SheetLayout, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.layout_info = layout
        self.combos: list[QComboBox] = []
        self.setColumnCount(4)
        self.setHorizontalHeaderLabels(["列", "表头", "示例", "对应到"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.NoSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeToContents)
        self.show_layout(layout)

    def show_layout(self, layout: SheetLayout) -> None:
        self.layout_info = layout
        width = max([len(layout.headers)] + [len(r) for r in layout.sample])
        self.setRowCount(width)
        self.combos = []
        for index in range(width):
            header = layout.headers[index] if index < len(layout.headers) else ""
            samples = [_masked(cell_text(r[index])) for r in layout.sample
                       if index < len(r) and r[index] is not None]
            self.setItem(index, 0, QTableWidgetItem(_column_letter(index)))
            self.setItem(index, 1, QTableWidgetItem(header))
            self.setItem(index, 2, QTableWidgetItem("、".join(s for s in samples[:3] if s)))
            combo = QComboBox()
            combo.addItem(NOT_IMPORTED, None)
            for column in self.spec.columns:
                combo.addItem(column.title + ("（必填）" if column.required else ""), column.key)
            key = layout.mapping.get(index)
            combo.setCurrentIndex(max(0, combo.findData(key)) if key else 0)
            combo.currentIndexChanged.connect(lambda _=0, i=index: self._changed(i))
            self.setCellWidget(index, 3, combo)
            self.combos.append(combo)

    def _changed(self, index: int) -> None:
        key = self.combos[index].currentData()
        mapping = self.layout_info.mapping
        if key is None:
            mapping.pop(index, None)
        else:
            # One column per field: the column that had this field before lets go of it.
            for other, other_key in list(mapping.items()):
                if other_key == key and other != index:
                    del mapping[other]
                    combo = self.combos[other]
                    combo.blockSignals(True)
                    combo.setCurrentIndex(0)
                    combo.blockSignals(False)
            mapping[index] = key
        self.mapping_changed.emit()


#: under the problem list until a row is chosen
PROBLEM_HINT = "点选一行，在这里查看它的完整说明。"
#: the kinds whose rows already in the ledger may be updated from the file (the 更新 option)
UPDATABLE = ("residents", "activities")
#: the preview's line about rows already in the ledger
EXISTING_TEXT = {
    "residents": "其中 {} 人台账中已有（身份证号相同，或同户同名且都没有身份证号）：默认跳过，勾选下方选项则更新。",
    "activities": "其中 {} 行台账中已有（同一活动的同一位志愿者）：默认跳过，勾选下方选项则更新服务时长。",
    None: "其中 {} 行台账中已有，将跳过（已有的记录不会被改写）。",
}


class ImportWizard(QDialog):
    """Import a clerk's spreadsheet of ``kind`` ("residents", "matters" …).

    Attributes (for callers and tests): ``plan`` (after the preview), ``summary``
    (after the import), ``imported`` (True once something was written).
    """

    #: a wizard is not a form to save: Esc and × close it like its 关闭 button, asking nothing
    #: (a running job is asked to stop first: :meth:`reject`)
    guard_unsaved = False

    def __init__(self, ctx, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.spec = importing.load_spec(kind)
        self.path: Path | None = None
        self.layouts: list[SheetLayout] = []
        self.plan: ImportPlan | None = None
        self.summary: ImportSummary | None = None
        self.imported = False
        self.job = None
        self.setWindowTitle(f"导入{self.spec.title}")
        self.resize(900, 620)

        self.stack = QStackedWidget()
        self.stack.addWidget(self._file_page())
        self.stack.addWidget(self._mapping_page())
        self.stack.addWidget(self._preview_page())
        self.stack.addWidget(self._summary_page())

        self.back_button = action_button("上一步", self.go_back)
        self.next_button = action_button("下一步", self.go_next)
        self.import_button = action_button("开始导入", self.start_import)
        self.close_button = action_button("关闭", self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.import_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        self.step_label = QLabel()
        font = QFont(self.step_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.step_label.setFont(font)
        layout.addWidget(self.step_label)
        layout.addWidget(self.stack, 1)
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        layout.addWidget(line)
        layout.addLayout(buttons)
        self._show_page(PAGE_FILE)

    # -- page 1: the file -------------------------------------------------------------
    def _file_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        # the example of a header written another way comes from this kind's own columns
        example = next(c for c in self.spec.columns if len(c.synonyms) >= 2)
        intro = QLabel(
            f"请选择要导入的{self.spec.title}表格：Excel（.xlsx、.xls）或 CSV 文件均可。\n"
            f"表格上方的标题行会自动跳过，列名可以是常见写法（如“{example.synonyms[0]}”“{example.synonyms[1]}”"
            f"都当作“{example.title}”），"
            "合并的单元格会自动填到每一行，文件中的每个工作表都会读取。\n"
            "导入前会先列出每一行的问题，确认后才写入台账。")
        intro.setWordWrap(True)
        box.addWidget(intro)
        row = QHBoxLayout()
        self.choose_button = QPushButton("选择文件…")
        self.choose_button.clicked.connect(self.choose_file)
        self.template_button = QPushButton("下载模板")
        self.template_button.setToolTip(f"保存标准的{self.spec.title}导入模板（.xlsx），按模板填写最省事")
        self.template_button.clicked.connect(self.save_template)
        row.addWidget(self.choose_button)
        row.addWidget(self.template_button)
        row.addStretch(1)
        box.addLayout(row)
        self.file_label = QLabel("尚未选择文件。")
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        box.addWidget(self.file_label)
        self.file_error = QLabel()
        self.file_error.setWordWrap(True)
        self.file_error.setStyleSheet("color: #c00000;")
        box.addWidget(self.file_error)
        box.addStretch(1)
        return page

    def choose_file(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self, f"选择要导入的{self.spec.title}表格", "", FILE_FILTER)
        if file:
            self.open_file(Path(file))

    def open_file(self, path: Path) -> None:
        """Read the top of every sheet and go to the mapping page (or say why not)."""
        self.file_error.clear()
        self.file_label.setText(f"文件：{path}")
        # Only the top rows are read (and the merge map): quick even for a big file.
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            layouts, error = importing.inspect_file(path, self.spec), None
        except Exception as exc:  # noqa: BLE001 - sorted out below, after the cursor is back
            layouts, error = None, exc
        finally:
            QApplication.restoreOverrideCursor()
        if error is not None:
            self.path = None
            if isinstance(error, ImportFileError):
                self.file_error.setText(str(error))
            else:   # our bug: logged, told in Chinese
                show_error(self, error, title="无法读取文件")
            self._update_buttons()
            return
        self.path = path
        self.layouts = layouts
        self.plan = None
        self._fill_mapping()
        self._show_page(PAGE_MAPPING)

    def _save_xlsx(self, title: str, suggested: str, write, saved: tuple[str, str]) -> None:
        """Ask where to save a workbook, ``write(target)`` it, and say where it went.

        ``saved`` is the message's title and text, the text formatted with ``target`` and
        ``result`` (what ``write`` returned)."""
        file, _ = QFileDialog.getSaveFileName(self, title, suggested, "Excel 表格 (*.xlsx)")
        if not file:
            return
        target = Path(file)
        if target.suffix.lower() != ".xlsx":
            target = target.with_suffix(".xlsx")
        try:
            result = write(target)
        except LedgerError as exc:
            QMessageBox.warning(self, "保存失败", str(exc))
            return
        QMessageBox.information(self, saved[0], saved[1].format(target=target, result=result))

    def save_template(self) -> None:
        self._save_xlsx("保存导入模板", f"{self.spec.title}导入模板.xlsx",
                        lambda target: importing.write_template(self.spec, target, self.ctx.ledger),
                        ("已保存模板", "模板已保存到：\n{target}"))

    # -- page 2: header and mapping ----------------------------------------------------
    def _mapping_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        hint = QLabel("请核对每一列对应的内容；不对的可以在“对应到”中改，不需要的列选“（不导入）”。")
        hint.setWordWrap(True)
        box.addWidget(hint)
        self.sheet_tabs = QTabWidget()
        box.addWidget(self.sheet_tabs, 1)
        self.mapping_warning = QLabel()
        self.mapping_warning.setWordWrap(True)
        self.mapping_warning.setStyleSheet("color: #c00000;")
        box.addWidget(self.mapping_warning)
        self.mapping_tables: list[MappingTable] = []
        self.header_spins: list[QSpinBox] = []
        self.sheet_checks: list[QCheckBox] = []
        return page

    def _fill_mapping(self) -> None:
        self.sheet_tabs.clear()
        self.mapping_tables, self.header_spins, self.sheet_checks = [], [], []
        for index, layout in enumerate(self.layouts):
            tab = QWidget()
            box = QVBoxLayout(tab)
            top = QHBoxLayout()
            check = QCheckBox("导入此工作表")
            check.setChecked(layout.usable)
            spin = QSpinBox()
            spin.setRange(1, max(1, len(layout.top_rows)))
            spin.setValue(layout.header_row or 1)
            spin.setPrefix("表头在第 ")
            spin.setSuffix(" 行")
            spin.setEnabled(layout.usable)
            top.addWidget(check)
            top.addWidget(spin)
            note = QLabel(layout.note if not layout.usable else
                          f"自动找到表头在第 {layout.header_row} 行，上方的标题行会跳过。")
            note.setWordWrap(True)
            top.addWidget(note, 1)
            box.addLayout(top)
            table = MappingTable(self.spec, layout)
            table.setEnabled(layout.usable)
            table.mapping_changed.connect(self._check_mapping)
            box.addWidget(table, 1)
            check.toggled.connect(lambda on, i=index: self._sheet_toggled(i, on))
            spin.valueChanged.connect(lambda value, i=index: self._header_moved(i, value))
            self.mapping_tables.append(table)
            self.header_spins.append(spin)
            self.sheet_checks.append(check)
            title = layout.name if layout.usable else f"{layout.name}（跳过）"
            self.sheet_tabs.addTab(tab, title)
        self._check_mapping()

    def _sheet_toggled(self, index: int, on: bool) -> None:
        spin = self.header_spins[index]
        if on:
            self.layouts[index] = importing.relayout(self.spec, self.layouts[index], spin.value())
        else:
            self.layouts[index] = importing.relayout(self.spec, self.layouts[index], None)
        spin.setEnabled(on)
        self.mapping_tables[index].setEnabled(on)
        self.mapping_tables[index].show_layout(self.layouts[index])
        self.sheet_tabs.setTabText(index, self.layouts[index].name + ("" if on else "（跳过）"))
        self._check_mapping()

    def _header_moved(self, index: int, row: int) -> None:
        if not self.sheet_checks[index].isChecked():
            return
        self.layouts[index] = importing.relayout(self.spec, self.layouts[index], row)
        self.mapping_tables[index].show_layout(self.layouts[index])
        self._check_mapping()

    def mapping_problems(self) -> list[str]:
        """Why the mapping cannot be used yet (empty = fine)."""
        chosen = [layout for layout in self.layouts if layout.usable]
        if not chosen:
            return ["请至少选择一个工作表导入。"]
        problems = []
        for layout in chosen:
            missing = layout.missing_required(self.spec)
            if missing:
                names = "、".join(c.title for c in missing)
                problems.append(f"工作表“{layout.name}”缺少必需的列：{names}。请在“对应到”中指定。")
        return problems

    def _check_mapping(self) -> None:
        self.mapping_warning.setText("\n".join(self.mapping_problems()))
        self._update_buttons()

    # -- page 3: preview ---------------------------------------------------------------------
    def _preview_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.counts_label = _wrapping_label(box, bold=True)
        self.notes_label = _wrapping_label(box)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("显示："))
        self.filter_combo = QComboBox()
        for title, status in FILTERS:
            self.filter_combo.addItem(title, status)
        self.filter_combo.currentIndexChanged.connect(self._filter_problems)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("按工作表、行号或问题查找")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_problems)
        self.report_button = QPushButton("保存问题清单…")
        self.report_button.setToolTip("把有问题的行另存为 Excel，附“问题说明”列；改好后可直接再导入")
        self.report_button.clicked.connect(self.save_report)
        filters.addWidget(self.filter_combo)
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.report_button)
        box.addLayout(filters)
        self.problems_model = ProblemsModel(self)
        self.problems_view = QTableView()
        self.problems_view.setModel(self.problems_model)
        self.problems_view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.problems_view.verticalHeader().setVisible(False)
        self.problems_view.setWordWrap(True)
        header = self.problems_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.Stretch)
        box.addWidget(self.problems_view, 1)
        # a row's whole text (one line of the list cuts a long one off): the selected row's, wrapped
        self.problem_detail = QLabel(PROBLEM_HINT)
        self.problem_detail.setWordWrap(True)
        self.problem_detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.problems_view.selectionModel().currentRowChanged.connect(self._show_problem)
        self.problems_model.modelReset.connect(lambda: self.problem_detail.setText(PROBLEM_HINT))
        box.addWidget(self.problem_detail)
        self.update_check = QCheckBox("台账中已有的人员：用文件中的内容更新（不勾选则跳过）")
        if self.kind != "residents":
            self.update_check.setText("台账中已有的记录：用文件中的服务时长更新（不勾选则跳过）")
        # matters and visits keep their history as it is: a row already in the ledger is skipped
        self.update_check.setVisible(self.kind in UPDATABLE)
        box.addWidget(self.update_check)
        # residents without 迁入日期: counted from the import's day (no past month changes),
        # unless the clerk states they lived here all along
        self.lived_check = QCheckBox("这些人早已居住：没有迁入日期的人计入以往各月（不勾选则从导入当天起计入）")
        self.lived_check.setVisible(self.kind == "residents")
        box.addWidget(self.lived_check)
        return page

    def analyse(self) -> None:
        """Read and check the whole file (worker thread), then show the preview."""
        layouts = [layout for layout in self.layouts]
        path, spec = self.path, self.spec

        def work(ledger, progress, is_cancelled):
            return importing.analyse(ledger, path, spec, layouts, progress=progress, is_cancelled=is_cancelled)

        self._run("检查表格", work, self._show_plan)

    def _show_problem(self, current, _previous=None) -> None:
        if not current.isValid():
            self.problem_detail.setText(PROBLEM_HINT)
            return
        outcome = self.problems_model.outcome(current.row())
        self.problem_detail.setText(f"{outcome.where}：{outcome.problem_text}")

    def _show_plan(self, plan: ImportPlan) -> None:
        self.plan = plan
        counts = plan.counts()
        existing = sum(1 for o in plan.accepted() if o.existing_id is not None)
        will = counts["ok"] + counts[WARNING]
        text = (f"共 {len(plan.outcomes)} 行：将导入 {will} 行（其中有警告 {counts[WARNING]} 行），"
                f"拒绝 {counts[REJECTED]} 行。")
        if existing:
            text += "\n" + EXISTING_TEXT.get(self.kind, EXISTING_TEXT[None]).format(existing)
        self.counts_label.setText(text)
        self.counts = {"将导入": will, "有警告": counts[WARNING], "拒绝": counts[REJECTED]}
        notes = list(plan.notes)
        if plan.skipped_rows:
            notes.append(f"已跳过 {plan.skipped_rows} 个空行、合计/小计行或表尾行。")
        self.notes_label.setText("\n".join(notes))
        self.problems_model.set_outcomes(plan.problems())
        self._filter_problems()
        self._show_page(PAGE_PREVIEW)

    def _filter_problems(self) -> None:
        self.problems_model.set_filter(self.filter_combo.currentData(), self.filter_edit.text())

    # -- writing -----------------------------------------------------------------------------
    def start_import(self) -> None:
        plan = self.plan
        if plan is None:
            return
        accepted = len(plan.accepted())
        if accepted == 0:
            QMessageBox.information(self, "没有可导入的行", "所有行都被拒绝了，请先修改表格。可以保存问题清单对照修改。")
            return
        update = self.update_check.isChecked()
        rejected = len(plan.rejected())
        question = f"将导入 {accepted} 行"
        question += f"，{rejected} 行被拒绝、不会导入" if rejected else ""
        question += "。\n全部写入后才生效，中途取消则台账不会有任何改动。确定开始导入吗？"
        if QMessageBox.question(self, "开始导入", question) != QMessageBox.Yes:
            return

        if self.kind == "residents" and self.lived_check.isChecked():
            plan.spec = plan.spec.present_from(None)

        def work(ledger, progress, is_cancelled):
            return importing.execute.op(ledger, plan, update=update, progress=progress, is_cancelled=is_cancelled)

        self._run(f"导入{self.spec.title}", work, self._show_summary, on_cancel=self._import_cancelled)

    def _show_summary(self, changes: Changes) -> None:
        self.summary = summary = changes.result
        self.imported = True
        self.summary_label.setText("\n".join(summary.lines()))
        problems = len(self.plan.problems()) if self.plan else 0
        self.summary_report_button.setEnabled(problems > 0)
        self.summary_hint.setText(
            f"有 {problems} 行需要处理：点击“保存问题清单”，在 Excel 中按“问题说明”修改后再导入。" if problems
            else "所有行都已导入。")
        self._show_page(PAGE_SUMMARY)

    def _import_cancelled(self) -> None:
        self.summary = ImportSummary(cancelled=True)
        QMessageBox.information(self, "已取消", "导入已取消，台账没有任何改动。")

    # -- page 4: summary -------------------------------------------------------------------
    def _summary_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.summary_label = _wrapping_label(box, scale=1.1)
        self.summary_hint = _wrapping_label(box)
        row = QHBoxLayout()
        self.summary_report_button = QPushButton("保存问题清单…")
        self.summary_report_button.clicked.connect(self.save_report)
        row.addWidget(self.summary_report_button)
        row.addStretch(1)
        box.addLayout(row)
        box.addStretch(1)
        return page

    def save_report(self) -> None:
        if self.plan is None:
            return
        stem = self.path.stem if self.path else self.spec.title
        plan = self.plan
        self._save_xlsx("保存问题清单", f"{stem}_问题清单.xlsx",
                        lambda target: importing.write_error_report(plan, target),
                        ("已保存问题清单", "已保存 {result} 行到：\n{target}"))

    # -- navigation ------------------------------------------------------------------------
    def _show_page(self, page: int) -> None:
        self.stack.setCurrentIndex(page)
        titles = {PAGE_FILE: "第 1 步：选择文件", PAGE_MAPPING: "第 2 步：核对表头和列",
                  PAGE_PREVIEW: "第 3 步：检查结果", PAGE_SUMMARY: "第 4 步：完成"}
        self.step_label.setText(titles[page])
        self._update_buttons()

    def _update_buttons(self) -> None:
        page = self.stack.currentIndex()
        busy = self.job is not None
        self.back_button.setVisible(page in (PAGE_MAPPING, PAGE_PREVIEW))
        self.back_button.setEnabled(not busy)
        self.next_button.setVisible(page in (PAGE_FILE, PAGE_MAPPING))
        if page == PAGE_FILE:
            self.next_button.setEnabled(self.path is not None and not busy)
        elif page == PAGE_MAPPING:
            self.next_button.setEnabled(not self.mapping_problems() and not busy)
        self.import_button.setVisible(page == PAGE_PREVIEW)
        self.import_button.setEnabled(self.plan is not None and not busy)
        self.close_button.setText("完成" if page == PAGE_SUMMARY else "关闭")

    def go_next(self) -> None:
        page = self.stack.currentIndex()
        if page == PAGE_FILE and self.path is not None:
            self._show_page(PAGE_MAPPING)
        elif page == PAGE_MAPPING and not self.mapping_problems():
            self.analyse()

    def go_back(self) -> None:
        page = self.stack.currentIndex()
        if page > PAGE_FILE:
            self._show_page(page - 1)

    # -- background work ---------------------------------------------------------------------
    def _run(self, title: str, work, on_done, on_cancel=None) -> LedgerOp:
        """``work(ledger, progress, is_cancelled)`` as an operation with a cancellable progress dialog."""
        op = LedgerOp(self.ctx, work, parent=self, title=title, progress=True, cancellable=True).success(on_done)
        self.job = op

        def finished():
            if self.job is op:
                self.job = None
            if op.cancelled and on_cancel is not None:
                on_cancel()
            self._update_buttons()

        op.finished.connect(finished)
        op.run()
        self._update_buttons()
        return op

    def reject(self) -> None:  # noqa: D102 - closing while a job runs asks it to stop first
        if self.job is not None:
            self.job.cancel()
            return
        super().reject()
