"""The Excel/CSV import engine (SPEC §7): clerks' spreadsheets into the ledger.

The engine does everything that is the same for every kind of record; a *spec*
(one module per kind: ``residents.py``, ``matters.py`` …) says what the columns
are, how one row is checked and how accepted rows are written.

What the engine does
--------------------
- reads .xlsx/.xlsm/.xls/.ods through python-calamine (after a size check that refuses
  an absurd file first) and .csv through the csv module (UTF-8, UTF-8 with BOM, UTF-16,
  GBK/GB18030 — detected, never asked), recognising the format by content
  (:mod:`models.importing.reader`); a CSV line with an unbalanced quote is one rejected
  row, never the rows after it;
- refuses a cell longer than its field's limit (:mod:`models.core.limits`): the row is
  rejected (free text is cut with a warning) before any rule sees the value;
- reads **every sheet**; finds the header row under title rows ("XX社区居民信息台账",
  "填报单位：…") by matching cell texts against each column's title and synonyms;
  fills merged cells from their top-left cell (a household merged over its
  members); skips blank rows, 合计/小计/总计 rows, footers (填表人/审核人 …),
  repeated header rows and empty template rows (only a 序号); a row with text only
  outside the mapped columns is listed as rejected, never dropped silently;
- hands the rows to ``spec.validate``, which decides per row: ``ok`` (will be
  imported), ``warning`` (imported, with messages) or ``rejected`` (listed, not
  imported) — every message keyed by sheet and row;
- writes all accepted rows with ``spec.write`` inside ONE ``ledger.write()``
  transaction: an error or a cancel part-way leaves the ledger exactly as before;
- writes the error report (rejected and warned rows with a 问题说明 column, ready to
  fix and import again) and the standard template (:mod:`models.importing.report`).

Writing a spec for a new kind (e.g. ``models/importing/matters.py``)
-------------------------------------------------------------------
::

    from models.importing import Column, ImportSpec, ImportSummary, RowOutcome
    from models.core.periods import parse_date, parse_timestamp
    from models.importing.values import text

    class MattersSpec(ImportSpec):
        kind = "matters"
        title = "民情事项"
        columns = [
            Column("registered_at", "登记时间", ("登记日期", "反映时间"), required=True),
            Column("description", "事项描述", ("问题描述", "事项内容"), required=True),
            Column("phone", "联系电话", ("电话", "手机"), as_text=True),
            ...
        ]

        def validate(self, ledger, rows):
            for row in rows:                   # row.raw: {column key: cell value}
                when, error = parse_timestamp(row.raw.get("registered_at"))
                if error:
                    row.reject(f"登记时间{error}")
                row.data["registered_at"] = when
                ...
            return rows

        def write(self, ledger, outcomes, update, progress):
            summary = ImportSummary()
            for i, row in enumerate(outcomes):  # only ok/warning rows arrive here
                ...                             # models/ functions; already inside one transaction
                summary.imported += 1
                progress(i + 1)                 # reports progress; raises ImportCancelled on cancel
            return summary

    SPEC = MattersSpec()

then add ``"matters": "models.importing.matters:SPEC"`` to ``cli.importing.IMPORTERS``
(``load_spec("matters")`` also finds ``models.importing.matters:SPEC`` by convention,
which is how the wizard ``ImportWizard(ctx, "matters", parent)`` finds it).

API
---
- ``Column(key, title, synonyms=(), required=False, as_text=False, note="", choices=())``:
  ``title`` is the template header; ``required`` columns must be present for a
  row to count as the header; ``as_text`` columns (ID numbers, phones) are written
  as text in the template and the error report so Excel cannot mangle them.
- ``RowOutcome``: ``sheet``, ``row_number`` (as Excel shows it), ``status``
  (``"ok"`` / ``"warning"`` / ``"rejected"``), ``messages`` (the problems),
  ``notes`` (information that is not a problem, e.g. "台账中已有此人"), ``data``
  (normalised values for ``write``), ``raw`` ({key: cell value}, built on each
  access: read it once per row), ``cells`` (the whole original row; after
  validation kept only for rows with problems or notes, for the error report),
  ``existing_id`` (a record the row matches); ``warn(msg)``, ``reject(msg)``,
  ``note(msg)``, ``problem_text``, ``where``.
- ``ImportSpec``: ``kind``, ``title``, ``columns``, ``validate(ledger, rows) ->
  list[RowOutcome]``, ``write(ledger, outcomes, update, progress) -> ImportSummary``,
  ``template_rows`` (example rows for the 填写说明 sheet), ``rules`` (lines of the
  填写说明 sheet).
- ``ImportSummary``: ``imported``, ``updated``, ``skipped``, ``rejected``,
  ``warnings``, ``created`` ({"网格": 2, "户": 40}), ``cancelled``; ``lines()``.
- ``inspect_file(path, spec) -> list[SheetLayout]``: headers and the automatic
  column mapping of every sheet (the wizard's second page), quick;
  ``relayout(spec, layout, header_row)`` moves the header (None skips the sheet).
- ``analyse(ledger, path, spec, layouts=None, progress=None, is_cancelled=None)
  -> ImportPlan``: read every row, validate; nothing is written.  ``layouts``
  carries a mapping the clerk changed.  ``ImportPlan``: ``outcomes``,
  ``counts()``, ``problems()``, ``accepted()``, ``layouts``, ``notes``.
- ``execute(ledger, plan, update=False, progress=None, is_cancelled=None) ->
  ImportSummary``: the user action (permission ``records.edit``, one transaction;
  ``execute.op`` → ``Changes.of("*", result=summary)``).  A cancel raises
  ``ImportCancelled``, any other error propagates: nothing is written.
- ``import_file(ledger, path, spec, update=False, dry_run=False, ...) ->
  (plan, summary)``: the whole thing in one read (CLI, benchmark).
- ``load_spec(kind_or_ref)``; ``write_error_report(plan, path)``;
  ``write_template(spec, path, ledger=None)``; ``ImportFileError`` (unreadable file, Chinese
  message); ``ImportCancelled``.

Callbacks: ``progress(done: int, total: int, label: str)`` (``total`` 0 =
unknown), ``is_cancelled() -> bool``; both are called from the importing thread,
throttled (every few hundred rows).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import sys
import importlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from models.core import limits, scope
from models.core.db import Ledger
from models.core.errors import Cancelled
from models.core.ops import operation
from models.core.permissions import require
from models.importing.reader import OLE_MAGIC, ZIP_MAGIC, BrokenRow, ImportFileError, SheetSource, open_sheets
from models.core.periods import half_width, parse_date
from models.importing.values import compact, is_blank


@functools.lru_cache(maxsize=65536, typed=True)
def _cached_parse_date(value: object) -> tuple[str | None, str | None]:
    return parse_date(value)


def parse_cell_date(value: object) -> tuple[str | None, str | None]:
    """:func:`models.core.periods.parse_date` of a cell, cached by value: a 100,000-row file
    holds a few thousand distinct dates (``typed``: ``1`` and ``1.0`` stay apart)."""
    try:
        return _cached_parse_date(value)
    except TypeError:  # an unhashable value (no reader gives one; a spec's own raw might)
        return parse_date(value)

__all__ = [
    "Column", "ImportSpec", "RowOutcome", "ImportSummary", "SheetLayout", "ImportPlan",
    "ImportFileError", "ImportCancelled", "OK", "WARNING", "REJECTED",
    "load_spec", "inspect_file", "relayout", "analyse", "execute", "import_file",
    "write_error_report", "write_template", "normalise_header",
]

OK, WARNING, REJECTED = "ok", "warning", "rejected"
STATUS_TITLES = {OK: "将导入", WARNING: "有警告", REJECTED: "拒绝"}

#: How many rows at the top of a sheet may hold titles before the header.
HEADER_SCAN_ROWS = 30
#: Rows shown under the header on the wizard's mapping page.
SAMPLE_ROWS = 5
#: Progress is reported (and cancel polled) every this many rows.
PROGRESS_EVERY = 500

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]


class ImportCancelled(Cancelled):
    """The clerk cancelled; raised inside the transaction so nothing is written."""


@dataclass(frozen=True)
class Column:
    """One column a spec understands.

    Attributes:
        key: the name the spec uses (``id_number``).
        title: the standard header (``身份证号``), used in the template.
        synonyms: other headers clerks use (``公民身份号码``, ``证件号码``).
        required: the header row must contain this column.
        as_text: keep as text in the template and error report (IDs, phones).
        note: a line for the template's 填写说明 sheet.
        choices: allowed values, offered as a drop-down list in the template.
    """

    key: str
    title: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    as_text: bool = False
    note: str = ""
    choices: tuple[str, ...] = ()


class RowOutcome:
    """One data row of the file and what the import makes of it."""

    __slots__ = ("sheet", "row_number", "status", "messages", "notes", "data", "cells", "existing_id",
                 "_raw", "_items")
    #: (row, its cells, its raw dict): the last ``raw`` built (see :attr:`raw`)
    _last: tuple = (None, None, None)

    def __init__(self, sheet: str, row_number: int, raw: dict | None = None,
                 cells: tuple | None = None, status: str = OK, items: tuple = ()):
        self.sheet = sheet
        self.row_number = row_number
        self.status = status
        self.messages: list[str] = []
        self.notes: list[str] = []
        self.data: dict = {}
        self.cells = cells
        self.existing_id: int | None = None
        self._raw = raw
        # (column index, key) pairs of the sheet's mapping: ``raw`` is built from
        # ``cells`` on demand, so 100,000 rows do not each carry a second dict.
        self._items = items

    @property
    def raw(self) -> dict:
        """{column key: cell value} of the mapped, non-empty cells.

        Built from ``cells`` on access; the last row's dict is kept (one slot), so a spec
        that reads ``raw`` several times while checking one row builds it once.
        """
        if self._raw is not None:
            return self._raw
        cells = self.cells
        last = RowOutcome._last
        if last[0] is self and last[1] is cells:
            return last[2]
        cells = cells or ()
        width = len(cells)
        built = {key: cells[index] for index, key in self._items
                 if index < width and cells[index] is not None and cells[index] != ""}
        RowOutcome._last = (self, self.cells, built)
        return built

    def index_of(self, key: str) -> int | None:
        """The cell index of column ``key`` in this row's sheet (None when not mapped)."""
        for index, mapped in self._items:
            if mapped == key:
                return index
        return None

    @raw.setter
    def raw(self, value: dict) -> None:
        self._raw = value

    def release(self) -> None:
        """Forget the original cells (kept only for rows the error report lists)."""
        self.cells = None

    def warn(self, message: str) -> None:
        """A problem that still lets the row in (it lowers 台账完整率 or loses a value)."""
        self.messages.append(message)
        if self.status == OK:
            self.status = WARNING

    def reject(self, message: str) -> None:
        """A problem that keeps the row out."""
        self.messages.append(message)
        self.status = REJECTED

    def note(self, message: str) -> None:
        """Information that is not a problem ("台账中已有此人")."""
        self.notes.append(message)

    def past_date(self, key: str, title: str, today: str, future: str | None = None) -> str | None:
        """The row's date in column ``key`` (``YYYY-MM-DD``), not after ``today``.

        With ``future`` (the message for a later date, ``{day}`` filled in) the date is
        required: a malformed, missing or later date rejects the row.  Without it the date
        is optional: a malformed or later one is left blank (None) with a warning.
        """
        day, error = parse_cell_date(self.raw.get(key))
        late = day is not None and day > today
        if future is not None:
            if error:
                self.reject(f"{title}{error}")
            elif day is None:
                self.reject(f"缺少{title}")
            elif late:
                self.reject(future.format(day=day))
            return day
        if error or late:
            self.warn(f"{title}{error}，已留空" if error else f"{title} {day} 晚于今天，已留空")
            return None
        return day

    @property
    def accepted(self) -> bool:
        return self.status != REJECTED

    @property
    def message_text(self) -> str:
        """The messages in one line (a sentence's own 。 dropped before the ；)."""
        return "；".join(m.rstrip("。") for m in self.messages)

    @property
    def problem_text(self) -> str:
        """All messages (and notes) in one line, as the 问题说明 column shows them."""
        # messages are sentences (some end in 。); joined with ；, a sentence's own 。 goes
        return "；".join(m.rstrip("。") for m in self.messages + self.notes)

    @property
    def where(self) -> str:
        """``工作表“Sheet1”第 12 行``."""
        return f"工作表“{self.sheet}”第 {self.row_number} 行"

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"RowOutcome({self.sheet!r}, {self.row_number}, {self.status!r}, {self.messages!r})"


