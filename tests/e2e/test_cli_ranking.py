"""``main.py export ranking --month YYYY-MM --out F.csv|F.xlsx`` end to end (SPEC §8); in-process (``cli``)
but for one real ``python main.py`` export and report at a fixed ``GRIDLEDGER_NOW``."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest

from models.evaluation import adjustments, publishing
from models.grids import hierarchy as grids
from models.matters import records as matters
from models.residents import records as residents
from models.visits import records as visits
from models.core.db import Operator
from models.ledger import open_db
from models.core.idcard import make_id
from tests.e2e.cli_helpers import main_py
COLUMNS = ["排名", "社区", "网格", "按期办结率", "群众满意率", "走访覆盖率", "问题发现", "志愿服务", "台账完整率",
           "加减分", "总分"]


@pytest.fixture
def db(ledger_path, clock):
    """三个网格：二网格 80、三网格 80（并列第一）、一网格 40 − 1 = 39 (2026-10)."""
    clock.set(2026, 11, 20, 12, 0, 0)
    led = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    try:
        seq = 0
        homes = {}
        for grid, rooms in (("一网格", ("101", "102")), ("二网格", ("201",)), ("三网格", ("301",))):
            for room in rooms:
                h = grids.ensure_place(led, grids.Place(None, grid, "1号楼", "1单元", room))
                homes[room] = h
                seq += 1
                residents.add_resident(led, {"name": f"居民{'甲乙丙丁'[seq - 1]}", "household_id": h,
                                             "id_number": make_id("110101", dt.date(1980, 1, 1), seq),
                                             "phone": "13800000000", "moved_in_on": "不详"})
        for room, day in (("101", "2026-10-09"), ("201", "2026-10-10"), ("301", "2026-10-11")):
            visits.record_visit(led, visited_on=day, staff_name="王网格员", way="入户", household_ids=[homes[room]])
        a = led.scalar("SELECT id FROM grids WHERE name = '一网格'")
        matters.register_matter(led, {"registered_at": "2026-10-12 09:00:00", "source": "来电",
                                      "category": "环境卫生", "level": "小事", "description": "垃圾堆放",
                                      "grid_id": a, "assignee_name": "王网格员"})
        adjustments.add_adjustment(led, "2026-10", -1, "台账迟交", grid_id=a)
    finally:
        led.close()
    return ledger_path


EXPECTED = [
    ["1", "幸福社区", "二网格", "1.0", "1.0", "1.0", "0.0", "0.0", "1.0", "0.0", "80.0"],
    ["1", "幸福社区", "三网格", "1.0", "1.0", "1.0", "0.0", "0.0", "1.0", "0.0", "80.0"],
    ["3", "幸福社区", "一网格", "0.0", "1.0", "0.5", "0.0", "0.0", "1.0", "-1.0", "39.0"],
]


def test_export_ranking_csv(db, tmp_path, cli):
    out = tmp_path / "排名.csv"
    result = cli("--db", db, "export", "ranking", "--month", "2026-10", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "已导出 3 条评比排名记录" in result.stdout
    assert "未定稿" in result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel/WPS read the Chinese headers right
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows.pop(0)[0].startswith("幸福社区2026-10 网格月度评比排名　未定稿，按当前台账计算，仅供参考　共 3 个网格")
    assert rows[0] == COLUMNS
    assert rows[1:] == EXPECTED


def test_export_ranking_xlsx(db, tmp_path, cli):
    out = tmp_path / "排名.xlsx"
    result = cli("--db", db, "export", "ranking", "--month", "2026-10", "--out", out)
    assert result.returncode == 0, result.stderr
    ws = openpyxl.load_workbook(out).active
    values = list(ws.values)
    assert values.pop(0)[0].startswith("幸福社区2026-10 网格月度评比排名")
    assert list(values[0]) == COLUMNS
    assert [list(r) for r in values[1:]] == [
        [int(r[0]), r[1], r[2], *(float(x) for x in r[3:])] for r in EXPECTED]


@pytest.mark.parametrize("month, out, message", [
    ("2026-13", "x.csv", "月份“2026-13”格式不正确"),
    ("2026-10", "x.txt", "--out 必须是 .xlsx 或 .csv 文件"),
])
def test_export_ranking_usage_errors(db, tmp_path, month, out, message, cli):
    result = cli("--db", db, "export", "ranking", "--month", month, "--out", tmp_path / out)
    assert result.returncode == 2
    assert message in result.stderr
    assert list(tmp_path.glob("x.*")) == []


def test_export_ranking_of_a_published_month_uses_the_published_figures(db, tmp_path, clock, cli):
    led = open_db(db, operator=Operator("测试员"), clock=clock)
    try:
        publishing.publish(led, "2026-10")
        a = led.scalar("SELECT id FROM grids WHERE name = '一网格'")
        adjustments.add_adjustment(led, "2026-10", 50, "定稿后补录", grid_id=a)
    finally:
        led.close()
    out = tmp_path / "排名.csv"
    result = cli("--db", db, "export", "ranking", "--month", "2026-10", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "已定稿第 1 版" in result.stderr
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert "已定稿（第 1 版）" in rows.pop(0)[0]
    assert rows[1:] == EXPECTED  # 一网格 still 39 until republished


def test_real_processes_stand_at_GRIDLEDGER_NOW(db, tmp_path):
    at = {"GRIDLEDGER_NOW": "2026-11-01 00:05"}
    result = main_py("--db", db, "export", "ranking", "--out", tmp_path / "排名.csv", env=at)
    assert result.returncode == 0, result.stderr
    assert "未指定 --month，导出上个月（2026年10月）的排名" in result.stderr  # the month before 2026-11-01
    rows = list(csv.reader((tmp_path / "排名.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert "导出：2026-11-01 00:05" in rows.pop(0)[0]        # the title's time is the ledger's clock too
    assert rows[1:] == EXPECTED
    result = main_py("--db", db, "report", "monthly", "--month", "2026-10", "--out", tmp_path / "通报.pdf", env=at)
    assert result.returncode == 0, result.stderr
    assert "已生成月度评比通报" in result.stdout and (tmp_path / "通报.pdf").read_bytes().startswith(b"%PDF")
    bad = main_py("--db", db, "check", env={"GRIDLEDGER_NOW": "2026-11-31T08:00"})
    assert bad.returncode == 2
    assert "用法错误：环境变量 GRIDLEDGER_NOW 的值“2026-11-31T08:00”无效" in bad.stderr
