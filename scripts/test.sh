#!/usr/bin/env bash
# Install what the tests need and run them all: Debian's unbound (one test checks
# propagation through a real caching resolver), tmux (one test types into the app in a
# real terminal), chromium-headless-shell (the browser tests open `oss-cdn web` in it,
# driven by Playwright; never `playwright install`, which downloads a browser), the test
# extras, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if { ! command -v unbound >/dev/null && [ ! -x /usr/sbin/unbound ]; } \
    || ! command -v tmux >/dev/null || ! command -v chromium-headless-shell >/dev/null; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    unbound tmux chromium-headless-shell
fi
python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'

# Lint, format and import contracts (configured in pyproject.toml; the same checks as
# .pre-commit-config.yaml): any finding fails the run before the tests start.
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports --no-logo

# Type check (mypy, configured in pyproject.toml): a finding fails the run.
.venv/bin/python -m mypy

.venv/bin/python -m pytest -n auto -q "$@"
