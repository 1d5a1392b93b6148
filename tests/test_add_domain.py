"""The add-domain form against the sandbox: live checklist, fixes, cloud checks, submit."""

from textual.widgets import Button, DataTable, Input

from screens.add_domain import STEADY_CHECKLIST, AddDomainScreen
from screens.cname import DomainScreen
from tests.pilot import (
    connected,
    form_ready,
    keys_at_once,
    open_add_form,
    sandbox_app,
    text_of,
    type_text,
    wait_for,
)
from tui import rules
from tui.rules import public_suffixes_loaded


def failed_codes(screen) -> set[str]:
    return {i.code for i in screen.check.checklist if i.passed is False}


def line(checklist_text: str, label: str) -> str:
    """The rule's mark and label as shown ("✓ Lowercase"), wherever it stands."""
    text = " ".join(checklist_text.split())
    at = text.index(label)
    return text[at - 2 :]


async def test_checklist_follows_each_keystroke_with_the_uppercase_fix():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        checklist = screen.query_one("#checklist")
        # (text typed so far, rules that fail at that point)
        steps = [
            ("C", {"uppercase"}),
            ("Cdn", {"uppercase"}),
            ("Cdn.", {"uppercase", "empty_label"}),
            ("Cdn.N", {"uppercase"}),
            ("Cdn.Newsite.net", {"uppercase"}),
        ]
        typed = ""
        for target, failing in steps:
            await type_text(pilot, target[len(typed) :])
            typed = target
            assert screen.query_one("#domain", Input).value == typed
            assert failed_codes(screen) >= failing
            text = text_of(checklist)
            assert line(text, "Lowercase").startswith("✗")
            # A rule that passes folds into the count: only failures take a line.
            if "empty_label" in failing:
                assert line(text, "No stray dots").startswith("✗")
            else:
                assert "No stray dots" not in text
            assert screen.query_one("#submit", Button).disabled
        assert failed_codes(screen) == {"uppercase"}
        assert "Use lowercase" in text_of(screen.query_one("#fix"))
        await pilot.press("ctrl+f")
        assert screen.query_one("#domain", Input).value == "cdn.newsite.net"
        assert failed_codes(screen) == set()
        passing = sum(1 for i in screen.check.checklist if i.passed)
        assert "Lowercase" not in text_of(checklist)
        assert f"✓ {passing} rules pass" in text_of(checklist)
        # The wildcard rules do not concern a plain name: said so, not "not checked yet".
        await wait_for(pilot, public_suffixes_loaded, what="the suffix list")
        await type_text(pilot, "x")
        unjudged = sum(1 for i in screen.check.checklist if i.passed is None)
        assert unjudged and "not checked yet" not in text_of(checklist)
        assert f"{unjudged} do{'es' * (unjudged == 1)} not apply" in text_of(checklist)


async def test_punycode_fix_for_a_chinese_name():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        screen.query_one("#domain", Input).value = "图片.newsite.net"
        await pilot.pause()
        assert "non_ascii" in failed_codes(screen)
        assert "ICP" in text_of(screen.query_one("#checklist"))
        assert screen.check.fix.label == "Use Punycode"
        assert screen.query_one("#submit", Button).disabled
        await pilot.press("ctrl+f")
        value = screen.query_one("#domain", Input).value
        assert value.startswith("xn--") and value.endswith(".newsite.net") and value.isascii()
        assert failed_codes(screen) == set()


async def test_cloud_check_answers_for_the_last_text_typed():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        # "taken.example.org" is held by another account; one more keystroke makes it free.
        await type_text(pilot, "taken.example.org")
        await wait_for(
            pilot,
            lambda: screen.cloud.get("Available in CDN", (None,))[0] is False,
            what="the taken verdict",
        )
        assert "another Alibaba Cloud account" in text_of(screen.query_one("#checklist"))
        assert screen.query_one("#submit", Button).disabled
        screen.query_one("#domain", Input).value = ""
        await type_text(pilot, "free.example.org")
        await wait_for(
            pilot,
            lambda: screen.cloud.get("Available in CDN", (None,))[0] is True,
            what="the free verdict",
        )
        checked = [p.get("DomainName") for p in app.sandbox.calls.of("CheckCdnDomainExist")]
        assert checked[-1] == "free.example.org"
        # Debounced: the name was not asked for keystroke by keystroke.
        assert len(checked) < len("taken.example.orgfree.example.org") // 4
        assert "6 / 50 domains" in text_of(screen.query_one("#checklist"))


