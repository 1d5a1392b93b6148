"""PagedTable and FilterInput in a bare app, and the every-word match they filter with."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App, ComposeResult

from tests.pilot import type_text, wait_for
from tui.listing import Search, filter_domains, matches_every_word
from tui.services.models import CdnDomain
from tui.widgets.paged_table import DEBOUNCE_OVER, PAGE, FilterInput, PagedTable

# -- matches_every_word ---------------------------------------------------------------


def test_every_word_must_be_part_of_the_haystack_in_any_case():
    assert matches_every_word("img.example.com online", "IMG online")
    assert matches_every_word("img.example.com online", "online img")  # any order
    assert not matches_every_word("img.example.com online", "img offline")
    assert matches_every_word("anything", "   ")  # no words: everything matches
    assert not matches_every_word("", "a")


words = st.text(alphabet="abcXYZ.-1", min_size=1, max_size=5)


@given(st.text(alphabet="abcXYZ.-1 ", max_size=30), st.lists(words, max_size=4))
def test_a_text_matches_exactly_when_each_of_its_words_does(haystack, parts):
    alone = [matches_every_word(haystack, w) for w in parts]
    assert matches_every_word(haystack, " ".join(parts)) == all(alone)
    assert matches_every_word(haystack.upper(), " ".join(parts).lower()) == all(alone)


@given(st.text(alphabet="abcXYZ.-1 ", min_size=1, max_size=30), st.data())
def test_any_piece_of_the_haystack_matches(haystack, data):
    start = data.draw(st.integers(0, len(haystack) - 1))
    end = data.draw(st.integers(start + 1, len(haystack)))
    assert matches_every_word(haystack, haystack[start:end].swapcase())


def test_domains_match_on_name_cname_origin_and_status():
    def domain(name: str, status: str = "online") -> CdnDomain:
        return CdnDomain(name=name, status=status, cname=f"{name}.w.kunlunsl.com")

    domains = [
        domain("img.example.com"),
        domain("static.example.com", "offline"),
        domain(".all.example.com"),
    ]
    assert [d.name for d in filter_domains(domains, "example offline")] == ["static.example.com"]
    assert [d.name for d in filter_domains(domains, "kunlun IMG")] == ["img.example.com"]
    # Names are matched as people write them: the API's ".all.x" is "*.all.x".
    assert [d.name for d in filter_domains(domains, "*.ALL")] == [".all.example.com"]
    assert filter_domains(domains, "") == domains


# -- PagedTable and FilterInput -------------------------------------------------------


@dataclass(frozen=True)
class Thing:
    name: str
    size: int = 0


def things(n: int) -> list[Thing]:
    return [Thing(f"thing{i:04}", i) for i in range(n)]


class Named(Search):
    """Things by name and size ("big" or "small")."""

    def key(self, t: Thing) -> str:
        return f"{t.name} {'big' if t.size >= 50 else 'small'}".lower()

    def test(self, text: str):
        words = text.lower().split()
        return (lambda key: all(w in key for w in words)) if words else None

    def narrows(self, before: str, after: str) -> bool:
        return False  # every text looked for among all the things


class ListApp(App):
    def compose(self) -> ComposeResult:
        yield FilterInput("things", "filter")
        yield PagedTable(
            (("name", "Name"), ("size", "Size")),
            key=lambda t: t.name,
            cells=lambda t: (Text(t.name), Text(str(t.size))),
            search=Named(),
            id="things",
        )

    def on_mount(self) -> None:
        self.changes = 0
        self.watch(self.query_one(PagedTable), "counts", self.counted, init=False)

    def counted(self) -> None:
        self.changes += 1


def listed(table: PagedTable) -> list[str]:
    return [key.value for key in table.rows]


async def test_rows_arrive_a_page_at_a_time_as_the_cursor_nears_the_end():
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(PagedTable)
        total = 2 * PAGE + 50
        table.fill(things(total))
        assert app.changes == 1  # a watcher hears of it at once
        assert table.counts == (total, total, PAGE)
        assert listed(table) == [f"thing{i:04}" for i in range(PAGE)]
        assert table.note() == f" · first {PAGE} listed (more as you scroll; / narrows)"
        table.move_cursor(row=PAGE - 1)
        await wait_for(pilot, lambda: table.row_count == 2 * PAGE, what="a second page")
        assert table.counts == (total, total, 2 * PAGE)
        table.move_cursor(row=2 * PAGE - 1)
        await wait_for(pilot, lambda: table.row_count == total, what="the rest")
        assert table.note() == ""
        assert table.selected == Thing(f"thing{2 * PAGE - 1:04}", 2 * PAGE - 1)


async def test_the_filter_narrows_keeps_the_cursor_and_enter_and_close_tidy_up():
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(PagedTable)
        box = app.query_one(FilterInput)
        table.fill(things(30))
        table.move_cursor(row=12)
        await pilot.pause()
        assert not box.display
        box.open()
        await pilot.pause()
        assert box.display and box.has_focus
        await type_text(pilot, "THING001")
        await wait_for(pilot, lambda: table.row_count == 10, what="thing0010-0019")
        assert table.counts == (30, 10, 10)
        assert table.note() == " · 10 match the filter"
        assert table.selected == Thing("thing0012", 12)  # still on the same item
        await pilot.press("enter")
        assert box.display and table.has_focus  # shown while it narrows the list
        assert box.close()
        await wait_for(pilot, lambda: table.row_count == 30, what="everything again")
        assert not box.display and table.has_focus
        assert not box.close()  # nothing left to close
        box.open()
        await pilot.press("enter")
        assert not box.display  # an empty filter goes away


async def test_over_a_long_list_the_filter_waits_for_a_pause_in_typing():
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(PagedTable)
        table.fill(things(DEBOUNCE_OVER + 1))
        table.filter_by("thing000")
        table.filter_by("thing0004")
        assert table.row_count == PAGE  # not yet
        await wait_for(pilot, lambda: table.row_count == 1, what="the one match")
        assert listed(table) == ["thing0004"]


async def test_put_and_drop_touch_one_row():
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(PagedTable)
        table.fill(things(5))
        table.filter_by("small")
        await pilot.pause()

        table.put(Thing("thing0003", 30))  # changed: its cells, in place
        assert [str(c) for c in table.get_row("thing0003")] == ["thing0003", "30"]
        assert table.selected == Thing("thing0000", 0)
        table.put(Thing("thing0002", 99))  # changed, and the filter leaves it out now
        assert "thing0002" not in table.rows and table.counts == (5, 4, 4)
        table.put(Thing("new", 99))  # new, but the filter leaves it out
        assert "new" not in table.rows and table.counts == (6, 4, 4)
        table.put(Thing("thing0009", 9))  # new: right after the rows listed
        assert listed(table)[-1] == "thing0009" and table.selected.name == "thing0009"
        assert table.counts == (7, 5, 5)
        table.drop("thing0001")
        assert listed(table) == ["thing0000", "thing0003", "thing0004", "thing0009"]
        assert table.counts == (6, 4, 4)
        table.filter_by("")
        await pilot.pause()
        assert listed(table) == [
            "thing0000",
            "thing0002",
            "thing0003",
            "thing0004",
            "new",
            "thing0009",
        ]


async def test_a_change_leaves_the_cursor_where_the_user_put_it_and_a_new_item_takes_it():
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(PagedTable)
        table.fill(things(10))
        table.move_cursor(row=2)
        await pilot.pause()
        # The answer to a change made on row 7 arrives after the user moved to row 2.
        table.put(Thing("thing0007", 70))
        await pilot.pause()
        assert table.cursor_row == 2 and table.selected == Thing("thing0002", 2)
        assert [str(c) for c in table.get_row("thing0007")] == ["thing0007", "70"]
        table.put(Thing("added", 1))
        await pilot.pause()
        assert table.selected == Thing("added", 1) and table.cursor_row == 10


FILTERS = ["", "big", "small", "thing00", "thing01 big", "1", "zz"]


async def test_rows_shown_are_the_filters_matches_in_order_and_the_cursor_keeps_its_item():
    """Whatever the pages streamed in, the filter texts typed and the cursor moves: the
    rows are the first matches, in order; the cursor stays on its item while listed."""
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(PagedTable)
        search = Named()

        @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(
            sizes=st.lists(st.integers(0, 99), min_size=1, max_size=DEBOUNCE_OVER),
            steps=st.lists(
                st.one_of(
                    st.tuples(st.just("page"), st.integers(1, 150)),
                    st.tuples(st.just("filter"), st.sampled_from(FILTERS)),
                    st.tuples(st.just("cursor"), st.integers(0, 400)),
                    st.tuples(st.just("fill"), st.just(0)),
                ),
                max_size=12,
            ),
        )
        def consistent(sizes, steps):
            every = [Thing(f"thing{i:04}", size) for i, size in enumerate(sizes)]
            table.filter_by("")
            table.fill([])
            arrived = 0
            for step, value in steps:
                before = table.selected
                if step == "page":
                    table.extend(every[arrived : arrived + value])
                    arrived = min(len(every), arrived + value)
                elif step == "filter":
                    table.filter_by(value)
                elif step == "cursor" and table.row_count:
                    table.move_cursor(row=min(value, table.row_count - 1))
                    before = table.selected
                elif step == "fill":
                    arrived = len(every)
                    table.fill(every)
                items = every[:arrived]
                assert table.items == items
                assert table.matches == search.filter(items, table.filter_text)
                assert listed(table) == [t.name for t in table.matches[: table.row_count]]
                assert table.row_count >= min(PAGE, len(table.matches))
                if before is not None and before.name in table.rows:
                    assert table.selected == before
                assert table.counts == (len(items), len(table.matches), table.row_count)

        consistent()
        await pilot.pause()
