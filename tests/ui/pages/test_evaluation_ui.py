"""月度评比 page: pick a month → ranking → click a cell → the records behind it; 加减分; 定稿; 评比方案."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QInputDialog, QMessageBox

from models.core.issuer import issuer_name
from models.evaluation import adjustments, publications, publishing
from models.grids import hierarchy as grids
from models.matters import records as matters
from models.reporting.evaluation_data import monthly_bulletin_data
from models.residents import records as residents
from models.visits import records as visits
from models.core.errors import ValidationError
from models.core.db import Operator
from models.ledger import open_db
from models.core.idcard import make_id
from tests.ui.ui_helpers import show_widget
from ui.context import AppContext
from ui.dialogs import evaluation as dialogs
from ui.pages.evaluation import EvaluationPage

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

MONTH = "2026-10"


def _resident(ledger, household_id, name, seq, phone="13800000000"):
    residents.add_resident(ledger, {"name": name, "household_id": household_id, "phone": phone,
                                    "id_number": make_id("110101", dt.date(1980, 1, 1), seq),
                                    "moved_in_on": "不详"})


def build(ledger) -> dict:
    """一网格: 2 households, 1 visited, one late matter → 0 + 25 + 10 + 0 + 0 + 5 = 40.
    二网格: 1 household visited, nothing due → 30 + 25 + 20 + 0 + 0 + 5 = 80."""
    h1 = grids.ensure_place(ledger, grids.Place(None, "一网格", "1号楼", "1单元", "101"))
    h2 = grids.ensure_place(ledger, grids.Place(None, "一网格", "1号楼", "1单元", "102"))
    h3 = grids.ensure_place(ledger, grids.Place(None, "二网格", "2号楼", "1单元", "201"))
    for n, h in enumerate((h1, h2, h3)):
        _resident(ledger, h, f"居民{'甲乙丙'[n]}", n + 1)
    visits.record_visit(ledger, visited_on="2026-10-09", staff_name="王网格员", way="入户", household_ids=[h1])
    visits.record_visit(ledger, visited_on="2026-10-10", staff_name="王网格员", way="入户", household_ids=[h3])
    a = ledger.scalar("SELECT id FROM grids WHERE name = '一网格'")
    matters.register_matter(ledger, {"registered_at": "2026-10-12 09:00:00", "source": "来电",
                                     "category": "环境卫生", "level": "小事", "description": "垃圾堆放",
                                     "grid_id": a, "assignee_name": "王网格员"})
    return {"A": a, "B": ledger.scalar("SELECT id FROM grids WHERE name = '二网格'")}


@pytest.fixture
def page(qtbot, ledger, clock):
    clock.set(2026, 11, 20, 12, 0, 0)
    build(ledger)
    widget = show_widget(qtbot, EvaluationPage(AppContext(ledger)))
    widget.set_month(MONTH)
    return widget


@pytest.fixture
def boxes(monkeypatch):
    seen = {"question": [], "information": [], "warning": []}
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a, **k: seen["question"].append(text) or QMessageBox.Yes)
    monkeypatch.setattr(QMessageBox, "information",
                        lambda parent, title, text, *a, **k: seen["information"].append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: seen["warning"].append(text))
    return seen


def cell(page, row: int, column: str) -> str:
    model = page.model
    col = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Horizontal) == column)
    return model.index(row, col).data()


def click_cell(qtbot, page, row: int, column: str) -> None:
    model = page.model
    col = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Horizontal) == column)
    rect = page.table.visualRect(model.index(row, col))
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=rect.center())


def fill_adjustment(dialog, typer, target: str, points: str, reason: str, period: int = 0) -> int:
    """Fill the 加减分 dialog (the period's row, the grid or community, points, reason), click 保存;
    returns the dialog's result."""
    dialog.period.setCurrentIndex(period)
    dialog.grid.setCurrentIndex(dialog.grid.findText(target))
    typer(dialog.points, points)
    typer(dialog.reason, reason)
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    return dialog.result()


def test_month_picker_defaults_to_last_ended_month(page):
    assert page.month.itemData(0) == "2026-11" and page.month.itemData(1) == "2026-10"
    assert page.month.currentText() == "2026年10月"


def test_ranking_table_shows_every_indicator(page, qtmodeltester):
    qtmodeltester.check(page.model)
    headers = [page.model.headerData(c, Qt.Horizontal) for c in range(page.model.columnCount())]
    assert headers == ["排名", "名次变化", "社区", "网格", "按期办结率", "群众满意率", "走访覆盖率",
                       "问题发现", "志愿服务", "台账完整率", "加减分", "总分"]
    assert [(cell(page, r, "排名"), cell(page, r, "网格"), cell(page, r, "总分")) for r in range(2)] == [
        ("1", "二网格", "80.00"), ("2", "一网格", "40.00")]
    assert cell(page, 1, "按期办结率") == "0.00%" and cell(page, 1, "走访覆盖率") == "50.00%"
    assert "未定稿" in page.status.text()
    assert "幸福社区" in page.community.text()


def test_click_a_cell_shows_the_records_behind_it(page, qtbot, monkeypatch, qtmodeltester):
    shown = []
    monkeypatch.setattr(dialogs.TraceDialog, "exec", lambda self: shown.append(self) or 0)
    click_cell(qtbot, page, 1, "走访覆盖率")
    (dialog,) = shown
    assert "一网格" in dialog.windowTitle() and "走访覆盖率" in dialog.windowTitle()
    assert "已走访户数：1" in dialog.summary.text() and "在住户数：2" in dialog.summary.text()
    rows = [dialog.model.row_dict(r) for r in range(dialog.model.rowCount())]
    assert [(r["户"], r["计入分子"]) for r in rows] == [("1号楼1单元101", "计入分子"),
                                                       ("1号楼1单元102", "不计入：本月未走访")]
    qtmodeltester.check(dialog.model)
    dialog.only_missed.setChecked(True)
    assert dialog.model.rowCount() == 1 and dialog.model.row_dict(0)["户"] == "1号楼1单元102"
    assert dialog.count.text() == "共 1 条记录（未计入）"

    click_cell(qtbot, page, 1, "按期办结率")
    assert shown[-1].model.row_dict(0)["结果"] == "逾期未办结"
    click_cell(qtbot, page, 1, "网格")  # not a figure: nothing opens
    assert len(shown) == 2


def test_add_adjustment_requires_a_reason(page, qtbot, monkeypatch, typer, qtmodeltester):
    def exec_(dialog):
        dialog.grid.setCurrentIndex(dialog.grid.findText("一网格"))
        typer(dialog.points, "-1.5")
        dialog.buttons.button(QDialogButtonBox.Ok).click()
        assert "原因" in dialog.error.text() and dialog.result() == 0
        typer(dialog.reason, "台账迟交")
        dialog.buttons.button(QDialogButtonBox.Ok).click()
        return dialog.result()

    monkeypatch.setattr(dialogs.AdjustmentDialog, "exec", exec_)
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    assert cell(page, 1, "加减分") == "-1.50" and cell(page, 1, "总分") == "38.50"
    assert page.adjustments_model.rowCount() == 1
    assert page.adjustments_model.row_dict(0)["原因"] == "台账迟交"
    qtmodeltester.check(page.adjustments_model)


def test_remove_adjustment_after_confirmation(page, qtbot, boxes):
    adjustments.add_adjustment(page.ctx.ledger, MONTH, 2, "表扬", grid_id=page.evaluation.grids[1].grid_id)
    page.refresh()
    assert cell(page, 1, "总分") == "42.00"
    page.adjustments_view.setCurrentIndex(page.adjustments_model.index(0, 0))
    qtbot.mouseClick(page.remove_button, Qt.LeftButton)
    assert boxes["question"] and "表扬" in boxes["question"][0]
    assert page.adjustments_model.rowCount() == 0 and cell(page, 1, "总分") == "40.00"


def test_publish_then_differences_then_republish_with_reason(page, qtbot, boxes, monkeypatch, qtmodeltester):
    qtbot.mouseClick(page.publish_button, Qt.LeftButton)
    assert "已定稿（第1版" in page.status.text() and page.publish_button.text() == "重新定稿"

    adjustments.add_adjustment(page.ctx.ledger, MONTH, 50, "特别贡献", grid_id=page.evaluation.grids[1].grid_id)
    page.refresh()
    assert "处变化" in page.status.text()
    diffs = [page.diff_model.row_dict(r) for r in range(page.diff_model.rowCount())]
    assert {"网格/社区": "一网格", "项目": "总分", "定稿值": "40.00", "当前值": "90.00"} in diffs
    qtmodeltester.check(page.diff_model)

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))
    qtbot.mouseClick(page.publish_button, Qt.LeftButton)
    assert boxes["warning"] == ["重新定稿必须填写原因。"]
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("补录特别贡献加分", True))
    qtbot.mouseClick(page.publish_button, Qt.LeftButton)
    assert "已定稿（第2版" in page.status.text() and "一致" in page.status.text()
    assert page.diff_model.rowCount() == 0


