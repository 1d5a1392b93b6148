"""The first paint must not wait for the SDKs: importing the app leaves them out."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a fresh interpreter per test

HEAVY = ("alibabacloud", "oss2", "aiohttp", "darabonba", "Tea", "dns.asyncresolver")


def imported_after(statement: str) -> list[str]:
    code = (
        f"import sys; {statement}; "
        f"print('\\n'.join(m for m in sys.modules if m.startswith({HEAVY!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_importing_the_app_leaves_the_sdks_out():
    assert imported_after("import tui.app") == []


def test_the_first_screen_and_cli_leave_the_sdks_out():
    assert imported_after("import tui.cli, screens.domains, screens.help") == []


def test_no_screen_module_imports_the_sdks():
    # Screens reach the SDKs through app.services, imported in functions when used.
    screens = sorted(
        p.stem
        for p in Path(__file__).parent.parent.joinpath("screens").glob("*.py")
        if p.stem != "__init__"
    )
    assert {"domains", "verify", "propagation"} <= set(screens)
    assert imported_after(f"import {', '.join('screens.' + s for s in screens)}") == []


def test_the_check_is_real():
    # The same probe does see an SDK once something imports it.
    assert "oss2" in imported_after("import oss2")
