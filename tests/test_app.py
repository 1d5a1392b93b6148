"""The app starts in the sandbox and lists its domains (Pilot, real sandbox)."""

from textual.widgets import DataTable

from tests.pilot import wait_for
from tui.app import OssCdnApp
from tui.launch import LaunchOptions


async def test_app_starts_in_the_sandbox_and_lists_its_domains():
    app = OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1000))
    async with app.run_test(size=(80, 24)) as pilot:
        table = await wait_for(
            pilot,
            # The first frame is the header alone; the domain list comes right after it.
            lambda: (
                app.screen.query(DataTable)
                and app.screen.query_one(DataTable).row_count
                and app.screen.query_one(DataTable)
            ),
            what="the domain list",
        )
        names = {str(table.get_row(key)[0]) for key in table.rows}
        expected = {d.name for d in app.sandbox.world.domains.values()}
        assert names == expected
        assert app.sub_title == "SANDBOX (own)"
        assert app.has_class("-sandbox")
        assert "img.example.com" in names