def test_scheme_dialog_refuses_nonsense(page, qtbot, monkeypatch, typer):
    def exec_(dialog):
        dialog.weights["on_time"].clear()
        typer(dialog.weights["on_time"], "31")
        assert "101" in dialog.total.text()
        dialog.buttons.button(QDialogButtonBox.Ok).click()
        assert "权重之和必须等于 100" in dialog.error.text()
        dialog.weights["satisfaction"].clear()
        typer(dialog.weights["satisfaction"], "24")
        dialog.targets["discovery"].clear()
        typer(dialog.targets["discovery"], "-1")
        dialog.buttons.button(QDialogButtonBox.Ok).click()
        assert "大于 0" in dialog.error.text()
        dialog.targets["discovery"].clear()
        typer(dialog.targets["discovery"], "2")
        dialog.buttons.button(QDialogButtonBox.Ok).click()
        return dialog.result()

    monkeypatch.setattr(dialogs.SchemeDialog, "exec", exec_)
    qtbot.mouseClick(page.scheme_button, Qt.LeftButton)
    from models.evaluation.scheme import current_scheme

    scheme = current_scheme(page.ctx.ledger)
    assert scheme.indicator("on_time").weight == 31 and scheme.indicator("discovery").target == 2
    # 二网格: 31 + 24 + 20 + 0 + 0 + 5 = 80; 一网格: 0 + 24 + 10 + 0 + 0 + 5 = 39
    assert cell(page, 1, "总分") == "39.00"


