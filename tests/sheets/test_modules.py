"""The sheets modules import each other without a circle, and the PDF reads only the read model.

Each module's imports of other sheets modules (inside functions too: a lazy import is still a
dependency) form a graph that must be acyclic; `sheets.pdf` renders what `sheets.reading` reads and
never depends on the modules that write (`services`, `publication`).
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHEETS = ROOT / "sheets"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in SHEETS.rglob("*.py") if "migrations" not in p.parts}


def _sheets_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from sheets import pdf` imports the module sheets.pdf
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in MODULES and name != "sheets"}
    return found


GRAPH = {name: _sheets_imports(path) for name, path in MODULES.items()}


def test_the_graph_is_read_from_the_modules():
    assert {"sheets.services", "sheets.reading"} <= GRAPH["sheets.views"]
    assert "sheets.pdf" in GRAPH["sheets.publication"]


def test_no_import_circle_among_the_sheets_modules():
    try:
        tuple(TopologicalSorter(GRAPH).static_order())
    except CycleError as exc:
        raise AssertionError(f"import circle: {' → '.join(exc.args[1])}") from None


def test_the_pdf_imports_only_the_read_model():
    assert "sheets.services" not in GRAPH["sheets.pdf"]
    assert "sheets.publication" not in GRAPH["sheets.pdf"]
    assert "sheets.reading" in GRAPH["sheets.pdf"]


def test_the_read_model_writes_nothing():
    assert not GRAPH["sheets.reading"] & {"sheets.services", "sheets.publication", "sheets.pdf"}
