"""``main.py demo / check / export residents / backup / restore`` end to end, as a clerk's script would.

In-process (``cli``) except one real ``python main.py`` per command: demo, check, export, backup, restore.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from tests.e2e.cli_helpers import main_py


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """A small demo ledger, built once for this file (copied per test that writes)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = main_py("--db", path, "demo", "--households", 60, "--seed", 7)
    assert result.returncode == 0, result.stderr
    assert "完成" in result.stdout and "名居民" in result.stdout
    return path


@pytest.fixture
def db(demo_db, tmp_path):
    copy = tmp_path / "ledger.db"
    src = sqlite3.connect(demo_db)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    return copy


def test_demo_is_realistic_and_checks_clean(db):
    conn = sqlite3.connect(db)
    q = lambda sql: conn.execute(sql).fetchone()[0]   # noqa: E731
    assert q("SELECT COUNT(*) FROM households") == 60
    residents = q("SELECT COUNT(*) FROM residents")
    assert 100 <= residents <= 300
    assert q("SELECT COUNT(*) FROM grids") >= 1
    assert q("SELECT name FROM communities WHERE is_own = 1") == "幸福社区"
    assert q("SELECT COUNT(*) FROM households WHERE head_resident_id IS NULL") == 0
    assert q("SELECT COUNT(DISTINCT role) FROM staff") >= 3
    # every ID number is valid (as of the day the demo was built) and matches birth date and gender
    from models.core.idcard import check_id

    built_on = dt.date.fromisoformat(q("SELECT MAX(at) FROM audit_log")[:10])
    for number, birth, gender in conn.execute("SELECT id_number, birth_date, gender FROM residents"
                                              " WHERE id_number IS NOT NULL"):
        result = check_id(number, built_on)
        assert (result.value, result.birth_date, result.gender) == (number, birth, gender)
    # the search index covers everyone
    assert q("SELECT COUNT(*) FROM residents r WHERE NOT EXISTS (SELECT 1 FROM resident_search s"
             " WHERE s.resident_id = r.id AND s.token = 'c:' || substr(r.name, 1, 1))") == 0
    # one audit row for the whole demo
    assert q("SELECT COUNT(*) FROM audit_log WHERE action = '生成演示数据'") == 1
    assert q("SELECT COUNT(*) FROM audit_log WHERE table_name = 'residents'") == 0
    conn.close()
    result = main_py("--db", db, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "检查通过" in result.stdout


def test_demo_refuses_a_ledger_with_residents(db, cli):
    result = cli("--db", db, "demo", "--households", 5)
    assert result.returncode == 1
    assert "已有居民数据" in result.stderr


def test_demo_usage_errors_exit_2(tmp_path, cli):
    assert cli("--db", tmp_path / "x.db", "demo", "--households", 0).returncode == 2
    assert cli("--db", tmp_path / "x.db", "demo", "--households", "abc").returncode == 2
    assert not (tmp_path / "x.db").exists()


def test_export_csv_masked_and_full(db, tmp_path, cli):
    masked = tmp_path / "residents.csv"
    result = main_py("--db", db, "export", "residents", "--out", masked)
    assert result.returncode == 0, result.stderr
    assert "身份证号已脱敏" in result.stdout
    raw = masked.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                       # BOM: Excel reads UTF-8
    lines = masked.open(encoding="utf-8-sig")
    title = next(csv.reader(lines))[0]
    assert title.startswith("幸福社区居民台账　筛选：全部居民") and "身份证号已隐去中间位" in title
    rows = list(csv.DictReader(lines))
    conn = sqlite3.connect(db)
    assert len(rows) == conn.execute("SELECT COUNT(*) FROM residents").fetchone()[0]
    ids = [r["身份证号"] for r in rows if r["身份证号"]]
    assert ids and all("********" in i and len(i) == 18 for i in ids)
    assert {"姓名", "联系电话", "所属网格", "楼栋", "单元", "房号", "人员状态"} <= rows[0].keys()

    full = tmp_path / "full.csv"
    result = cli("--db", db, "export", "residents", "--out", full, "--full-ids")
    assert result.returncode == 0 and "审计" in result.stdout
    lines = full.open(encoding="utf-8-sig")
    assert "身份证号完整" in next(csv.reader(lines))[0]
    full_ids = [r["身份证号"].strip() for r in csv.DictReader(lines) if r["身份证号"]]
    stored = {r[0] for r in conn.execute("SELECT id_number FROM residents WHERE id_number IS NOT NULL")}
    assert set(full_ids) == stored
    audit = conn.execute("SELECT operator, new_value FROM audit_log WHERE action = '导出完整身份证号'").fetchall()
    assert len(audit) == 1 and json.loads(audit[0][1])["rows"] == len(rows)
    conn.close()


def test_export_xlsx_id_and_phone_cells_are_text(db, tmp_path, cli):
    for extra, check in (((), lambda v: "********" in v), (("--full-ids",), lambda v: v.isdigit() or v[-1] == "X")):
        out = tmp_path / f"residents{len(extra)}.xlsx"
        result = cli("--db", db, "export", "residents", "--out", out, *extra)
        assert result.returncode == 0, result.stderr
        ws = openpyxl.load_workbook(out).active
        assert ws["A1"].value.startswith("幸福社区居民台账") and ws["A1"].font.bold and ws.freeze_panes == "A3"
        header = [c.value for c in ws[2]]
        assert all(c.font.bold for c in ws[2])
        id_col, phone_col = header.index("身份证号"), header.index("联系电话")
        cells = [row[id_col] for row in ws.iter_rows(min_row=3) if row[id_col].value]
        assert cells
        for cell in cells:
            assert cell.data_type == "s" and cell.number_format == "@" and check(cell.value)
        phones = [row[phone_col] for row in ws.iter_rows(min_row=3) if row[phone_col].value]
        assert phones and all(c.data_type == "s" and c.number_format == "@" for c in phones)


def test_export_usage_errors(db, tmp_path, cli):
    result = cli("--db", db, "export", "residents", "--out", tmp_path / "x.pdf")
    assert result.returncode == 2 and "xlsx" in result.stderr
    assert cli("--db", db, "export", "nonsense", "--out", tmp_path / "x.csv").returncode == 2
    assert cli("--db", tmp_path / "missing.db", "export", "residents", "--out", tmp_path / "x.csv").returncode == 1


def test_backup_restore_round_trip(db, tmp_path, cli):
    backup = tmp_path / "备份" / "ledger-backup.db"
    missing = cli("--db", db, "backup", "--out", backup)   # a mistyped folder is not created
    assert missing.returncode == 1 and "文件夹不存在" in missing.stderr and not backup.parent.exists()
    backup.parent.mkdir()
    result = main_py("--db", db, "backup", "--out", backup)
    assert result.returncode == 0, result.stderr
    assert backup.exists()
    before = sqlite3.connect(db).execute("SELECT COUNT(*) FROM residents").fetchone()[0]
    # damage the working ledger's content, then restore the backup over it
    conn = sqlite3.connect(db)
    conn.execute("UPDATE residents SET name = '被改坏' WHERE id = 1")
    conn.commit()
    conn.close()
    refused = cli("--db", db, "restore", backup)       # no terminal to confirm on: --yes
    assert refused.returncode == 1 and "--yes" in refused.stderr and "恢复后：居民" in refused.stdout
    result = main_py("--db", db, "restore", backup, "--yes")
    assert result.returncode == 0, result.stderr
    assert "恢复后：居民" in result.stdout and "原台账已保留为" in result.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM residents").fetchone()[0] == before
    assert conn.execute("SELECT name FROM residents WHERE id = 1").fetchone()[0] != "被改坏"
    conn.close()
    assert list(db.parent.glob(f"{db.stem}.替换前-*{db.suffix}"))
    if os.name == "posix":
        assert backup.stat().st_mode & 0o777 == 0o600
    assert cli("--db", db, "check").returncode == 0
    # a second backup to the same name is refused, not overwritten
    again = cli("--db", db, "backup", "--out", backup)
    assert again.returncode == 1 and "已存在" in again.stderr


def test_restore_refuses_a_file_that_is_not_a_ledger(db, tmp_path, cli):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    before = db.read_bytes()
    result = cli("--db", db, "restore", junk, "--yes")
    assert result.returncode == 1 and "不是网格台账的备份文件" in result.stderr
    assert db.read_bytes() == before
