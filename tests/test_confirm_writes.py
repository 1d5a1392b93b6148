"""Every write asks first, says what it will do, and a question answered twice, or after
its change already ran, sends nothing (Pilot, against the sandbox)."""

from __future__ import annotations

import pytest
from textual.widgets import Button, DataTable, Input

from screens.propagation import PropagationScreen
from tests.pilot import (
    answer_yes,
    confirmation,
    connected,
    messages,
    open_domain,
    open_plan,
    open_records,
    sandbox_app,
    select_row,
    text_of,
    wait_for,
)
from tui.services.writes import WRITE_ACTIONS
from tui.widgets.confirm import Confirm, TypedConfirm


def writes_sent(app) -> list[str]:
    return [a for a in app.sandbox.calls.actions() if a in WRITE_ACTIONS]


def said(dialog) -> str:
    return " ".join(" ".join(text_of(s) for s in dialog.query("Static")).split())


async def select(pilot, name: str) -> None:
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(name))
    await pilot.pause()


async def test_stop_start_and_delete_each_ask_first_and_enter_alone_says_no():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        list_screen = app.screen
        await select(pilot, "img.example.com")  # online: s stops it
        await pilot.press("s")
        stop = await confirmation(pilot)
        assert stop.query_one("#cancel", Button).has_focus
        assert (
            "Stop img.example.com? The site stops being served by CDN; requests to "
            "img.example.com fail until started again."
        ) in said(stop)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is list_screen, what="no")

        await select(pilot, "old.example.com")  # offline: s starts it
        await pilot.press("s")
        start = await confirmation(pilot)
        assert start.query_one("#cancel", Button).has_focus
        text = said(start)
        assert text.startswith("Start old.example.com? CDN serves old.example.com again")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is list_screen, what="no")

        await pilot.press("d")
        delete = await wait_for(
            pilot,
            lambda: isinstance(app.screen, TypedConfirm) and app.screen.is_mounted and app.screen,
            what="the question",
        )
        assert delete.query_one("#typed", Input).has_focus
        await pilot.press("enter")
        assert app.screen is delete
        assert delete.query_one("#confirm", Button).disabled  # until the name is typed
        await pilot.press("escape")
        await pilot.pause()
        assert writes_sent(app) == []

        await pilot.press("s")
        await confirmation(pilot)
        await answer_yes(pilot)
        await wait_for(pilot, lambda: writes_sent(app) == ["StartCdnDomain"], what="start")


async def test_a_second_stop_question_answered_after_the_stop_ran_sends_nothing():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_domain(pilot, "img.example.com")
        await pilot.press("s")
        first = await confirmation(pilot)
        first.dismiss(True)
        screen.action_toggle()  # s again before the yes was acted on: asked again
        second = await confirmation(pilot)
        assert second is not first
        await wait_for(
            pilot,
            lambda: "StopCdnDomain" in writes_sent(app) and not app.domains_changing,
            what="the stop done",
        )
        second.dismiss(True)  # a yes that comes late
        await wait_for(pilot, lambda: app.screen is screen, what="back to the details")
        await pilot.pause()
        assert writes_sent(app) == ["StopCdnDomain"]
        assert second.voided
        assert any("the last change is still on its way" in m for m in messages(app))


async def test_a_yes_to_a_delete_question_arriving_after_the_delete_ran_sends_nothing():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        www = await select_row(pilot, screen, "www", "A")
        await pilot.press("d")
        (await confirmation(pilot)).dismiss(True)
        screen.action_delete()
        second = await confirmation(pilot)
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: www.record_id not in table.rows, what="the row gone")
        assert second.voided and second.query_one("#confirm", Button).disabled
        assert second.query_one("#cancel", Button).has_focus
        second.dismiss(True)  # a yes already on its way
        await wait_for(pilot, lambda: app.screen is screen, what="back to the records")
        await pilot.pause()
        assert writes_sent(app) == ["DeleteDomainRecord"]


async def test_a_yes_to_a_delete_question_while_the_delete_is_on_its_way_sends_nothing():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        www = await select_row(pilot, screen, "www", "A")
        app.sandbox.faults.add("timeout", action="DeleteDomainRecord", delay=3)
        await pilot.press("d")
        (await confirmation(pilot)).dismiss(True)
        screen.action_delete()
        second = await confirmation(pilot)
        await wait_for(pilot, lambda: screen.pending, what="the delete on its way")
        second.dismiss(True)
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: www.record_id not in table.rows, what="the row gone")
        await pilot.pause()
        assert writes_sent(app) == ["DeleteDomainRecord"]
        assert "the last change is still on its way" in " ".join(messages(app))


@pytest.mark.parametrize(
    "name, state", [("old.example.com", "offline"), ("dl.example.com", "check failed")]
)
async def test_the_plan_warns_and_asks_again_when_the_domain_is_not_online(name, state):
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        plan = await open_plan(pilot, name)
        assert plan.setup.plan.steps
        reads = len(app.sandbox.calls.of("DescribeCdnDomainDetail"))
        await pilot.press("enter")
        warning = await confirmation(pilot)
        # Read again at apply time, through the service layer.
        assert len(app.sandbox.calls.of("DescribeCdnDomainDetail")) > reads
        text = said(warning)
        assert f"{name} is not online in CDN" in text and state in text
        assert "breaks the site" in text
        assert warning.query_one("#cancel", Button).has_focus
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is plan, what="back to the plan")
        assert writes_sent(app) == []
        await pilot.press("enter")
        await confirmation(pilot)
        await answer_yes(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, PropagationScreen), what="the board")
        assert writes_sent(app) == ["AddDomainRecord"]


async def test_the_plan_of_an_online_domain_applies_without_a_second_question():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(pilot, "static.example.com")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PropagationScreen), what="the board")
        assert writes_sent(app) == ["AddDomainRecord"]
        assert not any(isinstance(s, Confirm) for s in app.screen_stack)
