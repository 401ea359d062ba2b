"""A plain (non-editable) install carries the templates, the example boards and the migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("trellosync-*.whl"))


@pytest.mark.slow
def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "trellosync/templates/base.html",
        "trellosync/templates/report.css",
        "trellosync/templates/goals.html",
        "trellosync/templates/dossier.html",
        "trellosync/templates/brief.html",
        "trellosync/example/config.yaml",
        "trellosync/example/peer-lunch-will-jessica.json",
        "trellosync/store/migrations/env.py",
        "trellosync/store/migrations/versions/0001_initial_schema.py",
        "trellosync/cli/commands.py",
        "trellosync/datasette-metadata.yaml",
    ):
        assert required in names, required
    assert any(n.startswith("trellosync/templates/fonts/") and n.endswith(".ttf") for n in names)
    assert not any(n.startswith("tests/") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def _site_dirs() -> list[str]:
    """The site-packages folders this test run imports from (a virtualenv's, then the system's)."""
    return [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]


@pytest.mark.slow
def test_installed_command_runs_outside_the_checkout(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    # Not system_site_packages: from inside a virtualenv that would show the base interpreter's packages,
    # not the virtualenv's. The dependencies come from this run's own site folders through a .pth file
    # (whose own .pth files, such as an editable install of the checkout, are not processed).
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    inner_site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(inner_site) / "outer-environment.pth").write_text("\n".join(_site_dirs()) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    where = subprocess.run(
        [str(py), "-c", "import trellosync; print(trellosync.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert str(env_dir) in where
    demo = subprocess.run(
        [str(env_dir / "bin" / "trellosync"), "demo", "--no-reports"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    assert "Will Smith" in demo.stdout and "Amara" in demo.stdout
    mod = subprocess.run(
        [str(py), "-m", "trellosync", "--help"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert mod.returncode == 0 and "sync" in mod.stdout
