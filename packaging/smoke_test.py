"""Smoke-test a built GridLedger folder (Linux in .ci/run, Windows in the build workflow).

    python packaging/smoke_test.py dist/GridLedger

Runs the console program the way a clerk's script would — a demo ledger of 500
households, ``check``, the monthly bulletin — checks that every font of the PDF is
embedded (pypdf), then starts the windowed program offscreen for a few seconds and
checks that it is still running (it did not crash on start-up).  Exit status 0 when
all passed; every step prints one line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

#: a fixed "now" so the demo's months and the bulletin's month always have data
NOW = "2026-10-31T18:00"
MONTH = "2026-10"
#: the demo ledger's administrator (docs/accounts: demo ledgers only)
DEMO_USER, DEMO_PASSWORD = "admin", "demo1234"


def executables(folder: Path) -> tuple[Path, Path]:
    """(console, windowed) programs of the built folder."""
    suffix = ".exe" if sys.platform == "win32" else ""
    return folder / f"gridledger{suffix}", folder / f"网格台账{suffix}"


def unembedded_fonts(pdf: Path) -> set[str]:
    """Names of the fonts a PDF uses without embedding them."""
    missing = set()
    for page in PdfReader(pdf).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            descriptors = [font.get("/FontDescriptor")]
            for child in font.get("/DescendantFonts") or []:
                descriptors.append(child.get_object().get("/FontDescriptor"))
            embedded = any(d is not None and any(k in d.get_object() for k in
                                                 ("/FontFile", "/FontFile2", "/FontFile3"))
                           for d in descriptors)
            if not embedded:
                missing.add(str(font.get("/BaseFont")))
    return missing


def run(step: str, argv: list, env: dict, timeout: int = 600) -> None:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=timeout)
    took = time.perf_counter() - started
    if done.returncode != 0:
        print(f"FAIL {step}: exit {done.returncode} after {took:.1f} s\n{done.stdout}\n{done.stderr}")
        sys.exit(1)
    print(f"ok   {step} ({took:.1f} s)")


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else "dist/GridLedger").resolve()
    console, windowed = executables(folder)
    for program in (console, windowed):
        if not program.is_file():
            print(f"FAIL missing {program}")
            return 1
    env = dict(os.environ, GRIDLEDGER_NOW=NOW, QT_QPA_PLATFORM="offscreen",
               GRIDLEDGER_USER=DEMO_USER, GRIDLEDGER_PASSWORD=DEMO_PASSWORD)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db, pdf = tmp / "t.db", tmp / "b.pdf"
        env["HOME"] = env["USERPROFILE"] = str(tmp)            # no trace in the real profile
        env["LOCALAPPDATA"] = env["XDG_DATA_HOME"] = str(tmp / "data")
        run("--version", [str(console), "--version"], env)
        run("demo --households 500", [str(console), "--db", str(db), "demo", "--households", "500"], env)
        run("check", [str(console), "--db", str(db), "check"], env)
        run(f"report monthly --month {MONTH}",
            [str(console), "--db", str(db), "report", "monthly", "--month", MONTH, "--out", str(pdf)], env)
        missing = unembedded_fonts(pdf)
        if missing or len(PdfReader(pdf).pages) == 0:
            print(f"FAIL bulletin: {len(PdfReader(pdf).pages)} pages, fonts not embedded: {sorted(missing)}")
            return 1
        print(f"ok   bulletin: {len(PdfReader(pdf).pages)} pages, every font embedded")
        window = subprocess.Popen([str(windowed), "--db", str(db)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        time.sleep(8)
        alive = window.poll() is None
        window.kill()
        output = window.communicate()[0].decode("utf-8", "replace")
        if not alive:
            print(f"FAIL window: exited with {window.returncode} on start-up\n{output}")
            return 1
        logs = list((tmp / "data").rglob("*.log"))
        bugs = [log for log in logs if "Traceback" in log.read_text(encoding="utf-8", errors="replace")]
        if bugs:
            print(f"FAIL bugs logged: {bugs[0]}\n{bugs[0].read_text(encoding='utf-8', errors='replace')[-3000:]}")
            return 1
        print("ok   window: still running after 8 s offscreen, no bug in the log")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
