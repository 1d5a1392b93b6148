"""`oss-cdn onboard`: in-process against the sandbox (a new domain ends served; read-only
sends nothing; JSON events; no terminal and no --yes refuses; a batch of one new root
verifies once), and as a process killed (SIGKILL) at seeded random points, run again,
ending served with one domain, one TXT and one CNAME, a further run sending no write."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import PROXY_VARS, onboard, parse_onboard, served_sandbox
from tui.onboard import run_onboard
from tui.sandbox import shared
from tui.services.writes import WRITE_ACTIONS

ROOT = Path(__file__).parent.parent


def writes_sent(sandbox) -> list[str]:
    return [a for a in sandbox.calls.actions() if a in WRITE_ACTIONS]


def cnames_at(world, zone: str, rr: str) -> list:
    return [r for r in world.current_records(zone) if r.rr == rr and r.type == "CNAME"]


def txts_at(world, zone: str, rr: str = "verification") -> list:
    return [r for r in world.current_records(zone) if r.rr == rr and r.type == "TXT"]


def test_a_new_domain_ends_served(sandbox, profile, no_proxy, capsys):
    status, out, err = onboard(
        profile, capsys, "--bucket", "demo-assets", "--domain", "fresh.example.com", "--yes"
    )
    assert status == 0, out + err
    domain = sandbox.world.domains["fresh.example.com"]
    assert domain.status == "online"
    (record,) = cnames_at(sandbox.world, "example.com", "fresh")
    assert record.value == domain.cname
    assert "aliyun cdn AddCdnDomain --DomainName fresh.example.com" in out  # the plan
    assert "fresh.example.com: serving" in out
    assert "served, HTTP 200" in out
    assert "waiting: online" in err  # progress, as plain lines: stderr is no terminal
    assert sandbox.calls.of("AddCdnDomain")[0]["DomainName"] == "fresh.example.com"


def test_read_only_prints_the_plan_and_sends_no_write(sandbox, profile, no_proxy, capsys):
    status, out, err = onboard(
        profile,
        capsys,
        "--bucket",
        "demo-assets",
        "--domain",
        "audit.newsite.net",
        "--scope",
        "overseas",
        "--read-only",
    )
    assert status == 1  # steps are left
    assert writes_sent(sandbox) == []
    assert "audit.newsite.net" not in sandbox.world.domains
    assert "would send 3 changes" in out
    assert (
        "aliyun alidns AddDomainRecord --DomainName newsite.net --RR verification --Type TXT" in out
    )
    assert "aliyun cdn VerifyDomainOwner --DomainName audit.newsite.net" in out
    assert "--Scope overseas" in out
    assert "read-only: nothing was sent" in err


def test_json_prints_one_event_a_line(sandbox, profile, no_proxy, capsys):
    status, out, _ = onboard(
        profile, capsys, "--bucket", "demo-assets", "--domain", "j.example.com", "--yes", "--json"
    )
    assert status == 0
    events = [json.loads(line) for line in out.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "standing" and kinds[-1] == "done"
    plan = next(e for e in events if e["event"] == "plan")
    assert [w["action"] for w in plan["writes"]] == ["AddCdnDomain"]
    assert plan["writes"][0]["command"].startswith("aliyun cdn AddCdnDomain")
    acts = [e["action"] for e in events if e["event"] == "act"]
    assert acts == ["add", "cname"]
    assert "wait" in kinds
    done = events[-1]
    assert done["served"] is True and done["exit"] == 0
    (domain,) = done["domains"]
    assert domain["next"] is None and domain["summary"] == "serving"


def test_without_yes_and_no_terminal_it_refuses_and_changes_nothing(
    sandbox, profile, no_proxy, capsys
):
    status, out, err = onboard(
        profile, capsys, "--bucket", "demo-assets", "--domain", "ask.example.com", "--json"
    )
    assert status == 2
    assert writes_sent(sandbox) == []
    error = json.loads(out.splitlines()[-1])["error"]
    assert error["code"] == "ConfirmationNeeded"
    assert "--yes" in error["message"] and "nothing was changed" in err


def test_asked_once_no_changes_nothing_and_yes_goes_on(sandbox, profile, no_proxy, capsys):
    asked: list[str] = []

    def answer(reply):
        def ask(prompt: str) -> str:
            asked.append(prompt)
            return reply

        return ask

    args = parse_onboard("--bucket", "demo-assets", "--domain", "q.example.com")
    assert run_onboard(args, profile=profile, ask=answer("n\n")) == 1
    assert writes_sent(sandbox) == [] and len(asked) == 1
    assert "Apply these changes to SANDBOX" in asked[0]
    assert run_onboard(args, profile=profile, ask=answer("y\n")) == 0
    assert len(asked) == 2  # once a run, not once a step
    assert sandbox.world.domains["q.example.com"].status == "online"
    capsys.readouterr()


def test_three_domains_of_one_new_root_verify_once(sandbox, profile, no_proxy, capsys):
    names = ["img.newsite.net", "static.newsite.net", "video.newsite.net"]
    argv = ["--bucket", "demo-assets", "--scope", "overseas", "--yes"]
    for name in names:
        argv += ["--domain", name]
    status, out, err = onboard(profile, capsys, *argv)
    assert status == 0, out + err
    # One verification of the root, through the first name (asked again while CDN's own
    # resolvers lag: that is still one verification); the other two find it done.
    verified = {p["DomainName"] for p in sandbox.calls.of("VerifyDomainOwner")}
    assert verified == {"img.newsite.net"}
    assert len(txts_at(sandbox.world, "newsite.net")) == 1
    for name in names:
        assert sandbox.world.domains[name].status == "online"
        assert len(cnames_at(sandbox.world, "newsite.net", name.split(".")[0])) == 1
    # The plan proved the root once, for the batch.
    assert out.count("aliyun cdn VerifyDomainOwner") == 1


def test_a_bar_on_a_terminal(sandbox, profile, no_proxy):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out, err = io.StringIO(), Terminal()
    args = parse_onboard("--bucket", "demo-assets", "--domain", "bar.example.com", "--yes")
    assert run_onboard(args, profile=profile, out=out, err=err) == 0
    text = err.getvalue()
    assert "\r[" in text and "] bar.example.com: waiting: online" in text
    assert "oss-cdn onboard:" not in text  # no plain lines on a terminal


# -- killed and run again: a process against the shared sandbox ---------------------------


@pytest.fixture
def shared_sandbox(sandbox, tmp_path, monkeypatch):
    """The test's sandbox recorded as the shared one (as `oss-cdn sandbox serve` records
    itself): `oss-cdn onboard --sandbox` in another process attaches to it, and the test
    keeps its call log and world. The environment those processes run in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ALIBABA_CLOUD_") and k not in PROXY_VARS
    }
    env["OSS_CDN_RUNTIME_DIR"] = str(tmp_path / "run")
    env["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
    monkeypatch.setenv("OSS_CDN_RUNTIME_DIR", env["OSS_CDN_RUNTIME_DIR"])
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    path = shared.record(sandbox.info, os.getpid())
    assert path is not None
    try:
        yield sandbox, env
    finally:
        shared.forget(path, os.getpid())


def onboard_process(env: dict, *argv: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "onboard", "--sandbox", "--yes", "--json", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


SEEDS = (1, 2, 3, 4, 5)


def kill_after(process: subprocess.Popen, events: int, delay: float) -> None:
    """SIGKILL `process` `delay` seconds after its `events`-th JSON event (or once it
    ended by itself)."""
    for _ in range(events):
        if not process.stdout.readline():
            break
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)


@pytest.mark.slow
def test_killed_at_random_points_and_run_again_it_ends_served_without_duplicates(
    shared_sandbox,
):
    sandbox, env = shared_sandbox
    world = sandbox.world
    names = []
    progress: list[int] = []
    for seed in SEEDS:
        root = f"resume{seed}.net"
        world.add_zone(root)  # in this account's Alidns, not verified for CDN yet
        name = f"img.{root}"
        names.append(name)
        argv = ("--bucket", "demo-assets", "--domain", name)
        killed = onboard_process(env, *argv)
        # Somewhere in the run: after a seeded number of its events (the plan, the
        # verification, the add, a wait...), and a seeded moment later, mid-call maybe.
        rng = random.Random(seed)
        kill_after(killed, rng.randint(2, 9), rng.uniform(0.0, 0.4))
        sent = [a for a, p in sandbox.calls if a in WRITE_ACTIONS and root in json.dumps(p)]
        progress.append(len(sent))
        again = onboard_process(env, *argv)
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, f"seed {seed}: {err}\n{out}"
        assert json.loads(out.splitlines()[-1])["served"] is True

        domain = world.domains[name]
        assert domain.status == "online"
        assert sum(1 for d in world.domains if d == name) == 1
        assert len(sandbox.calls.of("AddCdnDomain")) >= 1
        assert [p["DomainName"] for p in sandbox.calls.of("AddCdnDomain")].count(name) <= 2
        (txt,) = txts_at(world, root)  # one TXT, never two
        assert txt.value == world.verify_content(name)
        (cname,) = cnames_at(world, root, "img")
        assert cname.value == domain.cname

    # The kills fell at different points, some after writes were sent.
    assert len(set(progress)) >= 2 and max(progress) > 0, progress

    # A further run of them all, everything served: not one write.
    sandbox.calls.clear()
    argv = ["--bucket", "demo-assets"]
    for name in names:
        argv += ["--domain", name]
    done = onboard_process(env, *argv)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert writes_sent(sandbox) == []
    assert len(sandbox.calls) > 0  # it did read the cloud
    events = [json.loads(line) for line in out.splitlines()]
    assert not [e for e in events if e["event"] in ("plan", "act")]


def test_a_txt_left_over_is_reused_and_the_run_goes_on(sandbox, profile, no_proxy, capsys):
    """A TXT published by hand (or by a run killed before it asked CDN): ownership is
    "in progress"; onboard asks CDN, adds no second TXT, and ends served."""
    world = sandbox.world
    world.add_zone("leftover.net")
    world.add_record("leftover.net", "verification", "TXT", world.verify_content("leftover.net"))
    status, out, err = onboard(
        profile, capsys, "--bucket", "demo-assets", "--domain", "cdn.leftover.net", "--yes"
    )
    assert status == 0, out + err
    assert "AddDomainRecord --DomainName leftover.net --RR verification" not in out
    assert len(txts_at(world, "leftover.net")) == 1
    assert {p["DomainName"] for p in sandbox.calls.of("VerifyDomainOwner")} == {"cdn.leftover.net"}
    assert world.domains["cdn.leftover.net"].status == "online"


@pytest.mark.slow
def test_against_oss_cdn_sandbox_serve_a_second_run_acts_on_nothing(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ALIBABA_CLOUD_") and k not in PROXY_VARS
    }
    env.update(
        OSS_CDN_RUNTIME_DIR=str(tmp_path / "run"), ALIBABA_CLOUD_ECS_METADATA_DISABLED="true"
    )
    with served_sandbox(env) as (serve, info):
        runs = []
        for _ in range(2):
            run = onboard_process(env, "--bucket", "demo-assets", "--domain", "two.example.com")
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
            assert f"using the shared sandbox (pid {serve.pid})" in err
            assert info["access_key_secret"] not in out + err
            runs.append([json.loads(line) for line in out.splitlines()])
        first, second = runs
        assert [e["action"] for e in first if e["event"] == "act"] == ["add", "cname"]
        # The cloud says it is served: no plan, no action, nothing sent the second time.
        assert [e["event"] for e in second] == ["standing", "done"]
        assert second[-1]["domains"][0]["summary"] == "serving"


def test_a_usage_error_with_json_is_a_json_error_too(capsys):
    from tui.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["onboard", "--bucket", "demo-assets", "--json"])  # no --domain
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    error = json.loads(out)["error"]
    assert error["code"] == "UsageError" and "--domain" in error["message"]
    assert "--domain" in err


def test_a_stopped_domain_is_left_with_exit_1_and_nothing_sent(sandbox, profile, no_proxy, capsys):
    from tests.helpers import ASSETS_ORIGIN

    sandbox.world.add_domain(
        "stopped.example.com", "web", [dict(ASSETS_ORIGIN)], "domestic", status="offline"
    )
    status, out, _ = onboard(
        profile, capsys, "--bucket", "demo-assets", "--domain", "stopped.example.com", "--json"
    )
    assert status == 1
    assert writes_sent(sandbox) == []  # starting it again is the user's call
    events = [json.loads(line) for line in out.splitlines()]
    (left,) = [e for e in events if e["event"] == "left"]
    assert left["step"] == "online" and left["state"] == "failed"
    assert "stopped" in left["evidence"]
    assert events[-1]["event"] == "done" and events[-1]["exit"] == 1
