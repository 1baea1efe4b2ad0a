"""首页: what needs doing today, what is late, what awaits follow-up, and the trend.

Three lists (今日到期, 已超期 in red, 待回访) open a matter with a click or
Enter; “查看全部” jumps to the 民情事项 list with the same filter.  Below them
this month's counts by level and category and a 12-month trend chart (QtCharts).
"""

from __future__ import annotations

from PySide6.QtCharts import (QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QLineSeries,
                              QValueAxis)
from PySide6.QtCore import QMargins, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QSizePolicy, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from models.grids import hierarchy as grids_model
from models.matters import records as matters_model
from ui.dialogs.matter_detail import OVERDUE_COLOR, open_matter_detail
from ui.dialogs.first_start import FirstStartDialog
from ui.dialogs.import_wizard import ImportWizard
from ui.dialogs.matter_form import MatterForm
from ui.ledger_files import remember_ledger
from ui.widgets.getting_started import GettingStarted

#: refresh while visible, so 今日到期 turns into 已超期 without a click
AUTO_REFRESH_MS = 5 * 60 * 1000

LIST_ROWS = 20


#: the time column's least width (fits ``10-14 23:59``; widened for older times)
TIME_COLUMN_WIDTH = 88


def _time_text(value: str, today: str) -> str:
    """``今天 23:59`` for today, ``10-14 23:59`` within this year, else ``2025-12-01 10:55``."""
    value = str(value or "")
    if value[:10] == today:
        return f"今天 {value[11:16]}"
    if value[:4] != today[:4]:
        return value[:16]
    return f"{value[5:10]} {value[11:16]}"


