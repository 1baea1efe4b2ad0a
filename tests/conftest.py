"""Shared fixtures.  Qt runs headless; every test gets a fresh ledger.

Time (docs/testing.md): ``--now=2027-03-01T00:05`` runs the whole session at that moment
(time-machine, ticking) and gives it to the program's subprocesses and to in-process
``cli.run`` through ``GRIDLEDGER_NOW``; without ``--now`` the session runs on the real
clock and ``GRIDLEDGER_NOW`` is cleared.  Tests that touch dates carry the marker
``dates`` (by where they are: :data:`DATE_PATHS`, or their own ``pytestmark``), so CI
runs them again at awkward moments: ``-m dates --now=…``.
"""

import datetime as dt
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from cli.clock import NOW_VARIABLE, BadNow, parse_now  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

from models.core import accounts  # noqa: E402
from models.core.db import Operator  # noqa: E402

# argon2id still, at its cheapest: the real cost (64 MiB, ~0.1 s a hash) is for people, and the
# suite logs in hundreds of times (test_accounts checks the program's own DEFAULT_HASHER)
accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
from models.ledger import open_db  # noqa: E402

#: a test file whose path (below tests/) contains one of these touches dates: the demo,
#: deadlines (matters, their import), evaluation, reports and reporting, periods, and the
#: command line and the window end to end
DATE_PATHS = ("e2e/", "demo", "matters", "evaluation", "report", "periods")

_TRAVELLER = pytest.StashKey()   # the session's time_machine.travel, with --now


def pytest_addoption(parser):
    parser.addoption("--now", metavar="YYYY-MM-DDTHH:MM", default=None,
                     help="run the session at this local moment (time-machine, ticking) and pass it to "
                          f"the program as {NOW_VARIABLE}")


def pytest_configure(config):
    text = config.getoption("--now")
    if not text:
        os.environ.pop(NOW_VARIABLE, None)   # the real clock everywhere, also in subprocesses
        return
    try:
        moment = parse_now(text)
    except BadNow as exc:
        raise pytest.UsageError(f"--now: {exc}") from None
    import time_machine

    # astimezone(): the naive moment is local time (time-machine would take it as UTC)
    traveller = time_machine.travel(moment.astimezone(), tick=True)
    traveller.start()
    config.stash[_TRAVELLER] = traveller
    os.environ[NOW_VARIABLE] = text


def pytest_unconfigure(config):
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()
        os.environ.pop(NOW_VARIABLE, None)


def pytest_report_header(config):
    text = config.getoption("--now")
    return f"now: {text} (time-machine, ticking; {NOW_VARIABLE} for the program)" if text else None


def pytest_collection_modifyitems(config, items):
    for item in items:
        try:
            where = item.path.relative_to(TESTS).as_posix()
        except ValueError:
            continue
        if any(word in where for word in DATE_PATHS):
            item.add_marker(pytest.mark.dates)


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


#: who the command line logs in as in tests (GRIDLEDGER_USER/GRIDLEDGER_PASSWORD): the demo's
#: ``admin``, so that demo ledgers and ledgers the tests made (whose first CLI opening creates
#: this 管理员, cli/login.py) both accept it
CLI_USER, CLI_PASSWORD = "admin", "demo1234"


@pytest.fixture(autouse=True)
def cli_login(monkeypatch):
    """The command line's login for every test (a test about logging in changes or removes it)."""
    monkeypatch.setenv("GRIDLEDGER_USER", CLI_USER)
    monkeypatch.setenv("GRIDLEDGER_PASSWORD", CLI_PASSWORD)
    for variable in ("GRIDLEDGER_NEW_PASSWORD", "GRIDLEDGER_USER_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)


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


@pytest.fixture(autouse=True)
def backup_dir(request, tmp_path_factory, monkeypatch) -> Path:
    """Automatic backups (before a migration, on open …) go to a folder of the test's own,
    never to the user's real data folder (created only when something is backed up)."""
    folder = tmp_path_factory.getbasetemp() / "backups" / f"{abs(hash(request.node.nodeid)):x}"
    monkeypatch.setenv("GRIDLEDGER_BACKUP_DIR", str(folder))
    return folder
