"""The writes as values: their aliyun-cli text, pinned for each kind, and their params."""

from __future__ import annotations

import json
import os
import shlex
import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.services import writes
from tui.services.models import DnsRecord, Source

ORIGIN = Source("oss", "bkt.oss-cn-hangzhou.aliyuncs.com", 80)
RECORD = DnsRecord("1001", "example.com", "static", "CNAME", "old.example.net", ttl=600)


def test_add_domain_command_and_summary():
    write = writes.add_domain("static.example.com", "web", [ORIGIN], "domestic")
    assert write.command() == (
        "aliyun cdn AddCdnDomain --DomainName static.example.com --CdnType web --Sources "
        '\'[{"content":"bkt.oss-cn-hangzhou.aliyuncs.com","type":"oss","port":80,'
        '"priority":"20","weight":"10"}]\' --Scope domestic'
    )
    assert write.summary == (
        "Add static.example.com to CDN: web, origin "
        "bkt.oss-cn-hangzhou.aliyuncs.com:80, mainland China"
    )
    assert json.loads(write.param("Sources")) == [ORIGIN.to_api()]


def test_a_wildcard_is_sent_the_apis_way_and_shown_the_peoples_way():
    write = writes.add_domain("*.example.com", "web", [ORIGIN], "global")
    assert write.param("DomainName") == ".example.com"
    assert write.command().startswith("aliyun cdn AddCdnDomain --DomainName .example.com ")
    assert write.summary.startswith("Add *.example.com to CDN")
    assert write.summary.endswith("worldwide")


def test_start_stop_delete_commands():
    assert (
        writes.start_domain("a.example.com").command()
        == "aliyun cdn StartCdnDomain --DomainName a.example.com"
    )
    stop = writes.stop_domain("a.example.com")
    assert stop.command() == "aliyun cdn StopCdnDomain --DomainName a.example.com"
    assert "requests to a.example.com fail until started again" in stop.summary
    assert (
        writes.delete_domain("a.example.com").command()
        == "aliyun cdn DeleteCdnDomain --DomainName a.example.com"
    )


def test_verify_owner_command():
    assert (
        writes.verify_owner("a.example.com").command()
        == "aliyun cdn VerifyDomainOwner --DomainName a.example.com --VerifyType dnsCheck"
    )
    assert writes.verify_owner("a.example.com", "fileCheck").param("VerifyType") == "fileCheck"


def test_add_record_command():
    write = writes.add_record("example.com", "static", "CNAME", "static.example.com.w.kunlunsl.com")
    assert write.command() == (
        "aliyun alidns AddDomainRecord --DomainName example.com --RR static --Type CNAME "
        "--Value static.example.com.w.kunlunsl.com --TTL 600 --Line default"
    )
    assert write.summary == (
        "Add the CNAME record static.example.com -> static.example.com.w.kunlunsl.com (TTL 600)"
    )


def test_an_apex_mx_record_carries_its_priority_and_quotes_the_at_sign_not():
    write = writes.add_record("example.com", "@", "MX", "mx.example.net", priority=5)
    assert write.command() == (
        "aliyun alidns AddDomainRecord --DomainName example.com --RR @ --Type MX "
        "--Value mx.example.net --TTL 600 --Line default --Priority 5"
    )
    assert "record example.com ->" in write.summary


def test_a_txt_value_with_spaces_is_one_shell_word():
    write = writes.add_record("example.com", "verification", "TXT", "v=spf1 -all")
    assert "--Value 'v=spf1 -all'" in write.command()


def test_update_record_sends_every_field():
    write = writes.update_record(RECORD, value="static.example.com.w.kunlunsl.com")
    assert write.command() == (
        "aliyun alidns UpdateDomainRecord --RecordId 1001 --RR static --Type CNAME "
        "--Value static.example.com.w.kunlunsl.com --TTL 600 --Line default"
    )
    assert write.summary == (
        "Change the record static.example.com from CNAME "
        "old.example.net (TTL 600) to CNAME "
        "static.example.com.w.kunlunsl.com (TTL 600)"
    )


