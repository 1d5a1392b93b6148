"""`oss-cdn onboard --bucket B --domain NAME...`: run every onboarding step to `served`.

A loop around the engine (tui/services/onboarding.py): read where each domain stands
(from the cloud, every time), show the plan (the writes the next actions send, as
aliyun-cli commands), ask once (or --yes), then act step by step, waiting where the cloud
takes time (online, propagation, CDN's lag) with progress, within --timeout cloud seconds.
Nothing is kept locally: killed and run again, it reads where the cloud stands and
carries on; the engine's actions never duplicate a domain, a TXT or a CNAME.

Output: the plan and the final checklist on stdout; progress on stderr (a bar on a
terminal, plain lines otherwise); with --json one JSON event a line on stdout instead.
Exit status: 0 every domain served; 1 a step failed or is left (or the user said no);
2 a usage or cloud error, or no terminal to ask on and no --yes.

Cheap to import (tui.cli builds its parser from here): the SDKs load when it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import shutil
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from tui.command_line import (
    USAGE_ERROR,
    CommandFailure,
    add_account_options,
    connect_for,
    error_json,
)
from tui.launch import read_only_requested
from tui.rules import to_punycode
from tui.safe_text import shown

if TYPE_CHECKING:
    from tui.services.onboarding import Standing, Step
    from tui.services.onboarding_plan import OnboardPlan
    from tui.services.profile import Profile

DEFAULT_TIMEOUT = 1800.0  # cloud seconds without a change: configuring, DNS caches take minutes
POLL_EVERY = 15.0  # cloud seconds between reads while waiting
REPEATS = 3  # the same action leaving the same step this often: the step is left
SCOPES = ("domestic", "overseas", "global")
TYPES = ("web", "download", "video")
# The actions the cloud does by itself: the run reads again after a while.
WAIT_ACTIONS = ("wait", "propagation", "fetch")
INTERRUPTED = 130  # Ctrl+C, as shells report SIGINT


def _domain(text: str) -> str:
    name = to_punycode(text.strip().rstrip(".").lower())
    if not name or "." not in name or any(not part for part in name.lstrip("*.").split(".")):
        raise argparse.ArgumentTypeError(f"not a domain name: {text!r}")
    return name


def _cloud_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the timeout must be greater than 0")
    return value


def add_onboard_parser(subparsers) -> argparse.ArgumentParser:
    """Add `onboard` to the `oss-cdn` subcommands; `run_onboard` runs what it parses."""
    parser = subparsers.add_parser(
        "onboard",
        help="run every onboarding step of one or more domains to served",
        description="Serve BUCKET through CDN on each --domain: prove ownership, add the "
        "domain, wait until online, create the CNAME record, wait for propagation, let "
        "CDN read a private bucket, and check a sample object is served. Shows the plan "
        "(as aliyun-cli commands) and asks once, unless --yes. Run it again after an "
        "interruption: it carries on from where the cloud stands. Exit status 0: every "
        "domain served; 1: a step failed or is left; 2: usage or cloud error.",
    )
    parser.add_argument("--bucket", required=True, help="the OSS bucket to serve (the origin)")
    parser.add_argument(
        "--domain",
        dest="domains",
        action="append",
        required=True,
        type=_domain,
        metavar="NAME",
        help="a domain to serve it on (repeatable: a batch verifies each root once)",
    )
    parser.add_argument("--scope", choices=SCOPES, default="domestic", help="CDN's scope")
    parser.add_argument("--type", dest="cdn_type", choices=TYPES, default="web")
    parser.add_argument(
        "--path",
        metavar="OBJECT",
        help="the object the delivery check fetches (default: the bucket's first)",
    )
    parser.add_argument("--yes", action="store_true", help="apply the plan without asking")
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="send nothing: print where each domain stands, the plan and its commands",
    )
    parser.add_argument(
        "--timeout",
        type=_cloud_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help="cloud seconds to wait for a step the cloud takes time over (online, propagation) "
        f"before leaving it (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--json", action="store_true", help="one JSON event a line on stdout (errors too)"
    )
    add_account_options(parser, "onboard")
    return parser


# -- output ------------------------------------------------------------------------------


class Output:
    """Where the run tells what happens: people get the plan and the checklist on stdout
    and progress on stderr (a bar that rewrites itself on a terminal, a line per change
    otherwise); --json gets one event a line on stdout."""

    def __init__(
        self, *, json_out: bool, out: TextIO | None = None, err: TextIO | None = None
    ) -> None:
        self.json = json_out
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.bar = not json_out and _isatty(self.err)
        self._last = ""
        self._barred = False

    def event(self, kind: str, **data: Any) -> None:
        if self.json:
            self.out.write(json.dumps({"event": kind, **data}) + "\n")
            self.out.flush()

    def progress(self, text: str, done: int = 0, total: int = 0) -> None:
        """One line of progress; the same line twice is said once."""
        text = shown(text, 300)
        if self.json or text == self._last:
            return
        self._last = text
        if self.bar:
            width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
            bar = ""
            if total:
                filled = round(10 * done / total)
                bar = f"[{'#' * filled}{'-' * (10 - filled)}] "
            line = (bar + text)[:width]
            self.err.write("\r" + line.ljust(width))
            self._barred = True
        else:
            self.err.write(f"oss-cdn onboard: {text}\n")
        self.err.flush()

    def end_progress(self) -> None:
        if self._barred:
            self.err.write("\n")
            self.err.flush()
            self._barred = False
        self._last = ""

    def say(self, text: str) -> None:
        """A message for people (stderr), none in --json (the events carry it)."""
        if not self.json:
            self.end_progress()
            # Evidence and errors quote the cloud: shown() keeps escapes off the terminal.
            self.err.write(f"oss-cdn onboard: {shown(text, 1000)}\n")
            self.err.flush()

    def print(self, text: str) -> None:
        if not self.json:
            self.end_progress()
            self.out.write(text)
            self.out.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def plan_text(plan: OnboardPlan, read_only: bool) -> str:
    """The plan for people: each write's summary as a comment above its aliyun-cli
    command (writes.commands), then what comes once CDN answers."""
    from tui.services.writes import commands

    if plan.empty:
        return "Nothing to change: only waiting for the cloud.\n"
    lines = []
    if plan.writes:
        head = "would send" if read_only else "will send"
        count = len(plan.writes)
        lines.append(f"The plan: oss-cdn onboard {head} {count} change{'s' * (count != 1)}:")
        lines.append(commands(p.write for p in plan.writes))
    if plan.later:
        lines.append("Then:")
        lines += [f"  {shown(d)}: {shown(note, 500)}" for d, note in plan.later]
    return "\n".join(lines) + "\n"


def checklist(standings: list[Standing]) -> str:
    """Each domain's steps, state and evidence (cloud text through shown())."""
    lines = []
    for standing in standings:
        lines.append(f"{shown(standing.domain)}: {shown(standing.summary)}")
        for step in standing.steps:
            lines.append(
                f"  {step.name.value:<22} {step.state.value:<15} {shown(step.evidence, 300)}"
            )
    return "\n".join(lines) + "\n"


