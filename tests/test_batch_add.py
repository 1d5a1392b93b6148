"""Several names in the add form, added as one batch (issue 11, the add form's part).

The names' parsing is pure (unit and property tests); the batch against the sandbox:
one ownership verification per root, the quota counted for the whole batch, a bad
name blocking the submit, and the form as it looks at 80x24.
"""

import string

from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Button, DataTable, Input

from screens.add_domain import AddDomainScreen
from screens.batch_result import BatchResultScreen
from screens.verify import VerifyScreen
from tests.pilot import (
    answer_yes,
    confirmation,
    connected,
    messages,
    open_add_form,
    press_and_confirm,
    sandbox_app,
    snapshot_app,
    steady_cursors,
    text_of,
    wait_for,
)
from tui.rules import check_names, domain_key, split_names
from tui.widgets.confirm import Confirm
from tui.widgets.names_input import one_line

# -- parsing the names (pure) ---------------------------------------------------------------


def test_every_separator_splits_and_none_is_kept():
    text = (
        "a.example.com,b.example.com\n c.example.com ;d.example.com\te.example.com，f.example.com"
    )
    assert split_names(text) == [f"{c}.example.com" for c in "abcdef"]
    assert split_names(" , ,\n ") == []


def test_one_name_is_judged_as_the_form_always_did():
    batch = check_names("Cdn.example.com")
    assert len(batch.checks) == 1
    assert [p.code for p in batch.checks[0].problems] == ["uppercase"]
    assert batch.fixed_text == "cdn.example.com"
    # Nothing typed: the one check of the empty text says what to type.
    assert [p.code for p in check_names("").checks[0].problems] == ["empty"]


def test_a_wildcard_in_both_spellings_is_the_same_name_twice():
    batch = check_names("*.example.com, .example.com, img.example.com")
    assert [c.api_name for c in batch.checks] == [".example.com", ".example.com", "img.example.com"]
    assert [bool(c.problems) for c in batch.checks] == [False, True, False]
    duplicate = batch.checks[1].problems[-1]
    assert duplicate.code == "duplicate" and "twice" in duplicate.message
    assert batch.summary() == "3 names: 2 ready, 1 with problems"
    assert not batch.ok


def test_chinese_names_get_their_punycode_fix_each():
    batch = check_names("图片.example.com、视频.example.com")
    assert len(batch.checks) == 2
    assert all("non_ascii" in {p.code for p in c.problems} for c in batch.checks)
    fixed = check_names(batch.fixed_text or "")
    assert fixed.ok and all(c.name.startswith("xn--") for c in fixed.checks)
    assert fixed.summary() == "2 names: 2 ready"


def test_pasted_lines_become_one_line_of_names():
    assert one_line("a.example.com\r\n\nb.example.com  \n") == "a.example.com, b.example.com"
    assert split_names(one_line("a.example.com\nb.example.com")) == [
        "a.example.com",
        "b.example.com",
    ]


LABEL = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=10)
NAME = st.builds(lambda sub, root: f"{sub}.{root}.com", LABEL, LABEL)
WILDCARD = st.builds(lambda name: f"*.{name}", NAME)
SEPARATOR = st.text(" ,;\n\t，、", min_size=1, max_size=3).filter(lambda s: s.strip(" ") or s)


@given(st.lists(st.one_of(NAME, WILDCARD), min_size=1, max_size=8), st.data())
def test_any_separators_give_back_the_names_typed(names, data):
    text = names[0]
    for name in names[1:]:
        text += data.draw(SEPARATOR) + name
    text = data.draw(SEPARATOR) + text + data.draw(SEPARATOR)
    assert split_names(text) == names


@given(st.lists(st.one_of(NAME, WILDCARD, st.sampled_from(["A.example.com", "a.example.com"]))))
def test_each_name_after_its_first_spelling_is_refused_as_a_duplicate(names):
    batch = check_names(", ".join(names))
    if not names:
        return  # the empty text: covered above
    duplicates = [c for c in batch.checks if "duplicate" in {p.code for p in c.problems}]
    assert len(duplicates) == len(names) - len({domain_key(n) for n in names})
    assert len(batch.failing) + len(batch.ready) == len(names)
    assert batch.ok == (not batch.failing)


# -- the batch against the sandbox ----------------------------------------------------------

