"""``main.py import residents FILE [--dry-run] [--update]``: counts, rejected rows by sheet and
row, exit status 0 / 1 / 2, unreadable files (SPEC §8)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from cli import run
from models.ledger import open_db
from models.core.idcard import make_id
from tests.e2e.cli_helpers import main_py


def _id(n: int) -> str:
    return make_id("110101", dt.date(1960, 1, 1) + dt.timedelta(days=n), 11 + 2 * n)


def _book(path: Path, rows: list[list], sheets: int = 1) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for s in range(sheets):
        ws = wb.create_sheet(f"第{s + 1}网格")
        ws.append(["幸福社区居民信息台账"])
        ws.append(["姓名", "性别", "身份证号码", "联系电话", "所属网格", "楼栋", "单元", "房号", "与户主关系"])
        for r in rows:
            ws.append([(v[1:] + "甲乙丙丁"[s]) if isinstance(v, str) and v.startswith("@") else v for v in r])
    wb.save(path)
    return path


def _residents(db: Path) -> int:
    ledger = open_db(db, create=False)
    try:
        return ledger.scalar("SELECT COUNT(*) FROM residents")
    finally:
        ledger.close()


GOOD = [["张三", "男", _id(1), "13800000001", "第一网格", "1号楼", "1单元", "101", "户主"],
        ["李梅", "女", _id(2).replace(_id(2), make_id("110101", dt.date(1962, 5, 5), 22)), "13800000002",
         "第一网格", "1号楼", "1单元", "101", "配偶"]]


def test_all_rows_in_exit_0(ledger_path, tmp_path, capsys):
    path = _book(tmp_path / "good.xlsx", GOOD)
    assert run(["--db", str(ledger_path), "import", "residents", str(path)]) == 0
    out = capsys.readouterr().out
    assert "读取 2 行：将导入 2 行（其中有警告 0 行），拒绝 0 行。" in out
    assert "导入完成：新增 2 条" in out
    assert _residents(ledger_path) == 2


def test_a_rows_problems_read_as_one_line(ledger_path, tmp_path, capsys):
    rows = GOOD + [["赵七", "男", _id(4)[:17], "138", "第一网格", "1号楼", "1单元", "104", "户主"]]
    path = _book(tmp_path / "bad.xlsx", rows)
    assert run(["--db", str(ledger_path), "import", "residents", str(path), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "读取 3 行：将导入 2 行（其中有警告 0 行），拒绝 1 行。" in out
    line = next(line for line in out.splitlines() if "第 5 行" in line)
    assert "现在是17位；联系电话有误" in line and "。；" not in line


def test_some_rejected_exit_1_valid_rows_still_imported(ledger_path, tmp_path, capsys):
    rows = GOOD + [[None, "男", _id(3), "13800000003", "第一网格", "1号楼", "1单元", "102", "户主"],
                   ["王五", "男", _id(1), "13800000004", "第一网格", "1号楼", "1单元", "103", "户主"]]
    path = _book(tmp_path / "mixed.xlsx", rows)
    assert run(["--db", str(ledger_path), "import", "residents", str(path)]) == 1
    out = capsys.readouterr().out
    assert "工作表“第1网格”第 5 行：缺少姓名" in out
    assert "工作表“第1网格”第 6 行：身份证号 110101********" in out and "与本文件第 3 行重复" in out
    assert "拒绝 2 条" in out
    assert _residents(ledger_path) == 2


def test_dry_run_writes_nothing(ledger_path, tmp_path, capsys):
    rows = GOOD + [[None, "男", _id(3), "13800000003", "第一网格", "1号楼", "1单元", "102", "户主"]]
    path = _book(tmp_path / "dry.xlsx", rows)
    assert run(["--db", str(ledger_path), "import", "residents", str(path), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "检查完成（未写入）：新增 2 条" in out and "--dry-run" in out
    assert _residents(ledger_path) == 0


def test_update_flag(ledger_path, tmp_path, capsys):
    path = _book(tmp_path / "a.xlsx", GOOD)
    assert run(["--db", str(ledger_path), "import", "residents", str(path)]) == 0
    changed = [list(GOOD[0]), list(GOOD[1])]
    changed[0][3] = "13900000009"
    path = _book(tmp_path / "b.xlsx", changed)
    assert run(["--db", str(ledger_path), "import", "residents", str(path)]) == 0
    assert "跳过 2 条（台账中已有）" in capsys.readouterr().out
    assert run(["--db", str(ledger_path), "import", "residents", str(path), "--update"]) == 0
    assert "更新 1 条，跳过 1 条" in capsys.readouterr().out        # 李梅 had nothing to change
    ledger = open_db(ledger_path, create=False)
    assert ledger.scalar("SELECT phone FROM residents WHERE name = '张三'") == "13900000009"
    ledger.close()


def test_several_sheets_reported_by_sheet(ledger_path, tmp_path, capsys):
    rows = [["@居民", "男", None, "13800000001", "第一网格", "1号楼", "1单元", "101", "户主"]]
    path = _book(tmp_path / "sheets.xlsx", rows, sheets=3)
    assert run(["--db", str(ledger_path), "import", "residents", str(path)]) == 0
    out = capsys.readouterr().out
    for s in (1, 2, 3):
        assert f"工作表“第{s}网格”第 3 行：缺少身份证号" in out
    assert _residents(ledger_path) == 3


@pytest.mark.parametrize("name, content, words", [
    ("empty.xlsx", b"", "空文件"),
    ("notes.xlsx", b"\x00\x01\x02\x03binary junk" * 50, "不是"),
    ("encrypted.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
     + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1024, "加密"),
    ("shopping.csv", "苹果,3斤\n梨,2斤\n".encode("gbk"), "没有找到可识别的表头"),
])
def test_unreadable_file_one_message_exit_1_nothing_written(ledger_path, tmp_path, capsys, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    assert run(["--db", str(ledger_path), "import", "residents", str(path)]) == 1
    captured = capsys.readouterr()
    assert words in captured.err and "台账没有任何改动" in captured.err
    assert "Traceback" not in captured.err
    assert _residents(ledger_path) == 0


def test_missing_file_exit_1(ledger_path, tmp_path, capsys):
    assert run(["--db", str(ledger_path), "import", "residents", str(tmp_path / "none.xlsx")]) == 1
    assert "找不到文件" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["import", "residents"],                         # no file
    ["import", "people", "x.xlsx"],                  # unknown kind
    ["import", "residents", "x.xlsx", "--bogus"],    # unknown option
])
def test_usage_errors_exit_2(ledger_path, argv, capsys):
    with pytest.raises(SystemExit) as info:
        run(["--db", str(ledger_path)] + argv)
    assert info.value.code == 2
    assert "用法错误" in capsys.readouterr().err


def test_real_entry_point(ledger_path, tmp_path):
    path = _book(tmp_path / "good.xlsx", GOOD + [[None, "男", _id(5), None, None, None, None, None, None]])
    done = main_py("--db", ledger_path, "import", "residents", path)
    assert done.returncode == 1, done.stderr
    assert "工作表“第1网格”第 5 行：缺少姓名" in done.stdout
    assert _residents(ledger_path) == 2


def test_ledger_without_a_community_name_gets_one_message(tmp_path, capsys):
    db = tmp_path / "new.db"
    path = _book(tmp_path / "good.xlsx", GOOD)
    assert run(["--db", str(db), "import", "residents", str(path)]) == 1
    err = capsys.readouterr().err
    assert "还没有设置本社区的名称" in err
    assert not db.exists()          # nothing went in: no empty ledger left behind (issue 16)


def _spells(db: Path) -> dict[str, list[tuple]]:
    ledger = open_db(db, create=False)
    try:
        out: dict[str, list[tuple]] = {}
        for r in ledger.query("SELECT r.name, g.name AS grid, s.from_date, s.to_date FROM residence_spells s"
                              " JOIN residents r ON r.id = s.resident_id"
                              " JOIN households h ON h.id = s.household_id JOIN grids g ON g.id = h.grid_id"
                              " ORDER BY s.id"):
            out.setdefault(r["name"], []).append((r["grid"], r["from_date"], r["to_date"]))
        return out
    finally:
        ledger.close()


@pytest.mark.parametrize("extra, since", [
    ([], "2026-12-02"),                                     # no 迁入日期: from the import's day
    (["--present-since", "2020-01-01"], "2020-01-01"),      # the clerk knows since when
])
def test_rows_without_a_move_in_date_are_present_from_the_import_or_the_given_day(
        ledger_path, tmp_path, capsys, monkeypatch, extra, since):
    monkeypatch.setenv("GRIDLEDGER_NOW", "2026-12-02T10:00")
    path = _book(tmp_path / "good.xlsx", GOOD)
    assert run(["--db", str(ledger_path), "import", "residents", str(path), *extra]) == 0
    assert _spells(ledger_path) == {"张三": [("第一网格", since, None)], "李梅": [("第一网格", since, None)]}


def test_present_since_is_for_residents_and_needs_a_date(ledger_path, tmp_path, capsys):
    path = _book(tmp_path / "good.xlsx", GOOD)
    assert run(["--db", str(ledger_path), "import", "residents", str(path), "--present-since", "去年"]) == 2
    assert "--present-since" in capsys.readouterr().err
    assert run(["--db", str(ledger_path), "import", "visits", str(path), "--present-since", "2020-01-01"]) == 2
    assert "只用于导入居民" in capsys.readouterr().err


def test_update_from_next_months_book_records_moves_on_their_dates(ledger_path, tmp_path, capsys, monkeypatch):
    """``--update`` with a newer book: 张三 moved to 第二网格 on 20 November (变动日期) — a new spell
    from that day, so October and the first weeks of November keep him in 第一网格."""
    monkeypatch.setenv("GRIDLEDGER_NOW", "2026-10-01T10:00")
    first = _book(tmp_path / "october.xlsx", GOOD)
    assert run(["--db", str(ledger_path), "import", "residents", str(first), "--present-since", "2020-01-01"]) == 0
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "身份证号码", "联系电话", "所属网格", "楼栋", "单元", "房号", "与户主关系",
               "人员状态", "变动日期"])
    ws.append(["张三", "男", _id(1), "13800000001", "第二网格", "5号楼", "1单元", "501", "户主", "在册", "2026-11-20"])
    newer = tmp_path / "december.xlsx"
    wb.save(newer)
    monkeypatch.setenv("GRIDLEDGER_NOW", "2026-12-02T10:00")
    assert run(["--db", str(ledger_path), "import", "residents", str(newer), "--update"]) == 0
    assert _spells(ledger_path)["张三"] == [("第一网格", "2020-01-01", "2026-11-20"), ("第二网格", "2026-11-20", None)]
