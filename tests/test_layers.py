"""The portal's layers (README "Layers"): the import-linter contracts in pyproject.toml hold, every
views module is named by them, only apps/clc knows /v2 paths, a function-local import of
portal code says why it is not at the top, and no module grows past 450 lines."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "apps"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_MODULE_LINES = 450  # past it, split the module along its seams (the simulator is exempt)


def _portal_modules():
    """Every portal module (not the simulator's, not migrations) with its dotted name."""
    for path in sorted(APPS.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[1] == "simulator" or "migrations" in parts:
            continue
        yield ".".join(p for p in parts if p != "__init__"), path
    for path in sorted((ROOT / "portal").rglob("*.py")):
        yield ".".join(path.relative_to(ROOT).with_suffix("").parts), path


def test_the_import_contracts_are_kept():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_app_has_a_layer():
    """A new app is placed in the layers contract (feature apps: beside apps.recipes)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [layers] = [c for c in config["contracts"] if c["id"] == "layers"]
    named = {name.strip(" ()") for layer in layers["layers"] for name in layer.replace(":", "|").split("|")}
    apps = {f"apps.{d.name}" for d in APPS.iterdir() if (d / "__init__.py").exists()} - {"apps.simulator"}
    assert apps <= named, f"put {sorted(apps - named)} in the layers contract of pyproject.toml"


def test_every_views_module_is_named_by_the_views_contracts():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    views_contracts = [
        c for c in config["contracts"] if c["id"] in ("views-are-leaves", "views-only-from-urls")
    ]
    assert len(views_contracts) == 2
    for contract in views_contracts:
        named = set(contract["forbidden_modules"])
        assert "apps.*.views" in named
        for module, _path in _portal_modules():
            parts = module.split(".")
            if len(parts) >= 3 and parts[0] == "apps" and parts[2].startswith("views"):
                covered = parts[2] == "views" or ".".join(parts[:3]) in named
                assert covered, f"{module}: add {'.'.join(parts[:3])} to the contract {contract['id']!r}"


def _code_strings(tree):
    """String constants that are not docstrings."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node


def test_only_apps_clc_knows_v2_paths():
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for module, path in _portal_modules()
        if not module.startswith("apps.clc")
        for node in _code_strings(ast.parse(path.read_text()))
        if "/v2/" in node.value
    ]
    assert not offenders, f"upstream paths belong in apps/clc/<family>.py: {offenders}"


def test_function_local_imports_of_portal_code_say_why():
    """An import inside a function hides a dependency from the contracts' reader: each one left has a
    comment saying why it can't be at the top (e.g. an AppConfig.ready() import of models)."""
    unexplained = []
    for _module, path in _portal_modules():
        lines = path.read_text().splitlines()
        for func in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if not isinstance(node, (ast.Import, ast.ImportFrom)):
                    continue
                name = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                relative = isinstance(node, ast.ImportFrom) and node.level > 0
                if not (relative or (name or "").split(".")[0] in ("apps", "portal")):
                    continue
                here, above = lines[node.lineno - 1], lines[node.lineno - 2].strip()
                if "#" not in here and not above.startswith("#"):
                    unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}: {here.strip()}")
    assert not unexplained, unexplained


def test_no_module_is_over_450_lines():
    long = {
        name: lines
        for name, path in _portal_modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these along their seams: {long}"
