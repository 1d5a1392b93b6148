"""The lists and footers on an 80x24 bastion terminal (issue 13): every screen's footer
fits with f1 Help and ^q Quit and keeps its keys whatever has the focus, Home/End/g/G go
to the first/last row, the summary says when columns lie to the right, and the sandbox's
first screen says where its DNS zones are."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Footer

from screens.add_domain import AddDomainScreen
from screens.cname import DomainScreen
from screens.cname_plan import CnamePlanScreen
from screens.delivery import DeliveryScreen
from screens.domains import DomainsScreen, sandbox_hint
from screens.freshness import FreshnessScreen
from screens.help import HelpScreen
from screens.propagation import PropagationScreen
from screens.record_form import RecordForm
from screens.verify import VerifyScreen
from tests.pilot import (
    connected,
    open_domain,
    open_form,
    open_records,
    sandbox_app,
    text_of,
    wait_for,
)
from tui.keys import shown_bindings
from tui.rules import root_domain
from tui.widgets.paged_table import PAGE, PagedTable

# -- the footers ------------------------------------------------------------------------


def footer_keys(app) -> list[str]:
    """The keys the footer of the screen on top shows ("a", "⏎", "f1"); fails if any
    is cut off or hidden under the command palette's key, docked right."""
    footer = app.screen.query_one(Footer)
    keys = [key for key in footer.children if "-command-palette" not in key.classes]
    palette = [key for key in footer.children if "-command-palette" in key.classes]
    edge = palette[0].region.x if palette else footer.region.right
    cut = [key.key_display for key in keys if key.region.right > edge or not key.region.width]
    assert not cut, f"{type(app.screen).__name__}: {cut} cut off at {footer.region.width}"
    return [key.key_display for key in keys]