HZ = "demo-assets.oss-cn-hangzhou.aliyuncs.com"


def checklist(screen) -> str:
    return " ".join(text_of(screen.query_one("#checklist")).split())


async def typed(pilot, text: str) -> AddDomainScreen:
    screen = await open_add_form(pilot)
    screen.query_one("#domain", Input).value = text
    await pilot.pause()
    return screen


async def cloud_answered(pilot, screen) -> None:
    await wait_for(
        pilot,
        lambda: screen.cloud and all(p is not None for p, _ in screen.cloud.values()),
        what="the cloud checks",
    )


async def at_verification(pilot, names: list[str]) -> VerifyScreen:
    """The batch of `names` (under newsite.net) confirmed and sent: CDN asked for the
    root's ownership, and the verification screen shows its challenge."""
    app = pilot.app
    await connected(pilot)
    app.sandbox.world.zones["newsite.net"].icp_filed = True
    screen = await typed(pilot, ", ".join(names))
    await wait_for(pilot, lambda: not screen.query_one("#submit", Button).disabled, what="submit")
    await pilot.press("ctrl+s")
    await confirmation(pilot)
    await answer_yes(pilot)
    verify = await wait_for(
        pilot, lambda: isinstance(app.screen, VerifyScreen) and app.screen, what="verify"
    )
    await wait_for(pilot, lambda: verify.challenge is not None, what="the challenge")
    return verify


async def test_three_names_of_a_new_root_one_verification_three_domains():
    names = ["cdn.newsite.net", "img.newsite.net", "video.newsite.net"]
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        world.zones["newsite.net"].icp_filed = True  # mainland China takes it (test_add_scope)
        screen = await typed(pilot, ", ".join(names))
        await cloud_answered(pilot, screen)
        assert "3 names: 3 ready" in checklist(screen)
        assert "Available in CDN — all free" in checklist(screen)
        assert not screen.query_one("#submit", Button).disabled

        await pilot.press("ctrl+s")
        dialog = await confirmation(pilot)
        assert [w.param("DomainName") for w in dialog.writes] == names
        assert all(w.action == "AddCdnDomain" for w in dialog.writes)
        assert app.sandbox.calls.of("AddCdnDomain") == []  # nothing sent before the yes
        await answer_yes(pilot)

        verify = await wait_for(
            pilot, lambda: isinstance(app.screen, VerifyScreen) and app.screen, what="verify"
        )
        assert verify.domain == names[0]
        await wait_for(pilot, lambda: verify.challenge is not None, what="the challenge")
        await press_and_confirm(pilot, "t")  # create the TXT record, watch DNS, verify

        result = await wait_for(
            pilot,
            lambda: isinstance(app.screen, BatchResultScreen) and app.screen,
            timeout=30,
            what="the batch's result",
        )
        assert result.outcomes == [(name, "added") for name in names]
        await wait_for(pilot, lambda: len(result.statuses) == 3, what="the statuses")
        assert set(result.statuses.values()) <= {"configuring", "online"}
        assert all(name in world.domains for name in names)
        assert world.zones["newsite.net"].verified_for_cdn
        # One verification: asked for the first name only, and one TXT record.
        verified = app.sandbox.calls.of("VerifyDomainOwner")
        assert verified and {c["DomainName"] for c in verified} == {names[0]}
        txt = [r for r in world.current_records("newsite.net") if r.type == "TXT"]
        assert len(txt) == 1
        # The first add was refused for ownership and sent again once verified; the
        # other two went through at once: three domains, never one added twice.
        sent = [c["DomainName"] for c in app.sandbox.calls.of("AddCdnDomain")]
        assert sent == [names[0], *names]
        assert not isinstance(app.screen, VerifyScreen)