def test_worker_computes_on_a_ledger_file(qtbot, ledger_path, clock):
    clock.set(2026, 11, 20, 12, 0, 0)
    led = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    try:
        build(led)
        page = EvaluationPage(AppContext(led))
        qtbot.addWidget(page)
        with qtbot.waitSignal(page.computed, timeout=10000):
            page.set_month(MONTH)
        assert page.model.rowCount() == 2 and cell(page, 0, "网格") == "二网格"
    finally:
        led.close()


@pytest.mark.parametrize("role, allowed", [("督导员", False), ("网格员", False), ("工作人员", True)])
def test_the_buttons_follow_the_permission_table(qtbot, ledger, clock, role, allowed):
    clock.set(2026, 11, 20, 12, 0, 0)
    build(ledger)
    ledger.operator.role = role
    widget = EvaluationPage(AppContext(ledger))
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 2   # everyone reads
    buttons = {"add_button": "加减分", "remove_button": "加减分", "publish_button": "定稿",
               "scheme_button": "修改评比方案"}
    for name, what in buttons.items():
        button = getattr(widget, name)
        admin_only = what == "修改评比方案"          # issue 10: the scheme is the 管理员's alone
        ok = allowed and not admin_only
        who = "管理员" if admin_only else "管理员或工作人员"
        assert button.isEnabled() == ok, name
        assert button.toolTip() == ("" if ok else f"只有{who}可以{what}（当前角色：{role}）。")