async def footer_shown(pilot, screen_type: type) -> list[str]:
    """The footer's keys once a `screen_type` is on top and its footer composed."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type), what=screen_type.__name__)
    await wait_for(
        pilot,
        lambda: app.screen.query(Footer) and app.screen.query_one(Footer).children,
        what="its footer",
    )
    await pilot.pause()
    keys = footer_keys(app)
    assert keys[-2:] == ["^q", "f1"], f"{screen_type.__name__}: {keys}"
    return keys


async def test_the_domain_lists_footer_fits_80_columns_and_stays_the_same_after_help():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        before = await footer_shown(pilot, DomainsScreen)
        assert before == ["a", "⏎", "z", "/", "s", "^q", "f1"]
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await pilot.press("escape")
        after = await footer_shown(pilot, DomainsScreen)
        assert app.screen.query_one(PagedTable).has_focus
        assert after == before
        # Enter is the screen's Open, with the table focused too.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DomainScreen), what="the domain")


async def test_every_screens_footer_fits_80_columns_with_help_and_quit():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        records = await open_records(pilot)
        assert "⏎" in footer_keys(app)  # Edit: DataTable's own enter no longer hides it
        await footer_shown(pilot, type(records))
        await open_form(pilot)
        await footer_shown(pilot, RecordForm)
        await pilot.press("escape")
        await pilot.press("escape")
        zones = await footer_shown(pilot, type(app.screen))
        assert zones[0] == "⏎"
        await pilot.press("escape")
        await footer_shown(pilot, DomainsScreen)
        await pilot.press("a")
        await footer_shown(pilot, AddDomainScreen)
        await pilot.press("escape")

        await open_domain(pilot, "img.example.com")
        await footer_shown(pilot, DomainScreen)
        for key, screen_type in (
            ("p", PropagationScreen),
            ("f", DeliveryScreen),
            ("k", FreshnessScreen),
        ):
            await pilot.press(key)
            await footer_shown(pilot, screen_type)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DomainScreen), what="back")

        cname = app.sandbox.world.domains["static.example.com"].cname
        app.push_screen(CnamePlanScreen("static.example.com", cname))
        await footer_shown(pilot, CnamePlanScreen)
        await wait_for(pilot, lambda: app.screen.setup, what="the plan")
        await footer_shown(pilot, CnamePlanScreen)
        app.pop_screen()
        app.push_screen(VerifyScreen("img.newsite.net", "demo-assets.oss-cn-hangzhou.aliyuncs.com"))
        await wait_for(pilot, lambda: getattr(app.screen, "challenge", None), what="challenge")
        await footer_shown(pilot, VerifyScreen)


async def test_help_and_the_palette_say_in_full_what_a_short_footer_label_means():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_domain(pilot, "img.example.com")
        described = {b.action: b.description for _, b in shown_bindings(screen, hidden=True)}
        assert described["dns_record"] == "DNS record"  # "n DNS" in the footer
        assert described["delete"] == "Delete"  # off the footer, still listed


# -- Home/End/g/G and the columns out of view ---------------------------------------


@dataclass(frozen=True)
class Thing:
    name: str
    note: str = ""


class WideApp(App):
    """A table wider than the terminal: four columns of 24 characters."""

    def compose(self) -> ComposeResult:
        yield PagedTable(
            [(f"c{i}", f"Column {i}") for i in range(4)],
            key=lambda t: t.name,
            cells=lambda t: [Text(f"{t.name} {'x' * 14}")] * 4,
            id="things",
        )


async def test_home_end_g_and_shift_g_go_to_the_first_and_last_item_not_sideways():
    app = WideApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(PagedTable)
        table.fill(Thing(f"thing{i:04}") for i in range(450))
        table.focus()
        await pilot.pause()
        assert table.row_count == PAGE and table.max_scroll_x > 0
        await pilot.press("end")
        # The rest of the list is listed first: the last row is the last item.
        await wait_for(pilot, lambda: table.cursor_row == 449, what="the last item")
        assert table.row_count == 450 and table.counts == (450, 450, 450)
        assert table.selected == Thing("thing0449")
        assert table.scroll_x == 0  # the first column stays in view
        await pilot.press("home")
        await wait_for(pilot, lambda: table.cursor_row == 0, what="the first item")
        await pilot.press("G")
        await wait_for(pilot, lambda: table.cursor_row == 449, what="G: the last")
        await pilot.press("g")
        await wait_for(pilot, lambda: table.cursor_row == 0, what="g: the first")
        assert table.scroll_x == 0


async def test_the_summary_says_columns_lie_to_the_right_at_80_columns_and_not_at_200():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        table = app.screen.query_one(PagedTable)
        summary = app.screen.query_one("#summary")
        # Domain, Status, Progress and Scope fit; Type, Origin, CNAME, Created do not.
        await wait_for(pilot, lambda: "· 4 more columns →" in text_of(summary), what="4 more")
        assert [c.key.value for c in table.ordered_columns][:4] == [
            "name",
            "status",
            "progress",
            "scope",
        ]
        await pilot.resize_terminal(200, 24)
        await wait_for(pilot, lambda: "more column" not in text_of(summary), what="all shown")
        assert table.beyond == 0
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: "· 4 more columns →" in text_of(summary), what="again")


async def test_at_200_columns_the_domain_list_says_nothing_of_more_columns():
    app = sandbox_app()
    async with app.run_test(size=(200, 24)) as pilot:
        await connected(pilot)
        await wait_for(pilot, lambda: app.screen.loaded, what="loaded")
        table = app.screen.query_one(PagedTable)
        await wait_for(pilot, lambda: table.virtual_size.width > 100, what="the columns measured")
        await pilot.pause()
        assert "column" not in text_of(app.screen.query_one("#summary"))


# -- the sandbox's first screen ---------------------------------------------------------


async def test_the_sandboxs_first_screen_names_its_zones_and_the_roots_to_verify():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        hint = app.screen.query_one("#hint")
        await wait_for(pilot, lambda: hint.display, what="the hint")
        zones = [z.name for z in await app.services.dns.list_zones()]
        assert "newsite.net" in zones
        text = text_of(hint, width=400)
        assert text.startswith(f"Sandbox: DNS zones {', '.join(zones)} (z)")
        # newsite.net has no domain in CDN: verification comes first; example.com has.
        pending = text.split("CDN may ask to verify: ")[1].split()
        assert "newsite.net" in " ".join(pending) and "example.com," not in pending


def test_the_hint_names_the_zones_and_those_without_a_cdn_domain():
    text = sandbox_hint(["example.com", "newsite.net"], ["img.example.com"])
    assert text == (
        "Sandbox: DNS zones example.com, newsite.net (z) · no CDN domain yet, "
        "CDN may ask to verify: newsite.net"
    )
    assert "may ask to verify" not in sandbox_hint(["example.com"], ["a.example.com"])
    assert "no DNS zones" in sandbox_hint([], [])
    # Cloud text reaches the terminal: control characters never do.
    assert "\x1b" not in sandbox_hint(["evil\x1b[2J.com"], [])


label = st.text(alphabet="abcxyz", min_size=1, max_size=6)
zone_names = st.lists(st.builds(lambda a: f"{a}.com", label), unique=True, max_size=5)


# Domains at a zone's apex, under it, deeper, or under a zone whose name ends like another's.
def dot_com(*labels: str) -> str:
    return ".".join(labels) + ".com"


domain_names = st.lists(
    st.one_of(
        st.builds(dot_com, label),
        st.builds(dot_com, label, label),
        st.builds(dot_com, label, label, label),
    ),
    max_size=6,
)


@given(zone_names, domain_names)
def test_every_zone_is_named_and_exactly_those_without_a_domain_await_verification(zones, domains):
    text = sandbox_hint(zones, domains)
    head, _, pending = text.partition(" · no CDN domain yet, CDN may ask to verify: ")
    for zone in zones:
        assert zone in head
    roots = {root_domain(d) for d in domains}
    expected = [z for z in zones if z not in roots]
    assert (pending.split(", ") if pending else []) == expected
