"""The None-refcount guard against PySide6 6.12's lost references (ui/qt_workarounds.py)."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    calls = sys.getrefcount(None) + 1000  # more calls than None has references (unguarded)
    if sys.argv[1] == "guarded":
        from ui.qt_workarounds import guard_none_refcount
        guard_none_refcount()
    from PySide6.QtWidgets import QApplication, QLabel
    app = QApplication([])
    label = QLabel()
    for _ in range(calls):
        label.setText("网格台账")
    print("survived")
""")


def _run(mode: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SCRIPT.format(root=str(ROOT)), mode],
                          capture_output=True, text=True, timeout=120)


def test_guard_keeps_a_long_session_alive():
    assert _run("guarded").stdout.strip() == "survived"


def test_guard_is_a_no_op_where_none_is_immortal():
    from ui.qt_workarounds import guard_none_refcount

    applied = guard_none_refcount()
    assert applied is (sys.version_info < (3, 12))
    assert sys.getrefcount(None) > 1 << 30 or not applied