def test_picking_another_month_recomputes(page, qtbot):
    with qtbot.waitSignal(page.computed, timeout=5000):
        page.month.setCurrentIndex(page.month.findText("2026年11月"))
    # November: nothing due, nobody visited → both 30 + 25 + 0 + 0 + 0 + 5 = 60, a shared first place
    assert [(cell(page, r, "排名"), cell(page, r, "网格"), cell(page, r, "总分")) for r in range(2)] == [
        ("1", "一网格", "60.00"), ("1", "二网格", "60.00")]
    # 二网格 was 1st in October and 一网格 2nd: 一网格 moved up one place
    assert cell(page, 0, "名次变化") == "↑1" and cell(page, 1, "名次变化") == "—"
    assert "本月尚未结束" in page.status.text()


def test_annual_adjustment_from_the_page(page, qtbot, monkeypatch, typer):
    monkeypatch.setattr(dialogs.AdjustmentDialog, "exec",
                        lambda dialog: fill_adjustment(dialog, typer, "二网格", "3", "年度专项工作", period=1))
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    assert cell(page, 0, "总分") == "80.00"  # not this month's
    row = page.adjustments_model.row_dict(0)
    assert (row["计入"], row["网格/社区"], row["分值"]) == ("2026年度", "二网格", "+3")
    assert [a.points for a in adjustments.adjustments(page.ctx.ledger, "2026")] == [3.0]


# -- 定稿 on the worker thread ------------------------------------------------------------------

def _file_page(qtbot, ledger_path, clock):
    """The page on a ledger file on 20 November 2026, computed."""
    clock.set(2026, 11, 20, 12, 0, 0)
    led = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    build(led)
    page = EvaluationPage(AppContext(led))
    with qtbot.waitSignal(page.computed, timeout=10000):
        show_widget(qtbot, page)
    with qtbot.waitSignal(page.computed, timeout=10000):
        page.set_month(MONTH)
    return led, page


def test_publish_runs_on_the_worker_after_the_confirmation(qtbot, ledger_path, clock, boxes, monkeypatch):
    led, page = _file_page(qtbot, ledger_path, clock)
    try:
        steps = []
        real_op = publishing.publish.op
        monkeypatch.setattr(QMessageBox, "question",
                            lambda parent, title, text, *a, **k: steps.append(("问", text)) or QMessageBox.Yes)
        monkeypatch.setattr(QMessageBox, "information",
                            lambda parent, title, text, *a, **k: steps.append(("告知", text)))

        def publish(ledger, month, reason=""):
            steps.append(("定稿", threading.current_thread() is threading.main_thread(), ledger is led,
                          ledger.now()))
            return real_op(ledger, month, reason)

        monkeypatch.setattr(publishing.publish, "op", publish)
        with qtbot.waitSignal(page.computed, timeout=10000):  # the refresh after 定稿
            qtbot.mouseClick(page.publish_button, Qt.LeftButton)
            # the GUI thread is free meanwhile: the button waits, the status says what is going on
            assert not page.publish_button.isEnabled() and "正在定稿2026年10月" in page.status.text()
        assert steps[0][0] == "问" and "定稿" in steps[0][1]
        # the month was recomputed on a worker thread with its own connection to the file, same clock
        assert steps[1] == ("定稿", False, False, dt.datetime(2026, 11, 20, 12, 0, 0))
        assert steps[2] == ("告知", "2026年10月已定稿（第 1 版）。")
        assert "已定稿（第1版" in page.status.text() and page.publish_button.text() == "重新定稿"
        assert page.publish_button.isEnabled()
        assert publications.latest_publication(led, MONTH).version == 1

        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("更正走访记录", True))
        with qtbot.waitSignal(page.computed, timeout=10000):
            qtbot.mouseClick(page.publish_button, Qt.LeftButton)
        assert steps[-1] == ("告知", "2026年10月已定稿（第 2 版）。")
        assert publications.latest_publication(led, MONTH).reason == "更正走访记录"
        assert "已定稿（第2版" in page.status.text()
    finally:
        led.close()


