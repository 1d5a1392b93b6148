"""The propagation board once DNS is propagated but CDN's own resolvers still lag: it
keeps asking CDN for a bounded time, with a countdown and CDN's last answer."""

from __future__ import annotations

import re

from alibabacloud_cdn20180510 import models as cdn_models
from alibabacloud_cdn20180510.client import Client as CdnClient

from screens.propagation import PropagationScreen
from tests.helpers import sdk_config as config
from tests.pilot import connected, sandbox_app, text_of, wait_for
from tui.sandbox.dns_answers import SOA_MINIMUM
from tui.sandbox.world import cname_for

# CDN's negative answer lasts a real minute at this speed: the board shows its wait long
# before it ends on its own, and the test ends it by jumping the sandbox's clock.
SPEED = 10.0
NAME = "shop.example.com"


async def test_the_board_waits_for_cdn_with_a_countdown_then_sees_it_in_place(monkeypatch):
    for var in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(var, raising=False)
    app = sandbox_app(speed=SPEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        box = app.sandbox
        world = box.world
        origin = {"content": "demo-assets.oss-cn-hangzhou.aliyuncs.com", "type": "oss",
                  "port": 80, "priority": "20", "weight": "10"}  # fmt: skip
        world.add_domain(NAME, "web", [origin], "domestic", status="online")
        # CDN looked before the record existed (and keeps "none" for the SOA minimum)...
        cdn = CdnClient(config(box.info, "cdn_endpoint"))
        request = cdn_models.DescribeDomainCnameRequest(domain_name=NAME)
        assert (await cdn.describe_domain_cname_async(request)).body.cname_datas.data[0].status
        # ...and every public resolver already sees it (published a while ago for them).
        world.add_record(
            "example.com", "shop", "CNAME", cname_for(NAME), created_at=world.now() - 3600
        )
        board = PropagationScreen(NAME, cname_for(NAME))
        app.push_screen(board)
        await wait_for(pilot, lambda: board.board is not None, what="the board")
        note = board.query_one("#next")
        await wait_for(
            pilot, lambda: "giving up in" in text_of(note), timeout=20, what="CDN's countdown"
        )
        assert "DNS is propagated; CDN's own check says: CDN does not see" in text_of(note)
        assert board.board is not None and board.board.cdn_waiting
        # Real time, as every clock on the board: ten cloud minutes are one minute here.
        assert re.search(r"giving up in (1:00|0:[45]\d)", text_of(note)), text_of(note)

        world.clock.advance(SOA_MINIMUM)  # CDN's cached "none" runs out
        await wait_for(
            pilot,
            lambda: "Propagated: every server" in text_of(note),
            timeout=20,
            what="CDN sees the CNAME",
        )
        assert board.board.cdn is not None and board.board.cdn.matches
