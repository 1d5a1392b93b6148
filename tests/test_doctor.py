"""`oss-cdn doctor`: against the sandbox (real SDKs, loopback only): all fine; a RAM
denial; a wrong secret; an unreachable endpoint (a closed loopback port); an expired STS
token; never a write; its exit codes and usage errors."""

from __future__ import annotations

import argparse
import dataclasses
import json
import socket

import pytest

from tui.cli import build_parser, main
from tui.doctor import add_doctor_parser, run_doctor

READS = {
    "DescribeUserDomains",
    "DescribeCdnUserQuota",
    "DescribeDomains",
    "ListBuckets",
}


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="oss-cdn")
    add_doctor_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["doctor", *argv])


def doctor(profile, capsys, *argv: str) -> tuple[int, str]:
    status = run_doctor(parse(*argv), profile=profile)
    return status, capsys.readouterr().out


def report(profile, capsys) -> tuple[int, dict[str, dict]]:
    status, out = doctor(profile, capsys, "--json", "--timeout", "3")
    found = json.loads(out)  # one object
    assert found["ok"] is (status == 0)
    return status, {c["name"]: c for c in found["checks"]}


def test_all_fine_exits_0_and_never_writes(sandbox, profile, capsys):
    status, checks = report(profile, capsys)
    assert status == 0
    key = profile.access_key_id
    assert checks["credentials"]["key_id"] == f"{key[:4]}****{key[-4:]}"
    assert checks["credentials"]["source"] == "the sandbox's own key pair"
    assert checks["region"]["detail"] == "cn-hangzhou"
    for name in ("CDN endpoint", "Alidns endpoint", "OSS endpoint"):
        assert checks[name]["status"] == "ok" and checks[name]["address"] == "127.0.0.1"
    assert checks["CDN DescribeUserDomains"]["domains"] == len(sandbox.world.domains)
    zones = checks["Alidns DescribeDomains"]["zones"]
    assert "example.com" in zones and "partner.org" not in zones  # hosted elsewhere
    assert checks["OSS ListBuckets"]["signing_accepted"] is True
    assert set(sandbox.calls.actions()) <= READS  # read-only
    status, table = doctor(profile, capsys)
    assert status == 0 and table.rstrip().endswith("All the app needs works.")
    assert key not in table and profile.access_key_secret not in table


def test_a_denial_names_the_action_and_the_policy(sandbox, profile, capsys):
    sandbox.world.denied.add("cdn:DescribeUserDomains")
    status, checks = report(profile, capsys)
    assert status == 1
    cdn = checks["CDN DescribeUserDomains"]
    assert (cdn["status"], cdn["code"]) == ("fail", "NoPermission")
    assert cdn["denied_action"] == "cdn:DescribeUserDomains"
    assert cdn["policy"]["Statement"][0]["Action"] == ["cdn:DescribeUserDomains"]
    assert checks["OSS ListBuckets"]["status"] == "ok"  # the others still answer
    status, table = doctor(profile, capsys)
    assert "fix: Grant cdn:DescribeUserDomains" in table


def test_a_wrong_secret_says_so(sandbox, profile, capsys):
    wrong = dataclasses.replace(profile, access_key_secret="not-the-secret")
    status, checks = report(wrong, capsys)
    assert status == 1
    for name in ("CDN DescribeUserDomains", "Alidns DescribeDomains", "OSS ListBuckets"):
        assert checks[name]["status"] == "fail"
        assert checks[name]["code"] == "SignatureDoesNotMatch"
        assert checks[name]["fix"].startswith("The AccessKey secret is wrong for AccessKey ID")
    _, table = doctor(wrong, capsys)
    assert "not-the-secret" not in table


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_endpoint_fails_its_line(sandbox, profile, capsys):
    gone = dataclasses.replace(profile, cdn_endpoint=f"127.0.0.1:{closed_port()}")
    status, checks = report(gone, capsys)
    assert status == 1
    assert checks["CDN endpoint"]["status"] == "fail"
    assert "connection refused" in checks["CDN endpoint"]["detail"]
    assert checks["CDN DescribeUserDomains"]["status"] == "fail"
    assert checks["Alidns endpoint"]["status"] == "ok"
    assert checks["Alidns DescribeDomains"]["status"] == "ok"


def test_an_expired_token_says_so(sandbox, profile, capsys):
    sts = sandbox.world.issue_sts(duration=900)
    temporary = dataclasses.replace(
        profile,
        access_key_id=sts.access_key_id,
        access_key_secret=sts.access_key_secret,
        security_token=sts.security_token,
    )
    status, checks = report(temporary, capsys)
    assert status == 0 and checks["credentials"]["detail"].startswith("STS token STS.****")
    sandbox.world.clock.advance(901)
    status, checks = report(temporary, capsys)
    assert status == 1
    assert checks["CDN DescribeUserDomains"]["code"] == "InvalidSecurityToken.Expired"
    assert checks["OSS ListBuckets"]["code"] == "SecurityTokenExpired"
    assert "has expired" in checks["Alidns DescribeDomains"]["fix"]


def test_through_the_command_line_in_a_sandbox_of_its_own(capsys):
    assert main(["doctor", "--sandbox", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["sandbox"] is True


def test_without_credentials_exits_1_and_says_how_to_give_them(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["doctor", "--json"]) == 1
    (check,) = json.loads(capsys.readouterr().out)["checks"]
    assert (check["name"], check["status"]) == ("credentials", "fail")
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in check["fix"]


@pytest.mark.parametrize("argv", [["doctor", "--timeout", "0"], ["doctor", "--bogus"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2


def test_sandbox_serve_takes_ram_actions_to_deny(capsys):
    args = build_parser().parse_args(
        ["sandbox", "serve", "--deny", "cdn:AddCdnDomain", "--deny", "oss:ListBuckets"]
    )
    assert args.deny == ["cdn:AddCdnDomain", "oss:ListBuckets"]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sandbox", "serve", "--deny", "AddCdnDomain"])
    assert "not a RAM action" in capsys.readouterr().err


def test_sandbox_deny_reaches_a_sandbox_of_its_own(capsys):
    argv = ["--sandbox-deny", "alidns:DescribeDomains", "doctor", "--sandbox", "--json"]
    assert main(argv) == 1
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["Alidns DescribeDomains"]["denied_action"] == "alidns:DescribeDomains"
    assert checks["CDN DescribeUserDomains"]["status"] == "ok"
