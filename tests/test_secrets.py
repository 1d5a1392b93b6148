"""Secrets never reach the screen or the terminal, not even through a crash report.

Textual prints a crashed app's traceback on exit; the SDKs' frames hold the AccessKey
secret in their locals, so the traceback is rendered without locals and the project's
errors carry no SDK exception (neither as cause nor as context).
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.worker import WorkerFailed

from tests.pilot import connected, sandbox_app, wait_for
from tui.services.errors import CloudError


def chain(error: BaseException | None) -> list[BaseException]:
    """`error` and every exception linked to it as cause or context."""
    found: list[BaseException] = []
    while error is not None and error not in found:
        found.append(error)
        error = error.__cause__ or error.__context__
    return found


def rendered(renderables) -> str:
    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    for renderable in renderables:
        console.print(renderable)
    return console.export_text()


async def test_a_crash_after_an_sdk_call_shows_no_secret():
    app = sandbox_app()
    failures: list[CloudError] = []

    async def crash() -> None:
        access_key_secret = app.profile.access_key_secret  # as the SDKs' frames hold it
        assert access_key_secret
        try:
            await app.services.cdn.domain("no-such-domain.example.com")
        except CloudError as error:
            failures.append(error)
            raise RuntimeError("the screen did not expect this") from error

    with pytest.raises(WorkerFailed):
        async with app.run_test(size=(80, 24)) as pilot:
            await connected(pilot)
            secret = app.profile.access_key_secret
            app.run_worker(crash())
            await wait_for(pilot, lambda: app._exit_renderables, what="the crash report")
            report = rendered(app._exit_renderables)

    assert "RuntimeError" in report and "the screen did not expect this" in report
    assert "CloudError" in report  # the cause is still told, without the SDK's frames
    assert secret and secret not in report
    [error] = failures
    assert error.code and chain(error) == [error]
    assert all(secret not in str(e) and secret not in repr(e) for e in chain(error))


async def test_oss_errors_carry_no_oss2_exception(profile):
    from tui.services.facade import Services

    services = Services(profile)
    with pytest.raises(CloudError) as caught:
        await services.oss.bucket_info("no-such-bucket")
    await services.close()
    assert caught.value.code == "NoSuchBucket"
    assert chain(caught.value) == [caught.value]
