"""The architecture kept by CI, not by prose (docs/architecture.md).

1. Layers depend only downwards: a module of `src/boligsocial` may import its own layer and the
   layers below it, never one above or a sibling of the same height.
2. Functions stay readable: ruff's McCabe complexity (C901) at most `MAX_COMPLEXITY`, and at most
   `MAX_FUNCTION_LINES` lines.
3. Modules stay readable in one sitting: at most `MAX_MODULE_LINES` lines.

The exceptions to 2 and 3 are listed with their size today; each may only shrink, and the test
fails when an exception is no longer needed, so the lists get shorter and never longer.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "boligsocial"

# Height of each top-level part of the package. `danish` (Danish numbers, dates and rounding) and
# `files` (atomic writes) are the common floor. register and reports are siblings: both read plans
# and verdicts, neither needs the other.
LAYERS: dict[str, int] = {
    "danish": 0,
    "files": 0,  # writing a file atomically
    "law": 1,
    "plan": 2,
    "register": 3,
    "reports": 3,
    "store": 4,
    "web": 5,
    "cli": 6,
    "__init__": 7,  # the package's own __init__ (version only)
}

# McCabe 12: two more than mccabe's classic default of 10, which flags plain validators that
# check a dozen independent fields one `if` each and read fine. Past 12 a function mixes
# concerns often enough that splitting it is the better default.
MAX_COMPLEXITY = 12
COMPLEX_FUNCTIONS: dict[str, int] = {
    # "path/from/src/boligsocial.py:function": complexity today (may only fall)
}

MAX_FUNCTION_LINES = 80
LONG_FUNCTIONS: dict[str, int] = {
    # Mostly Vega-Lite and Word specifications written as one literal, which read top to bottom.
    "reports/charts/org.py:org_diagram": 161,
    "reports/charts/status.py:status_chart": 142,
    "reports/templates/make_template.py:make_template": 118,
    "reports/charts/indicator.py:_series": 99,
    "reports/charts/criteria.py:criteria_chart": 97,
    "store/mapping.py:new_plan_rows": 90,
    "reports/annex/sources.py:sheet_kilder": 89,
    "plan/status.py:indicator_status": 89,
    "store/indicators.py:add_or_update_maaling": 81,
}
# Migrations are history: written once, never edited, so their length is not a reading problem.
FROZEN = ("store/migrations/",)

MAX_MODULE_LINES = 600
LONG_MODULES: dict[str, int] = {
    # "path/from/src/boligsocial.py": lines today (may only fall)
}


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "boligsocial" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every `boligsocial.*` module a file imports, with the line, also inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(("boligsocial", *path.relative_to(PACKAGE).with_suffix("").parts))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this module's package
                base = package.split(".")[: -node.level]
                found.append((node.lineno, ".".join([*base, node.module or ""]).rstrip(".")))
            elif node.module:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.startswith("boligsocial")]


def layer_violations() -> list[str]:
    violations: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        own = relative.parts[0].removesuffix(".py")
        if own not in LAYERS:
            violations.append(f"{relative}: {own} is in no layer (add it to LAYERS and docs/architecture.md)")
            continue
        for line, module in _imports(path):
            target = _layer_of(module)
            if target is None or target == own:
                continue
            if target not in LAYERS:
                violations.append(f"{relative}:{line} imports {module}, which is in no layer")
            elif LAYERS[target] >= LAYERS[own]:
                violations.append(f"{relative}:{line} ({own}) imports {module} ({target}), not a lower layer")
    return violations


def test_layers_depend_only_downwards() -> None:
    assert layer_violations() == []


def test_the_layer_check_sees_a_violation(tmp_path: Path) -> None:
    # The check itself must be able to fail: an import of web from law is caught.
    probe = PACKAGE / "law" / "_probe_layering.py"
    probe.write_text("def f() -> None:\n    from boligsocial.web import app  # noqa: F401\n", encoding="utf-8")
    try:
        assert any("_probe_layering.py:2" in v for v in layer_violations())
    finally:
        probe.unlink()


def complexity() -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "--select", "C901", "--output-format", "json",
         "--config", f"lint.mccabe.max-complexity={MAX_COMPLEXITY}"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    found: dict[str, int] = {}
    for item in json.loads(result.stdout or "[]"):
        # message: "`name` is too complex (14 > 12)"
        name = item["message"].split("`")[1]
        value = int(item["message"].split("(")[1].split(" ")[0])
        path = Path(item["filename"]).resolve().relative_to(PACKAGE).as_posix()
        found[f"{path}:{name}"] = value
    return found


def _shrinking(found: dict[str, int], listed: dict[str, int], limit: str) -> None:
    new = {k: v for k, v in found.items() if k not in listed}
    grown = {k: (listed[k], v) for k, v in found.items() if k in listed and v > listed[k]}
    fixed = sorted(set(listed) - set(found))
    assert not new, f"over the limit ({limit}): {new}; split them"
    assert not grown, f"listed exceptions grew (listed, now): {grown}"
    assert not fixed, f"no longer over the limit, remove from the exceptions: {fixed}"


def test_functions_stay_under_the_complexity_limit() -> None:
    _shrinking(complexity(), COMPLEX_FUNCTIONS, f"McCabe {MAX_COMPLEXITY}")


def function_lengths() -> dict[str, int]:
    lengths: dict[str, int] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(FROZEN):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    lengths[f"{relative}:{node.name}"] = lines
    return lengths


def test_functions_stay_short() -> None:
    _shrinking(function_lengths(), LONG_FUNCTIONS, f"{MAX_FUNCTION_LINES} lines")


def module_lengths() -> dict[str, int]:
    lengths = {}
    for path in PACKAGE.rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            lengths[path.relative_to(PACKAGE).as_posix()] = lines
    return lengths


def test_modules_stay_readable_in_one_sitting() -> None:
    _shrinking(module_lengths(), LONG_MODULES, f"{MAX_MODULE_LINES} lines")
