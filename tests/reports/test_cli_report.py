"""``python main.py report …``: exit codes, Chinese usage errors, a complete PDF or none."""

from __future__ import annotations

import pytest

from cli import run
from models.core.db import Operator
from models.ledger import open_db
from tests.reports.report_helpers import build_sample, pdf_text


@pytest.fixture
def sample_path(ledger_path, clock):
    led = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    build_sample(led, clock)
    led.close()
    return ledger_path


@pytest.mark.parametrize("kind, period, expected", [
    ("monthly", ["--month", "2026-10"], "月度评比通报"),
    ("scorecards", ["--month", "2026-10"], "网格评分卡"),
    ("annual", ["--year", "2026"], "年度网格考评结果"),
    ("ledger", ["--month", "2026-10"], "矛盾纠纷排查调处台账"),
])
def test_report_writes_the_pdf(sample_path, tmp_path, capsys, kind, period, expected):
    out = tmp_path / f"{kind}.pdf"
    assert run(["--db", str(sample_path), "report", kind, *period, "--out", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    assert expected in pdf_text(out)
    assert "已生成" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report-")] == []


@pytest.mark.parametrize("args, message", [
    (["monthly", "--year", "2026"], "需要 --month"),
    (["scorecards", "--year", "2026"], "需要 --month"),
    (["ledger", "--year", "2026"], "需要 --month"),
    (["annual", "--month", "2026-10"], "需要 --year"),
    (["monthly", "--month", "2026-13"], "格式不对"),
    (["monthly", "--month", "10/2026"], "格式不对"),
    (["annual", "--year", "26"], "不合理"),
    (["monthly", "--month", "2026-10", "--out-x"], "用法错误"),
])
def test_usage_errors_exit_2_in_chinese(sample_path, tmp_path, capsys, args, message):
    if "--out-x" in args:
        argv = ["--db", str(sample_path), "report", *args[:-1]]  # --out missing
    else:
        argv = ["--db", str(sample_path), "report", *args, "--out", str(tmp_path / "x.pdf")]
    with pytest.raises(SystemExit) as exit_info:
        code = run(argv)
        raise SystemExit(code)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_out_must_be_a_pdf(sample_path, tmp_path, capsys):
    code = run(["--db", str(sample_path), "report", "monthly", "--month", "2026-10",
                "--out", str(tmp_path / "x.xlsx")])
    assert code == 2 and ".pdf" in capsys.readouterr().err


def test_missing_ledger_is_refused(tmp_path, capsys):
    code = run(["--db", str(tmp_path / "nope.db"), "report", "monthly", "--month", "2026-10",
                "--out", str(tmp_path / "x.pdf")])
    assert code == 1
    assert "找不到台账文件" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("args, message", [
    (["monthly", "--month", "2026-12"], "2026年12月还没有到（今天是2026年11月20日），不能打印月度评比通报"),
    (["annual", "--year", "2027"], "2027年还没有到"),
    (["ledger", "--month", "2027-01"], "2027年1月还没有到"),
])
def test_future_periods_are_refused(sample_path, tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.setenv("GRIDLEDGER_NOW", "2026-11-20T09:00")
    code = run(["--db", str(sample_path), "report", *args, "--out", str(tmp_path / "x.pdf")])
    assert code == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_an_annual_assessment_of_a_year_without_work_prints_no_grades(sample_path, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDLEDGER_NOW", "2026-11-20T09:00")
    out = tmp_path / "2025.pdf"
    assert run(["--db", str(sample_path), "report", "annual", "--year", "2025", "--out", str(out)]) == 0
    text = pdf_text(out)
    assert "本年度无数据" in text and "不合格" not in text and "一、等次分布" not in text
