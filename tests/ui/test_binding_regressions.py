"""Guards against known bugs of the Qt binding we pin (requirements.txt).

PySide6 6.12.0 on CPython 3.11 loses a reference to ``None`` on every ``setText``,
``addItem``, ``setItem`` … call; after ~5,000 calls the process dies with
"Fatal Python error: none_dealloc".  A clerk's working day makes far more calls, so
we pin 6.11.3, which does not have the bug.  This test fails (the child process
aborts) if the pin is ever moved to a broken version.
"""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication, QComboBox, QLabel
    app = QApplication([])
    label, combo = QLabel(), QComboBox()
    before = sys.getrefcount(None)
    calls = before + 2000          # more calls than None has references
    for i in range(calls):
        label.setText("网格台账")
    for i in range(2000):
        combo.addItem(str(i))
    lost = before - sys.getrefcount(None)
    print("lost", lost)
""")


def test_qt_calls_do_not_leak_references_to_none():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    lost = int(done.stdout.split()[-1])
    assert lost < 100