def test_publish_failing_on_the_worker_says_why_and_restores_the_page(qtbot, ledger_path, clock, boxes,
                                                                     monkeypatch):
    led, page = _file_page(qtbot, ledger_path, clock)
    try:
        status = page.status.text()

        def publish(ledger, month, reason=""):
            raise ValidationError("测试：台账正在维护，不能定稿。")

        monkeypatch.setattr(publishing.publish, "op", publish)
        qtbot.mouseClick(page.publish_button, Qt.LeftButton)
        job = page._publish_job
        qtbot.waitUntil(lambda: not job.is_running(), timeout=10000)
        assert boxes["warning"] == ["测试：台账正在维护，不能定稿。"]
        assert boxes["information"] == []
        assert page.status.text() == status and page.publish_button.isEnabled()
        assert publications.latest_publication(led, MONTH) is None
    finally:
        led.close()


def test_cancelling_the_confirmation_publishes_nothing(page, qtbot, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)
    qtbot.mouseClick(page.publish_button, Qt.LeftButton)
    assert publications.latest_publication(page.ctx.ledger, MONTH) is None and "未定稿" in page.status.text()


# -- community-level 加减分 -----------------------------------------------------------------------

def test_community_adjustment_from_the_page(page, qtbot, monkeypatch, typer, boxes, qtmodeltester):
    # pooled: on time 0/1 → 0, no ratings → 25, visits 2/3 → 13.33, discovery 0, volunteer 0,
    # completeness 3/3 → 5: 43.333… → 43.33
    assert page.community.text().endswith("总分 43.33") and "社区加减分" not in page.community.text()
    seen = {}

    def exec_(dialog):
        items = [dialog.grid.itemText(i) for i in range(dialog.grid.count())]
        seen["items"], seen["default"] = items, dialog.grid.currentText()
        seen["note_hidden_for_grid"] = dialog.target_note.isHidden()
        dialog.grid.setCurrentIndex(dialog.grid.findText("全社区（社区加减分）"))
        seen["note_hidden_for_community"] = dialog.target_note.isHidden()
        return fill_adjustment(dialog, typer, "全社区（社区加减分）", "2", "社区获评街道先进")

    monkeypatch.setattr(dialogs.AdjustmentDialog, "exec", exec_)
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    assert seen["items"] == ["全社区（社区加减分）", "", "二网格", "一网格"]  # "" = the separator
    assert seen["default"] == "二网格"  # nothing selected: a grid, as before
    assert seen["note_hidden_for_grid"] and not seen["note_hidden_for_community"]

    row = page.adjustments_model.row_dict(0)
    assert (row["计入"], row["网格/社区"], row["分值"], row["原因"]) == (
        "2026年10月", "幸福社区（全社区）", "+2", "社区获评街道先进")
    qtmodeltester.check(page.adjustments_model)
    assert "社区加减分 +2.00；总分 45.33" in page.community.text()
    # the grids keep their own totals
    assert [(cell(page, r, "网格"), cell(page, r, "总分")) for r in range(2)] == [
        ("二网格", "80.00"), ("一网格", "40.00")]

    # once 定稿, a later community adjustment shows as a difference of the community's figures
    qtbot.mouseClick(page.publish_button, Qt.LeftButton)
    assert "数据与定稿一致" in page.status.text()
    page.adjustments_view.setCurrentIndex(page.adjustments_model.index(0, 0))
    qtbot.mouseClick(page.remove_button, Qt.LeftButton)
    assert "幸福社区（全社区） +2 分" in boxes["question"][-1]
    diffs = [page.diff_model.row_dict(r) for r in range(page.diff_model.rowCount())]
    assert diffs == [{"网格/社区": "幸福社区（全社区）", "项目": "加减分", "定稿值": "2.00", "当前值": "0.00"},
                     {"网格/社区": "幸福社区（全社区）", "项目": "总分", "定稿值": "45.33", "当前值": "43.33"}]
    assert "有 2 处变化" in page.status.text()
    assert page.adjustments_model.rowCount() == 0 and page.community.text().endswith("总分 43.33")