# -- running -----------------------------------------------------------------------------


def run_onboard(
    args: argparse.Namespace,
    *,
    profile: Profile | None = None,
    ask=None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Onboard for parsed `onboard` arguments; returns the exit status. `profile`: where
    to talk to (tests), else tui.launch.connect's; `ask`: the yes/no question (a callable
    taking the prompt, returning the answer), else the terminal's when stdin is one."""
    output = Output(json_out=args.json, out=out, err=err)
    read_only = read_only_requested(getattr(args, "read_only", False))
    box = None
    try:
        if profile is None:
            profile, box = connect_for(args, "onboard")
        if read_only:
            profile = dataclasses.replace(profile, read_only=True)
        if ask is None and not read_only and not args.yes:
            ask = _terminal_question()
        return asyncio.run(Onboarding(args, profile, output, ask, read_only).run())
    except CommandFailure as failure:
        output.end_progress()
        print(f"oss-cdn onboard: {shown(failure, multiline=True)}", file=output.err)
        if args.json:
            output.out.write(error_json(failure.code, str(failure)))
        return USAGE_ERROR
    except KeyboardInterrupt:
        output.end_progress()
        print(
            "oss-cdn onboard: interrupted. Nothing is kept locally: run it again to carry on "
            "from where the cloud stands",
            file=output.err,
        )
        return INTERRUPTED
    finally:
        output.end_progress()
        if box is not None:
            box.stop()


