"""A write whose answer was lost, against the sandbox's faults: every write, every fault
kind, and hundreds of seeded runs. Each ends with exactly one domain / one TXT / one
correct CNAME (never a duplicate) and an honest outcome: returned = done, NotApplied =
nothing changed, AnswerLost = could not tell (never a bare "ConnectionLost").

One sandbox per test and a fresh name per run keep runs apart and quick.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import pytest

from tui.sandbox.world import cname_for
from tui.services.cname_setup import ApplyError
from tui.services.errors import (
    AnswerLost,
    CloudError,
    DomainInThisAccount,
    NetworkError,
    NotApplied,
    ServerSideError,
    ThrottledError,
)
from tui.services.facade import Services
from tui.services.models import Source
from tui.services.ownership import Challenge
from tui.services.reconcile import answer_lost
from tui.services.retry import RetryPolicy, never_applied
from tui.services.writes import WRITE_ACTIONS

FAST = RetryPolicy(base_delay=0.01, max_delay=0.02)
HZ = Source("oss", "demo-assets.oss-cn-hangzhou.aliyuncs.com")
ZONE = "example.com"
HOLD = 5.0  # seconds a timeout fault holds its answer: long past any read timeout here
LOST_KINDS = ("reset_after", "timeout_after")  # applied, answer lost
KINDS = (*LOST_KINDS, "reset", "timeout", "server_error", "unavailable", "throttle")


def fqdn(key: str) -> str:
    return f"{key}.{ZONE}"


def records_at(world, rr: str, type: str) -> list:
    return [r for r in world.current_records(ZONE) if r.rr == rr and r.type == type]


@dataclass(frozen=True)
class Case:
    """One kind of write: how to set the world up for run `key`, send it, and see it."""

    name: str
    actions: tuple[str, ...]  # the API actions the write sends (a fault hits one)
    read_back: str  # the action that reads back whether it took effect ("" for none)
    send: Callable[[Services, str], Awaitable[object]]
    applied: Callable[[object, str], bool]  # (world, key): did it take effect?
    prepare: Callable[[object, str], None] = lambda world, key: None
    once: Callable[[object, str], bool] = lambda world, key: True  # never twice
    idempotent: bool = False


async def add_domain(services: Services, key: str) -> None:
    await services.cdn.add_domain(fqdn(key), "web", [HZ])


def challenge(key: str) -> Challenge:
    # The verification TXT of the root `<key>.example.com`, in the zone example.com.
    return Challenge(f"www.{fqdn(key)}", fqdn(key), f"verify_{key}", ZONE)


async def publish_txt(services: Services, key: str) -> None:
    await services.ownership.publish_txt(challenge(key))


def txt_values(world, key: str) -> list[str]:
    return [r.value for r in records_at(world, f"verification.{key}", "TXT")]


async def point_cname(services: Services, key: str) -> None:
    setup = await services.cname_setup.prepare(fqdn(key), cname_for(fqdn(key)), replace=True)
    await services.cname_setup.apply(setup)


def cname_right(world, key: str) -> bool:
    here = [r for r in world.current_records(ZONE) if r.rr == key]
    return [(r.type, r.value, r.enabled) for r in here] == [("CNAME", cname_for(fqdn(key)), True)]


def domain_in(status: str) -> Callable[[object, str], None]:
    def prepare(world, key: str) -> None:
        world.add_domain(fqdn(key), "web", [HZ.to_api()], "domestic", status=status)

    return prepare


def status_in(*wanted: str | None) -> Callable[[object, str], bool]:
    def applied(world, key: str) -> bool:
        world.tick()
        domain = world.domains.get(fqdn(key))
        return (domain.status if domain else None) in wanted

    return applied


def a_record(world, key: str) -> None:
    world.add_record(ZONE, key, "A", "127.0.0.99")


def the_record(world, key: str):
    return next(r for r in world.current_records(ZONE) if r.rr == key)


async def update_record(services: Services, key: str) -> None:
    record = next(r for r in await services.dns.records_at(ZONE, key) if r.type == "A")
    await services.dns.update_record(record, value="127.0.0.98")


async def delete_record(services: Services, key: str) -> None:
    for record in await services.dns.records_at(ZONE, key):
        await services.dns.delete_record(record)


async def disable_record(services: Services, key: str) -> None:
    record = next(iter(await services.dns.records_at(ZONE, key)))
    await services.dns.set_record_status(record, False)


def unverified(world, key: str) -> None:
    world.zones["newsite.net"].verified_for_cdn = False
    world.verified_roots.discard("newsite.net")
    if not records_at_zone(world, "newsite.net", "verification"):
        # Published a day ago: CDN's own resolvers, which lag minutes, see it too.
        world.add_record(
            "newsite.net",
            "verification",
            "TXT",
            world.verify_content("www.newsite.net"),
            created_at=world.now() - 86400,
        )


def records_at_zone(world, zone: str, rr: str) -> list:
    return [r for r in world.current_records(zone) if r.rr == rr]


CASES = {
    "add_domain": Case(
        "add_domain",
        ("AddCdnDomain",),
        "DescribeUserDomains",  # the listing: the detail lags an add
        add_domain,
        lambda world, key: fqdn(key) in world.domains,
    ),
    "publish_txt": Case(
        "publish_txt",
        ("AddDomainRecord",),
        "DescribeSubDomainRecords",
        publish_txt,
        lambda world, key: txt_values(world, key) != [],
        once=lambda world, key: txt_values(world, key) == [f"verify_{key}"],
    ),
    "cname_create": Case(
        "cname_create", ("AddDomainRecord",), "DescribeSubDomainRecords", point_cname, cname_right
    ),
    "cname_replace": Case(
        "cname_replace",
        ("DeleteDomainRecord", "AddDomainRecord"),
        "DescribeDomainRecordInfo",
        point_cname,
        cname_right,
        prepare=a_record,
    ),
    "cname_update": Case(
        "cname_update",
        ("UpdateDomainRecord",),
        "DescribeDomainRecordInfo",
        point_cname,
        cname_right,
        prepare=lambda world, key: world.add_record(ZONE, key, "CNAME", "old.example.net"),
    ),
    "cname_enable": Case(
        "cname_enable",
        ("SetDomainRecordStatus",),
        "DescribeDomainRecordInfo",
        point_cname,
        cname_right,
        prepare=lambda world, key: world.add_record(
            ZONE, key, "CNAME", cname_for(fqdn(key)), enabled=False
        ),
    ),
    "start_domain": Case(
        "start_domain",
        ("StartCdnDomain",),
        "DescribeCdnDomainDetail",
        lambda s, key: s.cdn.start_domain(fqdn(key)),
        status_in("configuring", "online"),
        prepare=domain_in("offline"),
    ),
    "stop_domain": Case(
        "stop_domain",
        ("StopCdnDomain",),
        "DescribeCdnDomainDetail",
        lambda s, key: s.cdn.stop_domain(fqdn(key)),
        status_in("stopping", "offline"),
        prepare=domain_in("online"),
    ),
    "delete_domain": Case(
        "delete_domain",
        ("DeleteCdnDomain",),
        "DescribeCdnDomainDetail",
        lambda s, key: s.cdn.delete_domain(fqdn(key)),
        status_in("deleting", None),
        prepare=domain_in("online"),
    ),
    "update_record": Case(
        "update_record",
        ("UpdateDomainRecord",),
        "DescribeDomainRecordInfo",
        update_record,
        lambda world, key: the_record(world, key).value == "127.0.0.98",
        prepare=a_record,
        once=lambda world, key: len(records_at(world, key, "A")) == 1,
    ),
    "delete_record": Case(
        "delete_record",
        ("DeleteDomainRecord",),
        "DescribeDomainRecordInfo",
        delete_record,
        lambda world, key: not records_at(world, key, "A"),
        prepare=a_record,
    ),
    "disable_record": Case(
        "disable_record",
        ("SetDomainRecordStatus",),
        "DescribeDomainRecordInfo",
        disable_record,
        lambda world, key: not the_record(world, key).enabled,
        prepare=a_record,
    ),
    "verify_owner": Case(
        "verify_owner",
        ("VerifyDomainOwner",),
        "",
        lambda s, key: s.cdn.verify_owner("www.newsite.net"),
        lambda world, key: world.is_verified("www.newsite.net"),
        prepare=unverified,
        idempotent=True,
    ),
    "private_origin": Case(
        "private_origin",
        ("BatchSetCdnDomainConfig",),
        "DescribeCdnDomainConfigs",
        lambda s, key: s.cdn.enable_private_origin(fqdn(key)),
        lambda world, key: any(
            c["FunctionName"] == "l2_oss_key" and c["FunctionArgs"]["private_oss_auth"] == "on"
            for c in world.domains[fqdn(key)].configs
        ),
        prepare=domain_in("online"),
        once=lambda world, key: len(world.domains[fqdn(key)].configs) == 1,
    ),
    "put_object": Case(
        "put_object",
        ("PutObject",),
        "GetObject",
        lambda s, key: s.oss.put_object("demo-assets", f"{key}.txt", key),
        lambda world, key: world.buckets["demo-assets"].objects.get(f"{key}.txt") == key.encode(),
        idempotent=True,
    ),
}


def expected(case: Case, kind: str) -> str:
    """What one fault of `kind` on the write's first try should end in."""
    if kind in (*LOST_KINDS, "throttle") or case.idempotent:
        return "returned"
    return "not_applied"


