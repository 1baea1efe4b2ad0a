"""首页: due today, overdue (red), awaiting follow-up, this month's counts and the trend chart."""

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QLineSeries
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from models.matters import records as matters_model
from tests.ui.matters_helpers import register
from tests.ui.ui_helpers import show_widget
from ui.pages import home as home_page
from ui.dialogs import matter_detail
from ui.pages import matters as matters_page
from ui.pages.home import HomePage

pytestmark = [pytest.mark.qt_log_ignore("This plugin does not support"),
              pytest.mark.usefixtures("close_matter_windows")]


def _home(qtbot, ctx):
    return show_widget(qtbot, HomePage(ctx), 1230)


def _rows(matter_list):
    return [matter_list.table.item(r, 1).text() for r in range(matter_list.table.rowCount())]


def test_overdue_matter_shows_in_red_on_the_home_screen(qtbot, ctx, ledger, place, clock):
    late = register(ledger, place, description="昨天的路灯")            # due 10-15 23:59:59
    clock.set(2026, 10, 16, 9, 0, 0)
    register(ledger, place, description="今天的噪音", category="噪音扰民")
    page = _home(qtbot, ctx)

    assert page.overdue.title() == "已超期（1 件）"
    assert _rows(page.overdue) == ["路灯照明：昨天的路灯"]
    item = page.overdue.table.item(0, 0)
    assert item.text() == "10-15 23:59"
    assert item.foreground().color() == QColor(matters_page.OVERDUE_COLOR)
    assert item.font().bold()
    assert "已超期" in item.toolTip()
    assert page.overdue.alarm and "c0392b" in page.overdue.styleSheet()

    assert page.due_today.title() == "今日到期（1 件）"
    assert _rows(page.due_today) == ["噪音扰民：今天的噪音"]
    assert page.due_today.table.item(0, 0).text() == "今天 23:59"
    assert page.due_today.table.item(0, 0).foreground().color() != QColor(matters_page.OVERDUE_COLOR)

    # a click opens the matter, which says it is late
    rect = page.overdue.table.visualItemRect(page.overdue.table.item(0, 1))
    qtbot.mouseClick(page.overdue.table.viewport(), Qt.LeftButton, pos=rect.center())
    detail = matter_detail.OPEN_DETAILS[-1]
    assert detail.matter_id == late and detail.isVisible()
    assert detail.overdue_badge.isVisibleTo(detail)


def test_awaiting_follow_up_and_refresh_on_change(qtbot, ctx, ledger, place, clock):
    page = _home(qtbot, ctx)
    assert page.awaiting.title() == "待回访（0 件）"
    assert page.awaiting.empty_label.isVisibleTo(page.awaiting)
    assert not page.awaiting.more_button.isVisibleTo(page.awaiting)

    matter_id = register(ledger, place, assignee_staff_id=place["head"])
    clock.advance(hours=1)
    matters_model.apply_action(ledger, matter_id, "办结", result="修好了")
    ctx.notify("matters")
    assert page.awaiting.title() == "待回访（1 件）"
    assert page.awaiting.table.item(0, 0).text() == "今天 10:30"   # when it was closed (today)
    assert page.due_today.title() == "今日到期（0 件）"

    clock.advance(hours=1)
    matters_model.apply_action(ledger, matter_id, "回访", satisfaction="满意")
    ctx.notify("matters")
    assert page.awaiting.title() == "待回访（0 件）"


def test_a_time_from_last_year_is_shown_whole(qtbot, ctx, ledger, place, clock):
    """A matter closed last year and still awaiting its 回访: its time is not cut off."""
    matter = register(ledger, place, registered_at="2025-12-01 09:00:00", assignee_name="王五")
    matters_model.apply_action(ledger, matter, "办结", at="2025-12-01 10:55:00", result="已修好")
    home = _home(qtbot, ctx)
    table = home.awaiting.table
    assert table.item(0, 0).text() == "2025-12-01 10:55"
    needed = table.fontMetrics().horizontalAdvance("2025-12-01 10:55")
    assert table.columnWidth(0) > needed


def test_hidden_home_refreshes_when_shown_again(qtbot, ctx, ledger, place):
    page = _home(qtbot, ctx)
    page.hide()
    register(ledger, place)
    ctx.notify("matters")
    assert page.due_today.title() == "今日到期（0 件）"   # not visible: nothing queried yet
    page.show()
    assert page.due_today.title() == "今日到期（1 件）"


