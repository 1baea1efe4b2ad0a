"""100 kill -9 runs (by default) of each of backup, automatic backup, restore and migration.

    python -m benchmarks.crash_runs [RUNS] [HOUSEHOLDS]

Prints, per operation, its uncut duration, how many runs were killed mid-way (the others had
finished before the kill) and every problem found (tests/crash_harness.py says what is checked).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import crash_harness  # noqa: E402


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 100
    households = int(argv[1]) if len(argv) > 1 else 3000
    with tempfile.TemporaryDirectory(prefix="gridledger-crash-") as tmp:
        work = Path(tmp)
        base = crash_harness.prepare(work / "base", households=households)
        failed = 0
        print(f"kill -9 at random moments: {runs} runs each, ledger of {households} residents")
        print(f"{'operation':<10} {'uncut s':>8} {'killed':>7} {'finished':>9} {'problems':>9} {'wall s':>7}")
        for mode in crash_harness.MODES:
            start = time.perf_counter()
            result = crash_harness.campaign(mode, runs, work / mode, base=base)
            failed += len(result["problems"])
            print(f"{mode:<10} {result['seconds']:8.2f} {result['killed']:7d} {runs - result['killed']:9d} "
                  f"{len(result['problems']):9d} {time.perf_counter() - start:7.1f}", flush=True)
            for line in result["problems"][:20]:
                print("   ", line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
