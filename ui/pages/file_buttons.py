"""导入… and 导出… on a list page: the shared import wizard and the kind's export.

The residents and volunteers pages have their own (a filter to export, a choice of full IDs);
the matters and visits pages use these: the same wizard as the command line's ``import
matters|visits`` (preview, problems by sheet and row, one transaction), and the export of the
records the operator may see — in the page's date range when it is ticked — in the import
template's columns (``export matters|visits``; the file's title line says which), which
imports again as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QWidget

from models.importing import IMPORT_ACTION
from ui.dialogs.import_wizard import ImportWizard
from ui.ops import LedgerOp
from ui.widgets.export_file import ask_export_path, writer_progress
from ui.widgets.list_page import action_button


class FileButtons:
    """The two buttons of ``page`` for ``kind``, put in its ``head`` before ``before``.

    ``export(ledger, out, progress, period)`` writes the file and returns the rows written;
    ``period`` is the page's ticked date range (``date_range_values()``: ``(None, None)`` when
    not ticked). ``what`` names the records (民情事项), ``file_name`` the suggested file.
    """

    def __init__(self, page: QWidget, head: QHBoxLayout, before: QWidget, kind: str, what: str,
                 file_name: str, export: Callable):
        self.page, self.kind, self.what, self.file_name, self.export = page, kind, what, file_name, export
        self.import_button = action_button("导入…", self.import_file,
                                           tooltip=f"从 Excel/CSV 表格导入{what}（先检查、列出问题，确认后才写入）")
        self.export_button = action_button("导出…", self.export_file,
                                           tooltip=f"导出{what}（勾选了日期范围时只导出这段日期的；导入模板的格式，可再导入）")
        at = head.indexOf(before)
        head.insertWidget(at, self.export_button)
        head.insertWidget(at, self.import_button)

    def update(self, ctx) -> None:
        """Follow the operator's role: importing writes records."""
        ctx.enable_if_allowed(self.import_button, IMPORT_ACTION,
                              f"从 Excel/CSV 表格导入{self.what}（先检查、列出问题，确认后才写入）")

    def import_file(self) -> ImportWizard:
        wizard = ImportWizard(self.page.ctx, self.kind, self.page)
        wizard.exec()             # it tells every page what changed
        return wizard

    def export_file(self) -> None:
        out = ask_export_path(self.page, f"导出{self.what}", str(Path.home() / self.file_name))
        if out is None:
            return
        export = self.export
        period = self.page.date_range_values()

        def work(ledger, progress, is_cancelled):
            return export(ledger, out, writer_progress(progress, is_cancelled), period)

        def done(n: int) -> None:
            QMessageBox.information(self.page, "导出完成", f"已导出 {n} 条{self.what}记录到：\n{out}\n"
                                                      "（导入模板的格式，可以原样再导入）")

        LedgerOp(self.page.ctx, work, parent=self.page, title=f"导出{self.what}", progress=True,
                 cancellable=True).success(done).run()


__all__ = ["FileButtons"]