async def test_the_quota_counts_the_whole_batch():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        # Room for two more: 48 of the default 50 in use (the list, read again, counts them).
        source = [{"content": HZ, "type": "oss", "port": 80, "priority": "20", "weight": "10"}]
        for i in range(world.quota - 2 - len(world.domains)):
            world.add_domain(f"fill{i}.example.com", "web", source, "domestic", status="online")
        used = world.quota - 2
        await pilot.press("r")
        await wait_for(pilot, lambda: len(app.screen.domains) == used, what="the list read again")
        screen = await typed(pilot, "q1.example.com, q2.example.com, q3.example.com")
        await cloud_answered(pilot, screen)
        assert screen.cloud["Within the domain quota"][0] is False
        text = checklist(screen)
        assert f"{used} / {used + 2} domains, 3 to add (room for 2)" in text
        assert "raise the quota in Quota Center" in text
        assert screen.query_one("#submit", Button).disabled
        # Two fit.
        screen.query_one("#domain", Input).value = "q1.example.com, q2.example.com"
        await wait_for(
            pilot,
            lambda: screen.cloud.get("Within the domain quota", (None,))[0] is True,
            what="the quota passing",
        )
        await wait_for(
            pilot, lambda: not screen.query_one("#submit", Button).disabled, what="submit"
        )


async def test_a_bad_name_among_good_ones_blocks_the_batch_and_is_named():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await typed(pilot, "b1.example.com, bad_name.example.com, b3.example.com")
        await cloud_answered(pilot, screen)
        text = checklist(screen)
        assert "3 names: 2 ready, 1 with problems" in text
        assert "✗ bad_name.example.com — Remove" in text
        assert "b1.example.com" not in text  # a name that passes takes no line
        assert screen.query_one("#submit", Button).disabled
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: any("bad_name.example.com" in m for m in messages(app)), what="why"
        )
        assert isinstance(app.screen, AddDomainScreen)
        assert app.sandbox.calls.of("AddCdnDomain") == []


async def test_every_add_of_the_batch_exports_as_commands():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await typed(pilot, "e1.example.com e2.example.com")
        commands = [w.command() for w in screen.export_writes()]
        assert len(commands) == 2
        assert all(c.startswith("aliyun cdn AddCdnDomain") for c in commands)
        assert "e1.example.com" in commands[0] and "e2.example.com" in commands[1]


def test_the_form_with_three_names_at_80x24(snap_compare):
    async def run_before(pilot):
        await connected(pilot)
        await pilot.press("a")
        screen = await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, AddDomainScreen) and pilot.app.screen
        )
        await wait_for(pilot, lambda: screen.origin_host)
        screen.query_one(
            "#domain", Input
        ).value = "img.newsite.net, Video.newsite.net, static.newsite.net"
        await cloud_answered(pilot, screen)
        await steady_cursors(pilot)
        await pilot.pause(0.1)
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=run_before)


async def test_a_lost_answer_in_the_batch_is_read_back_not_sent_twice():
    names = ["l1.example.com", "l2.example.com"]
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await typed(pilot, "\n".join(names).replace("\n", " "))
        await wait_for(
            pilot, lambda: not screen.query_one("#submit", Button).disabled, what="submit"
        )
        # CDN adds the first domain, then the connection drops before its answer.
        app.sandbox.faults.add("reset_after", "AddCdnDomain")
        await pilot.press("ctrl+s")
        await confirmation(pilot)
        await answer_yes(pilot)
        result = await wait_for(
            pilot,
            lambda: isinstance(app.screen, BatchResultScreen) and app.screen,
            timeout=30,
            what="the batch's result",
        )
        assert [o for _, o in result.outcomes] == ["added", "added"]
        await wait_for(pilot, lambda: len(result.statuses) == 2, what="the statuses")
        sent = [c["DomainName"] for c in app.sandbox.calls.of("AddCdnDomain")]
        assert sent == names  # the lost one read back (DescribeUserDomains), not resent
        assert all(name in app.sandbox.world.domains for name in names)


async def test_ctrl_f_fixes_every_name_that_has_a_fix():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await typed(pilot, "A.example.com, b.example.com, HTTPS://c.example.com/x")
        assert "Fix 2 names: a.example.com, c.example.com" in text_of(screen.query_one("#fix"))
        await pilot.press("ctrl+f")
        assert screen.query_one("#domain", Input).value == (
            "a.example.com, b.example.com, c.example.com"
        )
        assert screen.names_check.ok


async def test_read_only_mode_refuses_the_batch_and_names_every_add():
    from tui.app import OssCdnApp
    from tui.launch import LaunchOptions

    app = OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1000.0, read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await typed(pilot, "r1.example.com, r2.example.com")
        await cloud_answered(pilot, screen)
        await pilot.press("ctrl+s")
        notice = await wait_for(
            pilot,
            lambda: next((m for m in messages(app) if m.startswith("read-only mode")), None),
            what="the read-only notice",
        )
        assert "r1.example.com" in notice and "r2.example.com" in notice
        assert isinstance(app.screen, AddDomainScreen)  # no confirmation: nothing to send
        assert app.sandbox.calls.of("AddCdnDomain") == []


