"""The pure parts of the onboarding engine: a Standing's next step, counts and summary,
and the list column's cheap summary (unit and property tests)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.services.onboarding import ORDER, Standing, State, Step, StepName, summary_of

steps = st.lists(st.sampled_from(list(State)), min_size=len(ORDER), max_size=len(ORDER)).map(
    lambda states: tuple(
        Step(name, state, "evidence") for name, state in zip(ORDER, states, strict=True)
    )
)


@given(steps)
def test_next_is_the_first_step_left_never_the_cache_update(all_steps):
    standing = Standing("img.example.com", all_steps)
    left = [
        s
        for s in all_steps
        if s.name is not StepName.CACHE_UPDATE and s.state not in (State.DONE, State.NA)
    ]
    assert standing.next == (left[0] if left else None)
    assert standing.served == (not left)
    if left:
        first = left[0]
        expected = f"{standing.done}/{standing.total} · {first.name.value} {first.state.value}"
        assert standing.summary == expected
    else:
        assert standing.summary == "serving"


@given(steps)
def test_counts_leave_out_what_does_not_apply(all_steps):
    standing = Standing("img.example.com", all_steps)
    assert standing.total == len(ORDER) - sum(s.state is State.NA for s in all_steps)
    assert 0 <= standing.done <= standing.total
    json = standing.to_json()
    assert [s["step"] for s in json["steps"]] == [n.value for n in ORDER]
    assert json["next"] == (standing.next.name.value if standing.next else None)


def test_only_the_cache_update_off_still_serves():
    all_steps = tuple(
        Step(n, State.TODO if n is StepName.CACHE_UPDATE else State.DONE, "") for n in ORDER
    )
    standing = Standing("img.example.com", all_steps)
    assert standing.served and standing.summary == "serving"
    assert (standing.done, standing.total) == (7, 8)


@given(
    st.sampled_from(["online", "configuring", "offline", "check_failed", "checking"]),
    st.one_of(st.none(), st.booleans()),
)
def test_summary_of_names_one_step(status, in_place):
    text = summary_of(status, in_place)
    count, step = text.split(" · ")
    done, total = map(int, count.split("/"))
    assert total == len(ORDER) and 2 <= done <= 4
    assert any(step.startswith(n.value) for n in ORDER)
    assert (status == "online") == (done > 2)


def test_summary_of_each_case():
    assert summary_of("configuring", None) == "2/8 · online in progress"
    assert summary_of("offline", None) == "2/8 · online failed"
    assert summary_of("online", False) == "3/8 · cname record to do"
    assert summary_of("online", True) == "4/8 · propagated to check"