def test_month_counts_by_level_and_category(qtbot, ctx, ledger, place, clock):
    register(ledger, place)
    register(ledger, place, level="私事", category="邻里纠纷", description="漏水")
    register(ledger, place, level="私事", category="邻里纠纷", description="占道")
    clock.set(2026, 9, 30, 10, 0, 0)   # last month: not counted
    register(ledger, place, level="大事", category="违章建筑")
    clock.set(2026, 10, 15, 12, 0, 0)
    page = _home(qtbot, ctx)
    assert page.month_box.title() == "本月事项（2026年10月）"
    tiles = {k: v.text().split("<br>") for k, v in page.level_tiles.items()}
    counts = {k: int(v[0].split(">")[1].split("<")[0]) for k, v in tiles.items()}
    assert counts == {"小事": 1, "私事": 2, "大事": 0, "合计": 3}
    table = page.category_table
    first = (table.item(0, 0).text(), table.item(0, 1).text())
    assert first == ("邻里纠纷", "2")   # most first
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert set(names) == set(matters_model.categories(ledger))


def test_trend_chart_has_twelve_chinese_months(qtbot, ctx, ledger, place, clock):
    clock.set(2026, 1, 10, 9, 0, 0)
    january = register(ledger, place, assignee_staff_id=place["head"])
    clock.advance(hours=2)
    matters_model.apply_action(ledger, january, "办结", result="好了")
    clock.set(2026, 10, 15, 9, 30, 0)
    register(ledger, place)
    page = _home(qtbot, ctx)
    chart = page.chart.chart_
    assert chart.title() == "近12个月民情事项趋势"
    x_axis = [a for a in chart.axes() if isinstance(a, QBarCategoryAxis)][0]
    labels = x_axis.categories()
    assert len(labels) == 12
    assert labels[0] == "25年11月" and labels[2] == "26年1月" and labels[3] == "2月" and labels[-1] == "10月"
    assert x_axis.titleText() == "月份"
    bars = [s for s in chart.series() if isinstance(s, QBarSeries)][0]
    registered, closed = bars.barSets()
    assert registered.label() == "登记件数" and closed.label() == "办结件数"
    assert registered.at(2) == 1 and registered.at(11) == 1 and closed.at(2) == 1
    line = [s for s in chart.series() if isinstance(s, QLineSeries)][0]
    assert line.name() == "按期办结件数" and line.at(2).y() == 1
    assert page.chart.minimumHeight() >= 200


@pytest.mark.parametrize("n, top, ticks", [
    (1, 1, 2), (4, 4, 5), (6, 6, 7), (7, 8, 5), (13, 15, 4), (29, 30, 7), (31, 40, 5),
    (120, 120, 7), (999, 1000, 6), (0, 1, 2),
])
def test_value_axis_is_round(n, top, ticks):
    assert home_page.nice_axis(n) == (top, ticks)


def test_show_all_jumps_to_the_filtered_list(qtbot, ctx, ledger, place, clock):
    register(ledger, place)
    clock.set(2026, 10, 16, 9, 0, 0)

    class Window:
        def __init__(self):
            self.page = matters_page.MattersPage(ctx)
            qtbot.addWidget(self.page)

        def show_page(self, key):
            assert key == "matters"
            return self.page

    ctx.window = Window()
    page = _home(qtbot, ctx)
    qtbot.mouseClick(page.overdue.more_button, Qt.LeftButton)
    assert ctx.window.page.overdue_check.isChecked()
    assert ctx.window.page.model.rowCount() == 1


@pytest.mark.parametrize("value,text", [
    ("2026-10-15 23:59:59", "今天 23:59"),
    ("2026-10-14 08:05:00", "10-14 08:05"),
    ("2025-12-01 10:55:00", "2025-12-01 10:55"),   # another year: the year is shown
])
def test_time_text(value, text):
    from ui.pages.home import _time_text

    assert _time_text(value, "2026-10-15") == text


# -- issue 13: an empty ledger's start, Ctrl+N ------------------------------------------------------

def test_an_empty_ledger_offers_a_start_until_it_has_grids(qtbot, ctx, ledger):
    from models.grids import hierarchy as grids_model
    page = show_widget(qtbot, home_page.HomePage(ctx))
    panel = page.getting_started
    assert panel.isVisible()
    assert [b.text() for b in (panel.import_button, panel.grids_button, panel.demo_button)] == [
        "导入居民台账…", "建立网格", "打开演示台账"]
    shown = []
    ctx.window = type("Window", (), {"show_page": lambda self, key: shown.append(key)})()
    panel.grids_button.click()
    assert shown == ["grids"]
    wizard = page.import_residents()
    assert wizard.isVisible()
    wizard.close()
    grids_model.add_grid(ledger, "第一网格", grids_model.ensure_community(ledger, None))
    ctx.changed.emit("grids")
    assert not panel.isVisible()


def test_ctrl_n_on_home_registers_a_matter(qtbot, ctx, place):
    page = show_widget(qtbot, home_page.HomePage(ctx))
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(page, Qt.Key_N, Qt.ControlModifier)
    assert page.form is not None and page.form.isVisible()
    page.form.close()