async def attempt(services: Services, case: Case, key: str) -> tuple[str, BaseException | None]:
    """Send the write once; name how it ended. Anything but the honest outcomes fails."""
    try:
        await case.send(services, key)
    except ApplyError as error:  # a CNAME plan step: its own error tells
        inner = error.error
    except CloudError as error:
        inner = error
    else:
        return "returned", None
    if getattr(inner, "action", "") not in WRITE_ACTIONS:
        # A read before the write failed (a short read timeout on a busy machine):
        # nothing was sent.
        return "read_failed", inner
    if isinstance(inner, NotApplied):
        return "not_applied", inner
    if isinstance(inner, ThrottledError):  # throttled every time: refused, never applied
        return "throttled", inner
    if isinstance(inner, AnswerLost):
        return "unknown", inner
    if isinstance(inner, DomainInThisAccount):
        return "in_this_account", inner
    raise AssertionError(f"{case.name}: {type(inner).__name__}: {inner}")


async def check_honest_then_settle(
    services: Services, sandbox, case: Case, key: str, outcome: str, error: BaseException | None
) -> None:
    """The outcome matches the world; then the user's retry (when one is due) leaves the
    write done exactly once."""
    world = sandbox.world
    applied = case.applied(world, key)
    if outcome == "returned":
        assert applied, f"{case.name} returned but did not take effect"
    elif outcome in ("not_applied", "throttled", "read_failed"):
        assert not applied, f"{case.name} said {error} but it took effect"
        assert "you can try again" in str(error) or outcome != "not_applied"
    elif outcome == "unknown":
        assert "check whether it was done" in str(error) or "harmless" in str(error)
    sandbox.faults.clear()
    if not case.applied(world, key):
        again, error = await attempt(services, case, key)
        assert again == "returned", f"{case.name} retried: {again}: {error}"
    elif outcome == "unknown" and case.name == "add_domain":
        # Added though nobody could tell: adding again says it is this account's.
        again, error = await attempt(services, case, key)
        assert again == "in_this_account" and error.domain == fqdn(key)
    assert case.applied(world, key) and case.once(world, key), case.name