def _terminal_question():
    """input() when stdin and stderr are a terminal; None when there is none to ask on."""
    if not (_isatty(sys.stdin) and _isatty(sys.stderr)):
        return None

    def ask(prompt: str) -> str:
        sys.stderr.write(prompt)
        sys.stderr.flush()
        try:
            return sys.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            return ""

    return ask


class Onboarding:
    def __init__(self, args, profile: Profile, output: Output, ask, read_only: bool) -> None:
        self.args = args
        self.profile = profile
        self.output = output
        self.ask = ask
        self.read_only = read_only

    async def run(self) -> int:
        from tui.services.errors import ServiceError
        from tui.services.facade import Services

        services = Services(self.profile)
        try:
            return await self._run(services)
        except ServiceError as error:
            raise CommandFailure.of(error) from None
        finally:
            await services.close()

    async def _run(self, services) -> int:
        from tui.services.onboarding_plan import plan_onboarding

        args, output = self.args, self.output
        engine = services.onboarding
        domains = list(dict.fromkeys(args.domains))  # a name given twice is one domain
        standings = await engine.standings(domains, bucket=args.bucket, path=args.path)
        for standing in standings:
            output.event("standing", **standing.to_json(), summary=standing.summary)
        if all(s.served for s in standings):
            return self._finish(standings, {})
        plan = await plan_onboarding(
            services, standings, bucket=args.bucket, scope=args.scope, cdn_type=args.cdn_type
        )
        output.event("plan", **plan.to_json(), read_only=self.read_only)
        output.print(plan_text(plan, self.read_only))
        if self.read_only:
            output.say("read-only: nothing was sent")
            return self._finish(standings, {})
        if plan.writes and not args.yes:
            if self.ask is None:
                message = (
                    "no terminal to ask on and no --yes: nothing was changed. Run it with "
                    "--yes to apply the plan, or --read-only to only print it"
                )
                raise CommandFailure(message, "ConfirmationNeeded")
            answer = self.ask(f"Apply these changes to {self.profile.label}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                output.event("declined")
                output.say("nothing was changed")
                return self._finish(standings, {})
        return await self._loop(engine, standings)

    async def _loop(self, engine, standings: list[Standing]) -> int:
        from tui.services.errors import ServiceError
        from tui.services.onboarding import State
        from tui.services.profile import poll_interval, real_seconds

        args, output = self.args, self.output
        bound = real_seconds(self.profile, args.timeout)
        start = time.monotonic()
        by_name = {s.domain: s for s in standings}
        left: dict[str, str] = {}  # domain -> why it stopped
        repeats: dict[tuple, int] = {}
        last: tuple = ()

        def leave(name: str, step: Step, why: str) -> None:
            """Stop working on `name` at `step` (a failed step with nothing to do, or an
            action that does not move it on): said, and an event."""
            left[name] = f"{step.name.value}: {step.evidence}"
            output.event(
                "left",
                domain=name,
                step=step.name.value,
                state=step.state.value,
                evidence=step.evidence,
            )
            output.say(f"{name}: {why}: {step.evidence}")

        while True:
            waiting: list[Standing] = []
            for name, standing in list(by_name.items()):
                if name in left or standing.served:
                    continue
                step = standing.next
                assert step is not None
                # In progress with an action (a TXT published, CDN not asked since: a
                # run killed mid-verification) is acted on; without one, waited for.
                if step.action in WAIT_ACTIONS or (
                    step.action is None and step.state is State.IN_PROGRESS
                ):
                    waiting.append(standing)
                    continue
                if step.action is None:
                    leave(name, step, f"{step.name.value} {step.state.value}")
                    continue
                key = (name, step.name, step.state, step.action)
                repeats[key] = repeats.get(key, 0) + 1
                if repeats[key] > REPEATS:
                    leave(name, step, f"{step.name.value} did not move on")
                    continue
                output.event("act", domain=name, step=step.name.value, action=step.action)
                output.progress(
                    f"{name}: {step.name.value}: {_doing(step.action)}",
                    standing.done,
                    standing.total,
                )
                try:
                    by_name[name] = await engine.act(
                        standing,
                        bucket=args.bucket,
                        scope=args.scope,
                        cdn_type=args.cdn_type,
                        path=args.path,
                    )
                except ServiceError as error:
                    left[name] = f"{step.name.value} failed: {error}"
                    output.event(
                        "failed",
                        domain=name,
                        step=step.name.value,
                        error={
                            "code": getattr(error, "code", "") or type(error).__name__,
                            "message": str(error),
                        },
                    )
                    output.say(f"{name}: {step.name.value} failed: {error}")
                    continue
                fresh = by_name[name]
                output.event("standing", **fresh.to_json(), summary=fresh.summary)
            pending = [s for n, s in by_name.items() if n not in left and not s.served]
            if not pending:
                break
            if not waiting:
                continue  # something was just done: read on at once
            # The bound is on waiting without a change: a batch's steps each take
            # their own minutes, and a step that moves on starts the count again.
            moved = _where(by_name.values())
            if moved != last:
                last, start = moved, time.monotonic()
            elapsed = time.monotonic() - start
            if elapsed > bound:
                for standing in pending:
                    step = _next(standing)
                    left[standing.domain] = f"{step.name.value}: timed out ({step.evidence})"
                    output.event(
                        "timeout",
                        domain=standing.domain,
                        step=step.name.value,
                        evidence=step.evidence,
                    )
                    output.say(
                        f"{standing.domain}: timed out waiting: {step.name.value}: {step.evidence}"
                    )
                break
            for standing in waiting:
                step = _next(standing)
                output.event(
                    "wait",
                    domain=standing.domain,
                    step=step.name.value,
                    state=step.state.value,
                    evidence=step.evidence,
                    elapsed=round(elapsed / real_seconds(self.profile, 1.0), 1),
                )
            first, first_step = waiting[0], _next(waiting[0])
            more = f" (+{len(waiting) - 1} more)" if len(waiting) > 1 else ""
            output.progress(
                f"{first.domain}: waiting: {first_step.name.value} ({first_step.evidence}){more}",
                sum(s.done for s in by_name.values()),
                sum(s.total for s in by_name.values()),
            )
            await asyncio.sleep(poll_interval(self.profile, POLL_EVERY))
            fresh = await engine.standings(
                [s.domain for s in waiting], bucket=args.bucket, path=args.path
            )
            for standing in fresh:
                by_name[standing.domain] = standing
        return self._finish(list(by_name.values()), left)

    def _finish(self, standings: list[Standing], left: dict[str, str]) -> int:
        served = all(s.served for s in standings)
        code = 0 if served else 1
        self.output.event(
            "done",
            served=served,
            exit=code,
            domains=[{**s.to_json(), "summary": s.summary} for s in standings],
        )
        self.output.print(checklist(standings))
        return code


def _where(standings) -> tuple:
    """What changes when any domain moves on: each one's next step, state and count."""
    return tuple(
        (s.domain, s.done, s.next.name if s.next else None, s.next.state if s.next else None)
        for s in standings
    )


def _doing(action: str) -> str:
    return {
        "verify": "proving ownership (TXT record, then VerifyDomainOwner)",
        "add": "adding the domain to CDN",
        "cname": "creating the CNAME record",
        "origin_auth": "letting CDN read the private bucket",
    }.get(action, action)


def _next(standing: Standing) -> Step:
    """The next step of a domain not served yet (those the loop waits on or gives up)."""
    step = standing.next
    assert step is not None, "a domain still pending has a next step"
    return step
