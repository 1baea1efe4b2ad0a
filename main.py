"""网格台账 GridLedger — entry point.

``python main.py`` opens the window; ``python main.py COMMAND …`` runs the command
line of SPEC §8 (see ``python main.py --help``).
"""

import sys


def main(argv: list[str] | None = None) -> int:
    from cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
