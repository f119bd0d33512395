"""The apps import one way (CONTRIBUTING.md, "Layers"): a module may import only the apps below it.

Every `.py` file of every app is parsed (imports inside functions count too: a lazy import is still
a dependency) and each `import x` / `from x import y` naming one of the portal's apps is checked
against the table. A failure names the file, the line and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# app -> the apps it may import (itself always allowed). Read bottom-up:
# core <- accounts, regions (accounts may import regions) <- indicators <- meetings, training,
# national (全国との比較: national tables and the comparison pages)
# <- pdca (the PDCA pages: reads meetings against indicators), reminders (due work by mail, count and
# calendar) <- dashboard <- sheets;
# yamaguchi_portal (settings, root URLs) sits above them all.
_BELOW_INDICATORS = {"core", "accounts", "regions"}
_BELOW_PDCA = _BELOW_INDICATORS | {"indicators", "meetings", "training", "national"}
_BELOW_DASHBOARD = _BELOW_PDCA | {"pdca", "reminders"}
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "regions": {"core"},
    "accounts": {"core", "regions"},
    "indicators": _BELOW_INDICATORS,
    "meetings": _BELOW_INDICATORS | {"indicators"},
    "training": _BELOW_INDICATORS | {"indicators"},
    "national": _BELOW_INDICATORS | {"indicators"},
    "pdca": _BELOW_PDCA,
    "reminders": _BELOW_PDCA,
    "dashboard": _BELOW_DASHBOARD,
    "sheets": _BELOW_DASHBOARD | {"dashboard"},
    "yamaguchi_portal": _BELOW_DASHBOARD | {"dashboard", "sheets"},
}
APPS = set(ALLOWED)


def _imported_apps(tree: ast.AST):
    """(line, imported module) for every import of one of the portal's apps."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name.split(".")[0] in APPS:
                yield node.lineno, name


def _violations(app: str) -> list[str]:
    problems = []
    for path in sorted((ROOT / app).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _imported_apps(tree):
            target = name.split(".")[0]
            if target != app and target not in ALLOWED[app]:
                problems.append(f"{path.relative_to(ROOT)}:{line}: {app} imports {name}")
    return problems


def test_every_app_is_in_the_table():
    """A new app must be placed in a layer before it can be imported from anywhere."""
    found = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"yamaguchi_portal"}
    assert found == APPS


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_imports_only_point_down(app):
    problems = _violations(app)
    assert not problems, "imports that run up the layers:\n" + "\n".join(problems)
