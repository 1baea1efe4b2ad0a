"""``GRIDLEDGER_NOW``: fix "now" for the command line and the window (tests, demos, training).

``GRIDLEDGER_NOW=2026-10-31T18:00 python main.py …`` makes the program start at that
moment (``T`` or a space between date and time; seconds optional) and run on from
there: the clock ticks with real elapsed time, so a long run stays in order.  Unset
or empty: the real clock.  The value is parsed once, in :func:`cli.run`, into the
clock every ledger the command opens is given (``args.clock``); a malformed value is
a usage error.  See docs/testing.md.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from typing import Callable, Mapping

NOW_VARIABLE = "GRIDLEDGER_NOW"

_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")

Clock = Callable[[], _dt.datetime]


class BadNow(ValueError):
    """``GRIDLEDGER_NOW`` holds something that is not a moment; the message is Chinese."""


def parse_now(text: str) -> _dt.datetime:
    """``2026-10-31T18:00`` / ``2026-10-31 18:00:05`` → a datetime, or :class:`BadNow`."""
    value = text.strip()
    for fmt in _FORMATS:
        try:
            return _dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise BadNow(f"环境变量 {NOW_VARIABLE} 的值“{text}”无效，应为 YYYY-MM-DDTHH:MM[:SS]"
                 f"（例如 {NOW_VARIABLE}=2026-10-31T18:00）。")


def ticking_from(start: _dt.datetime) -> Clock:
    """A clock that reads ``start`` now and runs on with real elapsed (monotonic) time."""
    origin = time.monotonic()
    return lambda: start + _dt.timedelta(seconds=time.monotonic() - origin)


def clock_from_env(environ: Mapping[str, str] = os.environ) -> Clock | None:
    """The clock ``GRIDLEDGER_NOW`` asks for, or None (the real clock) when it is unset or empty.

    Raises:
        BadNow: a malformed value.
    """
    text = environ.get(NOW_VARIABLE, "")
    if not text.strip():
        return None
    return ticking_from(parse_now(text))
