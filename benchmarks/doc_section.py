"""Writing a benchmark's figures into docs/performance.md (shared by the bench_* scripts)."""

from __future__ import annotations

from pathlib import Path


def replace_section(path: Path, begin: str, end: str, section: str, new_file: str = "# 性能测量\n") -> None:
    """Put ``section`` (which starts with ``begin`` and ends with ``end``) into the Markdown file
    ``path``: in place of the one between those markers, else appended (``new_file`` starts a
    file that does not exist yet)."""
    text = path.read_text(encoding="utf-8") if path.exists() else new_file
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
