"""Usage errors exit 2 with a Chinese message (SPEC §8), --help speaks Chinese too, and
``GRIDLEDGER_NOW`` is checked like an argument.  In-process but for one real ``python main.py``."""

import pytest

from tests.e2e.cli_helpers import main_py


@pytest.mark.parametrize("args,expected", [
    (["report", "monthly", "--out", "x.pdf"], "必须给出以下参数之一：--month --year"),
    (["export", "foo", "--out", "x.csv"], "无效的选项 'foo'"),
    (["demo", "--households", "abc"], "无效的值 'abc'（应为整数）"),
    (["import", "residents"], "缺少必需的参数：file"),
    (["check", "--nonsense"], "无法识别的参数：--nonsense"),
])
def test_usage_errors_exit_2_in_chinese(args, expected, cli):
    done = cli(*args)
    assert done.returncode == 2
    assert "用法错误：" in done.stderr and expected in done.stderr
    assert "error:" not in done.stderr and "usage:" not in done.stderr


@pytest.mark.parametrize("value", ["2026-10-31", "31/10/2026 18:00", "2026-10-31T25:00", "明天"])
def test_a_bad_GRIDLEDGER_NOW_is_a_usage_error(value, cli, monkeypatch, tmp_path):
    monkeypatch.setenv("GRIDLEDGER_NOW", value)
    done = cli("--db", tmp_path / "x.db", "demo", "--households", 1)
    assert done.returncode == 2
    assert f"用法错误：环境变量 GRIDLEDGER_NOW 的值“{value}”无效" in done.stderr
    assert "例如 GRIDLEDGER_NOW=2026-10-31T18:00" in done.stderr
    assert not (tmp_path / "x.db").exists()


def test_help_and_a_usage_error_from_the_real_entry_point():
    done = main_py("--help")
    assert done.returncode == 0
    assert done.stdout.startswith("用法：") and "显示本帮助并退出" in done.stdout
    done = main_py("check", "--nonsense")
    assert done.returncode == 2 and "用法错误：无法识别的参数：--nonsense" in done.stderr
