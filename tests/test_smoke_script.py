"""scripts/smoke-real-account.sh: refuses in CI and without credentials; its steps (doctor,
the listing, one fetch) run through in a sandbox of their own (SMOKE_SANDBOX=1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # processes

SCRIPT = Path(__file__).parent.parent / "scripts" / "smoke-real-account.sh"
CREDENTIAL_VARS = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "CI")


def run(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARS}
    base.update(HOME=str(tmp_path), PYTHON=sys.executable, **env)
    return subprocess.run(
        ["bash", str(SCRIPT)], env=base, capture_output=True, text=True, timeout=180
    )


def test_it_refuses_in_ci(tmp_path):
    done = run(tmp_path, CI="true", ALIBABA_CLOUD_ACCESS_KEY_ID="LTAIexample")
    assert done.returncode == 2
    assert "refusing to run in CI" in done.stderr


def test_it_refuses_without_credentials(tmp_path):
    done = run(tmp_path)
    assert done.returncode == 2
    assert "no credentials" in done.stderr


def test_its_steps_run_through_in_a_sandbox(tmp_path):
    done = run(tmp_path, SMOKE_SANDBOX="1", SMOKE_URL="http://img.example.com/img/logo.png")
    assert done.returncode == 0, done.stderr
    assert "All the app needs works." in done.stdout
    assert "CDN domain(s)" in done.stdout and "zone(s) in Alibaba Cloud DNS" in done.stdout
    assert "SERVED" in done.stdout
