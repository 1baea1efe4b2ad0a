"""ui.ops.LedgerOp, the one background mechanism: inline (the synchronous executor the UI
tests use) and on the real worker thread (``qtbot.waitUntil``), with the same code."""

import datetime as dt
import logging
import threading

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from shiboken6 import isValid

from models.core.db import Operator
from models.core.errors import Cancelled, ValidationError
from models.core.ops import Changes
from models.core.permissions import PermissionDenied
from models.grids import hierarchy as grids
from models.ledger import open_db
from ui import ops
from ui.context import AppContext

MOMENT = dt.datetime(2026, 12, 31, 23, 59, 30)

pytestmark = pytest.mark.usefixtures("qapp")   # progress dialogs and messages are widgets


@pytest.fixture
def boxes(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: seen.append((title, text)))
    return seen


@pytest.fixture
def heard(ctx):
    areas = []
    ctx.changed.connect(areas.append)
    return areas


def _add_grid(name):
    return lambda ledger: grids.add_grid.op(ledger, name)


def _boom(ledger):
    return 1 / 0


# -- inline: the synchronous executor --------------------------------------------------------

def test_success_gets_the_result_after_the_pages_heard_of_the_changes(ctx, heard, boxes):
    order = []
    ctx.changed.connect(lambda area: order.append(("changed", area)))
    op = (ops.LedgerOp(ctx, _add_grid("一网格"))
          .success(lambda changes: order.append(("success", changes.result))).run())
    grid_id = grids.grids(ctx.ledger)[0]["id"]
    assert order == [("changed", "grids"), ("success", grid_id)]
    assert heard == ["grids"] and boxes == []
    assert op.result == Changes.of("grids") and op.error is None and not op.is_running()


def test_a_result_that_is_not_changes_tells_no_page(ctx, heard):
    results = []
    ops.LedgerOp(ctx, lambda ledger: ledger.scalar("SELECT COUNT(*) FROM grids")).success(results.append).run()
    assert results == [0] and heard == []


def test_everything_is_named_once_and_star_stands_for_all(ctx, heard):
    ops.LedgerOp(ctx, lambda ledger: Changes.of("visits", "matters")).run()
    assert heard == ["matters", "visits"]   # in the order of models.core.ops.AREAS
    heard.clear()
    ops.LedgerOp(ctx, lambda ledger: Changes.of("residents", "*")).run()
    assert heard == ["*"]


def test_the_clerks_kind_of_error_goes_to_failure(ctx, heard, boxes):
    refused, done = [], []
    ops.LedgerOp(ctx, _add_grid("")).success(done.append).failure(refused.append).run()
    assert [type(e) for e in refused] == [ValidationError] and refused[0].field == "name"
    assert done == [] and heard == [] and boxes == []


def test_without_failure_it_is_shown_as_it_is(ctx, boxes):
    ctx.ledger.operator = Operator("督导", role="督导员")
    op = ops.LedgerOp(ctx, _add_grid("一网格"), title="新增网格").run()
    assert boxes == [("新增网格失败", "只有管理员、工作人员或网格员可以修改台账（当前角色：督导员）。")]
    assert isinstance(op.error, PermissionDenied)
    assert grids.grids(ctx.ledger) == []


def test_a_bug_is_logged_and_told_calmly_never_handed_to_failure(ctx, boxes, caplog):
    refused = []
    with caplog.at_level(logging.ERROR, logger="gridledger"):
        op = ops.LedgerOp(ctx, _boom, title="计算").failure(refused.append).run()
    assert refused == [] and isinstance(op.error, ZeroDivisionError)
    (title, text), = boxes
    assert title == "计算失败" and "程序内部出错" in text and "日志" in text
    assert "ZeroDivisionError" in caplog.text and "Traceback" in caplog.text


def test_a_bug_in_a_callback_does_not_vanish(ctx, boxes, caplog):
    with caplog.at_level(logging.ERROR, logger="gridledger"):
        ops.LedgerOp(ctx, _add_grid("一网格")).success(lambda _c: {}["missing"]).run()
    assert len(boxes) == 1 and "KeyError" in caplog.text
    assert [g["name"] for g in grids.grids(ctx.ledger)] == ["一网格"]   # the work itself was done


def test_a_cancelled_operation_says_nothing(ctx, boxes):
    done = []

    def stops(ledger, progress, is_cancelled):
        progress(1, 2)
        raise Cancelled("已取消。")

    op = ops.LedgerOp(ctx, stops, progress=True, cancellable=True).success(done.append).run()
    assert isinstance(op.error, Cancelled) and done == [] and boxes == []
    assert op.dialog is None   # the progress dialog is gone with the work