class MatterList(QGroupBox):
    """One of the three lists: a title with its count, up to 20 matters, “查看全部”.

    Signals:
        matter_chosen(int): a matter was clicked or activated.
        show_all(): “查看全部” was pressed.
    """

    matter_chosen = Signal(int)
    show_all = Signal()

    def __init__(self, title: str, time_header: str, alarm: bool = False, parent=None):
        super().__init__(parent)
        self.base_title = title
        self.alarm = alarm
        self.count = 0
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([time_header, "事项", "网格"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.resizeSection(0, TIME_COLUMN_WIDTH)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.resizeSection(2, 72)
        self.table.cellActivated.connect(self._chosen)
        self.table.cellClicked.connect(self._chosen)
        self.empty_label = QLabel("没有事项")
        self.empty_label.setObjectName("hint")
        self.empty_label.setAlignment(Qt.AlignCenter)
        self.more_button = QPushButton("查看全部")
        self.more_button.setFlat(True)
        self.more_button.setCursor(Qt.PointingHandCursor)
        self.more_button.setStyleSheet("QPushButton { color: #2d6cdf; text-decoration: underline; }")
        self.more_button.clicked.connect(self.show_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)
        foot = QHBoxLayout()
        foot.addStretch(1)
        foot.addWidget(self.more_button)
        layout.addLayout(foot)
        if alarm:
            self.setStyleSheet("QGroupBox { color: #c0392b; font-weight: bold; }"
                               " QGroupBox QTableWidget, QGroupBox QHeaderView { font-weight: normal; }")
        else:
            self.setStyleSheet("QGroupBox { font-weight: bold; }"
                               " QGroupBox QTableWidget, QGroupBox QHeaderView { font-weight: normal; }")

    def set_rows(self, count: int, rows: list[dict], time_key: str, today: str) -> None:
        self.count = count
        self.setTitle(f"{self.base_title}（{count} 件）")
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            overdue = bool(row.get("is_overdue"))
            what = f"{row['category']}：{' '.join(str(row['description']).split())}"
            cells = [_time_text(row.get(time_key), today), what, row.get("grid_name", "")]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, row["id"])
                item.setToolTip(f"{row['number']}　{row['description']}\n时限：{str(row['deadline'])[:16]}"
                                + ("（已超期）" if overdue else ""))
                if overdue:
                    item.setForeground(QBrush(OVERDUE_COLOR))
                    if col == 0:
                        font = QFont()
                        font.setBold(True)
                        item.setFont(font)
                self.table.setItem(i, col, item)
        # a time from last year ("2025-12-01 10:55") is longer than this year's ("10-14 23:59")
        self.table.horizontalHeader().resizeSection(0, max(TIME_COLUMN_WIDTH, self.table.sizeHintForColumn(0)))
        self.table.setVisible(bool(rows))
        self.empty_label.setVisible(not rows)
        self.more_button.setVisible(count > 0)
        self.more_button.setText(f"查看全部 {count} 件" if count > len(rows) else "在列表中查看")

    def matter_id_at(self, row: int) -> int | None:
        item = self.table.item(row, 0)
        return None if item is None else item.data(Qt.UserRole)

    def _chosen(self, row: int, _col: int) -> None:
        matter_id = self.matter_id_at(row)
        if matter_id is not None:
            self.matter_chosen.emit(matter_id)


class CountTable(QTableWidget):
    """A small two-column table: name → count (with a total row)."""

    def __init__(self, header: str, parent=None):
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels([header, "件数"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.NoSelection)
        self.setFocusPolicy(Qt.NoFocus)
        self.verticalHeader().setDefaultSectionSize(22)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.horizontalHeader().resizeSection(1, 52)

    def set_counts(self, counts: dict[str, int], total: bool = True) -> None:
        items = list(counts.items())
        if total:
            items.append(("合计", sum(counts.values())))
        self.setRowCount(len(items))
        for i, (name, n) in enumerate(items):
            a, b = QTableWidgetItem(name), QTableWidgetItem(str(n))
            b.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if total and i == len(items) - 1:
                font = QFont()
                font.setBold(True)
                a.setFont(font)
                b.setFont(font)
            self.setItem(i, 0, a)
            self.setItem(i, 1, b)


def month_label(month: str, first: bool) -> str:
    """Axis label of ``YYYY-MM``: ``11月``; the first month and every January carry the year."""
    year, mon = month.split("-")
    if first or mon == "01":
        return f"{year[2:]}年{int(mon)}月"
    return f"{int(mon)}月"


class TrendChart(QChartView):
    """Bars of matters registered and closed per month, a line of closed on time."""

    def __init__(self, parent=None):
        self.chart_ = QChart()
        super().__init__(self.chart_, parent)
        self.setRenderHint(QPainter.Antialiasing)
        self.chart_.setAnimationOptions(QChart.NoAnimation)
        self.chart_.setTitle("近12个月民情事项趋势")
        self.chart_.legend().setAlignment(Qt.AlignBottom)
        self.chart_.setMargins(QMargins(4, 4, 4, 4))
        self.chart_.setBackgroundRoundness(0)
        self.setMinimumHeight(230)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.categories: list[str] = []
        self.values: dict[str, list[int]] = {}

    def set_trend(self, trend: list[dict]) -> None:
        chart = self.chart_
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.categories = [month_label(t["month"], i == 0) for i, t in enumerate(trend)]
        self.values = {
            "登记": [int(t["registered"]) for t in trend],
            "办结": [int(t["closed"]) for t in trend],
            "按期办结": [int(t["on_time"]) for t in trend],
        }
        bars = QBarSeries()
        for name, color in (("登记", "#5b8def"), ("办结", "#52b788")):
            bar_set = QBarSet(f"{name}件数")
            bar_set.append([float(v) for v in self.values[name]])
            bar_set.setColor(QColor(color))
            bars.append(bar_set)
        line = QLineSeries()
        line.setName("按期办结件数")
        for i, v in enumerate(self.values["按期办结"]):
            line.append(i, v)
        pen = line.pen()
        pen.setColor(QColor("#e67e22"))
        pen.setWidth(2)
        line.setPen(pen)
        line.setPointsVisible(True)
        chart.addSeries(bars)
        chart.addSeries(line)
        x_axis = QBarCategoryAxis()
        x_axis.append(self.categories)
        x_axis.setTitleText("月份")
        y_axis = QValueAxis()
        top, ticks = nice_axis(max([1] + self.values["登记"] + self.values["办结"]))
        y_axis.setRange(0, top)
        y_axis.setLabelFormat("%d")
        y_axis.setTickCount(ticks)
        y_axis.setTitleText("件数")
        small = QFont()
        small.setPointSize(8)
        x_axis.setLabelsFont(small)
        y_axis.setLabelsFont(small)
        chart.addAxis(x_axis, Qt.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignLeft)
        for series in (bars, line):
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)


def nice_axis(n: int) -> tuple[int, int]:
    """(top, tick count) for a value axis from 0 that shows ``n``: round steps, at most 7 ticks."""
    n = max(1, int(n))
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        ticks = -(-n // step)
        if ticks <= 6:
            return ticks * step, ticks + 1
    step = 10 ** len(str(n))
    return step, 2


class HomePage(QWidget):
    """首页."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.summary: dict = {}
        self._dirty = False

        title = QLabel("首页")
        title.setObjectName("pageTitle")
        self.now_label = QLabel()
        self.now_label.setObjectName("hint")
        self.new_button = QPushButton("登记事项")
        self.new_button.setObjectName("primary")
        self.new_button.clicked.connect(self.register_matter)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(12)
        head.addWidget(self.now_label)
        head.addStretch(1)
        head.addWidget(self.refresh_button)
        head.addWidget(self.new_button)

        self.due_today = MatterList("今日到期", "时限")
        self.overdue = MatterList("已超期", "时限", alarm=True)
        self.awaiting = MatterList("待回访", "办结时间")
        lists = QHBoxLayout()
        for box, flags in ((self.due_today, {"due_today": True}), (self.overdue, {"overdue": True}),
                           (self.awaiting, {"awaiting_follow_up": True})):
            lists.addWidget(box, 1)
            box.matter_chosen.connect(self.open_matter)
            box.show_all.connect(lambda f=flags: self.show_in_list(**f))

        self.month_box = QGroupBox()
        self.month_box.setStyleSheet("QGroupBox { font-weight: bold; }"
                                     " QGroupBox QTableWidget, QGroupBox QHeaderView { font-weight: normal; }")
        self.level_tiles: dict[str, QLabel] = {}
        tiles = QHBoxLayout()
        tiles.setSpacing(4)
        for level in (*matters_model.LEVELS, "合计"):
            tile = QLabel()
            tile.setAlignment(Qt.AlignCenter)
            tile.setStyleSheet("QLabel { background: #ffffff; border: 1px solid #d5dbe3; border-radius: 3px;"
                               " padding: 2px; font-weight: normal; }")
            self.level_tiles[level] = tile
            tiles.addWidget(tile, 1)
        self.category_table = CountTable("类别")
        month_layout = QVBoxLayout(self.month_box)
        month_layout.setContentsMargins(6, 6, 6, 6)
        month_layout.addLayout(tiles)
        month_layout.addWidget(self.category_table, 1)
        self.month_box.setFixedWidth(260)

        self.chart = TrendChart()
        chart_frame = QFrame()
        chart_frame.setFrameShape(QFrame.StyledPanel)
        chart_layout = QVBoxLayout(chart_frame)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.chart)

        bottom = QHBoxLayout()
        bottom.addWidget(self.month_box)
        bottom.addWidget(chart_frame, 1)

        # a new, empty ledger: the ways in, until it has grids (issue 13)
        self.getting_started = GettingStarted()
        self.getting_started.import_residents.connect(self.import_residents)
        self.getting_started.build_grids.connect(lambda: self._go_to("grids"))
        self.getting_started.open_demo.connect(self.open_demo)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.register_matter)   # as 登记事项

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.getting_started)
        layout.addLayout(lists, 5)
        layout.addLayout(bottom, 6)

        self._timer = QTimer(self)
        self._timer.setInterval(AUTO_REFRESH_MS)
        self._timer.timeout.connect(self._auto_refresh)
        self._timer.start()
        ctx.changed.connect(self._on_changed)
        self.refresh()

    # -- data --------------------------------------------------------------------------
    def refresh(self) -> None:
        ledger = self.ctx.ledger
        self.ctx.enable_if_allowed(self.new_button, "matter.登记")
        self.getting_started.setVisible(not grids_model.grids(ledger))
        summary = matters_model.home_summary(ledger)
        self.summary = summary
        now = str(summary["now"])
        today = now[:10]
        self.now_label.setText(f"{now[:16]}　{ledger.community_name}")
        self.due_today.set_rows(summary["due_today"]["count"], summary["due_today"]["rows"][:LIST_ROWS],
                                "deadline", today)
        self.overdue.set_rows(summary["overdue"]["count"], summary["overdue"]["rows"][:LIST_ROWS],
                              "deadline", today)
        self.awaiting.set_rows(summary["awaiting_follow_up"]["count"],
                               summary["awaiting_follow_up"]["rows"][:LIST_ROWS], "closed_at", today)
        year, month = summary["month"].split("-")
        self.month_box.setTitle(f"本月事项（{year}年{int(month)}月）")
        counts = dict(summary["by_level"])
        counts["合计"] = sum(summary["by_level"].values())
        for level, tile in self.level_tiles.items():
            tile.setText(f"<span style='font-size:15pt; font-weight:bold'>{counts.get(level, 0)}</span>"
                         f"<br>{level}")
        by_category = {k: v for k, v in sorted(summary["by_category"].items(), key=lambda kv: -kv[1])}
        self.category_table.set_counts(by_category, total=False)
        self.chart.set_trend(summary["trend"])
        self._dirty = False

    def _on_changed(self, area: str) -> None:
        if area in ("matters", "grids", "settings", "*"):
            if self.isVisible():
                self.refresh()
            else:
                self._dirty = True

    def _auto_refresh(self) -> None:
        if self.isVisible():
            self.refresh()

    def on_shown(self) -> None:
        """Called by the main window when the clerk comes back to 首页."""
        if self._dirty:
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    # -- navigation --------------------------------------------------------------------
    def open_matter(self, matter_id: int):
        return open_matter_detail(self.ctx, matter_id, self)

    def register_matter(self):
        if not self.ctx.may("matter.登记"):
            return None
        self.form = MatterForm(self.ctx, self)
        self.form.open()
        return self.form

    def _go_to(self, key: str):
        window = getattr(self.ctx, "window", None)
        return window.show_page(key) if window is not None and hasattr(window, "show_page") else None

    def import_residents(self) -> ImportWizard:
        """导入居民台账 (the panel): the import wizard, not modal."""
        self.wizard = ImportWizard(self.ctx, "residents", self)
        self.wizard.open()
        return self.wizard

    def open_demo(self) -> FirstStartDialog:
        """打开演示台账 (the panel): built (or opened) as on the first start, then used by this window."""
        dialog = self.demo_dialog = FirstStartDialog(parent=self)

        def use() -> None:
            window = getattr(self.ctx, "window", None)
            if dialog.ledger is not None and window is not None and hasattr(window, "use_ledger"):
                window.use_ledger(dialog.ledger)
                remember_ledger(dialog.ledger.path)

        dialog.accepted.connect(use)
        dialog.demo_button.click()
        return dialog

    def show_in_list(self, **flags) -> None:
        """Show the 民情事项 page filtered like the list (due_today/overdue/awaiting_follow_up)."""
        window = getattr(self.ctx, "window", None)
        if window is None or not hasattr(window, "show_page"):
            return
        page = window.show_page("matters")
        page.show_only(**flags)
