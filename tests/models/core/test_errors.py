"""Errors by kind: real SQLite errors sorted by result code into the clerk's Chinese message.

Tests run as root, and root ignores file modes (a chmod 444 ledger stays writable), so a
read-only ledger is opened the way SQLite itself offers: a ``?mode=ro`` URI.  An I/O error
and a permission error cannot be provoked on a healthy local disk: those two are built
with the result code SQLite would give them (an extended code, to check that only the
primary code counts).
"""

import errno
import logging
import sqlite3

import pytest
import sqlite_utils

from models.core import errors
from models.core.db import Ledger, Operator
from models.core.errors import EnvironmentProblem, ValidationError, bug_message, classify, log_bug
from models.ledger import open_db
from models.residents import search as residents
from tests.ledger_faults import BUSY, corrupt_table, locked, shared_file, user_dir  # noqa: F401 - fixtures


@pytest.fixture
def shared_ledger(shared_file, clock):
    """The ledger of ``shared_file``, open."""
    led = open_db(shared_file, operator=Operator("测试员"), clock=clock, create=False)
    yield led
    led.close()


def _raised(action) -> BaseException:
    try:
        action()
    except BaseException as exc:  # noqa: BLE001 - the test wants whatever SQLite raised
        return exc
    raise AssertionError("no error")


def busy_read(tmp_path, ledger):
    with locked(ledger.path):
        return _raised(lambda: ledger.query("SELECT name FROM residents"))


def table_locked(tmp_path, ledger):
    a = sqlite3.connect("file:locked?mode=memory&cache=shared", uri=True, isolation_level=None)
    b = sqlite3.connect("file:locked?mode=memory&cache=shared", uri=True, isolation_level=None)
    a.execute("CREATE TABLE t (x)")
    a.execute("BEGIN")
    a.execute("INSERT INTO t VALUES (1)")
    try:
        return _raised(lambda: b.execute("SELECT * FROM t").fetchall())
    finally:
        a.close()
        b.close()


def read_only(tmp_path, ledger):
    conn = sqlite3.connect(f"file:{ledger.path}?mode=ro", uri=True)
    try:
        return _raised(lambda: conn.execute("DELETE FROM residents"))
    finally:
        conn.close()


def disk_full(tmp_path, ledger):
    pages = ledger.scalar("PRAGMA page_count")
    ledger.conn.execute(f"PRAGMA max_page_count = {pages}")
    return _raised(lambda: ledger.db.execute("INSERT INTO tags (name) VALUES (?)", ["很长的标签" * 2000]))


def corrupt(tmp_path, ledger):
    ledger.close()
    corrupt_table(ledger.path, "residents")
    conn = sqlite3.connect(str(ledger.path))
    try:
        return _raised(lambda: conn.execute("SELECT * FROM residents").fetchall())
    finally:
        conn.close()


def cannot_open(tmp_path, ledger):
    return _raised(lambda: sqlite3.connect(str(tmp_path / "没有这个文件夹" / "台账.db")))


def not_a_ledger(tmp_path, ledger):
    junk = tmp_path / "照片.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0 not a database" * 300)
    conn = sqlite3.connect(str(junk))
    try:
        return _raised(lambda: conn.execute("SELECT * FROM sqlite_master").fetchall())
    finally:
        conn.close()


def io_error(tmp_path, ledger):
    exc = sqlite3.OperationalError("disk I/O error")
    exc.sqlite_errorcode = 522  # SQLITE_IOERR_SHORT_READ
    return exc


def permission(tmp_path, ledger):
    exc = sqlite3.OperationalError("access permission denied")
    exc.sqlite_errorcode = 3
    return exc


