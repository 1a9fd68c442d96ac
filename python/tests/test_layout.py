"""The house rules of the code's layout: no module over 400 lines, no function over 60.

They keep each module readable in one sitting; a change that breaks them splits the module or
the function rather than raising the limit.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE_FOLDERS = ("python/insiders", "benchmarks", "models")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(path for folder in CODE_FOLDERS for path in (ROOT / folder).rglob("*.py"))


def _long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines, from line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


def test_the_layout_rules_see_the_code():
    modules = _modules()
    assert any(path.parent.name == "segmentation" for path in modules)
    assert any(path.parent.name == "benchmarks" for path in modules)


def test_modules_and_functions_are_short():
    too_long = []
    for path in _modules():
        name = path.relative_to(ROOT)
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{name}: {lines} lines")
        too_long.extend(f"{name}: {function}" for function in _long_functions(path))
    assert too_long == []