async def test_submit_then_configuring_then_online_in_the_list():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await form_ready(pilot, "assets.example.com")
        # Configuring until the test moves the clock on: no window to catch it in.
        app.sandbox.world.configure_delay = 10 * 86400
        await pilot.press("ctrl+s")
        details = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DomainScreen) and app.screen,
            what="the new domain's details",
        )
        assert details.domain_name == "assets.example.com"
        added = app.sandbox.world.domains["assets.example.com"]
        assert added.sources[0]["content"] == "demo-assets.oss-cn-hangzhou.aliyuncs.com"
        await pilot.press("escape")
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: "assets.example.com" in table.rows, what="row")

        def status() -> str:
            return str(table.get_row("assets.example.com")[1])

        await wait_for(pilot, lambda: "configuring" in status(), what="configuring")
        app.sandbox.world.clock.advance(app.sandbox.world.configure_delay)
        # The list refreshes itself while a domain is changing: no key pressed.
        await wait_for(pilot, lambda: "online" in status(), timeout=15, what="online")


async def test_an_api_error_keeps_what_was_typed():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await form_ready(pilot, "keep.example.com")
        app.sandbox.faults.add(
            "http_error",
            action="AddCdnDomain",
            status=400,
            code="DomainAlreadyExist",
            message="The domain already exists.",
        )
        await pilot.press("ctrl+s")
        error = screen.query_one("#error")
        await wait_for(pilot, lambda: error.display, what="the error panel")
        text = text_of(error)
        assert "DomainAlreadyExist" in text and "RequestId" in text
        assert "DCDN" in text  # where the name may already live
        assert screen.query_one("#domain", Input).value == "keep.example.com"
        assert isinstance(app.screen, AddDomainScreen)


async def test_a_domain_already_in_this_account_is_opened_not_explained_away():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await form_ready(pilot, "mine.example.com")
        # Added meanwhile (an earlier add whose answer was lost, another terminal): CDN
        # now says DomainAlreadyExist, and reading back shows it is this account's.
        origin = {
            "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
            "type": "oss",
            "port": 80,
            "priority": "20",
            "weight": "10",
        }
        app.sandbox.world.add_domain(
            "mine.example.com", "web", [origin], "domestic", status="online"
        )
        said = []
        notify = app.notify
        app.notify = lambda message, *a, **k: (said.append(str(message)), notify(message, *a, **k))[
            1
        ]
        await pilot.press("ctrl+s")
        details = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DomainScreen) and app.screen,
            what="the domain's details",
        )
        assert details.domain_name == "mine.example.com"
        assert "mine.example.com is already in this account's CDN domains: opening it." in said
        assert app.sandbox.calls.actions().count("AddCdnDomain") == 1


async def test_the_public_suffix_list_is_parsed_on_a_thread_when_the_form_opens(monkeypatch):
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        monkeypatch.setattr(rules, "_public_suffixes", None)
        await pilot.press("a")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, AddDomainScreen) and app.screen
        )
        # Nothing typed yet: the form's warm-up (a thread worker) parses it.
        await wait_for(pilot, lambda: rules._public_suffixes is not None, what="the list")
        parsed = rules._public_suffixes
        await type_text(pilot, "cdn.newsite.net")
        assert "public_suffix" not in failed_codes(screen)
        assert rules._public_suffixes is parsed  # the rules used it, never parsed it again


async def test_keys_that_keep_the_checklists_lines_repaint_it_in_place():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        # The suffix list in first: its arrival would change the checklist's lines.
        await wait_for(pilot, rules.public_suffixes_loaded, what="the suffix list")
        await type_text(pilot, "Cdn.newsite.ne")
        checklist = screen.query_one("#checklist")
        widgets = list(screen.query("*"))
        before = text_of(checklist)
        layouts: list[object] = []
        screen.screen_layout_refresh_signal.subscribe(screen, layouts.append)
        await type_text(pilot, "tx")  # the Lowercase line's message changes, no line comes
        await pilot.pause()
        after = text_of(checklist)
        assert after != before and "use cdn.newsite.netx" in after
        assert len(after.splitlines()) == len(before.splitlines())
        assert screen.query_one("#checklist") is checklist
        assert list(screen.query("*")) == widgets
        assert layouts == []  # repainted in place: the screen was not laid out again


