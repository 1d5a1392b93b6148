"""The sandbox answers listings from a cached order (sorted once per change, a page a
slice) and keeps only its recent calls: the answers must be those of sorting every
request, however the world changed in between."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.sandbox import alidns_api, cdn_api
from tui.sandbox.faults import CALL_LOG_LIMIT, CallLog
from tui.sandbox.http_server import Params
from tui.sandbox.world import World

STATUSES = ["online", "offline", "configuring", "checking", "check_failed", "stopping"]
ORIGIN = [{"content": "o.example.com", "type": "oss", "port": 80, "priority": "20", "weight": "10"}]


def naive_domains(world: World, params: dict) -> dict:
    """DescribeUserDomains as it was: filter every domain, sort them all, slice."""
    number, size = int(params.get("PageNumber", 1)), int(params.get("PageSize", 20))
    needle = params.get("DomainName", "").lower()
    status = params.get("DomainStatus")
    cdn_type = params.get("CdnType")
    show_review = params.get("CheckDomainShow", "false") == "true"
    found = [
        d
        for d in world.domains.values()
        if (not needle or needle in d.name)
        and (status is None or d.status == status)
        and (cdn_type is None or d.cdn_type == cdn_type)
        and (show_review or status is not None or d.status not in cdn_api.IN_REVIEW)
    ]
    found.sort(key=lambda d: (-d.created, d.name))
    page = found[(number - 1) * size : number * size]
    return {"TotalCount": len(found), "names": [d.name for d in page]}


def listed(world: World, params: dict) -> dict:
    answer = cdn_api.describe_user_domains(world, Params(params))
    return {
        "TotalCount": answer["TotalCount"],
        "names": [d["DomainName"] for d in answer["Domains"]["PageData"]],
    }


domain_specs = st.lists(
    st.tuples(
        st.from_regex(r"[a-c]{1,3}", fullmatch=True),
        st.integers(0, 3),  # creation times collide: the name breaks ties
        st.sampled_from(STATUSES),
        st.sampled_from(["web", "download"]),
    ),
    max_size=40,
    unique_by=lambda spec: spec[0],
)
queries = st.fixed_dictionaries(
    {"PageNumber": st.integers(1, 5).map(str), "PageSize": st.integers(1, 12).map(str)},
    optional={
        "CheckDomainShow": st.sampled_from(["true", "false"]),
        "DomainName": st.sampled_from(["a", "b.", "ab"]),
        "DomainStatus": st.sampled_from(["online", "checking"]),
        "CdnType": st.just("web"),
    },
)


def add(world: World, specs) -> None:
    for name, created, status, cdn_type in specs:
        world.add_domain(
            f"{name}.example.com",
            cdn_type,
            ORIGIN,
            "domestic",
            status=status,
            created=float(created),
        )


@settings(max_examples=150, deadline=None)
@given(domain_specs, domain_specs, st.lists(queries, min_size=1, max_size=4), st.data())
def test_domain_pages_are_those_of_sorting_every_request(first, later, asked, data):
    world = World(seed=False)
    add(world, first)
    for params in asked:
        assert listed(world, params) == naive_domains(world, params)
    # The account changes between requests: domains added, one deleted (tick removes it).
    add(world, [spec for spec in later if f"{spec[0]}.example.com" not in world.domains])
    if world.domains:
        gone = data.draw(st.sampled_from(sorted(world.domains)))
        world.move_domain(gone, "deleting", "deleted", 1.0)
        world.clock.advance(2.0)
        world.tick()
        assert gone not in world.domains
    for params in asked:
        assert listed(world, params) == naive_domains(world, params)


def test_a_listing_sees_a_domain_added_and_one_removed_since_the_last():
    world = World(seed=False)
    add(world, [("a", 1, "online", "web"), ("b", 2, "online", "web")])
    every = {"PageSize": "50", "CheckDomainShow": "true"}
    assert listed(world, every)["names"] == ["b.example.com", "a.example.com"]
    world.add_domain("c.example.com", "web", ORIGIN, "domestic", status="online", created=3.0)
    del world.domains["a.example.com"]  # as a test may do it, without a world method
    assert listed(world, every)["names"] == ["c.example.com", "b.example.com"]


def naive_records(world: World, params: dict) -> dict:
    number, size = int(params.get("PageNumber", 1)), int(params.get("PageSize", 20))
    rr_word = params.get("RRKeyWord", "").lower()
    type_ = params.get("Type", "").upper()
    found = [
        r
        for r in world.current_records("example.com")
        if (not rr_word or rr_word in r.rr.lower()) and (not type_ or r.type == type_)
    ]
    found.sort(key=lambda r: (r.rr, r.type, r.value, int(r.record_id)))
    page = found[(number - 1) * size : number * size]
    return {"TotalCount": len(found), "ids": [(r.record_id, r.value, r.enabled) for r in page]}


def records_listed(world: World, params: dict) -> dict:
    answer = alidns_api.describe_domain_records(
        world, Params({"DomainName": "example.com", **params})
    )
    return {
        "TotalCount": answer["TotalCount"],
        "ids": [
            (r["RecordId"], r["Value"], r["Status"] == "ENABLE")
            for r in answer["DomainRecords"]["Record"]
        ],
    }


record_specs = st.lists(
    st.tuples(
        st.sampled_from(["@", "www", "w", "img", "a.b"]),
        st.sampled_from(["A", "TXT"]),
        st.sampled_from(["192.0.2.1", "192.0.2.2", "v"]),
    ),
    max_size=30,
)
record_queries = st.fixed_dictionaries(
    {"PageNumber": st.integers(1, 4).map(str), "PageSize": st.integers(1, 10).map(str)},
    optional={"RRKeyWord": st.sampled_from(["w", "img"]), "Type": st.just("A")},
)
changes = st.lists(
    st.tuples(st.sampled_from(["delete", "disable", "value"]), st.integers(0, 1000)), max_size=6
)


@settings(max_examples=150, deadline=None)
@given(record_specs, changes, st.lists(record_queries, min_size=1, max_size=3))
def test_record_pages_are_those_of_sorting_every_request(specs, edits, asked):
    world = World(seed=False)
    world.add_zone("example.com")
    world.add_zone("other.example")
    for rr, type_, value in specs:
        world.add_record("example.com", rr, type_, value)
        world.add_record("other.example", rr, type_, value)  # another zone's, never listed
    for params in asked:
        assert records_listed(world, params) == naive_records(world, params)
    for kind, pick in edits:  # record changes close a version and open another
        current = world.current_records("example.com")
        if not current:
            break
        record = current[pick % len(current)]
        if kind == "delete":
            world.delete_record(record.record_id)
        elif kind == "disable":
            world.replace_record(record.record_id, enabled=not record.enabled)
        else:
            world.replace_record(record.record_id, value=f"198.51.100.{pick % 250}")
        for params in asked:
            assert records_listed(world, params) == naive_records(world, params)


def test_the_call_log_keeps_the_last_calls():
    log = CallLog(limit=3)
    for n in range(5):
        log.record("DescribeUserDomains" if n % 2 else "AddCdnDomain", {"n": str(n)})
    assert len(log) == 3
    assert log.actions() == ["AddCdnDomain", "DescribeUserDomains", "AddCdnDomain"]
    assert log.of("AddCdnDomain") == [{"n": "2"}, {"n": "4"}]
    assert log[-1] == ("AddCdnDomain", {"n": "4"})
    log.clear()
    assert list(log) == [] and log.of("AddCdnDomain") == []


def test_the_sandboxs_call_log_is_bounded():
    log = CallLog()  # as the runner makes it
    for n in range(CALL_LOG_LIMIT + 10):
        log.record("DescribeUserDomains", {"PageNumber": str(n)})
    assert len(log) == CALL_LOG_LIMIT
    assert log[0][1] == {"PageNumber": "10"}  # the oldest ten dropped


def test_a_transition_scheduled_after_a_quiet_tick_still_happens():
    # tick() skips its walk while nothing is due: a move scheduled afterwards must still
    # be applied when its time comes.
    world = World(seed=False)
    add(world, [("a", 1, "online", "web")])
    world.tick()  # nothing due: the next ticks skip the walk until something changes
    world.move_domain("a.example.com", "stopping", "offline", 5.0)
    world.tick()
    assert world.domains["a.example.com"].status == "stopping"
    world.clock.advance(6.0)
    world.tick()
    assert world.domains["a.example.com"].status == "offline"
