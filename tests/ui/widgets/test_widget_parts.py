"""Shared widget pieces: rows and columns in one call, the grid form, the period bar, the search box."""

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QGroupBox, QLabel, QLineEdit, QPushButton, QSplitter, QWidget

from ui.widgets.dialog_parts import grid_form, line_edit
from ui.widgets.layout import STRETCH, hbox, hsplit, panel, vbox
from ui.widgets.period_bar import PeriodBar
from ui.widgets.search_edit import SearchEdit


def test_hbox_takes_widgets_labels_layouts_stretches_and_shares(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    edit, button = QLineEdit(), QPushButton("导出")
    inner = vbox(QLabel("甲"), QLabel("乙"))
    row = hbox("日期", (edit, 2), STRETCH, inner, button, parent=host, margins=(1, 2, 3, 4))
    assert host.layout() is row
    items = [row.itemAt(i) for i in range(row.count())]
    assert items[0].widget().text() == "日期"
    assert items[1].widget() is edit and row.stretch(1) == 2
    assert items[2].spacerItem() is not None
    assert items[3].layout() is inner and items[4].widget() is button
    margins = row.contentsMargins()
    assert (margins.left(), margins.top(), margins.right(), margins.bottom()) == (1, 2, 3, 4)


def test_panel_and_hsplit(qtbot):
    left, right = panel(QLabel("列表")), panel(QLabel("详情"), margins=(8, 0, 0, 0))
    assert left.layout().contentsMargins().left() == 0 and right.layout().contentsMargins().left() == 8
    splitter = hsplit(left, right, stretch=(3, 2))
    qtbot.addWidget(splitter)
    assert isinstance(splitter, QSplitter) and splitter.count() == 2 and splitter.widget(1) is right


def test_grid_form_spans_the_last_field_and_unlabelled_ones(qtbot):
    box = QGroupBox()
    qtbot.addWidget(box)
    name, kind, day, notes = line_edit("例如：义诊"), QLineEdit(), QLineEdit(), QLineEdit()
    times = hbox("09:00", "至", "11:00")
    grid = grid_form(box, [[("名称*", name), ("类型", kind)], [("日期", day), (None, times)], [("备注", notes)]])

    def cell(widget_or_layout):
        index = next(i for i in range(grid.count())
                     if grid.itemAt(i).widget() is widget_or_layout or grid.itemAt(i).layout() is widget_or_layout)
        return grid.getItemPosition(index)

    assert name.placeholderText() == "例如：义诊"
    assert cell(name) == (0, 1, 1, 1) and cell(kind) == (0, 3, 1, 1)
    assert cell(times) == (1, 2, 1, 2)
    assert cell(notes) == (2, 1, 1, 3)
    assert [grid.itemAtPosition(2, 0).widget().text()] == ["备注"]
    assert grid.columnStretch(1) == grid.columnStretch(3) == 1


def test_period_bar_counts_from_the_ledgers_today(qtbot):
    bar = PeriodBar(dt.date(2027, 3, 1))
    qtbot.addWidget(bar)
    assert bar.bounds() == ("2027-01-01", "2027-03-01")
    with qtbot.waitSignal(bar.changed):
        bar.last_month()
    assert bar.bounds() == ("2027-02-01", "2027-02-28") and bar.text() == "2027-02-01 至 2027-02-28"
    bar.this_month()
    assert bar.bounds() == ("2027-03-01", "2027-03-01")
    bar.everything()
    assert bar.bounds() == ("2000-01-01", "2028-12-31")
    bar.date_from.setDate(QDate(2026, 12, 31))
    bar.this_year()
    assert bar.bounds() == ("2027-01-01", "2027-03-01")


def test_search_edit_take_drops_the_pending_search(qtbot):
    box = SearchEdit("姓名", delay_ms=20)
    qtbot.addWidget(box)
    fired = []
    box.search.connect(fired.append)
    box.setText(" 张 ")
    assert box.pending() and box.take() == "张" and not box.pending()
    qtbot.wait(60)
    assert fired == []
    box.setText("张三")
    qtbot.waitUntil(lambda: fired == ["张三"])


def test_optional_date_edit_shows_the_ledgers_today_when_ticked(qtbot):
    from ui.widgets.date_edit import OptionalDateEdit, date_edit, qdate_text

    edit = OptionalDateEdit("已知", today=dt.date(2026, 12, 31))
    qtbot.addWidget(edit)
    assert edit.value() is None
    edit.known.setChecked(True)
    assert edit.value() == "2026-12-31"
    edit.set_value("2020-02-29")
    assert edit.value() == "2020-02-29"
    edit.known.setChecked(False)
    assert edit.value() is None
    assert qdate_text(date_edit(dt.date(2027, 3, 1))) == "2027-03-01"