async def test_a_key_that_brings_a_fix_and_a_rules_line_lays_nothing_out():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        await wait_for(pilot, rules.public_suffixes_loaded, what="the suffix list")
        await type_text(pilot, "cdn.newsite.net")
        checklist, fix = screen.query_one("#checklist"), screen.query_one("#fix")
        await wait_for(pilot, lambda: "rules pass" in text_of(checklist), what="checked")
        await pilot.pause()
        height, fix_region = checklist.size.height, fix.region
        before = len(text_of(checklist).splitlines())
        layouts: list[object] = []
        screen.screen_layout_refresh_signal.subscribe(screen, layouts.append)
        # The trailing dot: a fix comes (its line was kept blank) and a rule's line too.
        await type_text(pilot, ".")
        await wait_for(pilot, lambda: "No stray dots" in text_of(checklist), what="the line")
        assert "Remove the trailing dot" in text_of(fix)
        assert len(text_of(checklist).splitlines()) != before  # the cloud's lines go
        await pilot.pause()
        painted = "\n".join(strip.text for strip in screen._compositor.render_strips())
        assert "Remove the trailing dot" in painted and "No stray dots" in painted
        # And it goes again: the fix line blank, the rule's line gone.
        await pilot.press("backspace")
        await wait_for(pilot, lambda: "No stray dots" not in text_of(checklist), what="gone")
        assert text_of(fix).strip() == ""
        await pilot.pause()
        assert layouts == []  # repainted in place, both ways
        assert (checklist.size.height, fix.region) == (height, fix_region)


async def test_a_tall_terminal_lays_the_checklist_out_again_past_its_steady_lines():
    app = sandbox_app()
    async with app.run_test(size=(80, 40)) as pilot:
        screen = await open_add_form(pilot)
        checklist = screen.query_one("#checklist")
        await wait_for(pilot, lambda: text_of(checklist).strip(), what="the checklist")
        await pilot.pause()
        assert len(text_of(checklist).strip().splitlines()) < STEADY_CHECKLIST
        assert checklist.size.height == STEADY_CHECKLIST  # blank lines under a short list
        layouts: list[object] = []
        screen.screen_layout_refresh_signal.subscribe(screen, layouts.append)
        # Four rules fail over two lines each: more than the steady lines, so it grows.
        await type_text(pilot, "http://Img..bad_name.com/x")
        await wait_for(pilot, lambda: layouts, what="a layout")
        await wait_for(
            pilot, lambda: checklist.size.height > STEADY_CHECKLIST, what="the checklist grown"
        )
        assert checklist.size.height == len(checklist.render().plain.splitlines())


async def test_a_long_name_scrolls_the_field_to_its_cursor():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        box = screen.query_one("#domain", Input)
        names = ", ".join(f"img{n}.newsite.net" for n in range(8))
        await type_text(pilot, names)
        assert box.value == names
        assert box.scroll_x > 0
        # The end of what was typed is in view, the cursor inside the field.
        assert box.scroll_x + box.content_size.width >= len(names) >= box.scroll_x
        assert box.region.contains(*app.cursor_position)


async def test_add_waits_for_the_cloud_and_ctrl_s_before_its_answer_adds_after_it():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        await wait_for(pilot, rules.public_suffixes_loaded, what="the suffix list")
        submit = screen.query_one("#submit", Button)
        # Typed and submitted in one burst: before the pause that asks the cloud.
        keys_at_once(app, *"early.example.com", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DomainScreen), what="the added domain")
        assert not screen.cloud_pending and submit.label == "Adding…"
        actions = app.sandbox.calls.actions()
        asked = [p.get("DomainName") for p in app.sandbox.calls.of("CheckCdnDomainExist")]
        assert "early.example.com" in asked  # the cloud was asked first, then it was added
        assert actions.index("CheckCdnDomainExist") < actions.index("AddCdnDomain")
        assert actions.count("AddCdnDomain") == 1
        assert "early.example.com" in app.sandbox.world.domains


async def test_add_stays_dimmed_while_the_cloud_checks_are_pending():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        await wait_for(pilot, rules.public_suffixes_loaded, what="the suffix list")
        submit = screen.query_one("#submit", Button)
        flips: list[bool] = []
        screen.watch(submit, "disabled", lambda value: flips.append(value), init=False)
        await type_text(pilot, "pending.example.com")
        await wait_for(pilot, lambda: not submit.disabled, what="the cloud's answer")
        # Dimmed through every key (no flip on and off with each), lit once it answered.
        assert flips == [False]
        assert screen.cloud["Available in CDN"] == (True, "free")
