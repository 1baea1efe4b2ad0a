"""RowsTableModel: the one in-memory table model (columns as specs, roles, reset)."""

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from ui.models.rows_model import CENTER, ID_ROLE, RIGHT, ROW_ROLE, Column, RowsTableModel, row_id

RED = QColor("#c0392b")
GREY = QColor("#eeeeee")

COLUMNS = [
    Column("姓名", "name", raw=row_id),
    Column("时长（小时）", "hours", lambda r: f"{r['hours']:g}", numeric=True,
           foreground=lambda r: RED if r["hours"] > 8 else None),
    Column("网格", "grid", align=CENTER, background=lambda r: GREY if not r["grid"] else None, hint="所在网格"),
    Column("备注", "notes", tooltip=lambda r: r["notes"] and f"备注：{r['notes']}", sort="notes"),
    Column("合计", "total", lambda r: str(r["hours"] * 2), bold=True),
]

ROWS = [
    {"id": 7, "name": "张秀英", "hours": 2.5, "grid": "一网格", "notes": ""},
    {"id": 9, "name": "周医生", "hours": 10.0, "grid": None, "notes": "社区外"},
]


def _cell(model, row, key, role=Qt.DisplayRole):
    return model.index(row, model.column_of(key)).data(role)


def test_display_raw_and_row_roles(qtmodeltester):
    model = RowsTableModel(COLUMNS)
    model.set_rows(ROWS)
    qtmodeltester.check(model)
    assert (model.rowCount(), model.columnCount()) == (2, 5)
    assert [_cell(model, 0, c.key) for c in COLUMNS] == ["张秀英", "2.5", "一网格", "", "5.0"]
    assert _cell(model, 1, "grid") == ""            # None shows blank
    assert _cell(model, 0, "name", Qt.UserRole) == 7  # raw= overrides the key's value
    assert _cell(model, 1, "hours", Qt.UserRole) == 10.0
    assert _cell(model, 1, "notes", ROW_ROLE) == ROWS[1]
    assert _cell(model, 1, "grid", ID_ROLE) == 9
    assert model.row(1) is ROWS[1] and model.row(model.index(0, 0)) is ROWS[0] and model.row(2) is None
    assert model.row_id(1) == 9 and model.row_id(5) is None
    assert model.row_of(9) == 1 and model.row_of(99) == -1
    assert model.column_of("notes") == 3 and model.column_of("nothing") == -1


def test_alignment_colours_font_and_tooltips():
    model = RowsTableModel(COLUMNS)
    model.set_rows(ROWS)
    assert _cell(model, 0, "hours", Qt.TextAlignmentRole) == RIGHT
    assert _cell(model, 0, "grid", Qt.TextAlignmentRole) == CENTER
    assert _cell(model, 0, "name", Qt.TextAlignmentRole) is None
    assert _cell(model, 0, "hours", Qt.ForegroundRole) is None and _cell(model, 1, "hours", Qt.ForegroundRole) == RED
    assert _cell(model, 0, "grid", Qt.BackgroundRole) is None and _cell(model, 1, "grid", Qt.BackgroundRole) == GREY
    assert _cell(model, 0, "total", Qt.FontRole).bold() and _cell(model, 0, "name", Qt.FontRole) is None
    # a column's own tooltip (empty → none); otherwise the text, unless TEXT_TOOLTIPS is off
    assert _cell(model, 0, "notes", Qt.ToolTipRole) is None
    assert _cell(model, 1, "notes", Qt.ToolTipRole) == "备注：社区外"
    assert _cell(model, 0, "name", Qt.ToolTipRole) == "张秀英"

    class Quiet(RowsTableModel):
        TEXT_TOOLTIPS = False

    quiet = Quiet(COLUMNS)
    quiet.set_rows(ROWS)
    assert _cell(quiet, 0, "name", Qt.ToolTipRole) is None
    assert _cell(quiet, 1, "notes", Qt.ToolTipRole) == "备注：社区外"


def test_headers():
    model = RowsTableModel(COLUMNS)
    model.set_rows(ROWS)
    assert [model.headerData(c, Qt.Horizontal) for c in range(5)] == ["姓名", "时长（小时）", "网格", "备注", "合计"]
    assert model.headerData(2, Qt.Horizontal, Qt.ToolTipRole) == "所在网格"
    assert model.headerData(3, Qt.Horizontal, Qt.ToolTipRole) == "点击按此列排序"
    assert model.headerData(0, Qt.Horizontal, Qt.ToolTipRole) is None
    assert model.headerData(5, Qt.Horizontal) is None
    assert [model.headerData(r, Qt.Vertical) for r in range(3)] == ["1", "2", None]


def test_out_of_range_and_invalid_indexes_give_nothing():
    model = RowsTableModel(COLUMNS)
    model.set_rows(ROWS)
    assert model.data(QModelIndex()) is None
    assert model.flags(QModelIndex()) == Qt.NoItemFlags
    assert model.flags(model.index(0, 0)) == Qt.ItemIsEnabled | Qt.ItemIsSelectable
    assert model.rowCount(model.index(0, 0)) == 0 and model.columnCount(model.index(0, 0)) == 0
    assert model.index(2, 0).isValid() is False


def test_set_rows_resets_and_may_replace_the_columns(qtbot, qtmodeltester):
    model = RowsTableModel(COLUMNS)
    model.set_rows(ROWS)
    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset]):
        model.set_rows(ROWS[:1], [Column("姓名", "name")])
    assert (model.rowCount(), model.columnCount()) == (1, 1)
    assert model.index(0, 0).data() == "张秀英"
    model.set_rows([])
    assert model.rowCount() == 0 and model.columnCount() == 1
    qtmodeltester.check(model)


def test_rows_may_be_objects_when_every_column_says_how():
    class Grid:
        def __init__(self, name, rank):
            self.name, self.rank = name, rank

    model = RowsTableModel([Column("网格", "name", lambda g: g.name, raw=lambda g: g.rank)])
    model.set_rows([Grid("一网格", 2)])
    assert model.index(0, 0).data() == "一网格" and model.index(0, 0).data(Qt.UserRole) == 2
