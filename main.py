"""网格台账 GridLedger — entry point.

``python main.py`` opens the window; ``python main.py COMMAND …`` runs the command
line of SPEC §8 (see ``python main.py --help``).
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    if os.name == "posix":
        os.umask(0o077)  # the ledger, backups, exports and logs hold personal data: owner only
    from cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