def test_widgets_are_disabled_while_it_runs_and_put_back(ctx, qtbot):
    save, other = QPushButton("保存"), QPushButton("关闭")
    other.setEnabled(False)
    qtbot.addWidget(save)
    qtbot.addWidget(other)
    seen = []
    ops.LedgerOp(ctx, lambda ledger: seen.append((save.isEnabled(), other.isEnabled()))) \
        .disabling(save, other).run()
    assert seen == [(False, False)]
    assert save.isEnabled() and not other.isEnabled()


def test_callbacks_of_a_closed_window_are_skipped(ctx, qtbot, boxes):
    parent = QWidget()
    done = []
    op = ops.LedgerOp(ctx, _add_grid("一网格"), parent=parent).success(done.append)
    parent.deleteLater()
    qtbot.waitUntil(lambda: not isValid(parent))
    op.run()
    assert done == [] and boxes == []
    assert [g["name"] for g in grids.grids(ctx.ledger)] == ["一网格"]


def test_the_executor_is_pluggable():
    previous = ops.set_executor(ops.THREADED)
    try:
        assert ops.current_executor() is ops.THREADED
        assert ops.set_executor(ops.SYNCHRONOUS) is ops.THREADED
        with pytest.raises(ValueError):
            ops.set_executor("inline")
    finally:
        ops.set_executor(previous)


def test_an_in_memory_ledger_cannot_go_to_a_worker(ctx):
    ops.set_executor(ops.THREADED)
    with pytest.raises(ValueError, match="in-memory"):
        ops.LedgerOp(ctx, _add_grid("一网格")).run()
    assert not ops.RUNNING


# -- the worker thread ------------------------------------------------------------------------

@pytest.fixture
def file_ctx(ledger_path, clock):
    clock.set(*MOMENT.timetuple()[:6])
    ledger = open_db(ledger_path, operator=Operator("王网格", role="网格员"), clock=clock)
    ctx = AppContext(ledger)
    yield ctx
    ops.close_worker_connections()
    ctx.ledger.close()


def _run(qtbot, op):
    op.run()
    qtbot.waitUntil(lambda: not op.is_running(), timeout=10000)
    return op


def test_on_the_worker_thread_with_the_windows_operator_and_clock(qtbot, file_ctx, heard_file, boxes):
    assert ops.current_executor() is ops.THREADED   # a test on a ledger file: the real thread
    gui = threading.get_ident()
    seen, delivered = {}, []

    def work(ledger):
        seen.update(thread=threading.get_ident(), operator=ledger.operator, now=ledger.now(),
                    same=ledger is file_ctx.ledger)
        return grids.add_grid.op(ledger, "后台网格")

    _run(qtbot, ops.LedgerOp(file_ctx, work).success(lambda c: delivered.append(threading.get_ident())))
    assert seen["thread"] != gui and not seen["same"]
    assert seen["operator"] == Operator("王网格", role="网格员") and seen["now"] == MOMENT
    assert delivered == [gui] and heard_file == ["grids"] and boxes == []
    # committed, seen by the window (a raw read: the 网格员 has no grids, so grids.grids() lists none)
    assert [g["name"] for g in file_ctx.ledger.query("SELECT name FROM grids")] == ["后台网格"]
    row = file_ctx.ledger.query("SELECT operator, at FROM audit_log WHERE table_name = 'grids'")[0]
    assert row == {"operator": "王网格", "at": "2026-12-31 23:59:30"}


def test_the_worker_errors_are_sorted_too(qtbot, file_ctx, boxes, caplog):
    refused = []
    _run(qtbot, ops.LedgerOp(file_ctx, _add_grid("")).failure(refused.append))
    assert isinstance(refused[0], ValidationError) and boxes == []
    with caplog.at_level(logging.ERROR, logger="gridledger"):
        op = _run(qtbot, ops.LedgerOp(file_ctx, _boom, title="计算").failure(refused.append))
    assert len(refused) == 1 and isinstance(op.error, ZeroDivisionError)
    assert boxes[0][0] == "计算失败" and "Traceback" in caplog.text


