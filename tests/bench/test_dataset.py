"""The generator drives the record writers, never the other way round: what both need (the
dataset's shape) lives in bench/dataset.py, so bench/records.py has no import of bench/generate.py,
not even one deferred inside a function."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            # `from bench import generate` names the module as an imported name
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_the_record_writers_do_not_import_the_generator():
    modules = imported_modules(ROOT / "bench" / "records.py")
    assert "bench.dataset" in modules  # the check reads the file it means to
    assert "bench.generate" not in modules


def test_the_dataset_shape_imports_without_django():
    result = subprocess.run(
        [sys.executable, "-c", "import sys, bench.dataset; print('django' in sys.modules)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