async def settled(faults: list, timeout: float = 15.0) -> None:
    """Held calls whose client left were dropped (never acting later)."""
    deadline = time.monotonic() + timeout
    while any(not f.outcome for f in faults) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert {f.outcome for f in faults} <= {"abandoned"}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_every_fault_kind_on_every_write(name, sandbox, profile):
    case = CASES[name]
    patient = Services(profile, retry=FAST)
    hasty = Services(replace(profile, read_timeout_ms=300), retry=FAST)
    held = []
    for number, kind in enumerate(KINDS):
        for action in case.actions:
            key = f"{name.replace('_', '-')}-{number}-{action.lower()}"
            case.prepare(sandbox.world, key)
            fault = sandbox.faults.add(kind, action, delay=HOLD)
            if kind == "timeout":
                held.append(fault)
            services = hasty if kind.startswith("timeout") else patient
            outcome, error = await attempt(services, case, key)
            want = expected(case, kind)
            assert (kind, outcome) == (kind, want), f"{action} under {kind}: {error}"
            if outcome == "not_applied":
                assert error.lost.code and error.lost.action == action
            await check_honest_then_settle(patient, sandbox, case, key, outcome, error)
    await settled(held)


async def test_a_lost_answer_whose_read_back_fails_says_it_cannot_tell(sandbox, profile):
    services = Services(profile, retry=FAST)
    sandbox.faults.add("reset_after", "AddCdnDomain")
    sandbox.faults.add("server_error", "DescribeUserDomains", count=FAST.max_attempts)
    with pytest.raises(AnswerLost) as caught:
        await services.cdn.add_domain("lost.example.com", "web", [HZ])
    error = caught.value
    assert (error.lost.code, error.read_back.code) == ("ConnectionLost", "InternalError")
    assert str(error).startswith("Add lost.example.com to CDN: web, origin ")
    assert "reading back whether it was done failed too (InternalError)" in str(error)
    assert "ConnectionLost" in str(error)
    # It was added; trying again says so instead of "another account, open a ticket".
    assert "lost.example.com" in sandbox.world.domains
    with pytest.raises(DomainInThisAccount) as again:
        await services.cdn.add_domain("lost.example.com", "web", [HZ])
    assert again.value.domain == "lost.example.com"
    assert sandbox.calls.actions().count("AddCdnDomain") == 2


