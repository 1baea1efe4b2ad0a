"""Fixtures of the end-to-end tests: ``cli(*args)`` runs ``main.py args…`` in-process (see cli_helpers)."""

import pytest

from tests.e2e.cli_helpers import in_process


@pytest.fixture
def cli(capsys):
    """``cli("--db", path, "check")`` → ``Done(returncode, stdout, stderr)``, run in-process."""
    return lambda *args: in_process(capsys, *args)
