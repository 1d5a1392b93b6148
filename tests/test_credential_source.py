"""Where credentials came from, in words, and key ids masked: pure functions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.services.credentials import chain_step
from tui.services.profile import mask_key_id


def test_chain_steps_in_words(monkeypatch):
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)
    assert chain_step("default/env") == "environment variables (ALIBABA_CLOUD_ACCESS_KEY_ID)"
    assert chain_step("default/cli_profile/static_ak", "dev") == (
        "aliyun-cli profile 'dev' in ~/.aliyun/config.json"
    )
    assert chain_step("cli_profile/static_sts", "sts") == (
        "an STS token from aliyun-cli profile 'sts' in ~/.aliyun/config.json"
    )
    assert chain_step("default/profile/static_ak") == "~/.alibabacloud/credentials.ini"
    assert chain_step("default/ecs_ram_role").startswith("the ECS instance's RAM role")
    assert chain_step("default/cli_profile/ram_role_arn/static_ak", "dev").startswith(
        "a RAM role assumed with keys from aliyun-cli profile 'dev'"
    )
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "t")
    assert chain_step("default/env").startswith("an STS token from environment variables")


@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.", max_size=40)
)
def test_a_masked_key_id_never_shows_its_middle(key_id):
    masked = mask_key_id(key_id)
    if len(key_id) < 12:
        assert masked == "****"
    else:
        # Eight characters shown at most, whatever the length: the middle never is.
        assert masked == f"{key_id[:4]}****{key_id[-4:]}"
