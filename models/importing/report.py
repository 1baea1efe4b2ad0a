"""Files the import hands back to the clerk: the error report and the standard template.

The error report holds the rejected and warned rows as they were in the file
(merged cells already filled), with the standard header for every recognised
column and a 问题说明 column, so the clerk fixes the rows in Excel and imports the
same file again: the 问题说明 column is ignored on import.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from models.core.errors import EnvironmentProblem
from models.importing.values import text

PROBLEM_HEADER = "问题说明"
STATUS_LABELS = {"rejected": "【未导入】", "warning": "【已导入，有警告】", "ok": "【提示】"}

_HEADER_FILL = "DDEBF7"


def _safe_sheet_title(name: str, used: set[str]) -> str:
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    base, n = title, 2
    while title in used:
        suffix = f"({n})"
        title = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(title)
    return title


def _save(workbook, path: Path) -> None:
    try:
        workbook.save(path)
    except PermissionError as exc:
        raise EnvironmentProblem(f"无法保存“{path.name}”：文件可能正被 Excel/WPS 打开，请关闭后再试。") from exc
    except OSError as exc:
        raise EnvironmentProblem(f"无法保存“{path.name}”：{exc.strerror or exc}") from exc


def write_error_report(plan, path: str | Path) -> int:
    """Write the rows with problems (rejected, warned, noted) to ``path`` (.xlsx)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    path = Path(path)
    spec = plan.spec
    titles = {c.key: c.title for c in spec.columns}
    text_keys = {c.key for c in spec.columns if c.as_text}
    problems = plan.problems()
    by_sheet: dict[str, list] = {}
    for outcome in problems:
        by_sheet.setdefault(outcome.sheet, []).append(outcome)
    layouts = {layout.name: layout for layout in plan.layouts}

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=_HEADER_FILL)
    red = Font(color="C00000")
    written = 0
    for sheet_name, rows in by_sheet.items():
        layout = layouts.get(sheet_name)
        ws = workbook.create_sheet(_safe_sheet_title(sheet_name, used))
        width = max([len(layout.headers) if layout else 0] + [len(r.cells or ()) for r in rows])
        mapping = layout.mapping if layout else {}
        header = []
        for index in range(width):
            key = mapping.get(index)
            original = layout.headers[index] if layout and index < len(layout.headers) else ""
            header.append(titles[key] if key else original)
        ws.column_dimensions["A"].width = 12
        for index, key in mapping.items():
            letter = _letter(index)
            ws.column_dimensions[letter].width = 22 if key in text_keys else 14
        ws.column_dimensions[_letter(width)].width = 60
        ws.freeze_panes = "A2"
        cells = []
        for title in header + [PROBLEM_HEADER]:
            cell = WriteOnlyCell(ws, value=title)
            cell.font = bold
            cell.fill = fill
            cells.append(cell)
        ws.append(cells)
        for outcome in rows:
            source = list(outcome.cells or ())
            source += [None] * (width - len(source))
            out = []
            for index, value in enumerate(source[:width]):
                key = mapping.get(index)
                if key in text_keys and value is not None:
                    cell = WriteOnlyCell(ws, value=text(value))
                    cell.number_format = "@"
                elif isinstance(value, (_dt.datetime, _dt.date)):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "yyyy-mm-dd"
                else:
                    cell = WriteOnlyCell(ws, value=value)
                out.append(cell)
            label = STATUS_LABELS.get(outcome.status, "")
            note = WriteOnlyCell(ws, value=f"{label}原第 {outcome.row_number} 行：{outcome.problem_text}")
            note.alignment = Alignment(wrap_text=True, vertical="top")
            if outcome.status == "rejected":
                note.font = red
            out.append(note)
            ws.append(out)
            written += 1
    if not by_sheet:
        ws = workbook.create_sheet("问题清单")
        ws.append(["没有需要处理的行。"])
    _save(workbook, path)
    return written


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def write_template(spec, path: str | Path) -> Path:
    """The standard template of ``spec``: one header row, text-formatted ID/phone columns,
    drop-down lists where a column has fixed values, and a 填写说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    workbook = Workbook()
    ws = workbook.active
    ws.title = f"{spec.title}信息"[:31]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=_HEADER_FILL)
    ws.append([c.title for c in spec.columns])
    for index, column in enumerate(spec.columns):
        cell = ws.cell(row=1, column=index + 1)
        cell.font = Font(bold=True, color="C00000") if column.required else bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
        letter = _letter(index)
        ws.column_dimensions[letter].width = 22 if column.as_text else max(10, 2.2 * len(column.title) + 4)
        if column.as_text:
            # Excel applies the column's format to new entries; pre-format the first rows too.
            ws.column_dimensions[letter].number_format = "@"
            for row in range(2, 1002):
                ws.cell(row=row, column=index + 1).number_format = "@"
        if column.choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"',
                                        allow_blank=True, showErrorMessage=False)
            validation.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(validation)
    ws.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 80
    notes.append([f"{spec.title}导入模板填写说明"])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append([])
    notes.append(["列名", "是否必填", "填写要求"])
    for cell in notes[3]:
        cell.font = bold
        cell.fill = fill
    for column in spec.columns:
        others = "、".join(column.synonyms[:4])
        detail = column.note + (f"（也可写作：{others}）" if others else "")
        notes.append([column.title, "必填" if column.required else "", detail])
    if spec.rules:
        notes.append([])
        for line in spec.rules:
            notes.append([line])
    if spec.template_rows:
        notes.append([])
        notes.append(["示例（请在“" + ws.title + "”工作表中填写，不要在本页填写）："])
        notes.append([c.title for c in spec.columns])
        for row in spec.template_rows:
            notes.append(list(row))
    _save(workbook, path)
    return path
