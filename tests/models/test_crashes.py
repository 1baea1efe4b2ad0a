"""kill -9 at random moments (tests/crash_harness.py): after each, the ledger is whole, no partial
backup exists under a backup's name, and restore refuses whatever was left half-written.

Kept short for CI (a few kills of each); ``python -m benchmarks.crash_runs 100`` runs 100."""

import sys

import pytest

from tests import crash_harness

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

RUNS = 10


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return crash_harness.prepare(tmp_path_factory.mktemp("crash-base"), households=2000)


@pytest.mark.parametrize("mode", crash_harness.MODES)
def test_killed_at_random_moments(mode, base, tmp_path):
    result = crash_harness.campaign(mode, RUNS, tmp_path, seed=16, base=base)
    assert result["problems"] == []
    # some kills landed inside the operation (how many depends on the machine's load: a run that
    # finished before its kill is checked all the same)
    assert result["killed"] >= 1, result