async def test_leaving_the_verification_skips_the_rest_of_that_root_only():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await at_verification(pilot, ["a.newsite.net", "b.newsite.net", "ok.example.com"])
        await pilot.press("escape")
        result = await wait_for(
            pilot,
            lambda: isinstance(app.screen, BatchResultScreen) and app.screen,
            timeout=30,
            what="the batch's result",
        )
        await wait_for(pilot, lambda: result.statuses, what="the statuses")
        assert result.statuses == {"ok.example.com": result.statuses["ok.example.com"]}
        skipped = "not added: ownership of newsite.net not verified"
        assert result.outcomes == [
            ("a.newsite.net", skipped),
            ("b.newsite.net", skipped),
            ("ok.example.com", "added"),
        ]
        # b.newsite.net was not sent only to be refused again.
        sent = [c["DomainName"] for c in app.sandbox.calls.of("AddCdnDomain")]
        assert sent == ["a.newsite.net", "ok.example.com"]
        assert app.sandbox.calls.of("VerifyDomainOwner") == []


async def test_a_pasted_column_of_names_keeps_every_line():
    from textual import events

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await typed(pilot, "")
        box = screen.query_one("#domain", Input)
        box.focus()
        box.post_message(events.Paste("p1.example.com\np2.example.com\r\n\np3.example.com\n"))
        await wait_for(pilot, lambda: len(screen.names_check.checks) == 3, what="three names")
        assert box.value == "p1.example.com, p2.example.com, p3.example.com"
        assert "3 names: 3 ready" in checklist(screen)


async def test_the_batch_result_opens_a_domain_on_enter():
    from screens.cname import DomainScreen

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        outcomes = [
            ("static.example.com", "already in this account"),
            ("x.newsite.net", "not added: ownership of newsite.net not verified"),
        ]
        result = BatchResultScreen(outcomes)
        app.push_screen(result)
        await wait_for(pilot, lambda: result.statuses, what="the statuses")
        assert result.statuses == {"static.example.com": "online"}
        # Where it stands in the onboarding: static.example.com has no CNAME record yet.
        table = result.query_one(DataTable)
        await wait_for(
            pilot,
            lambda: "cname record" in str(table.get_cell("static.example.com", "progress")),
            what="the batch's progress",
        )
        assert str(table.get_cell("x.newsite.net", "progress")) == "—"
        await pilot.press("enter")
        details = await wait_for(
            pilot, lambda: isinstance(app.screen, DomainScreen) and app.screen, what="details"
        )
        assert details.domain_name == "static.example.com"


async def test_a_verified_batch_goes_straight_to_its_result_without_showing_the_form():
    """Issue 13: after the batch's verification passes (t), the rest of the batch is sent
    under it and its result replaces both: the form and the list are never the active
    screen again on the way (they used to flash past); Esc then leads to the list."""
    from screens.domains import DomainsScreen

    names = ["s1.newsite.net", "s2.newsite.net"]
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await at_verification(pilot, names)
        seen: list[type] = []  # every screen that became the active one, in order
        app.screen_change_signal.subscribe(app, lambda s: seen.append(type(s)), immediate=True)
        await press_and_confirm(pilot, "t")
        result = await wait_for(
            pilot,
            lambda: isinstance(app.screen, BatchResultScreen) and app.screen,
            timeout=30,
            what="the batch's result",
        )
        assert result.outcomes == [(name, "added") for name in names]
        # The question, the verification again once answered, then the result.
        assert seen == [Confirm, VerifyScreen, BatchResultScreen]
        assert [type(s) for s in app.screen_stack][-2:] == [DomainsScreen, BatchResultScreen]
        assert not any(isinstance(s, (AddDomainScreen, VerifyScreen)) for s in app.screen_stack)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DomainsScreen), what="the list")
        await wait_for(
            pilot,
            lambda: all(n in app.screen.query_one("#domains").rows for n in names),
            what="the new domains listed",
        )
