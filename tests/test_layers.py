"""models/ and reports/ never import Qt; ui/ never writes SQL and opens no transaction."""

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


def _transactions(source: str) -> list[int]:
    """Lines of ``source`` that open a transaction: ``….write()`` / ``….atomic()`` used as a context
    manager (``with ledger.write():``), or a connection's ``commit()``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.With):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                        and call.func.attr in ("write", "atomic"):
                    lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit":
            lines.append(node.lineno)
    return lines


def test_transaction_finder_sees_with_write_and_commit():
    source = ("with ledger.write():\n    pass\n"
              "with open(path) as fh, self.ctx.ledger.db.atomic():\n    pass\n"
              "conn.commit()\nout.write('x')\n")
    assert _transactions(source) == [1, 3, 5]


def test_ui_opens_no_transaction():
    """A user action is one function in models/ that runs in its own transaction; widgets run it
    through ui.ops.LedgerOp and never open one (ui/ops.py only rolls back what a worker left)."""
    offenders = [f"{f.relative_to(ROOT)}:{line}" for f in sorted((ROOT / "ui").rglob("*.py"))
                 for line in _transactions(f.read_text(encoding="utf-8"))]
    assert offenders == []