def test_delete_and_status_commands_name_the_record():
    delete = writes.delete_record(RECORD)
    assert delete.command() == "aliyun alidns DeleteDomainRecord --RecordId 1001"
    assert delete.summary == "Delete the CNAME record static.example.com -> old.example.net"
    off = writes.set_record_status(RECORD, False)
    assert off.command() == "aliyun alidns SetDomainRecordStatus --RecordId 1001 --Status Disable"
    assert writes.set_record_status(RECORD, True).param("Status") == "Enable"


def test_refresh_and_push_commands():
    assert (
        writes.refresh(["https://a.example.com/x.png"]).command()
        == "aliyun cdn RefreshObjectCaches --ObjectPath https://a.example.com/x.png"
        " --ObjectType File"
    )
    directory = writes.refresh(
        ["https://a.example.com/img/", "https://a.example.com/css/"], "Directory", force=True
    )
    assert directory.command() == (
        "aliyun cdn RefreshObjectCaches --ObjectPath "
        "$'https://a.example.com/img/\\nhttps://a.example.com/css/' "
        "--ObjectType Directory --Force true"
    )
    assert (
        writes.push(["https://a.example.com/x.png"], area="domestic").command()
        == "aliyun cdn PushObjectCache --ObjectPath https://a.example.com/x.png --Area domestic"
    )


def test_put_object_exports_as_an_oss_cp_of_a_local_file():
    write = writes.put_object("bkt", "verification.html", "verify_0123abcd")
    assert write.product == "oss" and write.action == "cp"
    assert write.command() == (
        "printf %s verify_0123abcd > verification.html"
        " && aliyun oss cp verification.html oss://bkt/verification.html"
    )


def test_commands_puts_each_summary_above_its_command():
    text = writes.commands([writes.start_domain("a.example.com"), writes.delete_record(RECORD)])
    assert text.splitlines() == [
        "# Start a.example.com: CDN serves it again",
        "aliyun cdn StartCdnDomain --DomainName a.example.com",
        "# Delete the CNAME record static.example.com -> old.example.net",
        "aliyun alidns DeleteDomainRecord --RecordId 1001",
    ]


def test_a_summary_with_a_newline_stays_one_comment_line():
    hostile = DnsRecord("7", "example.com", "x", "TXT", "a\nrm -rf ~")
    text = writes.commands([writes.delete_record(hostile)])
    assert text.splitlines()[0] == "# Delete the TXT record x.example.com -> a rm -rf ~"
    assert shlex.split(text.splitlines()[1]) == [
        "aliyun",
        "alidns",
        "DeleteDomainRecord",
        "--RecordId",
        "7",
    ]


def test_private_origin_is_the_documented_aliyun_cli_line(tmp_path):
    write = writes.private_origin("video.example.com")
    assert write.command() == (
        "aliyun cdn BatchSetCdnDomainConfig --DomainNames video.example.com --Functions "
        '\'[{"functionArgs":[{"argName":"private_oss_auth","argValue":"on"}],'
        '"functionName":"l2_oss_key"}]\''
    )
    words = bash_runs(write.command(), str(tmp_path))
    assert words[:4] == ["cdn", "BatchSetCdnDomainConfig", "--DomainNames", "video.example.com"]
    assert json.loads(words[5]) == [
        {
            "functionArgs": [{"argName": "private_oss_auth", "argValue": "on"}],
            "functionName": "l2_oss_key",
        }
    ]
    # Never another account's key pair (perm_private_oss_tbl) in the configuration.
    assert "perm_private_oss_tbl" not in write.command()
    assert "private OSS buckets" in write.summary and "video.example.com" in write.summary


