"""The import graph of the program is one-way: no cycle, and a fixed order of areas.

The graph is read from the source (``ast``), with every import a module makes: at the
top, inside functions and methods (a lazy import is still a dependency), relative ones
resolved.  ``from package import name`` depends on ``package.name`` when that is a
module, else on ``package`` itself.

The order, lowest first (docs/architecture.md draws it).  A module may import its own
area and the areas before it, never one after it:

    resources                  paths of bundled files; imports nothing of ours
    models.core                the ledger, errors, permissions, periods, operations, tabular …
    models.grids ← models.residents ← models.matters ← models.visits ← models.meetings
      ← models.volunteers ← models.importing ← models.evaluation ← models.reporting ← models.street
      ← models.demo
    models                     the top-level modules (ledger, backup, checks): above every area
    reports                    PDF layout: takes plain data, imports nothing of models/
    cli, ui                    on top; ui never imports cli, cli imports ui.app only (to start
                               the window)

Each rule is its own test (and each area its own case), so a failure names the rule and
lists every offending import as ``file:line``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "reports", "ui", "cli", "resources")

#: the areas, lowest first; ``cli`` and ``ui`` share the top
AREAS = ("resources", "models.core", "models.grids", "models.residents", "models.matters", "models.visits",
         "models.meetings", "models.volunteers", "models.importing", "models.evaluation", "models.reporting",
         "models.street", "models.demo", "models", "reports", "cli", "ui")
RANK = {area: n for n, area in enumerate(AREAS)}
RANK["ui"] = RANK["cli"]

#: the one module of ui/ that cli/ may import: the window's entry point (``run_gui``)
UI_ENTRY = "ui.app"


@dataclass(frozen=True)
class Import:
    """One dependency: ``importer`` imports ``imported`` at ``path:line`` (``lazy``: inside a function)."""

    importer: str
    imported: str
    path: str
    line: int
    lazy: bool

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.imported}{' (inside a function)' if self.lazy else ''}"


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """``{module name: file}`` of every module of :data:`PACKAGES` (a package is its ``__init__``)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _target(name: str, modules) -> str | None:
    """``name`` or its longest prefix that is one of our modules (None: not ours)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, source: str, modules, path: str = "", is_package: bool = False) -> list[Import]:
    """Every import of ``source`` (the text of ``module``) that names one of ``modules``."""
    tree = ast.parse(source)
    lazy_nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            lazy_nodes.update(id(inner) for inner in ast.walk(node) if inner is not node)
    out = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[:len(package) - node.level + 1]
                base = ".".join(package + ([base] if base else []))
            for alias in node.names:
                names.append(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        for name in names:
            target = _target(name, modules)
            if target is not None and target != module:
                out.append(Import(module, target, path, node.lineno, id(node) in lazy_nodes))
    return out


def area_of(module: str) -> str:
    """The area a module belongs to: the longest area that is a prefix of its name."""
    best = ""
    for area in AREAS:
        if (module == area or module.startswith(area + ".")) and len(area) > len(best):
            best = area
    return best


def _graph() -> list[Import]:
    modules = module_files()
    edges = []
    for name, path in modules.items():
        edges += imports_of(name, path.read_text(encoding="utf-8"), modules,
                            str(path.relative_to(ROOT)), path.name == "__init__.py")
    return edges


EDGES = _graph()


def _cycles(edges: list[Import]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.importer, set()).add(e.imported)
        graph.setdefault(e.imported, set())
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _cycle_text(component: list[str], edges: list[Import]) -> str:
    inside = set(component)
    lines = [f"cycle of {len(component)} modules: {', '.join(component)}"]
    lines += [f"    {e}" for e in edges if e.importer in inside and e.imported in inside]
    return "\n".join(lines)


# -- the rules ------------------------------------------------------------------------------------

def test_no_import_cycles():
    cycles = _cycles(EDGES)
    assert not cycles, "import cycles (imports inside functions count too):\n" + "\n".join(
        _cycle_text(c, EDGES) for c in cycles)


def test_every_module_belongs_to_an_area():
    lost = [m for m in module_files() if not area_of(m)]
    assert lost == [], f"modules outside every area (add them to AREAS in {Path(__file__).name}): {lost}"


@pytest.mark.parametrize("area", [a for a in AREAS if a not in ("cli", "ui")])
def test_an_area_imports_only_itself_and_the_areas_before_it(area):
    wrong = [f"{e}  — {area_of(e.imported)} comes after {area}"
             for e in EDGES if area_of(e.importer) == area and RANK[area_of(e.imported)] > RANK[area]]
    assert wrong == [], (f"{area} may import only {', '.join(AREAS[:RANK[area] + 1])}:\n  "
                         + "\n  ".join(wrong))


def test_reports_import_nothing_of_models():
    wrong = [str(e) for e in EDGES if area_of(e.importer) == "reports" and e.imported.split(".")[0] == "models"]
    assert wrong == [], "reports/ lays out plain data handed to it; it imports nothing of models/:\n  " + \
        "\n  ".join(wrong)


def test_ui_never_imports_cli():
    wrong = [str(e) for e in EDGES if area_of(e.importer) == "ui" and area_of(e.imported) == "cli"]
    assert wrong == [], "ui/ never imports cli/ (what both need lives below them):\n  " + "\n  ".join(wrong)


def test_cli_imports_ui_only_to_start_the_window():
    wrong = [str(e) for e in EDGES
             if area_of(e.importer) == "cli" and area_of(e.imported) == "ui" and e.imported != UI_ENTRY]
    assert wrong == [], f"cli/ may import {UI_ENTRY} (run_gui) and nothing else of ui/:\n  " + "\n  ".join(wrong)


# -- the reading of the graph itself -----------------------------------------------------------------

def test_the_graph_sees_lazy_relative_and_from_imports():
    modules = {"models", "models.core", "models.core.db", "models.evaluation", "models.evaluation.monthly",
               "models.evaluation.scheme", "ui", "ui.app"}
    source = (
        "import os\n"
        "from models.core.db import Ledger\n"
        "from . import scheme\n"
        "from models import evaluation\n"
        "def later():\n"
        "    from ui.app import run_gui\n"
        "    import models.core.db as db\n")
    found = {(i.imported, i.line, i.lazy) for i in imports_of("models.evaluation.monthly", source, modules)}
    assert found == {("models.core.db", 2, False), ("models.evaluation.scheme", 3, False),
                     ("models.evaluation", 4, False), ("ui.app", 6, True), ("models.core.db", 7, True)}
    assert area_of("models.evaluation.monthly") == "models.evaluation" and area_of("models.ledger") == "models"
    assert _cycles([Import("a", "b", "", 1, False), Import("b", "c", "", 1, True),
                    Import("c", "a", "", 1, False), Import("c", "d", "", 1, False)]) == [["a", "b", "c"]]
