"""Running the command line in tests: in-process through ``cli.run(argv)`` (fast), or as a real process.

``in_process(capsys, *args)`` (the ``cli`` fixture of tests/e2e/conftest.py) runs ``main.py
args…`` in this process and returns ``(returncode, stdout, stderr)`` like a finished
subprocess; ``main_py(*args)`` really starts ``python main.py`` (a few tests per command
family do, to prove the entry point works).  Both see ``GRIDLEDGER_NOW`` as the session
sets it (``--now``, tests/conftest.py) unless a test sets its own with
``monkeypatch.setenv`` (or ``env=`` for ``main_py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from cli import run as cli_run

ROOT = Path(__file__).resolve().parents[2]


class Done(NamedTuple):
    """What a command did: exit status and its output (as ``subprocess.CompletedProcess`` has them)."""

    returncode: int
    stdout: str
    stderr: str


def in_process(capsys, *args) -> Done:
    """``main.py args…`` run in this process through ``cli.run``; output captured by ``capsys``."""
    capsys.readouterr()                       # only this command's output
    try:
        code = cli_run([str(a) for a in args])
    except SystemExit as exc:                 # argparse: usage errors and --help
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out = capsys.readouterr()
    return Done(code, out.out, out.err)


def main_py(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python main.py args…`` as a real process (UTF-8 output, the session's environment + ``env``)."""
    environ = dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {}))
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT, env=environ,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
