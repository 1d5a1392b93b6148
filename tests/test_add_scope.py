"""The add form and the domain list on a real account's terms: the quota read from the API,
the scope above the fold with its ICP need, a refusal for no ICP filing (or no real-name
verification) answered with the scope `overseas`, CDN not activated, domains in review,
and a new domain's detail that lags its add. Pilot against the sandbox."""

from __future__ import annotations

import os

import pytest
from alibabacloud_cdn20180510 import models as cdn_models
from alibabacloud_cdn20180510.client import Client as CdnClient
from textual.widgets import Button, DataTable

from screens.cname import DomainScreen
from tests.helpers import PROXY_VARS, sdk_config, served_sandbox
from tests.pilot import (
    connected,
    form_ready,
    open_add_form,
    sandbox_app,
    text_of,
    type_text,
    wait_for,
)
from tui.cli import build_parser

HZ = {
    "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
    "type": "oss",
    "port": 80,
    "priority": "20",
    "weight": "10",
}


async def relisted(pilot, count: int) -> None:
    """`r` on the domain list, until it counts `count` domains (the count the add form's
    quota check starts from)."""
    await pilot.press("r")
    summary = pilot.app.screen.query_one("#summary")
    await wait_for(pilot, lambda: f"{count} domains" in text_of(summary), what="the count")


def said(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_name_scope_origin_and_add_fit_at_80x24_and_the_scope_says_if_it_needs_icp():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        await type_text(pilot, "assets.example.com")
        submit = screen.query_one("#submit", Button)
        await wait_for(pilot, lambda: not submit.disabled, what="submit enabled")
        footer_top = 23
        for widget_id in ("#domain", "#checklist", "#scope", "#scope_note", "#origin", "#submit"):
            region = screen.query_one(widget_id).region
            assert region.height and region.bottom <= footer_top, (widget_id, region)
        note = screen.query_one("#scope_note")
        assert screen.scope == "domestic" and "ICP filing needed" in text_of(note)
        # The passing rules fold into one line; the cloud's two checks keep theirs.
        assert len(text_of(screen.query_one("#checklist")).strip().splitlines()) == 3

        overseas = next(b for b in screen.query("#scope RadioButton") if b.name == "overseas")
        await pilot.click(overseas)
        await wait_for(pilot, lambda: screen.scope == "overseas", what="overseas chosen")
        assert "No ICP filing needed" in text_of(note)


@pytest.mark.parametrize(
    "setup, code, words",
    [
        (lambda w: None, "DomainNotRegistration", "no ICP filing"),
        (
            lambda w: setattr(w, "real_name_verified", False),
            "NotInternationRealIdentity",
            "real-name",
        ),
    ],
    ids=["no-icp-filing", "no-real-name"],
)
async def test_a_mainland_refusal_is_explained_and_overseas_is_offered_then_added(
    setup, code, words
):
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await form_ready(pilot, "cdn.newsite.net")
        world = app.sandbox.world
        world.zones["newsite.net"].verified_for_cdn = True  # owned: only the scope is at stake
        if code != "DomainNotRegistration":
            world.zones["newsite.net"].icp_filed = True
        setup(world)
        await pilot.press("ctrl+s")
        error = screen.query_one("#error")
        await wait_for(pilot, lambda: error.display, what="the refusal")
        text = " ".join(text_of(error).split())
        assert code in text and words in text and "Outside mainland China" in text
        note = screen.query_one("#scope_note")
        await wait_for(pilot, lambda: "Scope switched" in text_of(note), what="the offer")
        assert screen.scope == "overseas"
        assert "cdn.newsite.net" not in world.domains
        assert not screen.query_one("#submit", Button).disabled

        await pilot.press("ctrl+s")  # resubmit, outside mainland China
        details = await wait_for(
            pilot, lambda: isinstance(app.screen, DomainScreen) and app.screen, what="the domain"
        )
        assert details.domain_name == "cdn.newsite.net"
        assert world.domains["cdn.newsite.net"].scope == "overseas"
        sent = [p.get("Scope", "domestic") for p in app.sandbox.calls.of("AddCdnDomain")]
        assert sent == ["domestic", "overseas"]


async def test_with_a_raised_quota_an_account_at_fifty_domains_adds_the_51st():
    from tui.app import OssCdnApp
    from tui.launch import LaunchOptions

    app = OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1000.0, sandbox_quota=60))
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        for i in range(50 - len(world.domains)):
            world.add_domain(f"fill{i}.example.com", "web", [HZ], "domestic", status="online")
        await relisted(pilot, 50)
        screen = await form_ready(pilot, "fifty-one.example.com")
        checklist = screen.query_one("#checklist")
        await wait_for(pilot, lambda: "50 / 60 domains" in text_of(checklist), what="the quota")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DomainScreen), what="the domain")
        assert len(world.domains) == 51 and "fifty-one.example.com" in world.domains
        assert app.sandbox.calls.of("DescribeCdnUserQuota")


