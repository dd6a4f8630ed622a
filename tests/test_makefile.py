"""The README's two commands: `make demo` needs neither root nor a browser; `make test`
installs Debian's chromium for the real-browser tests."""

import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def planned_commands(target):
    """Every command `make TARGET` would run on a fresh checkout (-B: as if nothing were built)."""
    return subprocess.run(["make", "-n", "-B", target], cwd=PROJECT, capture_output=True,
                          text=True, check=True).stdout


def test_make_demo_installs_no_browser_and_needs_no_root():
    demo = planned_commands("demo")
    assert "litref demo" in demo
    assert "chromium" not in demo and "playwright" not in demo
    # sudo only as the fallback when Debian's python3 lacks venv, never otherwise.
    assert all("apt-get" not in line or "python3-venv" in line for line in demo.splitlines())


def test_make_test_installs_chromium_and_the_test_tools():
    test = planned_commands("test")
    assert "apt-get install -y chromium" in test
    assert ".[test]" in test and "pytest" in test
