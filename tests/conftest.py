"""Shared fixtures.  Qt runs headless; every test gets a fresh ledger."""

import datetime as dt
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from models.core.db import Operator
from models.ledger import open_db  # noqa: E402


class FakeClock:
    """A clock tests can set and advance: ``clock.set(2026, 10, 31, 23, 59, 59)``."""

    def __init__(self, start: dt.datetime | None = None):
        self.value = start or dt.datetime(2026, 10, 15, 9, 30, 0)

    def __call__(self) -> dt.datetime:
        return self.value

    def set(self, *parts) -> None:
        self.value = dt.datetime(*parts)

    def advance(self, **delta) -> None:
        self.value += dt.timedelta(**delta)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def ledger(clock):
    """A fresh in-memory ledger of 幸福社区, operated by 测试员, at 2026-10-15 09:30."""
    led = open_db(None, operator=Operator("测试员"), clock=clock, community_name="幸福社区")
    yield led
    led.close()


@pytest.fixture
def ledger_path(tmp_path, clock):
    """A fresh ledger file (closed), for CLI and GUI tests."""
    path = tmp_path / "test.db"
    led = open_db(path, operator=Operator("测试员"), clock=clock, community_name="幸福社区")
    led.close()
    return path