async def test_a_full_quota_keeps_add_disabled_and_says_so():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        for i in range(50 - len(world.domains)):
            world.add_domain(f"fill{i}.example.com", "web", [HZ], "domestic", status="online")
        await relisted(pilot, 50)
        screen = await open_add_form(pilot)
        await type_text(pilot, "fifty-one.example.com")
        checklist = screen.query_one("#checklist")
        await wait_for(pilot, lambda: "50 / 50 domains" in text_of(checklist), what="the quota")
        assert "Quota Center" in text_of(checklist)
        assert screen.query_one("#submit", Button).disabled


async def test_cdn_not_activated_is_explained_in_place_of_the_list():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        app.sandbox.world.cdn_activated = False
        await pilot.press("r")
        empty = app.screen.query_one("#empty")
        await wait_for(pilot, lambda: empty.display, what="the empty state")
        text = " ".join(text_of(empty).split())
        assert "CDN is not activated" in text and "commodityCode=cdn" in text
        assert "CdnServiceNotFound" in text
        assert app.screen.query_one(DataTable).row_count == 0

        app.sandbox.world.cdn_activated = True  # activated in the console; r again
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.query_one(DataTable).row_count, what="rows")
        assert not empty.display


async def test_the_list_shows_domains_in_review():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        table = app.screen.query_one(DataTable)
        assert "dl.example.com" in table.rows  # check_failed: shown only with CheckDomainShow
        sent = app.sandbox.calls.of("DescribeUserDomains")
        assert sent and all(p["CheckDomainShow"].lower() == "true" for p in sent)


async def test_a_new_domain_whose_detail_lags_is_waited_for_not_taken_for_deleted():
    app = sandbox_app(speed=5.0)  # the app waits up to 60 cloud seconds: 12 s here
    async with app.run_test(size=(80, 24)) as pilot:
        await form_ready(pilot, "assets.example.com")
        world = app.sandbox.world
        world.detail_lag = 1e9  # the detail does not know it until the test says
        await pilot.press("ctrl+s")
        details = await wait_for(
            pilot, lambda: isinstance(app.screen, DomainScreen) and app.screen, what="the screen"
        )

        def detail_reads() -> int:
            calls = app.sandbox.calls.of("DescribeCdnDomainDetail")
            return sum(1 for p in calls if p.get("DomainName") == "assets.example.com")

        await wait_for(pilot, lambda: detail_reads() >= 2, what="a second read")
        assert app.screen is details and details.domain is None
        world.domains["assets.example.com"].detail_from = 0.0  # the detail catches up
        await wait_for(pilot, lambda: details.domain is not None, what="the domain shown")
        assert details.domain.name == "assets.example.com"
        assert not any("no longer in CDN" in m for m in said(app))


def test_sandbox_quota_is_an_option_of_the_app_and_of_serve():
    parser = build_parser()
    assert parser.parse_args(["--sandbox-quota", "80"]).sandbox_quota == 80
    assert parser.parse_args([]).sandbox_quota is None
    served = parser.parse_args(["sandbox", "serve", "--sandbox-quota", "120"])
    assert served.serve_quota == 120
    with pytest.raises(SystemExit):
        parser.parse_args(["--sandbox-quota", "-1"])


@pytest.mark.slow  # a served sandbox process
def test_a_served_sandbox_reports_its_quota_through_describe_cdn_user_quota():
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    with served_sandbox(env, "--sandbox-quota", "75") as (_, info):
        client = CdnClient(sdk_config(info, "cdn_endpoint"))
        body = client.describe_cdn_user_quota(cdn_models.DescribeCdnUserQuotaRequest()).body
        assert body.domain_quota == 75
