"""Usage errors exit 2 with a Chinese message (SPEC §8), and --help speaks Chinese too."""

import subprocess
import sys
from pathlib import Path

import pytest

MAIN = str(Path(__file__).resolve().parents[2] / "main.py")


def run(*args):
    return subprocess.run([sys.executable, MAIN, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args,expected", [
    (["report", "monthly", "--out", "x.pdf"], "必须给出以下参数之一：--month --year"),
    (["export", "foo", "--out", "x.csv"], "无效的选项 'foo'"),
    (["demo", "--households", "abc"], "无效的值 'abc'（应为整数）"),
    (["import", "residents"], "缺少必需的参数：file"),
    (["check", "--nonsense"], "无法识别的参数：--nonsense"),
])
def test_usage_errors_exit_2_in_chinese(args, expected):
    done = run(*args)
    assert done.returncode == 2
    assert "用法错误：" in done.stderr and expected in done.stderr
    assert "error:" not in done.stderr and "usage:" not in done.stderr


def test_help_is_chinese():
    done = run("--help")
    assert done.returncode == 0
    assert done.stdout.startswith("用法：") and "显示本帮助并退出" in done.stdout
