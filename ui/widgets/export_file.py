"""Every page's 导出… of a table: where to save it (.xlsx or .csv), and its progress.

    out = ask_export_path(self, "导出居民名单", "居民名单.xlsx")
    ...
    def work(ledger, progress, is_cancelled):
        return export_residents(ledger, out, progress=writer_progress(progress, is_cancelled))
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QFileDialog, QWidget

EXPORT_FILTER = "Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)"


def ask_export_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    """The file the clerk chose (None: cancelled); without .xlsx/.csv it gets the chosen type's."""
    file, chosen = QFileDialog.getSaveFileName(parent, title, suggested, EXPORT_FILTER)
    if not file:
        return None
    out = Path(file)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        out = out.with_suffix(".csv" if "csv" in (chosen or "").lower() else ".xlsx")
    return out


def writer_progress(progress: Callable, is_cancelled: Callable[[], bool],
                    text: str = "正在导出") -> Callable[[int, int], bool]:
    """A ``models.core.tabular`` progress callback from a LedgerOp's ``progress`` and ``is_cancelled``:
    it shows ``text……（done/total）`` and returns False once cancelled (the writer then stops and
    leaves no half-written file)."""
    def report(done: int, total: int) -> bool:
        if is_cancelled():
            return False
        progress(done, total, f"{text}……（{done}/{total}）")
        return True

    return report
