"""`oss-cdn fetch`: the line for people, the JSON object, exit codes and usage errors;
in-process against a real-speed sandbox and its CDN edge (real DNS, real HTTP)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import fetch, parse_fetch
from tui.cli import main
from tui.services.profile import sandbox_profile

IMG = "http://img.example.com/img/logo.png"
MEMBERS = {
    "url",
    "verdict",
    "status",
    "cache",
    "headers",
    "edge",
    "etag",
    "origin_etag",
    "elapsed_ms",
    "explanation",
}


@pytest.fixture
def profile(realtime_sandbox):
    return sandbox_profile(realtime_sandbox.info)


def test_twice_shows_the_miss_then_the_hit_exit_0(profile, capsys):
    status, out, _ = fetch(profile, capsys, IMG)
    assert status == 0
    line, explanation = out.splitlines()
    assert line.startswith(f"SERVED · {IMG} · 200 · X-Cache MISS · edge {profile.edge} · ETag ")
    assert " = origin " in line and line.endswith(" ms")
    assert "fetched from the origin" in explanation

    status, out, _ = fetch(profile, capsys, IMG, "--json")
    assert status == 0
    report = json.loads(out)  # ONE object
    assert set(report) == MEMBERS
    assert (report["verdict"], report["status"], report["cache"]) == ("served", 200, "HIT")
    assert report["url"] == IMG and report["edge"] == profile.edge
    assert report["etag"] == report["origin_etag"] and len(report["etag"]) == 32
    assert report["headers"]["X-Cache"].startswith("HIT TCP_MEM_HIT")
    assert report["headers"]["Server"] == "Tengine"
    assert isinstance(report["elapsed_ms"], float)


@pytest.mark.parametrize(
    ("url", "verdict", "says"),
    [
        ("http://img.example.com/missing.png", "not-found", "404"),
        ("http://img.example.com/", "not-found", "no default page"),
        ("http://static.example.com/index.html", "not-cdn", "static.example.com.w.kunlunsl.com"),
        ("http://old.example.com/index.html", "offline", "StartCdnDomain"),
    ],
)
def test_every_verdict_but_served_exits_1(profile, capsys, url, verdict, says):
    status, out, _ = fetch(profile, capsys, url, "--json")
    assert status == 1
    report = json.loads(out)
    assert set(report) == MEMBERS
    assert report["verdict"] == verdict and says in report["explanation"]

    status, out, _ = fetch(profile, capsys, url)
    assert status == 1 and out.startswith(verdict.upper() + " · ")


def test_the_domain_alone_names_a_real_object_to_try(profile, capsys):
    _, out, _ = fetch(profile, capsys, "http://img.example.com", "--json")
    named = json.loads(out)["explanation"].rsplit("e.g. ", 1)[1]
    assert fetch(profile, capsys, named)[0] == 0


def test_a_host_on_no_cdn_domain_exits_2_with_the_error_object(profile, capsys):
    status, out, err = fetch(profile, capsys, "http://www.example.org/a.png", "--json")
    assert status == 2
    assert json.loads(out) == {
        "error": {"code": "NotCdnDomain", "message": json.loads(out)["error"]["message"]}
    }
    assert "not a CDN domain of this account" in err


def test_a_named_resolver_is_asked(profile, capsys):
    authoritative = profile.nameservers[0]
    status, _, _ = fetch(profile, capsys, IMG, "--resolver", f"Auth={authoritative}")
    assert status == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["ftp://img.example.com/a"],
        ["http://127.0.0.1/a"],
        ["http://user:pw@img.example.com/a"],
        [IMG, "--timeout", "0"],
        [IMG, "--timeout", "soon"],
        [IMG, "--resolver", "127.0.0.1:99999"],
        [],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse_fetch(*argv)
    assert exit_.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_usage_errors_are_json_too(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["fetch", "ftp://img.example.com/a", "--json"])
    assert exit_.value.code == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "UsageError" and "only http://" in error["message"]


def test_without_credentials_it_never_fetches_in_the_sandbox(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aliyun/config.json
    assert main(["fetch", IMG, "--json"]) == 2
    out, err = capsys.readouterr()
    error = json.loads(out)["error"]
    assert error["code"] == "CredentialsNotFound" and "--sandbox" in error["message"]
    assert "sandbox of its own" not in err


def test_the_default_timeout_is_the_service_s():
    from tui.fetch import DEFAULT_TIMEOUT
    from tui.services import delivery

    assert parse_fetch(IMG).timeout == DEFAULT_TIMEOUT == delivery.DEFAULT_TIMEOUT