def test_every_builder_names_a_write_action():
    built = [
        writes.add_domain("a.example.com", "web", [ORIGIN]),
        writes.start_domain("a"),
        writes.stop_domain("a"),
        writes.delete_domain("a"),
        writes.verify_owner("a"),
        writes.add_record("example.com", "a", "A", "192.0.2.1"),
        writes.update_record(RECORD, ttl=900),
        writes.delete_record(RECORD),
        writes.set_record_status(RECORD, True),
        writes.refresh(["x"]),
        writes.push(["x"]),
        writes.private_origin("a.example.com"),
    ]
    assert {w.action for w in built} <= writes.WRITE_ACTIONS
    assert "PutObject" in writes.WRITE_ACTIONS
    assert not {"DescribeUserDomains", "DescribeDomainRecords"} & writes.WRITE_ACTIONS


SHELL_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)


def bash_runs(command: str, cwd: str) -> list[str]:
    """The words an `aliyun` command line hands aliyun-cli, as bash parses it (a stand-in
    `aliyun` prints them)."""
    script = "aliyun() { printf '%s\\0' \"$@\"; }; " + command
    out = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        check=True,
        cwd=cwd,
        env={"LC_ALL": "C.UTF-8", "PATH": os.environ["PATH"]},
    )
    return out.stdout.decode().split("\0")[:-1]


@settings(max_examples=40, deadline=None)
@given(
    zone=SHELL_TEXT,
    rr=SHELL_TEXT,
    type=SHELL_TEXT,
    value=SHELL_TEXT,
    ttl=st.integers(1, 86400),
    priority=st.none() | st.integers(1, 50),
)
def test_the_shell_hands_over_exactly_the_params(
    tmp_path_factory, zone, rr, type, value, ttl, priority
):
    # Whatever the values hold (quotes, spaces, $, ;, ESC, newlines), the shell hands
    # aliyun-cli the very parameters the SDK request is built from.
    write = writes.add_record(zone, rr, type, value, ttl=ttl, priority=priority)
    words = bash_runs(write.command(), str(tmp_path_factory.getbasetemp()))
    assert words[:2] == ["alidns", "AddDomainRecord"]
    assert list(zip(words[2::2], words[3::2], strict=True)) == [
        (f"--{k}", str(v)) for k, v in write.params
    ]


@settings(max_examples=30, deadline=None)
@given(content=SHELL_TEXT)
def test_the_uploaded_file_holds_exactly_the_content(tmp_path_factory, content):
    directory = tmp_path_factory.mktemp("upload")
    write = writes.put_object("bkt", "verification.html", content)
    words = bash_runs(write.command(), str(directory))
    assert words == ["oss", "cp", "verification.html", "oss://bkt/verification.html"]
    assert (directory / "verification.html").read_bytes() == content.encode()


HOSTILE = "\x1b]52;c;aGk=\x07\x1b]0;title\x1b\\\u202egnp.exe\u200b\x9b31m\r\n'$x\\"


def test_control_characters_never_reach_the_terminal_and_survive_the_paste(tmp_path):
    write = writes.add_record("example.com", "evil", "TXT", HOSTILE)
    text = writes.commands([write])
    assert all(c.isprintable() for line in text.splitlines() for c in line)
    assert len(text.splitlines()) == 2
    assert text.splitlines()[1].endswith(
        "--Value $'\\x1b]52;c;aGk=\\x07\\x1b]0;title\\x1b\\\\\\u202egnp.exe\\u200b"
        "\\u009b31m\\r\\n\\'$x\\\\' --TTL 600 --Line default"
    )
    assert "\\x1b]52" in text.splitlines()[0]  # the comment shows it, escaped
    assert bash_runs(write.command(), str(tmp_path))[8:10] == ["--Value", HOSTILE]


@settings(max_examples=40, deadline=None)
@given(text=SHELL_TEXT)
def test_bash_reads_back_exactly_the_word(tmp_path_factory, text):
    words = bash_runs(f"aliyun {writes.shell_word(text)}", str(tmp_path_factory.getbasetemp()))
    assert words == [text]
