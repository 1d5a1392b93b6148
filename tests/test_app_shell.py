"""The app shell: help, the command palette, keymaps, an empty account, bad credentials."""

import gc
import json

from textual.command import CommandList, CommandPalette, Hit
from textual.widgets import DataTable

from screens.add_domain import AddDomainScreen
from screens.help import HelpScreen
from tests.pilot import connected, sandbox_app, text_of, wait_for
from tui.app import OssCdnApp
from tui.launch import LaunchOptions


async def test_help_lists_the_screens_keys():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(text_of(s) for s in app.screen.query("Static"))
        assert "Add" in text and "Start/Stop" in text and "Delete" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


def highlighted_hit(app) -> str:
    """The text of the command palette's highlighted search hit ("" while none)."""
    if not isinstance(app.screen, CommandPalette):
        return ""
    commands = app.screen.query_one(CommandList)
    option = commands.highlighted_option
    if option is None or not isinstance(option.hit, Hit):  # not a discovery hit
        return ""
    return option.hit.text or ""


async def test_command_palette_runs_a_screen_action():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+p")
        for char in "Add":
            await pilot.press(char)
        await wait_for(
            pilot, lambda: highlighted_hit(app).startswith("Add"), what="the palette's hit"
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AddDomainScreen), what="add form")


async def test_a_keymap_file_remaps_a_binding(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "oss-cdn").mkdir()
    (tmp_path / "oss-cdn" / "keymap.json").write_text(json.dumps({"domains.add": "n"}))
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        await pilot.press("a")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, AddDomainScreen)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, AddDomainScreen), what="add form")


async def test_an_empty_account_says_what_to_do_next():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        app.sandbox.world.domains.clear()
        await pilot.press("r")
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 0, what="an empty list")
        empty = app.screen.query_one("#empty")
        assert empty.display and "add your first one" in text_of(empty)
        summary = app.screen.query_one("#summary")  # the quota: DescribeCdnUserQuota's
        await wait_for(pilot, lambda: "0 domains · quota 50" in text_of(summary), what="quota")


async def test_an_unknown_profile_is_an_error_not_a_silent_sandbox(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = OssCdnApp(LaunchOptions(profile="nope"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.sub_title == "not connected", what="the error")
        assert app.sandbox is None
        await wait_for(  # (a notification is posted: it lands a moment later)
            pilot, lambda: any("nope" in n.message for n in app._notifications), what="why"
        )
        # The list says why in place of rows, not "connecting…" forever.
        await wait_for(pilot, lambda: app.screen.query("#empty"), what="the list")
        assert not app.screen.query_one(DataTable).loading
        empty = app.screen.query_one("#empty")
        assert empty.display and "Not connected" in text_of(empty)
        assert "nope" in text_of(empty) and "oss-cdn doctor" in text_of(empty)
        # Start-up's collector threshold is put back: no warm-up will come to do it.
        assert gc.get_threshold() == app._gc_threshold


async def test_cloud_text_is_shown_literally_not_as_markup():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        app.sandbox.faults.add(
            "http_error",
            action="DescribeUserDomains",
            status=400,
            code="Bad[red]Code",
            message="[b]not bold[/b] text",
            count=None,
        )
        await pilot.press("r")
        shown = await wait_for(
            pilot,
            lambda: [n for n in app._notifications if "[b]not bold[/b]" in n.message],
            what="the error",
        )
        assert not shown[0].markup and "Bad[red]Code" in shown[0].message
