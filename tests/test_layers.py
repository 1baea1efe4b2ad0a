"""models/ and reports/ never import Qt; ui/ never writes SQL."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", ["models", "reports"])
def test_layer_never_imports_qt(layer):
    files = list((ROOT / layer).rglob("*.py"))
    assert files, f"{layer}/ has no Python files"
    offenders = [str(f.relative_to(ROOT)) for f in files
                 if _imports(f) & {"PySide6", "shiboken6", "PyQt5", "PyQt6"}]
    assert offenders == []


def test_reports_never_touch_sqlite():
    files = list((ROOT / "reports").rglob("*.py"))
    offenders = [str(f.relative_to(ROOT)) for f in files if _imports(f) & {"sqlite3", "sqlite_utils"}]
    assert offenders == []


SQL = re.compile(r"\b(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|SELECT\s+.+\s+FROM)\b",
                 re.IGNORECASE)


def test_ui_writes_no_sql():
    files = list((ROOT / "ui").rglob("*.py"))
    assert files
    offenders = []
    for f in files:
        if _imports(f) & {"sqlite3", "sqlite_utils"}:
            offenders.append(f"{f.relative_to(ROOT)} imports sqlite")
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                offenders.append(f"{f.relative_to(ROOT)}:{node.lineno} SQL text")
    assert offenders == []
