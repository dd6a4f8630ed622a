"""The deployment files in deploy/ parse, say what the README promises, and call real commands."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest
import yaml

from litref.cli import main

PROJECT = Path(__file__).resolve().parents[1]
DEPLOY = PROJECT / "deploy"
INSTALL_DIR = "/opt/litref"
UNITS = ["litref-fetch.service", "litref-fetch.timer", "litref-mail@.service"]


def unit_entries(name):
    """A systemd unit as {section: [(key, value), ...]}: keys may repeat (ExecStart),
    which is why configparser's one-value-per-key model does not fit."""
    sections, current = {}, None
    for line in (DEPLOY / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None, f"{name}: not a key=value line: {line!r}"
        current.append((key.strip(), value.strip()))
    return sections


def values(section, key):
    return [value for k, value in section if k == key]


def test_service_runs_fetch_pages_then_status_once_with_settings_from_the_env_file():
    service = unit_entries("litref-fetch.service")["Service"]
    assert values(service, "Type") == ["oneshot"]
    assert values(service, "ExecStart") == [
        f"{INSTALL_DIR}/.venv/bin/litref fetch --quiet",
        # "-": the status report still runs (and names the page) when a page could not be read
        f"-{INSTALL_DIR}/.venv/bin/litref pages --quiet",
        f"{INSTALL_DIR}/.venv/bin/litref status",
    ]
    assert values(service, "EnvironmentFile") == ["/etc/litref/env"]
    assert values(service, "User") == ["litref"]
    assert values(service, "WorkingDirectory") == [INSTALL_DIR]
    # The mail hint is there to be switched on, and names the shipped template.
    assert "#OnFailure=litref-mail@%n.service" in (DEPLOY / "litref-fetch.service").read_text()
    assert (DEPLOY / "litref-mail@.service").is_file()


def test_timer_runs_nightly_at_new_york_night_time_and_catches_up():
    timer = unit_entries("litref-fetch.timer")
    assert values(timer["Timer"], "OnCalendar") == ["*-*-* 03:30:00 America/New_York"]
    assert values(timer["Timer"], "Persistent") == ["true"]
    assert values(timer["Timer"], "RandomizedDelaySec") == ["30min"]
    assert values(timer["Timer"], "Unit") == ["litref-fetch.service"]
    assert values(timer["Install"], "WantedBy") == ["timers.target"]


def test_env_example_holds_the_settings_and_no_secret():
    settings = dict(
        line.split("=", 1) for line in (DEPLOY / "env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(settings) == {"NCBI_EMAIL", "NCBI_API_KEY", "LITREF_DB"}
    assert settings["NCBI_API_KEY"] == ""


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    # Point the units at this checkout (systemd checks that ExecStart exists) and
    # switch the mail hint on, so that every line is checked.
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace(INSTALL_DIR, str(PROJECT))
        (tmp_path / name).write_text(text.replace("#OnFailure=", "OnFailure="))
    instance = tmp_path / "litref-mail@litref-fetch.service.service"
    shutil.copy(tmp_path / "litref-mail@.service", instance)
    checked = [tmp_path / "litref-fetch.service", tmp_path / "litref-fetch.timer", instance]
    result = subprocess.run(
        ["systemd-analyze", "verify", *map(str, checked)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if "litref" in line], result.stderr
    calendar = values(unit_entries("litref-fetch.timer")["Timer"], "OnCalendar")[0]
    assert subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True).returncode == 0


def cron_job():
    lines = [
        line for line in (DEPLOY / "litref-fetch.cron").read_text().splitlines()
        if line and not line.startswith("#") and "=" not in line.split()[0]
    ]
    assert len(lines) == 1
    return lines[0].split(None, 6)


def test_cron_line_runs_nightly_as_litref_and_stays_quiet_when_all_is_well():
    minute, hour, day, month, weekday, user, command = cron_job()
    assert (minute, hour, day, month, weekday, user) == ("30", "7", "*", "*", "*", "litref")
    assert ". /etc/litref/env" in command
    assert command.index(".venv/bin/litref fetch --quiet;") < command.index(
        ".venv/bin/litref pages --quiet;") < command.index(".venv/bin/litref status --quiet;")


def workflow():
    return yaml.safe_load((DEPLOY / "github-actions-fetch.yml").read_text())


def steps():
    return workflow()["jobs"]["fetch"]["steps"]


def test_workflow_runs_on_a_schedule_and_by_hand():
    triggers = workflow()[True]  # YAML 1.1 reads the key `on` as true
    [schedule] = triggers["schedule"]
    assert len(schedule["cron"].split()) == 5
    assert "new_database" in triggers["workflow_dispatch"]["inputs"]


def test_workflow_passes_secrets_only_through_env():
    fetch = next(step for step in steps() if step.get("id") == "fetch")
    assert fetch["env"] == {
        "NCBI_EMAIL": "${{ secrets.NCBI_EMAIL }}",
        "NCBI_API_KEY": "${{ secrets.NCBI_API_KEY }}",
    }
    for step in steps():
        assert "secrets." not in step.get("run", ""), step["name"]
        assert "secrets." not in str(step.get("with", "")), step.get("name")


def test_workflow_restores_fetches_reports_and_publishes_in_that_order():
    runs = "\n".join(step.get("run", "") for step in steps())
    order = ["gh release download", "litref fetch --quiet", "litref pages --quiet", "litref status",
             "litref backup", "gh release upload"]
    assert [runs.index(command) for command in order] == sorted(runs.index(c) for c in order)
    restore = next(step for step in steps() if "gh release download" in step.get("run", ""))
    assert "continue-on-error" not in restore  # no previous database: stop, never start empty
    assert any(step.get("uses", "").startswith("actions/upload-artifact@") for step in steps())


# `litref` as a command: after bin/, at a line's start, after `run: ` or in backquotes.
LITREF_CALL = re.compile(r"(?:/bin/|^\s*|run: |`)litref (\w+)((?: --[\w-]+)*)", re.MULTILINE)


def litref_calls():
    """Every `litref COMMAND --option` written in deploy/, as (file, command, options)."""
    for path in DEPLOY.iterdir():
        for match in LITREF_CALL.finditer(path.read_text()):
            yield path.name, match[1], shlex.split(match[2])


def test_deploy_files_call_real_commands_and_options():
    calls = list(litref_calls())
    assert {(name, command) for name, command, _ in calls} >= {
        ("litref-fetch.service", "fetch"), ("litref-fetch.service", "pages"),
        ("litref-fetch.service", "status"),
        ("litref-fetch.cron", "fetch"), ("litref-fetch.cron", "pages"), ("litref-fetch.cron", "status"),
        ("github-actions-fetch.yml", "fetch"), ("github-actions-fetch.yml", "pages"),
        ("github-actions-fetch.yml", "backup"),
    }
    for name, command, options in calls:
        assert command in main.commands, f"{name}: litref {command}"
        known = {opt for p in main.commands[command].params if isinstance(p, click.Option) for opt in p.opts}
        assert set(options) <= known, f"{name}: litref {command} {' '.join(options)}"
