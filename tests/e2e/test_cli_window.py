"""``python main.py`` (no command) opens the window through ``cli.run``: at ``GRIDLEDGER_NOW`` when set."""

import datetime as dt
from types import SimpleNamespace

import ui.app as app_module


def test_the_window_opens_its_ledger_at_GRIDLEDGER_NOW(ledger_path, tmp_path, monkeypatch, cli, quiet_login):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "userdata"))   # settings and log: not the real ones
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "userdata"))
    monkeypatch.setenv("GRIDLEDGER_NOW", "2026-12-31T23:59:58")
    seen = []

    class Window:
        """Stands in for the main window: notes what time its ledger says it is."""

        def __init__(self, ctx, start_page=None):
            seen.append(ctx.ledger.now())
            self.first_page_shown = SimpleNamespace(connect=lambda slot: None)

        def showMaximized(self):
            seen.append(self)

    monkeypatch.setattr(app_module, "MainWindow", Window)
    monkeypatch.setattr(app_module, "create_application", lambda: SimpleNamespace(exec=lambda: 0))
    assert cli("--db", ledger_path).returncode == 0
    assert len(seen) == 2
    assert dt.timedelta(0) <= seen[0] - dt.datetime(2026, 12, 31, 23, 59, 58) < dt.timedelta(seconds=30)