async def test_a_record_added_though_its_answer_was_lost_comes_back_with_its_id(sandbox, profile):
    services = Services(replace(profile, read_timeout_ms=300), retry=FAST)
    sandbox.faults.add("timeout_after", "AddDomainRecord", delay=HOLD)
    record = await services.dns.add_record(ZONE, "late", "CNAME", "late.example.net")
    [stored] = records_at(sandbox.world, "late", "CNAME")
    assert record.record_id == stored.record_id
    assert (record.rr, record.type, record.value, record.zone) == (
        "late",
        "CNAME",
        "late.example.net",
        ZONE,
    )
    assert sandbox.calls.actions().count("AddDomainRecord") == 1


async def test_a_record_is_read_back_in_its_own_zone_though_a_deeper_zone_exists(sandbox, profile):
    # x.shop.example.com added to example.com, while the account also hosts the zone
    # shop.example.com: the read-back must look in example.com.
    sandbox.world.add_zone("shop.example.com")
    services = Services(profile, retry=FAST)
    sandbox.faults.add("reset_after", "AddDomainRecord")
    record = await services.dns.add_record(ZONE, "x.shop", "A", "127.0.0.66")
    assert (record.zone, record.rr) == (ZONE, "x.shop")
    assert [r.record_id for r in records_at(sandbox.world, "x.shop", "A")] == [record.record_id]


async def test_a_verification_whose_answers_are_all_lost_says_asking_again_is_harmless(
    sandbox, profile
):
    services = Services(profile, retry=FAST)
    sandbox.faults.add("reset", "VerifyDomainOwner", count=None)
    with pytest.raises(AnswerLost) as caught:
        await services.cdn.verify_owner("www.example.com")
    assert "asking again is harmless" in str(caught.value)
    assert sandbox.calls.actions() == ["VerifyDomainOwner"] * FAST.max_attempts


@pytest.mark.parametrize(
    "error, lost, unapplied",
    [
        (NetworkError("ConnectionLost", "x"), True, False),
        (NetworkError("ReadTimeout", "x"), True, False),
        (NetworkError("RequestFailed", "x"), True, False),
        (NetworkError("BadResponse", "x"), True, False),
        (NetworkError("ConnectTimeout", "x"), False, True),
        (NetworkError("ConnectionFailed", "x"), False, True),
        (ServerSideError("InternalError", "x", status=500), True, False),
        (ServerSideError("ServiceUnavailable", "x", status=503), True, False),
        (ThrottledError("Throttling.User", "x", status=400), False, True),
        (CloudError("DomainRecordDuplicate", "x", status=400), False, False),
    ],
)
def test_which_failures_may_hide_an_applied_write(error, lost, unapplied):
    # Lost: read back. Surely unapplied: sent again like a read. Neither: a plain refusal.
    assert (answer_lost(error), never_applied(error)) == (lost, unapplied)


# -- hundreds of seeded runs --------------------------------------------------------------

RUNS = 200
READ_BACK_FAULTS = ("server_error", "reset", "throttle")


async def test_seeded_runs_of_every_write_under_random_faults(sandbox, profile):
    # A short read timeout keeps timeouts quick; only honesty is asserted, so a call
    # that times out on a busy machine is just one more lost answer to reconcile.
    services = Services(replace(profile, read_timeout_ms=150), retry=FAST)
    settle = Services(profile, retry=FAST)
    sandbox.world.quota = RUNS + 100  # every run may add a domain
    rng = random.Random(20261129)
    names = sorted(CASES)
    seen: dict[str, int] = {}
    held = []
    for run in range(RUNS):
        case = CASES[rng.choice(names)]
        key = f"run{run}"
        case.prepare(sandbox.world, key)
        kind = rng.choice((*KINDS, "none"))
        if kind != "none":
            fault = sandbox.faults.add(
                kind, rng.choice(case.actions), count=rng.choice((1, 1, 1, 2, 5)), delay=HOLD
            )
            if kind == "timeout":
                held.append(fault)
        if case.read_back and rng.random() < 0.3:
            sandbox.faults.add(
                rng.choice(READ_BACK_FAULTS),
                case.read_back,
                count=rng.choice((1, FAST.max_attempts + 1)),
            )
        outcome, error = await attempt(services, case, key)
        seen[outcome] = seen.get(outcome, 0) + 1
        await check_honest_then_settle(settle, sandbox, case, key, outcome, error)
    # The runs did meet every honest outcome, not only the easy one.
    assert {"returned", "not_applied", "unknown"} <= set(seen), seen
    await settled(held)
