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


def test_the_cdn_service_leaves_oss2_and_alidns_out():
    # The domain list needs only CDN: building it must not import oss2 nor the Alidns SDK
    # (~280 ms of CPU before the first listing); their services import them when built.
    services = (
        "from tui.services.facade import Services; from tui.services.profile import Profile; "
        "s = Services(Profile(name='p', region='cn-hangzhou', access_key_id='k', "
        "access_key_secret='s'))"
    )
    imported = imported_after(f"{services}; s.cdn")
    assert "alibabacloud_cdn20180510.client" in imported
    assert not [m for m in imported if m.startswith(("oss2", "alibabacloud_alidns"))]
    # The SDK's ~530 model modules wait until a request needs them, but for the first
    # listing's three, imported with the service (off the event loop).
    assert sorted(m for m in imported if m.startswith("alibabacloud_cdn20180510.models._")) == [
        "alibabacloud_cdn20180510.models._describe_user_domains_request",
        "alibabacloud_cdn20180510.models._describe_user_domains_response",
        "alibabacloud_cdn20180510.models._describe_user_domains_response_body",
    ]
    imported = imported_after(f"{services}; s.cdn; s.oss; s.dns")
    assert "oss2" in imported and "alibabacloud_alidns20150109.models" in imported


def test_the_domain_list_leaves_the_screens_it_opens_out():
    # They load on a thread once the first listing has painted (tui/app.py), not before.
    code = (
        "import sys, screens.domains; "
        "print(' '.join(m for m in ('screens.add_domain', 'screens.cname', "
        "'screens.dns_records', 'screens.batch_result') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []
    # The probe is real: importing the domain screen does load it.
    out = subprocess.run(
        [sys.executable, "-c", code.replace("screens.domains;", "screens.domains, screens.cname;")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["screens.cname"]