def test_a_worker_connection_is_reused_and_reopened_for_another_ledger(qtbot, file_ctx, tmp_path):
    connections = []

    def which(ledger):
        connections.append(ledger.conn)
        return ledger.community_name

    names = []
    for _ in range(3):
        _run(qtbot, ops.LedgerOp(file_ctx, which).success(names.append))
    assert names == ["幸福社区"] * 3
    assert connections[0] is connections[1] is connections[2]   # opened once
    assert ops._CONNECTIONS.idle() == 1

    other = open_db(tmp_path / "other.db", operator=Operator("李"), community_name="和平社区")
    file_ctx.replace_ledger(other)
    assert ops._CONNECTIONS.idle() == 0   # the old file's connection was closed at once
    _run(qtbot, ops.LedgerOp(file_ctx, which).success(names.append))
    assert names[-1] == "和平社区" and connections[-1] is not connections[0]


def test_an_operator_changed_since_is_carried(qtbot, file_ctx):
    seen = []
    _run(qtbot, ops.LedgerOp(file_ctx, lambda ledger: seen.append(ledger.operator.name)))
    file_ctx.ledger.operator = Operator("赵督导", role="督导员")
    op = _run(qtbot, ops.LedgerOp(file_ctx, lambda ledger: seen.append(ledger.operator.name) or
                                  grids.add_grid(ledger, "不该有")).failure(lambda exc: None))
    assert seen == ["王网格", "赵督导"] and isinstance(op.error, PermissionDenied)


def test_progress_and_cancel_on_the_worker(qtbot, file_ctx, boxes):
    started, done = threading.Event(), []

    def long_work(ledger, progress, is_cancelled):
        progress(1, 10, "第一步")
        started.set()
        while not is_cancelled():
            threading.Event().wait(0.01)
        return "finished"

    op = ops.LedgerOp(file_ctx, long_work, title="长任务", progress=True, cancellable=True).success(done.append)
    op.run()
    qtbot.waitUntil(started.is_set, timeout=5000)
    assert op.dialog.windowTitle() == "长任务"
    op.dialog.canceled.emit()   # what the dialog's 取消 button sends
    qtbot.waitUntil(lambda: not op.is_running(), timeout=10000)
    assert op.cancelled and done == [] and boxes == [] and op.wait(0)


@pytest.fixture
def heard_file(file_ctx):
    areas = []
    file_ctx.changed.connect(areas.append)
    return areas


def test_any_operation_over_half_a_second_shows_that_it_works(qtbot, file_ctx, boxes):
    """Issue 13: a backup ran for seconds with nothing on screen; every long operation says so."""
    release, done = threading.Event(), []

    def slow(ledger):
        release.wait(10)
        return "ok"

    op = ops.LedgerOp(file_ctx, slow, title="备份台账").success(done.append)
    op.run()
    assert op.dialog is not None and op.dialog.windowTitle() == "备份台账"
    assert not op.dialog.isVisible()                       # not for work that ends at once
    qtbot.waitUntil(lambda: op.dialog.isVisible(), timeout=3000)
    assert "备份台账" in op.dialog.labelText()
    release.set()
    qtbot.waitUntil(lambda: done == ["ok"], timeout=5000)
    assert op.dialog is None


def test_work_reporting_to_the_status_line_shows_no_window(qtbot, file_ctx, boxes):
    """An automatic backup reports in the status line: no busy window pops over the clerk's work
    (found when the busy window of issue 13 met the automatic backups of issue 16: every open
    showed a modal 自动备份 window, and closing the window asked about it)."""
    release, steps, done = threading.Event(), [], []

    def slow(ledger, progress, is_cancelled):
        progress(1, 2)
        release.wait(10)
        return "ok"

    op = ops.LedgerOp(file_ctx, slow, title="自动备份", on_progress=lambda *a: steps.append(a))
    op.success(done.append).run()
    assert op.dialog is None
    qtbot.waitUntil(lambda: steps == [(1, 2, "")], timeout=3000)
    qtbot.wait(ops.BUSY_DELAY_MS + 200)
    assert op.dialog is None
    release.set()
    qtbot.waitUntil(lambda: done == ["ok"], timeout=5000)


def test_a_progress_report_survives_the_end_delivered_while_it_moves_the_bar(ctx, boxes):
    """A modal progress dialog's setValue processes events: the end of the work may be delivered
    right there and take the dialog away, and the rest of the report once raised AttributeError
    (the clerk saw 程序内部出错 after a finished export)."""
    op = ops.LedgerOp(ctx, lambda ledger, progress, is_cancelled: None, progress=True)

    class Dialog:
        def setMaximum(self, total):
            pass

        def setValue(self, value):
            op.dialog = None           # as _deliver does when it runs inside setValue's event loop

        def setLabelText(self, text):
            raise AssertionError("the report went on with a dialog that was taken away")

    op.dialog = Dialog()
    op._on_progress(5, 10, "正在写入")
    op.dialog = Dialog()
    op._on_progress(5, 10, "")