@pytest.mark.parametrize("make,code,message", [
    (busy_read, 5, BUSY),
    (table_locked, 6, BUSY),
    (read_only, 8, "台账文件是只读的"),
    (disk_full, 13, "磁盘空间已满"),
    (corrupt, 11, "台账文件已损坏"),
    (cannot_open, 14, "无法打开台账文件"),
    (not_a_ledger, 26, "不是网格台账文件"),
    (io_error, 10, "读写台账文件时出错"),
    (permission, 3, "没有访问台账文件的权限"),
])
def test_sqlite_errors_are_sorted_by_their_result_code(make, code, message, tmp_path, shared_ledger):
    exc = make(tmp_path, shared_ledger)
    assert isinstance(exc, sqlite3.Error)
    assert errors.sqlite_code(exc) == code
    problem = classify(exc)
    assert isinstance(problem, EnvironmentProblem)
    assert message in str(problem)
    assert problem.__cause__ is exc


@pytest.mark.parametrize("exc,message", [
    (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间已满"),
    (PermissionError(errno.EACCES, "Permission denied", "D:\\导出\\居民.xlsx"), "没有写入权限：D:\\导出\\居民.xlsx"),
    (OSError(errno.EROFS, "Read-only file system"), "没有写入权限"),
])
def test_disk_full_and_permission_os_errors_are_the_environment(exc, message):
    assert message in str(classify(exc))


def test_a_ledger_error_stays_as_it_is():
    exc = ValidationError("请填写姓名。", "name")
    assert classify(exc) is exc


def test_everything_else_is_a_bug(ledger):
    constraint = _raised(lambda: ledger.db.execute("INSERT INTO settings (key) VALUES (NULL)"))
    assert isinstance(constraint, sqlite3.IntegrityError)
    closed = sqlite3.connect(":memory:")
    closed.close()
    no_code = _raised(lambda: closed.execute("SELECT 1"))
    for exc in (constraint, no_code, ZeroDivisionError("division by zero"), KeyError("name"),
                FileNotFoundError(errno.ENOENT, "No such file")):
        assert classify(exc) is None, exc


def test_a_locked_read_through_a_models_function(shared_ledger):
    """Not only writes: a page of residents read while another PC writes is the same kind."""
    assert residents.search_page(shared_ledger, residents.ResidentFilter())[0]
    with locked(shared_ledger.path), pytest.raises(sqlite3.OperationalError) as raised:
        residents.search_page(shared_ledger, residents.ResidentFilter())
    assert str(classify(raised.value)) == BUSY


# -- the boundaries inside models: Ledger.write and connect -----------------------------------

def test_write_on_a_read_only_ledger_says_so(tmp_path, shared_ledger):
    conn = sqlite3.connect(f"file:{shared_ledger.path}?mode=ro", uri=True)
    ro = Ledger(sqlite_utils.Database(conn), shared_ledger.path, operator=Operator("测试员"))
    with pytest.raises(EnvironmentProblem, match="只读") as raised:
        with ro.write():
            ro.db.execute("INSERT INTO tags (name) VALUES ('新标签')")
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
    ro.close()


def test_write_on_a_full_disk_says_so(tmp_path, shared_ledger):
    shared_ledger.conn.execute(f"PRAGMA max_page_count = {shared_ledger.scalar('PRAGMA page_count')}")
    with pytest.raises(EnvironmentProblem, match="磁盘空间已满"):
        with shared_ledger.write():
            shared_ledger.db.execute("INSERT INTO tags (name) VALUES (?)", ["很长的标签" * 2000])
    assert shared_ledger.scalar("SELECT COUNT(*) FROM tags WHERE length(name) > 100") == 0


def test_a_bug_inside_write_is_not_disguised(ledger):
    with pytest.raises(sqlite3.IntegrityError):
        with ledger.write():
            ledger.db.execute("INSERT INTO settings (key) VALUES (NULL)")


def test_opening_a_locked_ledger_says_so(shared_file):
    with locked(shared_file), pytest.raises(EnvironmentProblem, match=BUSY):
        open_db(shared_file, create=False)


def test_opening_a_corrupt_ledger_says_so(tmp_path, shared_ledger):
    page_size = shared_ledger.scalar("PRAGMA page_size")
    shared_ledger.close()
    with open(shared_ledger.path, "r+b") as f:  # the schema page itself
        f.seek(100)
        f.write(b"\xff" * (page_size - 100))
    with pytest.raises(EnvironmentProblem, match="台账文件已损坏"):
        open_db(shared_ledger.path, create=False)


def test_opening_a_ledger_in_a_missing_folder_says_so(tmp_path):
    with pytest.raises(EnvironmentProblem, match="无法打开台账文件"):
        open_db(tmp_path / "没有这个文件夹" / "台账.db")


# -- bugs: logged with the traceback, never with ID numbers -------------------------------------

def test_log_bug_writes_the_traceback_and_masks_id_numbers(user_dir):
    path = user_dir / "logs" / "gridledger.log"
    assert errors.setup_logging(path)

    def compute(id_number):
        raise ValueError(f"无法处理 {id_number}")

    try:
        compute("11010519491231002X")
    except ValueError as exc:
        log_bug(exc)
    text = path.read_text(encoding="utf-8")
    assert "Traceback" in text and "ValueError" in text and "in compute" in text
    assert "11010519491231002X" not in text and "110105********002X" in text


def test_log_bug_masks_mobile_numbers_too(user_dir):
    path = user_dir / "logs" / "gridledger.log"
    assert errors.setup_logging(path)
    try:
        raise ValueError("电话 13812345678 无效；时间 20261015093000123")
    except ValueError as exc:
        log_bug(exc)
    text = path.read_text(encoding="utf-8")
    assert "13812345678" not in text and "138****5678" in text
    assert "20261015093000123" in text      # a long number that is neither stays as it is


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize("text, hidden, shown", [
    ("11010519491231002X", ["11010519491231002X", "19491231"], ["110105********002X"]),
    ("身份证 " + "11010519491231002X".translate(ARABIC_INDIC), ["١٩٤٩١٢٣١"], ["110105********002X"]),
    ("11010519491231002X".translate(FULL_WIDTH), ["１９４９１２３１"], ["110105********002X"]),
    ("110105194912310፩2X", ["19491231"], ["110105********012X"]),       # an Ethiopic digit one
    ("110105 19491231 002X", ["19491231"], ["110105********002X"]),      # written in groups
    ("110105-19491231-002X", ["19491231"], ["110105********002X"]),
    ("138 1234 5678 或 138-1234-5678", ["1234"], ["138****5678 或 138****5678"]),
    ("１３８１２３４５６７８", ["１２３４", "1234"], ["138****5678"]),
    ("20261015093000123 与 2026-10-15", [], ["20261015093000123 与 2026-10-15"]),   # neither: kept
])
def test_scrub_masks_numbers_in_any_digits(text, hidden, shown):
    scrubbed = errors.scrub(text)
    for part in hidden:
        assert part not in scrubbed
    for part in shown:
        assert part in scrubbed


def test_setup_logging_moves_the_log_instead_of_writing_two(user_dir):
    first, second = user_dir / "a" / "x.log", user_dir / "b" / "x.log"
    assert errors.setup_logging(first) and errors.setup_logging(first)
    assert errors.setup_logging(second)
    ours = [h for h in errors.log.handlers if getattr(h, "gridledger_log", False)]
    assert [h.baseFilename for h in ours] == [str(second)]
    errors.log.error("只写一处")
    assert "只写一处" in second.read_text(encoding="utf-8")
    assert "只写一处" not in first.read_text(encoding="utf-8")


def test_setup_logging_in_a_read_only_place_gives_up_quietly(tmp_path):
    blocker = tmp_path / "文件"
    blocker.write_text("不是文件夹")
    assert errors.setup_logging(blocker / "logs" / "x.log") is False


def test_the_bug_message_is_calm_and_says_where_the_log_is(tmp_path):
    text = bug_message(tmp_path / "gridledger.log")
    assert text.startswith("程序内部出错") and str(tmp_path / "gridledger.log") in text
    assert "Traceback" not in text


def test_log_bug_propagates_to_pytest_so_tests_see_bugs(caplog):
    with caplog.at_level(logging.ERROR, logger="gridledger"):
        log_bug(ZeroDivisionError("division by zero"))
    assert "ZeroDivisionError" in caplog.text
