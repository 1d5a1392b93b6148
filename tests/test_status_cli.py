"""`oss-cdn status DOMAIN...`: the checklist for people, the JSON object, exit codes
(0 all served, 1 a step left, 2 an error); in-process against the sandbox."""

from __future__ import annotations

import argparse
import json

import pytest

from tui.cli import main
from tui.services.profile import sandbox_profile
from tui.status import add_status_parser, run_status

STEPS = [
    "ownership",
    "added",
    "online",
    "cname record",
    "propagated",
    "origin access",
    "auto cdn cache update",
    "served",
]


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="oss-cdn")
    add_status_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["status", *argv])


def status(profile, capsys, *argv: str) -> tuple[int, str, str]:
    code = run_status(parse(*argv), profile=profile)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def profile(sandbox):
    return sandbox_profile(sandbox.info)


def test_served_domain_exit_0_with_its_checklist(profile, capsys):
    code, out, _ = status(profile, capsys, "img.example.com")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "img.example.com  serving"
    assert [line.split()[0] for line in lines[1:9]] == ["✓"] * 8
    assert "HTTP 200" in lines[8] and lines[-1] == "  next: none"


def test_a_step_left_exit_1_and_json(profile, capsys):
    code, out, _ = status(profile, capsys, "img.example.com", "static.example.com", "--json")
    assert code == 1
    report = json.loads(out)
    assert [d["domain"] for d in report["domains"]] == ["img.example.com", "static.example.com"]
    img, static = report["domains"]
    assert img["next"] is None and static["next"] == "cname record"
    assert [s["step"] for s in static["steps"]] == STEPS
    assert set(static["steps"][0]) == {"step", "state", "evidence"}
    cname = static["steps"][3]
    assert cname["state"] == "to do" and "static.example.com.w.kunlunsl.com" in cname["evidence"]


def test_text_names_the_next_step(profile, capsys):
    code, out, _ = status(profile, capsys, "old.example.com")
    assert code == 1
    assert "✗ online" in out and "stopped" in out
    assert out.splitlines()[-1] == "  next: online (failed)"


def test_a_malformed_domain_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["status", "not a domain", "--json"])
    assert exit_.value.code == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "UsageError"


def test_without_credentials_exit_2_json(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aliyun/config.json
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(["status", "img.example.com", "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "CredentialsNotFound"


def test_a_cloud_error_exit_2(profile, sandbox, capsys):
    # RAM denies reading CDN domains: the command says so and exits 2.
    sandbox.world.denied.add("cdn:DescribeCdnDomainDetail")
    code, out, err = status(profile, capsys, "img.example.com", "--json")
    assert code == 2
    assert json.loads(out)["error"]["code"]
    assert "oss-cdn status:" in err
