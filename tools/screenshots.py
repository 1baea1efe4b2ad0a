"""Screenshots of every page and every form at 1366×768, at a given Windows scaling (issue 13).

    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=1.5 python tools/screenshots.py LEDGER.db OUT_DIR

The window is the size a 1366×768 screen gives it at that scaling (1366/1.5 × 768/1.5 logical
pixels at 150 %), so the PNGs are 1366×768 device pixels; each form is shown at its own size
(clipped to the screen, as on a real one) over the window.  ``--now`` fixes the ledger's clock.
The forms are those of ``tests/ui/all_forms.py``, which add a small place (第一网格 …) to the
ledger: the script works on a temporary copy of LEDGER.db, never on the file itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCREEN = (1366, 768)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("out")
    parser.add_argument("--now", default="2026-10-31T18:00")
    parser.add_argument("--only", default="", help="comma-separated page keys or form names")
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from models.core.db import Operator
    from models.ledger import open_db
    from tests.ui.all_forms import FORMS, form_env
    from ui import app as app_module
    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.pages import PAGES

    now = dt.datetime.fromisoformat(args.now)
    if os.environ.get("QT_QPA_PLATFORM", "") == "offscreen":
        # Qt's offscreen screen is 800×800 unless told: make it the 1366×768 office screen, so
        # forms fit themselves to what a clerk's screen has (ui/widgets/fit.py)
        config = Path(tempfile.mkdtemp(prefix="gl-screen-")) / "screen.json"
        config.write_text(json.dumps({"screens": [{"name": "1366x768", "x": 0, "y": 0, "width": SCREEN[0],
                                                   "height": SCREEN[1], "logicalDpi": 96, "logicalBaseDpi": 96,
                                                   "dpr": 1}]}), encoding="utf-8")
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    app = app_module.create_application([])
    scale = float(os.environ.get("QT_SCALE_FACTOR", "1") or 1)
    width, height = round(SCREEN[0] / scale), round(SCREEN[1] / scale)
    work = Path(tempfile.mkdtemp(prefix="gl-shots-")) / "ledger.db"
    shutil.copyfile(args.db, work)
    ledger = open_db(work, operator=Operator("管理员", role="管理员"), clock=lambda: now)
    ctx = AppContext(ledger)
    window = MainWindow(ctx, start_page="home")
    window.resize(width, height)
    window.show()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    only = {x for x in args.only.split(",") if x}
    tag = f"{round(scale * 100)}"

    def settle():
        for _ in range(20):
            app.processEvents()

    for key, title, _spec in PAGES:
        if only and key not in only:
            continue
        window.show_page(key)
        settle()
        window.grab().save(str(out / f"page_{key}_{tag}.png"))
        print(f"page {key} {title}")

    env = form_env(ledger)
    for name, factory in FORMS.items():
        if only and name not in only:
            continue
        dialog = factory(ctx, env)
        dialog.setParent(window, dialog.windowFlags())
        dialog.show()
        settle()
        size = dialog.size()
        clipped = size.width() > width or size.height() > height
        dialog.grab().save(str(out / f"form_{name}_{tag}.png"))
        print(f"form {name}: {size.width()}×{size.height()} logical" + ("  TOO BIG FOR THE SCREEN" if clipped else ""))
        dialog.done(0)
        dialog.deleteLater()
        settle()
    window.close()
    ledger.close()
    QApplication.processEvents()
    shutil.rmtree(work.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
