"""The README is CI's script: `.ci/run` reads the README's two commands from their marked code blocks and runs
them as written; the system-package script they start installs what is missing, through sudo only when not root."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
INSTALL = REPO / "scripts" / "install-system-packages.sh"


def run_ci(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(repo / ".ci" / "run"), *args], capture_output=True, text=True, timeout=30
    )


def marked_blocks(text: str) -> dict[str, str]:
    """Each `<!-- ci: NAME -->` marker's following ```bash block, read independently of .ci/run."""
    return {
        m[1]: m[2] for m in re.finditer(r"^<!-- ci: ([\w-]+) -->\n```bash\n(.*?)\n```$", text, re.M | re.S)
    }


def test_ci_runs_exactly_the_readme_blocks() -> None:
    result = run_ci(REPO, "--print")
    assert result.returncode == 0, result.stderr
    blocks = marked_blocks(README.read_text(encoding="utf-8"))
    assert set(blocks) == {"first-command", "test-command"}
    assert result.stdout == blocks["first-command"] + "\n" + blocks["test-command"] + "\n"
    first, tests = blocks["first-command"], blocks["test-command"]
    assert "\n" not in first and "\n" not in tests, "each is one command, copied as one line"
    assert first.startswith(
        "sh scripts/install-system-packages.sh && python3 -m venv .venv && . .venv/bin/activate"
    )
    assert first.endswith("&& trellosync demo")
    assert tests.startswith("sh scripts/install-system-packages.sh --tests && python3 -m venv .venv")
    assert tests.endswith(
        "&& ruff check . && ruff format --check . && mypy && lint-imports && python3 -m pytest -q"
    )
    assert "sudo" not in first + tests, "the script decides on sudo: root in a container has none"


def test_the_readme_states_the_python_it_needs() -> None:
    import tomllib

    needs = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert needs == ">=3.10" and "Needs Python 3.10 or newer" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("readme", "says"),
    [
        ("no markers at all\n", "has 0 lines '<!-- ci: first-command -->'"),
        (
            "<!-- ci: first-command -->\n```bash\na\n```\n<!-- ci: first-command -->\n```bash\nb\n```\n",
            "has 2 lines",
        ),
        (
            "<!-- ci: first-command -->\n\n```bash\na\n```\n<!-- ci: test-command -->\n```bash\nb\n```\n",
            "no fenced code block right after '<!-- ci: first-command -->'",
        ),
        (
            "<!-- ci: first-command -->\n```bash\na\n```\n<!-- ci: test-command -->\n```bash\nb\n",
            "no fenced code block right after '<!-- ci: test-command -->'",
        ),
        (
            "<!-- ci: first-command -->\n```bash\n```\n<!-- ci: test-command -->\n```bash\nb\n```\n",
            "an empty command",
        ),
    ],
)
def test_ci_refuses_a_readme_whose_blocks_it_cannot_find(tmp_path: Path, readme: str, says: str) -> None:
    (tmp_path / ".ci").mkdir()
    shutil.copy(REPO / ".ci" / "run", tmp_path / ".ci" / "run")
    (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    result = run_ci(tmp_path, "--print")
    assert result.returncode == 2 and says in result.stderr, result.stderr
    assert result.stdout == ""
    result = run_ci(tmp_path)  # and runs nothing
    assert result.returncode == 2 and result.stdout == ""


def fake_system(
    tmp_path: Path, *, uid: int, sudo: bool, installed: set[str], debian: bool = True
) -> dict[str, str]:
    """A PATH of stubs: dpkg-query answers from `installed`, apt-get and sudo log their arguments to calls.log."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in ("grep", "env", "cat"):
        os.symlink(shutil.which(tool), bin_ / tool)
    log = tmp_path / "calls.log"
    stubs = {"id": f"echo {uid}\n", "apt-get": f'echo "apt-get $*" >> {log}\n'}
    if debian:
        ok = " ".join(sorted(installed))
        stubs["dpkg-query"] = (
            f'for p in {ok}; do [ "$p" = "$3" ] && echo "install ok installed" && exit 0; done\nexit 1\n'
        )
    if sudo:
        stubs["sudo"] = f'echo "sudo $1" >> {log}\nexec "$@"\n'
    for name, body in stubs.items():
        (bin_ / name).write_text("#!/bin/sh\n" + body)
        (bin_ / name).chmod(0o755)
    return {"PATH": str(bin_), "HOME": str(tmp_path)}


def install(
    tmp_path: Path, env: dict[str, str], *args: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    result = subprocess.run(
        ["/bin/sh", str(INSTALL), *args], capture_output=True, text=True, env=env, timeout=30
    )
    log = tmp_path / "calls.log"
    return result, log.read_text().splitlines() if log.exists() else []


def test_as_root_it_installs_what_is_missing_without_sudo(tmp_path: Path) -> None:
    env = fake_system(tmp_path, uid=0, sudo=False, installed={"python3", "fonts-noto-core"})
    result, calls = install(tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert calls[0] == "apt-get update -qq"
    wanted = calls[1].split("--no-install-recommends ")[1].split()
    assert "python3-venv" in wanted and "libharfbuzz-subset0" in wanted and "fonts-noto-cjk" in wanted
    assert "python3" not in wanted and "fonts-noto-core" not in wanted and "postgresql" not in wanted


def test_as_a_user_it_goes_through_sudo_and_tests_add_postgresql(tmp_path: Path) -> None:
    env = fake_system(tmp_path, uid=1000, sudo=True, installed=set())
    result, calls = install(tmp_path, env, "--tests")
    assert result.returncode == 0, result.stderr
    assert calls[0] == "sudo env" and calls[1] == "apt-get update -qq" and calls[2] == "sudo env"
    assert {"postgresql", "poppler-utils", "python3-venv"} <= set(calls[3].split())


def test_as_a_user_without_sudo_it_says_what_it_needs(tmp_path: Path) -> None:
    env = fake_system(tmp_path, uid=1000, sudo=False, installed={"python3"})
    result, calls = install(tmp_path, env)
    assert result.returncode == 1 and calls == []
    assert (
        "needs root: run this as root, or install sudo" in result.stderr and "python3-venv" in result.stderr
    )


def test_nothing_missing_installs_nothing_and_other_systems_are_told(tmp_path: Path) -> None:
    everything = {
        "python3",
        "python3-venv",
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-noto-cjk",
        "fonts-noto-core",
        "fonts-noto-color-emoji",
    }
    env = fake_system(tmp_path, uid=1000, sudo=False, installed=everything)
    result, calls = install(tmp_path, env)
    assert result.returncode == 0 and calls == [] and result.stdout == "", result.stderr
    other = tmp_path / "other"
    other.mkdir()
    result, calls = install(other, fake_system(other, uid=1000, sudo=False, installed=set(), debian=False))
    assert result.returncode == 0 and calls == [] and "not Debian or Ubuntu" in result.stderr
