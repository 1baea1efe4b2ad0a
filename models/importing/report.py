"""Files the import hands back to the clerk: the error report and the standard template.

The error report holds the rejected and warned rows as they were in the file
(merged cells already filled), with the standard header for every recognised
column and a 问题说明 column, so the clerk fixes the rows in Excel and imports the
same file again: the 问题说明 column is ignored on import.

Both are written by XlsxWriter (:func:`models.core.tabular.xlsx_workbook`, the
report in ``constant_memory`` mode however many rows it has); a cell's text is
always a string cell (:func:`models.core.tabular.write_value`), so a clerk's
``=HYPERLINK(...)`` comes back as the text it was, never as a formula.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from models.core.errors import EnvironmentProblem
from models.core.tabular import sheet_title, write_value, xlsx_workbook
from models.importing.values import text

PROBLEM_HEADER = "问题说明"
STATUS_LABELS = {"rejected": "【未导入】", "warning": "【已导入，有警告】", "ok": "【提示】"}

_HEADER_FILL = "#DDEBF7"
_RED = "#C00000"
#: the template's text columns are formatted as text in their first rows too (Excel
#: applies a column's format to what is typed there, but a paste may bring its own)
_TEXT_ROWS = 1000
#: the template's drop-down lists cover this many rows below the header
_CHOICE_ROWS = 4999


@contextmanager
def _saving(path: Path, constant_memory: bool = True):
    """``xlsx_workbook(path)``, with the clerk's message when the file cannot be saved."""
    try:
        with xlsx_workbook(path, constant_memory) as workbook:
            yield workbook
    except PermissionError as error:
        raise EnvironmentProblem(f"无法保存“{path.name}”：文件可能正被 Excel/WPS 打开，请关闭后再试。") from error
    except OSError as error:
        raise EnvironmentProblem(f"无法保存“{path.name}”：{error.strerror or error}") from error


def write_error_report(plan, path: str | Path) -> int:
    """Write the rows with problems (rejected, warned, noted) to ``path`` (.xlsx)."""
    path = Path(path)
    spec = plan.spec
    titles = {c.key: c.title for c in spec.columns}
    text_keys = {c.key for c in spec.columns if c.as_text}
    by_sheet: dict[str, list] = {}
    for outcome in plan.problems():
        by_sheet.setdefault(outcome.sheet, []).append(outcome)
    layouts = {layout.name: layout for layout in plan.layouts}

    written = 0
    with _saving(path) as workbook:
        header_format = workbook.add_format({"bold": True, "bg_color": _HEADER_FILL})
        text_format = workbook.add_format({"num_format": "@"})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        note_format = workbook.add_format({"text_wrap": True, "valign": "top"})
        red_note_format = workbook.add_format({"text_wrap": True, "valign": "top", "font_color": _RED})
        used: set[str] = set()
        for sheet_name, rows in by_sheet.items():
            layout = layouts.get(sheet_name)
            ws = workbook.add_worksheet(sheet_title(sheet_name, used))
            width = max([len(layout.headers) if layout else 0] + [len(r.cells or ()) for r in rows])
            mapping = layout.mapping if layout else {}
            header = []
            for index in range(width):
                key = mapping.get(index)
                original = layout.headers[index] if layout and index < len(layout.headers) else ""
                header.append(titles[key] if key else original)
            ws.set_column(0, 0, 12)
            for index, key in mapping.items():
                ws.set_column(index, index, 22 if key in text_keys else 14)
            ws.set_column(width, width, 60)
            ws.freeze_panes(1, 0)
            for index, title in enumerate(header + [PROBLEM_HEADER]):
                write_value(ws, 0, index, title, header_format)
            for r, outcome in enumerate(rows, start=1):
                source = list(outcome.cells or ())[:width]
                for index, value in enumerate(source):
                    key = mapping.get(index)
                    if key in text_keys and value is not None:
                        write_value(ws, r, index, text(value), text_format)
                    else:
                        write_value(ws, r, index, value, date_format=date_format)
                label = STATUS_LABELS.get(outcome.status, "")
                write_value(ws, r, width, f"{label}原第 {outcome.row_number} 行：{outcome.problem_text}",
                            red_note_format if outcome.status == "rejected" else note_format)
                written += 1
        if not by_sheet:
            workbook.add_worksheet("问题清单").write_string(0, 0, "没有需要处理的行。")
    return written


def write_template(spec, path: str | Path, ledger=None) -> Path:
    """The standard template of ``spec``: one header row, text-formatted ID/phone columns,
    drop-down lists where a column has fixed values (the office's lists with ``ledger``), and
    a 填写说明 sheet."""
    path = Path(path)
    columns = spec.columns_for(ledger)
    with _saving(path, constant_memory=False) as workbook:
        fill = {"bold": True, "bg_color": _HEADER_FILL}
        header_format = workbook.add_format({**fill, "align": "center"})
        required_format = workbook.add_format({**fill, "align": "center", "font_color": _RED})
        text_format = workbook.add_format({"num_format": "@"})
        ws = workbook.add_worksheet(sheet_title(f"{spec.title}信息", set()))
        for index, column in enumerate(columns):
            write_value(ws, 0, index, column.title, required_format if column.required else header_format)
            if column.as_text:
                # Excel applies the column's format to new entries; pre-format the first rows too.
                ws.set_column(index, index, 22, text_format)
                for row in range(1, _TEXT_ROWS + 1):
                    ws.write_blank(row, index, None, text_format)
            else:
                ws.set_column(index, index, max(10, 2.2 * len(column.title) + 4))
            if column.choices:
                ws.data_validation(1, index, _CHOICE_ROWS, index, {
                    "validate": "list", "source": list(column.choices), "ignore_blank": True, "show_error": False})
        ws.freeze_panes(1, 0)

        notes = workbook.add_worksheet("填写说明")
        notes.set_column(0, 0, 18)
        notes.set_column(1, 1, 10)
        notes.set_column(2, 2, 80)
        write_value(notes, 0, 0, f"{spec.title}导入模板填写说明", workbook.add_format({"bold": True, "font_size": 14}))
        lines: list[list] = [[], ["列名", "是否必填", "填写要求"]]
        for column in columns:
            others = "、".join(column.synonyms[:4])
            detail = column.note + (f"（也可写作：{others}）" if others else "")
            lines.append([column.title, "必填" if column.required else "", detail])
        if spec.rules:
            lines += [[]] + [[line] for line in spec.rules]
        if spec.template_rows:
            lines += [[], ["示例（请在“" + ws.get_name() + "”工作表中填写，不要在本页填写）："],
                      [c.title for c in columns]] + [list(row) for row in spec.template_rows]
        head_format = workbook.add_format(fill)
        for r, line in enumerate(lines, start=1):
            for index, value in enumerate(line):
                write_value(notes, r, index, value, head_format if r == 2 else None)
    return path