def test_adjustment_dialog_preselects_the_clicked_grid(page, qtbot, monkeypatch):
    seen = []
    monkeypatch.setattr(dialogs.TraceDialog, "exec", lambda self: 0)
    monkeypatch.setattr(dialogs.AdjustmentDialog, "exec", lambda self: seen.append(self.target()) or 0)
    click_cell(qtbot, page, 1, "网格")
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    assert seen == [("grid", page.evaluation.grids[1].grid_id)]  # 一网格, not the first grid
    click_cell(qtbot, page, 0, "网格")
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    assert seen[-1] == ("grid", page.evaluation.grids[0].grid_id)


# -- 通报落款单位 in the 评比方案 dialog ------------------------------------------------------------

def test_scheme_dialog_sets_the_report_issuer(page, qtbot, monkeypatch, typer):
    ledger = page.ctx.ledger
    seen = {}

    def exec_(dialog):
        seen["initial"] = dialog.issuer.text()
        dialog.issuer.clear()
        dialog.buttons.button(QDialogButtonBox.Ok).click()
        seen["blank"] = (dialog.error.text(), dialog.result())
        typer(dialog.issuer, "委" * 41)
        dialog.buttons.button(QDialogButtonBox.Ok).click()
        seen["long"] = (dialog.error.text(), dialog.result())
        dialog.issuer.clear()
        typer(dialog.issuer, "幸福街道幸福社区居民委员会")
        dialog.buttons.button(QDialogButtonBox.Ok).click()
        return dialog.result()

    monkeypatch.setattr(dialogs.SchemeDialog, "exec", exec_)
    qtbot.mouseClick(page.scheme_button, Qt.LeftButton)
    assert seen["initial"] == "幸福社区居民委员会"
    assert seen["blank"] == ("通报落款单位不能为空。", 0)
    assert seen["long"] == ("通报落款单位最多 40 个字（现有 41 个）。", 0)
    assert issuer_name(ledger) == "幸福街道幸福社区居民委员会"
    assert monthly_bulletin_data(ledger, MONTH).issuing_body == "幸福街道幸福社区居民委员会"

    def restore(dialog):
        seen["again"] = dialog.issuer.text()
        dialog.buttons.button(QDialogButtonBox.RestoreDefaults).click()
        seen["restored"] = dialog.issuer.text()
        dialog.buttons.button(QDialogButtonBox.Ok).click()
        return dialog.result()

    monkeypatch.setattr(dialogs.SchemeDialog, "exec", restore)
    qtbot.mouseClick(page.scheme_button, Qt.LeftButton)
    assert (seen["again"], seen["restored"]) == ("幸福街道幸福社区居民委员会", "幸福社区居民委员会")
    assert issuer_name(ledger) == "幸福社区居民委员会"


def test_the_adjustments_list_shows_five_rows_at_1366_by_768(qtbot, ctx):
    """Issue 13: the 加减分 pane showed two rows at 1366×768."""
    from tests.ui.ui_helpers import show_widget
    from ui.pages.evaluation import EvaluationPage
    page = show_widget(qtbot, EvaluationPage(ctx), 1366 - 140, 768 - 90)
    view = page.adjustments_view
    qtbot.waitUntil(view.isVisible)
    rows_room = view.viewport().height() // view.verticalHeader().defaultSectionSize()
    assert rows_room >= 5
