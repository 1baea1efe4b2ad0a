"""Work-arounds for bugs of the Qt binding itself (not of our code).

PySide6 6.12.0 on CPython 3.11 loses a reference to ``None`` on many calls (every
``QLabel.setText``, ``QTableWidget.setItem``, ``QComboBox.addItem`` … returns ``None``
without counting it; measured: 5,000 ``setText`` calls, then "Fatal Python error:
none_dealloc: deallocating None").  A clerk's long session would end in such a
crash.  From CPython 3.12 on, ``None`` is immortal and the bug is harmless; on 3.11
we give ``None`` a reference count so large that no session can use it up.
"""

from __future__ import annotations

import ctypes
import sys

#: 2**40 references: at a million lost references per second, thirty-five years.
_HEADROOM = 1 << 40


def guard_none_refcount() -> bool:
    """Make ``None`` practically immortal on CPython < 3.12.  Returns True when applied."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is the first field of every object
    if refcount.value < _HEADROOM // 2:
        refcount.value += _HEADROOM
    return True