@dataclass
class ImportSummary:
    """What an import wrote."""

    imported: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    warnings: int = 0
    created: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False
    dry_run: bool = False
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The summary in Chinese, one fact per line."""
        if self.cancelled:
            return ["导入已取消，台账没有任何改动。"]
        head = "检查完成（未写入）" if self.dry_run else "导入完成"
        out = [f"{head}：新增 {self.imported} 条，更新 {self.updated} 条，"
               f"跳过 {self.skipped} 条（台账中已有），拒绝 {self.rejected} 条。"]
        if self.warnings:
            # (a row with a warning that was already in the ledger was skipped, not imported)
            written = not self.dry_run and self.skipped == 0 and self.imported + self.updated > 0
            out.append(f"其中 {self.warnings} 条带有警告" + ("（已导入，请核对）。" if written else "，请核对。"))
        if self.created:
            made = "，".join(f"{what} {count} 个" for what, count in self.created.items() if count)
            if made:
                out.append(f"新建：{made}。")
        return out


class ImportSpec:
    """What one kind of record needs from the engine.  Subclass and fill in.

    Attributes:
        kind: ``"residents"`` (the CLI's kind name).
        title: ``"居民"`` (shown in the wizard and file names).
        columns: the :class:`Column` list, in template order.
        min_header_matches: a header row must match at least this many columns.
        rules: extra lines for the template's 填写说明 sheet.
        template_rows: example rows (lists in column order) for the 填写说明 sheet.
    """

    kind: str = ""
    title: str = ""
    columns: list[Column] = []
    min_header_matches: int = 2
    rules: list[str] = []
    template_rows: list[list] = []

    def columns_for(self, ledger: Ledger | None) -> list[Column]:
        """The columns as the template shows them to ``ledger``'s office: a spec whose values
        come from the office's lists (设置) gives their choices and notes from there."""
        return list(self.columns)

    def validate(self, ledger: Ledger, rows: list[RowOutcome]) -> list[RowOutcome]:
        """Check every row (``row.raw``), fill ``row.data``, warn or reject.  Nothing is written."""
        raise NotImplementedError

    def write(self, ledger: Ledger, outcomes: list[RowOutcome], update: bool,
              progress: Callable[[int], None]) -> ImportSummary:
        """Write the accepted rows.  Runs inside the import's one transaction.

        Args:
            outcomes: only rows with status ok/warning.
            update: rows matching an existing record (``existing_id``) update it
                instead of being skipped.
            progress: call with the number of rows done; raises
                :class:`ImportCancelled` when the clerk cancelled.
        """
        raise NotImplementedError

    # -- header matching -------------------------------------------------------------
    def header_index(self) -> dict[str, str]:
        """normalised header text → column key (titles and synonyms)."""
        cached = getattr(self, "_header_index_cache", None)
        if cached is None:
            cached = {}
            for column in self.columns:
                for name in (column.title, *column.synonyms):
                    cached.setdefault(normalise_header(name), column.key)
            self._header_index_cache = cached
        return cached

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def match_header(self, value: object) -> str | None:
        """The column key a header cell names, or None."""
        if is_blank(value):
            return None
        index = self.header_index()
        norm = normalise_header(value)
        if norm in index:
            return index[norm]
        # "身份证号码（18位）", "联系电话(必填)": drop the remark in brackets.
        stripped = re.sub(r"[(（\[【].*?[)）\]】]", "", norm)
        return index.get(stripped) if stripped else None


def normalise_header(value: object) -> str:
    """Header text for matching: no spaces, no ``*`` marks or colons, half-width, lower case."""
    text = half_width(str(value)).lower()
    return re.sub(r"[\s*:：·.、]+", "", text)


def load_spec(kind: str) -> ImportSpec:
    """The spec of a kind: ``"residents"`` or ``"models.importing.residents:SPEC"``.

    A kind ``K`` lives at ``models.importing.K:SPEC`` by convention.

    Raises:
        KeyError: no such kind.
    """
    ref = kind if ":" in kind else f"models.importing.{kind}:SPEC"
    module_name, attr = ref.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise KeyError(f"没有“{kind}”类型的导入。") from exc
        raise
    return getattr(module, attr)


# -- layout: where the header is, which column is what ----------------------------------------

@dataclass
class SheetLayout:
    """How one sheet is read.

    Attributes:
        name: the sheet's name.
        header_row: 1-based row of the header, or None when no header was found
            (the sheet is skipped; ``note`` says why).
        headers: the header row's texts, one per column.
        mapping: column index (0-based) → column key; unlisted columns are ignored.
            The wizard lets the clerk change it.
        sample: a few data rows under the header, for the mapping page.
        note: why the sheet is skipped, in Chinese.
        top_rows: the first rows of the sheet (from :func:`inspect_file`), so the
            wizard can move the header with :func:`relayout`.
    """

    name: str
    header_row: int | None = None
    headers: list[str] = field(default_factory=list)
    mapping: dict[int, str] = field(default_factory=dict)
    sample: list[tuple] = field(default_factory=list)
    note: str = ""
    top_rows: list[tuple] = field(default_factory=list, repr=False)

    @property
    def usable(self) -> bool:
        return self.header_row is not None

    def column_of(self, key: str) -> int | None:
        for index, mapped in self.mapping.items():
            if mapped == key:
                return index
        return None

    def missing_required(self, spec: ImportSpec) -> list[Column]:
        keys = set(self.mapping.values())
        return [c for c in spec.columns if c.required and c.key not in keys]


_intern = sys.intern

_SKIP_SHEETS = {"填写说明", "说明", "导入说明"}
_TOTAL_WORDS = ("合计", "小计", "总计", "共计", "总数")
_FOOTER_WORDS = ("填表人", "填报人", "制表人", "审核人", "负责人签字", "填表日期", "填报日期",
                 "制表日期", "注：", "注:", "说明：", "备注：")


def _map_row(spec: ImportSpec, row: tuple) -> dict[int, str]:
    mapping: dict[int, str] = {}
    seen: set[str] = set()
    for index, value in enumerate(row):
        key = spec.match_header(value)
        if key and key not in seen:
            mapping[index] = key
            seen.add(key)
    return mapping


def find_header(spec: ImportSpec, rows: list[tuple]) -> tuple[int | None, dict[int, str]]:
    """The header among ``rows`` (the first rows of a sheet): 0-based index and mapping.

    The header is the row matching the most columns (at least
    ``spec.min_header_matches`` and every required column); on a tie the first.
    """
    required = {c.key for c in spec.columns if c.required}
    best, best_mapping = None, {}
    for index, row in enumerate(rows):
        mapping = _map_row(spec, row)
        keys = set(mapping.values())
        if len(keys) < spec.min_header_matches or not required <= keys:
            continue
        if best is None or len(mapping) > len(best_mapping):
            best, best_mapping = index, mapping
    return best, best_mapping


def _layout_for(spec: ImportSpec, source: SheetSource, head: list[tuple]) -> SheetLayout:
    layout = SheetLayout(name=source.name, top_rows=head)
    if source.name.strip() in _SKIP_SHEETS:
        layout.note = f"工作表“{source.name}”是说明页，已跳过。"
        return layout
    if not any(any(not is_blank(v) for v in row) for row in head):
        layout.note = f"工作表“{source.name}”是空的，已跳过。"
        return layout
    index, mapping = find_header(spec, head[:HEADER_SCAN_ROWS])
    if index is None:
        names = "、".join(c.title for c in spec.columns if c.required) or spec.columns[0].title
        layout.note = (f"工作表“{source.name}”中没有找到表头（前 {HEADER_SCAN_ROWS} 行内没有"
                       f"“{names}”等列名），已跳过。")
        return layout
    layout.header_row = index + 1
    layout.headers = [_header_text(v) for v in head[index]]
    layout.mapping = mapping
    layout.sample = [row for row in head[index + 1:] if any(not is_blank(v) for v in row)][:SAMPLE_ROWS]
    return layout


def relayout(spec: ImportSpec, layout: SheetLayout, header_row: int | None) -> SheetLayout:
    """The layout of the same sheet with the header at ``header_row`` (1-based; None = skip the sheet).

    The mapping is matched afresh from that row; ``sample`` follows it.
    """
    new = SheetLayout(name=layout.name, top_rows=layout.top_rows)
    if header_row is None or not 1 <= header_row <= len(layout.top_rows):
        new.note = f"工作表“{layout.name}”未选择导入，已跳过。"
        return new
    row = layout.top_rows[header_row - 1]
    new.header_row = header_row
    new.headers = [_header_text(v) for v in row]
    new.mapping = _map_row(spec, row)
    new.sample = [r for r in layout.top_rows[header_row:] if any(not is_blank(v) for v in r)][:SAMPLE_ROWS]
    return new


def _header_text(value: object) -> str:
    return "" if value is None else re.sub(r"\s+", "", str(value))


def inspect_file(path: str | Path, spec: ImportSpec) -> list[SheetLayout]:
    """The header row and automatic mapping of every sheet (reads only the top rows).

    Raises:
        ImportFileError: unreadable file, or no sheet has a recognisable header.
    """
    layouts = []
    with open_sheets(path) as sources:
        for source in sources:
            head = []
            for row in source.filled_rows():
                head.append(row)
                if len(head) >= HEADER_SCAN_ROWS + SAMPLE_ROWS:
                    break
            layouts.append(_layout_for(spec, source, head))
    _require_some_header(path, spec, layouts)
    return layouts


def _require_some_header(path, spec: ImportSpec, layouts: list[SheetLayout]) -> None:
    if any(layout.usable for layout in layouts):
        return
    if all("空的" in layout.note for layout in layouts):
        raise ImportFileError(f"“{Path(path).name}”里没有任何数据。")
    names = "、".join(f"“{c.title}”" for c in spec.columns[:4])
    if Path(path).suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods") and not _spreadsheet_inside(path):
        # (read as text: some systems save text or HTML under .xls, and those still import)
        raise ImportFileError(f"“{Path(path).name}”的扩展名是 {Path(path).suffix}，内容却不是 Excel 表格"
                              "（可能是改了扩展名的其他文件），也没有找到可识别的表头。"
                              "请用 Excel/WPS 打开原表格，另存为 .xlsx 后再导入。")
    raise ImportFileError(f"在“{Path(path).name}”中没有找到可识别的表头。"
                          f"请确认表格有一行列名，例如 {names}。")


def _spreadsheet_inside(path) -> bool:
    """Whether the file begins as a zip (.xlsx, .ods) or an OLE document (.xls) does."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return True
    return head.startswith((ZIP_MAGIC, OLE_MAGIC))


# -- reading + validating ----------------------------------------------------------------------

@dataclass
class ImportPlan:
    """The file read and checked: what the import would do.  Nothing has been written.

    Attributes:
        spec: the kind's spec.
        path: the file.
        layouts: every sheet's header and mapping (unusable sheets carry a note).
        outcomes: every data row, in file order.
        skipped_rows: blank/合计/footer rows passed over.
        notes: sheet-level notes (skipped sheets …).
    """

    spec: ImportSpec
    path: Path
    layouts: list[SheetLayout]
    outcomes: list[RowOutcome]
    skipped_rows: int = 0
    notes: list[str] = field(default_factory=list)
    read_seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        counts = {OK: 0, WARNING: 0, REJECTED: 0}
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        return counts

    def accepted(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.status != REJECTED]

    def rejected(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.status == REJECTED]

    def problems(self) -> list[RowOutcome]:
        """Rows with a warning or a rejection (or a note), in file order."""
        return [o for o in self.outcomes if o.status != OK or o.notes]


def _is_skippable(row: tuple, mapped: list[int]) -> bool | str:
    """True for blank rows, 合计/小计 rows, footers and rows with nothing in a mapped column
    but numbers (an empty template row's 序号); ``"stray"`` for a row with text only outside
    the mapped columns (listed as rejected); False for a data row."""
    first = None
    for value in row:
        if not is_blank(value):
            first = value
            break
    if first is None:
        return True
    if isinstance(first, str):
        lead = compact(first)
        if lead.startswith(_TOTAL_WORDS) or lead.startswith(_FOOTER_WORDS):
            return True
    width = len(row)
    for index in mapped:
        if index < width and not is_blank(row[index]):
            return False
    # Nothing in a column the import reads: an empty template row (only its 序号) is
    # passed over; a row with text elsewhere is a malformed row (shifted cells, an extra
    # column) and is listed, never silently dropped.
    if any(type(v) is str and not is_blank(v) and not _NUMBER_ONLY.fullmatch(v.strip()) for v in row):
        return "stray"
    return True


_NUMBER_ONLY = re.compile(r"[\d.]+")
#: why a row with text only outside the mapped columns is not imported
STRAY_ROW = "本行的内容都不在可识别的列中（可能错位、多了一列或少了一列），未导入；请核对该行后重新导入"


def _read_rows(path, spec: ImportSpec, layouts_by_name: dict[str, SheetLayout] | None,
               progress: ProgressFn | None, is_cancelled: CancelFn | None
               ) -> tuple[list[SheetLayout], list[RowOutcome], int]:
    with open_sheets(path) as sources:
        return _read_sources(sources, spec, layouts_by_name, progress, is_cancelled)


def _read_sources(sources: list[SheetSource], spec: ImportSpec, layouts_by_name: dict[str, SheetLayout] | None,
                  progress: ProgressFn | None, is_cancelled: CancelFn | None
                  ) -> tuple[list[SheetLayout], list[RowOutcome], int]:
    estimated = sum(s.estimated_rows for s in sources)
    layouts: list[SheetLayout] = []
    outcomes: list[RowOutcome] = []
    skipped = 0
    done = 0
    for source in sources:
        rows = source.filled_rows()
        head: list[tuple] = []
        given = layouts_by_name.get(source.name) if layouts_by_name is not None else None
        if layouts_by_name is not None:
            layout = given or SheetLayout(name=source.name, note=f"工作表“{source.name}”未选择导入，已跳过。")
            layouts.append(layout)
            if not layout.usable:
                continue
        else:
            for row in rows:
                head.append(row)
                if len(head) >= HEADER_SCAN_ROWS:
                    break
            layout = _layout_for(spec, source, head)
            layouts.append(layout)
            if not layout.usable:
                continue
        header_row = layout.header_row
        items = tuple(sorted(layout.mapping.items()))
        mapped = [i for i, _ in items]
        checks = [(i, key, limits.limit_of(key), _title_of(spec, key)) for i, key in items]
        sheet = source.name
        number = 0

        def all_rows():
            yield from head
            yield from rows

        for row in all_rows():
            number += 1
            if number <= header_row:
                continue
            done += 1
            if done % PROGRESS_EVERY == 0:
                if is_cancelled is not None and is_cancelled():
                    raise ImportCancelled()
                if progress is not None:
                    progress(done, max(estimated, done), "正在读取")
            if type(row) is BrokenRow:
                broken = RowOutcome(sheet, number, None, tuple(row), OK, items)
                broken.reject(row.message)
                outcomes.append(broken)
                continue
            skip = _is_skippable(row, mapped)
            if skip is True:
                skipped += 1
                continue
            if skip:
                stray = RowOutcome(sheet, number, None, _share(row), OK, items)
                stray.reject(STRAY_ROW)
                outcomes.append(stray)
                continue
            if _is_repeated_header(row, layout.headers, mapped):
                skipped += 1
                continue
            width = len(row)
            over = [c for c in checks if c[0] < width and type(row[c[0]]) is str and len(row[c[0]]) > c[2]]
            if over:
                outcomes.append(_too_long(sheet, number, row, items, over))
                continue
            outcomes.append(RowOutcome(sheet, number, None, _share(row), OK, items))
    return layouts, outcomes, skipped


#: free-text fields cut to their limit with a warning; any other field over its limit rejects the row
TRUNCATED = {"notes"}


def _title_of(spec: ImportSpec, key: str) -> str:
    try:
        return spec.column(key).title
    except KeyError:
        return key


def _too_long(sheet: str, number: int, row: tuple, items: tuple, over: list) -> RowOutcome:
    """A row with a cell over its field's limit (:mod:`models.core.limits`): free text is cut
    with a warning; anything else rejects the row, the cell emptied so no rule (and no error
    report) handles a 50 MB value."""
    cells = list(row)
    messages = []
    rejected = False
    for index, key, limit, title in over:
        value = cells[index]
        if key in TRUNCATED:
            cells[index] = value[:limit]
            messages.append((WARNING, f"“{title}”超过 {limit} 字，已截断"))
        else:
            cells[index] = None
            rejected = True
            messages.append((REJECTED, limits.too_long(title, value, limit) + f"：“{value[:20]}…”"))
    outcome = RowOutcome(sheet, number, None, _share(tuple(cells)), OK, items)
    for kind, message in messages:
        (outcome.warn if kind == WARNING else outcome.reject)(message)
    if rejected:
        outcome.status = REJECTED
    return outcome


def _share(row: tuple) -> tuple:
    """``row`` with its texts interned: one shared copy of each.

    calamine (and csv) make a new string object for every cell; a 100,000-row
    file repeats the same few hundred grid, building and relation names, and
    sharing them keeps the import well under its memory bar.
    """
    return tuple([_intern(v) if type(v) is str else v for v in row])


def _is_repeated_header(row: tuple, headers: list[str], mapped: list[int]) -> bool:
    """A header printed again in the middle of the data (multi-page printouts)."""
    checked = 0
    for index in mapped[:3]:
        value = row[index] if index < len(row) else None
        if type(value) is not str or index >= len(headers):
            return False
        if value != headers[index] and _header_text(value) != headers[index]:
            return False
        checked += 1
    return checked > 0


@contextlib.contextmanager
def _bulk():
    """No cyclic GC while hundreds of thousands of row objects are alive.

    The rows form no cycles; without this, each full collection walks every live
    row again and a 100,000-row import spends a third of its time in the collector.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _reject_other_grids(ledger: Ledger, outcomes: list) -> None:
    """A 网格员 imports rows of their own grids only (issue 10): any other row is rejected with its
    row number and the reason, like every other rejected row.  The row's grid is ``grid_id``
    (matters, visits, activities) or the grid name of its ``place`` (residents)."""
    grids = scope.scoped_grids(ledger)
    if grids is None:
        return
    names = {r["name"] for r in ledger.query(
        f"SELECT name FROM grids WHERE {scope.grid_sql(ledger, 'id')}")}
    for outcome in outcomes:
        if outcome.status == REJECTED or outcome.data is None:
            continue
        data = outcome.data
        if "grid_id" in data:
            grid_id = data["grid_id"]
            if grid_id in grids:
                continue
            name = ledger.scalar("SELECT name FROM grids WHERE id = ?", [grid_id]) if grid_id else None
        else:
            place = data.get("place")
            name = place[1] if place else None
            if name in names:
                continue
        outcome.reject(f"所属网格“{name}”不是您负责的网格，网格员只能导入自己网格的数据。" if name
                       else "没有所属网格：网格员只能导入自己网格的数据。")


def analyse(ledger: Ledger, path: str | Path, spec: ImportSpec,
            layouts: list[SheetLayout] | None = None, *,
            progress: ProgressFn | None = None, is_cancelled: CancelFn | None = None) -> ImportPlan:
    """Read every sheet of ``path`` and check every row.  Nothing is written.

    Args:
        layouts: from :func:`inspect_file`, possibly with a mapping the clerk
            changed; None finds headers automatically.

    Raises:
        ImportFileError: unreadable file, or no sheet with a recognisable header.
        ImportCancelled: ``is_cancelled()`` returned True.
    """
    started = time.perf_counter()
    by_name = {layout.name: layout for layout in layouts} if layouts is not None else None
    with _bulk():
        read_layouts, outcomes, skipped = _read_rows(path, spec, by_name, progress, is_cancelled)
        _require_some_header(path, spec, read_layouts)
        if progress is not None:
            progress(0, len(outcomes), "正在检查")
        if is_cancelled is not None and is_cancelled():
            raise ImportCancelled()
        outcomes = spec.validate(ledger, outcomes)
        _reject_other_grids(ledger, outcomes)
        for outcome in outcomes:
            # Keep the original row only where the error report needs it.
            if outcome.status == OK and not outcome.notes:
                outcome.release()
    plan = ImportPlan(spec=spec, path=Path(path), layouts=read_layouts, outcomes=outcomes,
                      skipped_rows=skipped,
                      notes=[layout.note for layout in read_layouts if layout.note])
    if not outcomes and not any(layout.usable for layout in read_layouts):
        raise ImportFileError(f"“{Path(path).name}”里没有任何数据。")
    plan.read_seconds = time.perf_counter() - started
    return plan


#: the permission table's row an import needs (it writes records of every area)
IMPORT_ACTION = "records.edit"


@operation(IMPORT_ACTION, "*")
def execute(ledger: Ledger, plan: ImportPlan, *, update: bool = False,
            progress: ProgressFn | None = None, is_cancelled: CancelFn | None = None) -> ImportSummary:
    """Write the plan's accepted rows: a user action (permission, one transaction).

    ``execute.op`` returns ``Changes.of("*", result=summary)``: an import may add grids,
    households, staff … as well as its own kind, so every page refreshes.

    Returns:
        the summary.

    Raises:
        PermissionDenied: the operator may not edit records (checked before anything is read).
        ImportCancelled: the clerk cancelled; nothing was written.
        Any error of the spec's write, after rolling everything back.
    """
    started = time.perf_counter()
    accepted = plan.accepted()
    total = len(accepted)
    counter = {"next": 0}

    def tick(done: int) -> None:
        if done < counter["next"] and done != total:
            return
        counter["next"] = done + PROGRESS_EVERY
        if is_cancelled is not None and is_cancelled():
            raise ImportCancelled()
        if progress is not None:
            progress(done, total, "正在写入")

    with _bulk():
        tick(0)
        summary = plan.spec.write(ledger, accepted, update, tick)
        if is_cancelled is not None and is_cancelled():
            raise ImportCancelled()
    counts = plan.counts()
    summary.rejected = counts[REJECTED]
    summary.warnings = counts[WARNING]
    summary.seconds = time.perf_counter() - started
    return summary


def import_file(ledger: Ledger, path: str | Path, spec: ImportSpec, *, update: bool = False,
                dry_run: bool = False, progress: ProgressFn | None = None,
                is_cancelled: CancelFn | None = None) -> tuple[ImportPlan, ImportSummary]:
    """Read, check and (unless ``dry_run``) write ``path`` in one go.

    Raises:
        PermissionDenied: an import (not a dry run) the operator may not make, before the
            file is read.
    """
    if not dry_run:
        require(ledger, IMPORT_ACTION)
    plan = analyse(ledger, path, spec, progress=progress, is_cancelled=is_cancelled)
    if dry_run:
        counts = plan.counts()
        would_skip = sum(1 for o in plan.accepted() if o.existing_id is not None and not update)
        would_update = sum(1 for o in plan.accepted() if o.existing_id is not None and update)
        summary = ImportSummary(imported=len(plan.accepted()) - would_skip - would_update,
                                updated=would_update, skipped=would_skip,
                                rejected=counts[REJECTED], warnings=counts[WARNING], dry_run=True)
        return plan, summary
    return plan, execute(ledger, plan, update=update, progress=progress, is_cancelled=is_cancelled)


def write_error_report(plan: ImportPlan, path: str | Path) -> int:
    """Save the rejected and warned rows with a 问题说明 column; returns the row count."""
    from models.importing.report import write_error_report as _write

    return _write(plan, path)


def write_template(spec: ImportSpec, path: str | Path, ledger: Ledger | None = None) -> Path:
    """Save the standard template of ``spec`` (headers, text-formatted ID/phone columns, rules);
    with ``ledger``, its drop-down lists and notes offer that office's lists (设置)."""
    from models.importing.report import write_template as _write

    return _write(spec, path, ledger)


def chunked(items: list, size: int = 500) -> Iterable[list]:
    """``items`` in slices of ``size`` (SQLite's parameter limit, progress steps)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
