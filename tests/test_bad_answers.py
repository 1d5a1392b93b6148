"""A 200 answer of the wrong shape is an UnexpectedAnswer, never a crash (issue 7, part 5).

Every read of the service layer, against the sandbox through the real SDKs, under every
bad-answer fault: the sandbox mangles the answer it would really have sent (cut short,
fields of the wrong type, fields null or missing, an empty body). The result is either
the right value (a mangled field the read does not need, or an optional one absent) or
an UnexpectedAnswer that names what was wrong; never another exception.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from tui.sandbox.runner import Sandbox
from tui.services.errors import UnexpectedAnswer
from tui.services.facade import Services
from tui.services.models import (
    Bucket,
    BucketCname,
    CdnDomain,
    CnameStatus,
    DnsRecord,
    DomainConfig,
    OssObject,
    RefreshTask,
    Source,
    Zone,
)
from tui.services.profile import sandbox_profile
from tui.services.retry import RetryPolicy

FAST = RetryPolicy(base_delay=0.01, max_delay=0.02)

# Each read of the service layer, by the action it sends.
READS = {
    "DescribeUserDomains": lambda s: s.cdn.list_domains(),
    "DescribeCdnDomainDetail": lambda s: s.cdn.domain("static.example.com"),
    "CheckCdnDomainExist": lambda s: s.cdn.check_exists("new.example.com"),
    "DescribeVerifyContent": lambda s: s.cdn.verify_content("new.example.com"),
    "DescribeDomainCname": lambda s: s.cdn.cname_status(["img.example.com", "static.example.com"]),
    "DescribeRefreshTasks": lambda s: s.cdn.refresh_tasks(),
    "DescribeRefreshQuota": lambda s: s.cdn.refresh_quota(),
    "DescribeCdnUserQuota": lambda s: s.cdn.domain_limit(fresh=True),
    "DescribeCdnDomainConfigs": lambda s: s.cdn.domain_configs("cdn.partner.org"),
    "DescribeDomains": lambda s: s.dns.list_zones(),
    "DescribeDomainInfo": lambda s: s.dns.zone("example.com"),
    "DescribeDomainRecords": lambda s: s.dns.records("example.com"),
    "DescribeSubDomainRecords": lambda s: s.dns.sub_domain_records("img.example.com"),
    "DescribeDomainRecordInfo": lambda s: first_record(s),
    "ListBuckets": lambda s: s.oss.list_buckets(),
    "GetBucketInfo": lambda s: s.oss.bucket_info("demo-assets"),
    "ListCname": lambda s: s.oss.bucket_cnames("demo-assets"),
    "ListObjectsV2": lambda s: s.oss.list_objects("demo-assets", delimiter="/"),
    "GetBucketAcl": lambda s: s.oss.bucket_acl(
        s.oss.bucket_from_origin("demo-video.oss-cn-shanghai.aliyuncs.com")
    ),
}
OSS_READS = {"ListBuckets", "GetBucketInfo", "ListCname", "ListObjectsV2", "GetBucketAcl"}
# A check, not a read of state: its answer's Content is only a note (see cdn.verify_owner).
# GetObject reads back an uploaded file: its answer is the object's bytes, with no shape.
# HeadObject's answer is headers only, which head_object checks itself.
NOT_LISTED = {"VerifyDomainOwner", "GetObject", "HeadObject"}


async def first_record(services):
    """DescribeDomainRecordInfo of a record of the seed world (its id from a listing,
    which the fault, armed for DescribeDomainRecordInfo alone, leaves alone)."""
    records = await services.dns.records("example.com")
    return await services.dns.record(records[0].record_id)


FAULTS = (
    [("truncated", {"seed": seed}) for seed in range(3)]
    + [("wrong_types", {"seed": seed}) for seed in range(8)]
    + [("wrong_types", {"rate": 1.0})]
    + [("null_fields", {"seed": seed}) for seed in range(8)]
    + [("null_fields", {"rate": 1.0})]
    + [("empty_200", {}), ("empty_200", {"body": "{}"})]
    # Rarely: so that fields deep in the answer are hit, not only the first ones.
    + [
        (kind, {"seed": seed, "rate": 0.05})
        for kind in ("wrong_types", "null_fields")
        for seed in range(6)
    ]
)

# Fields a read may leave at their default when the answer lacks them (the decision of
# cdn.py, alidns.py and oss.py, from the API docs): anything else must be exactly right.
OPTIONAL = {
    CdnDomain: {"cname", "cdn_type", "scope", "created", "modified", "description", "ssl"},
    Source: {"port", "priority", "weight"},
    CnameStatus: {"cname"},
    DomainConfig: set(),
    RefreshTask: {"object_path", "object_type", "process", "created"},
    Zone: {"domain_id", "dns_servers", "record_count", "version_code", "puny_code"},
    DnsRecord: {"locked", "priority", "weight"},
    Bucket: {"intranet_endpoint", "created", "storage_class"},
    BucketCname: {"status", "last_modified"},
    OssObject: {"storage_class"},
}


def agrees(got, expected) -> bool:
    """`got` is `expected`, except optional fields that may be at their default."""
    if dataclasses.is_dataclass(expected):
        if type(got) is not type(expected):
            return False
        optional = OPTIONAL.get(type(expected), set())
        for field in dataclasses.fields(expected):
            mine, theirs = getattr(got, field.name), getattr(expected, field.name)
            if field.name in optional and (mine == field.default or not mine):
                continue  # absent: the default, or the type's empty value
            if not agrees(mine, theirs):
                return False
        return True
    if isinstance(expected, (list, tuple)):
        return (
            type(got) is type(expected)
            and len(got) == len(expected)
            and all(agrees(a, b) for a, b in zip(got, expected, strict=True))
        )
    return got == expected


@pytest.fixture(scope="module")
def box():
    # One sandbox for the module: reads change nothing, and at speed 1 nothing moves
    # between a faulted read and the read that gives the expected value.
    with Sandbox(speed=1.0) as sandbox:
        # A domain with a feature configuration, for DescribeCdnDomainConfigs to report.
        sandbox.world.domains["cdn.partner.org"].configs.append(
            {
                "FunctionName": "l2_oss_key",
                "ConfigId": "600001",
                "Status": "success",
                "FunctionArgs": {"private_oss_auth": "on"},
            }
        )
        yield sandbox


@pytest.fixture
async def services(box):
    services = Services(sandbox_profile(box.info), retry=FAST)
    box.faults.clear()
    if not await services.cdn.refresh_tasks():  # something for DescribeRefreshTasks to list
        await services.cdn.refresh(["http://img.example.com/logo.png"])
    yield services
    box.faults.clear()
    await services.close()


def service_reads() -> set[str]:
    """The actions the service layer sends with write=False, read from its source."""
    found = set()
    for module in ("cdn.py", "alidns.py", "oss.py"):
        source = (Path(__file__).parent.parent / "tui" / "services" / module).read_text()
        for action, flag in re.findall(
            r'\.(?:_)?call\(\s*"(\w+)".*?write=(True|False)', source, re.S
        ):
            if flag == "False":
                found.add(action)
    return found


def test_every_read_of_the_service_layer_is_covered():
    reads = service_reads()
    assert len(reads) >= 14
    assert reads - NOT_LISTED == set(READS)


@pytest.mark.parametrize(
    "kind, params",
    FAULTS,
    ids=[f"{k}-{'-'.join(f'{n}{v}' for n, v in p.items())}" for k, p in FAULTS],
)
@pytest.mark.parametrize("action", sorted(READS))
async def test_a_bad_answer_is_the_right_value_or_an_unexpected_answer(
    box, services, action, kind, params
):
    box.faults.add(kind, action, count=None, **params)
    try:
        got, error = await READS[action](services), None
    except UnexpectedAnswer as caught:
        got, error = None, caught
    box.faults.clear()
    expected = await READS[action](services)

    must_fail = kind in ("truncated", "empty_200") or params.get("rate") == 1.0
    if error is None:
        assert not must_fail, f"{kind} {params} read as {got!r}"
        assert agrees(got, expected), f"{got!r} is not {expected!r}"
        return
    service = (
        "OSS"
        if action in OSS_READS
        else "DNS"
        if action.startswith(("DescribeDomain", "DescribeSub")) and action != "DescribeDomainCname"
        else "CDN"
    )
    message = str(error)
    assert message.startswith(f"unexpected answer from {service} {action}: "), message
    assert "could not be read (" not in message  # every shape is read by name, not by luck
    assert error.code == "UnexpectedAnswer" and not error.retryable
    if kind in ("wrong_types", "null_fields"):
        assert re.search(r": field [A-Za-z]", message), message
        # The body's RequestId (or OSS's header) is carried and shown.
        assert re.fullmatch(r"[0-9A-F-]{24,36}", error.request_id), error.request_id
        assert message.endswith(f"(RequestId {error.request_id})")
    if kind == "empty_200" and not params:
        assert error.message == "the answer is empty"


async def test_the_message_names_the_field(box, services):
    box.faults.add("null_fields", "DescribeUserDomains", rate=1.0)  # Domains, TotalCount...
    with pytest.raises(UnexpectedAnswer) as caught:
        await services.cdn.list_domains()
    assert caught.value.message == "field TotalCount missing"

    # The SDK's model cannot hold a string where PageData's objects belong: still named.
    box.faults.add("wrong_types", "DescribeUserDomains", rate=1.0)
    with pytest.raises(UnexpectedAnswer) as caught:
        await services.cdn.list_domains()
    assert caught.value.message in (
        "field TotalCount is an object, not a whole number",
        "field Domains is a string, not an object",
    )


async def test_a_cut_json_answer_is_not_a_network_error(box, services):
    box.faults.add("truncated", "DescribeCdnDomainDetail", seed=5)
    with pytest.raises(UnexpectedAnswer) as caught:
        await services.cdn.domain("img.example.com")
    assert caught.value.message == "the answer is not complete JSON (cut short?)"
    # One try: an answer that came whole from the server is not retried.
    assert box.calls.actions()[-1:] == ["DescribeCdnDomainDetail"]


async def test_an_html_page_is_still_a_bad_response(box, services):
    from tui.services.errors import NetworkError

    for action, read in (
        ("DescribeCdnDomainDetail", READS["DescribeCdnDomainDetail"]),
        ("GetBucketInfo", READS["GetBucketInfo"]),
    ):
        box.faults.add("non_json", action, count=None)
        with pytest.raises(NetworkError) as caught:
            await read(services)
        box.faults.clear()
        assert caught.value.code == "BadResponse"


async def test_a_write_whose_answer_is_mangled_is_read_back(sandbox, profile):
    # The sandbox answers first (here: adds the domain), then mangles what it sends; the
    # write road reads back that the domain was added, and sends nothing twice.
    from tui.services.models import Source

    services = Services(profile, retry=FAST)
    sandbox.faults.add("empty_200", "AddCdnDomain")
    await services.cdn.add_domain(
        "mangled.example.com",
        "web",
        [Source("oss", "demo-assets.oss-cn-hangzhou.aliyuncs.com")],
        scope="overseas",
    )
    assert sandbox.calls.actions().count("AddCdnDomain") == 1
    assert (await services.cdn.domain("mangled.example.com")).name == "mangled.example.com"


# -- the mangling itself (tui/sandbox/bad_answers.py), without a server ----------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tui.sandbox.bad_answers import mangle_json, mangle_xml  # noqa: E402

_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_json = st.recursive(
    _leaf,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)
answers = st.dictionaries(
    st.sampled_from(["Domains", "TotalCount", "Content", "Data"]), _json, min_size=1
).map(lambda d: {"RequestId": "R-1", **d})


def differences(before, after, path=()) -> list[tuple[tuple, object, object]]:
    """Where two JSON documents differ, at the outermost point: (path, before, after)."""
    if isinstance(before, dict) and isinstance(after, dict) and before.keys() == after.keys():
        return [d for k in before for d in differences(before[k], after[k], (*path, k))]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            d
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for d in differences(b, a, (*path, i))
        ]
    return [] if before == after and type(before) is type(after) else [(path, before, after)]


def nulls_possible(node) -> bool:
    pairs = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    return any((k != "RequestId" and v is not None) or nulls_possible(v) for k, v in pairs)


@given(answers, st.integers(0, 2**16))
def test_a_truncated_json_answer_never_parses_and_is_a_prefix(answer, seed):
    import json

    body = json.dumps(answer).encode()
    cut = mangle_json(body, "truncated", seed=seed)
    assert body.startswith(cut) and len(cut) < len(body)
    with pytest.raises(ValueError):
        json.loads(cut)
    assert cut == mangle_json(body, "truncated", seed=seed)  # the same for the same seed


@given(answers, st.integers(0, 2**16), st.sampled_from([0.0, 0.3, 1.0]))
@settings(max_examples=200)
def test_null_fields_sets_fields_to_null_and_keeps_the_request_id(answer, seed, rate):
    import json

    body = json.dumps(answer).encode()
    out = mangle_json(body, "null_fields", seed=seed, rate=rate)
    assert out == mangle_json(body, "null_fields", seed=seed, rate=rate)
    changed = differences(answer, json.loads(out))
    assert bool(changed) == nulls_possible(answer)
    assert all(after is None and path[:1] != ("RequestId",) for path, _, after in changed)


@given(answers, st.integers(0, 2**16), st.sampled_from([0.0, 0.3, 1.0]))
@settings(max_examples=200)
def test_wrong_types_gives_fields_another_type_and_keeps_the_request_id(answer, seed, rate):
    import json

    body = json.dumps(answer).encode()
    out = mangle_json(body, "wrong_types", seed=seed, rate=rate)
    assert out == mangle_json(body, "wrong_types", seed=seed, rate=rate)
    changed = differences(answer, json.loads(out))
    assert changed
    for path, before, after in changed:
        assert path[:1] != ("RequestId",)
        assert type(after) is not type(before)
        assert isinstance(after, dict) or (isinstance(after, str) and not isinstance(before, str))


OSS_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><ListCnameResult><Bucket>b</Bucket>'
    b"<Owner>1</Owner><Cname><Domain>img.example.com</Domain><Status>Enabled</Status>"
    b"<IsPurgeCdnCache>true</IsPurgeCdnCache></Cname></ListCnameResult>"
)


@given(st.integers(0, 2**16), st.sampled_from([0.0, 0.3, 1.0]))
def test_xml_answers_are_cut_emptied_of_elements_or_given_the_wrong_structure(seed, rate):
    from xml.etree import ElementTree as ET

    with pytest.raises(ET.ParseError):
        ET.fromstring(mangle_xml(OSS_XML, "truncated", seed=seed))
    assert mangle_xml(OSS_XML, "empty_200") == b""

    def leaves(doc: bytes) -> list[str]:
        return [e.tag for e in ET.fromstring(doc).iter() if not len(e)]

    fewer = mangle_xml(OSS_XML, "null_fields", seed=seed, rate=rate)
    assert len(leaves(OSS_XML)) - len(leaves(fewer)) > 0
    assert ET.fromstring(fewer).tag == "ListCnameResult"

    wrong = ET.fromstring(mangle_xml(OSS_XML, "wrong_types", seed=seed, rate=rate))
    texts_with_elements = [e for e in wrong.iter() if len(e) and (e.text or "").strip()]
    leaf_became_parent = [e for e in wrong.iter() if [c.tag for c in e] == ["Value"]]
    assert (
        texts_with_elements
        or leaf_became_parent
        or any((e.text or "").strip() == "unexpected" for e in wrong.iter())
    )
    assert mangle_xml(OSS_XML, "wrong_types", seed=seed, rate=rate) == ET.tostring(
        wrong, encoding="UTF-8", xml_declaration=True
    )
