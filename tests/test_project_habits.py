"""The habits CI checks: the layer contracts hold, every folder has a layer, the checkers get installed.

mypy is not run here (it takes longer than the whole inner loop): the README's test command runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: mypy, in the test extras, brings tomli
    import tomli as tomllib

import trellosync

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Folders outside the layers on purpose: test helpers and the bundled example data.
OUTSIDE_THE_LAYERS = {"trellosync.testing", "trellosync.example"}


def _contract(kind: str) -> dict:
    """The import-linter contract of that type in pyproject.toml."""
    contracts = [c for c in PYPROJECT["tool"]["importlinter"]["contracts"] if c["type"] == kind]
    assert len(contracts) == 1, f"expected one {kind} contract, found {len(contracts)}"
    return contracts[0]


def test_the_package_under_test_is_this_checkout() -> None:
    assert Path(trellosync.__file__).resolve().parent == ROOT / "trellosync"


def test_import_contracts_are_kept() -> None:
    """lint-imports, as CI runs it, on this checkout: no import back up a layer, no cycle in a folder."""
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout
    kept = run.stdout.count(" KEPT")
    assert kept == len(PYPROJECT["tool"]["importlinter"]["contracts"]), run.stdout


def test_every_folder_of_the_package_is_a_layer() -> None:
    """A new folder gets a place in the layer order (or is named here as outside it), else nothing checks it."""
    layered = {name.strip() for layer in _contract("layers")["layers"] for name in layer.split("|")}
    folders = {f"trellosync.{p.parent.name}" for p in (ROOT / "trellosync").glob("*/__init__.py")}
    modules = {f"trellosync.{p.stem}" for p in (ROOT / "trellosync").glob("*.py") if p.stem != "__init__"}
    assert folders - layered - OUTSIDE_THE_LAYERS == set()
    assert layered - folders - modules == set(), "the layers name a folder or module that does not exist"


def test_the_checkers_ci_runs_are_in_the_test_extras() -> None:
    """The README's test command runs ruff, mypy, lint-imports and pytest after `pip install -e '.[test]'`."""
    extras = {
        req.split(">")[0].split("=")[0].split("[")[0].strip().lower()
        for req in PYPROJECT["project"]["optional-dependencies"]["test"]
    }
    assert {"ruff", "mypy", "import-linter", "pytest"} <= extras
    mypy = PYPROJECT["tool"]["mypy"]
    assert "pydantic.mypy" in mypy["plugins"] and mypy["packages"] == ["trellosync"]
