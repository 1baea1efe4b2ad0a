"""Fixtures of the end-to-end tests: ``cli(*args)`` runs ``main.py args…`` in-process (see cli_helpers)."""

import pytest

from tests.e2e.cli_helpers import in_process


@pytest.fixture
def cli(capsys):
    """``cli("--db", path, "check")`` → ``Done(returncode, stdout, stderr)``, run in-process."""
    return lambda *args: in_process(capsys, *args)


@pytest.fixture
def quiet_login(monkeypatch):
    """The window's login without its dialog (see tests/ui/conftest.py)."""
    from tests.ui.ui_helpers import log_in_quietly
    from ui.dialogs import login

    monkeypatch.setattr(login, "log_in", log_in_quietly)
