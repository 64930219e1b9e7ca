"""Board map and board numbering: layouts, CSV errors, numbering rules, pins, moves."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poster_review.i18n import render
from poster_review.onsite.planning import (
    Board,
    HallLayout,
    LayoutError,
    MoveError,
    NotEnoughBoards,
    PlanningError,
    PosterSession,
    PosterToPlace,
    grid_layout,
    move,
    number_boards,
    parse_layout_csv,
    presentation_slots,
    row_name,
    slot_for_board,
)


def poster(pid, session="s1", track="", authors=(), pinned=None):
    return PosterToPlace(pid, session, track, frozenset(authors), pinned)


def numbers(plan):
    return {p.poster_id: p.board.number for p in plan.placements}


# --------------------------------------------------------------------------- layouts


def test_grid_numbers_row_after_row_with_coordinates_in_metres():
    layout = grid_layout(2, 3, hall="Main", board_pitch=1.5, row_spacing=4.0)
    assert [(b.row, b.number, b.x, b.y) for b in layout.boards] == [
        ("A", 1, 0.0, 0.0),
        ("A", 2, 1.5, 0.0),
        ("A", 3, 3.0, 0.0),
        ("B", 4, 0.0, 4.0),
        ("B", 5, 1.5, 4.0),
        ("B", 6, 3.0, 4.0),
    ]
    assert layout.rows() == (("Main", "A"), ("Main", "B"))
    assert layout.adjacent(("Main", 3), ("Main", 4))  # consecutive in walk order
    assert not layout.same_row(("Main", 3), ("Main", 4))
    assert not layout.adjacent(("Main", 1), ("Main", 3))


def test_row_names_go_past_z():
    assert [row_name(i) for i in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]


def test_grid_rejects_bad_dimensions():
    with pytest.raises(LayoutError) as caught:
        grid_layout(0, 5)
    assert render(caught.value.message) == "A grid needs at least one row of at least one board."
    with pytest.raises(LayoutError):
        grid_layout(2, 2, row_names=["A", "A"])


def test_layout_sorts_boards_into_walk_order_and_refuses_duplicates():
    boards = (
        Board("East", "B", 2, 0, 3),
        Board("West", "A", 1, 0, 0),
        Board("East", "A", 1, 0, 0),
    )
    layout = HallLayout(boards)
    assert [(b.hall, b.number) for b in layout.boards] == [("East", 1), ("East", 2), ("West", 1)]
    assert layout.halls() == ("East", "West")
    assert not layout.adjacent(("East", 2), ("West", 1))  # another hall
    with pytest.raises(LayoutError) as caught:
        HallLayout((*boards, Board("West", "C", 1, 5, 5)))
    assert render(caught.value.message) == "Board 1 of hall West is listed twice."


def test_csv_with_header_comments_and_quotes():
    layout = parse_layout_csv(
        'hall,row,board,x,y\n# the big hall\n\n"Hall 1, ground floor",A,2,1.2,0\n'
        '"Hall 1, ground floor",A,1,0,0\n'
    )
    assert [(b.hall, b.number, b.x) for b in layout.boards] == [
        ("Hall 1, ground floor", 1, 0.0),
        ("Hall 1, ground floor", 2, 1.2),
    ]


def test_csv_reports_every_bad_line_by_number():
    text = (
        "hall,row,board,x,y\n"  # 1
        "H,A,1,0,0\n"  # 2
        "H,A,two,0,0\n"  # 3
        "H,A,3,0,nan\n"  # 4
        "H,B\n"  # 5
        ",,4,1,1\n"  # 6
        "H,A,1,2,2\n"  # 7
        "H,A,0,1,1\n"  # 8
    )
    with pytest.raises(LayoutError) as caught:
        parse_layout_csv(text)
    assert [render(p) for p in caught.value.problems] == [
        "Line 3: the board number “two” is not a whole number of at least 1.",
        "Line 4: y = “nan” is not a number of metres.",
        "Line 5: expected 5 fields (hall, row, board, x, y), found 2.",
        "Line 6: the hall is empty.",
        "Line 6: the row is empty.",
        "Line 7: board 1 of hall H is already on line 2.",
        "Line 8: the board number “0” is not a whole number of at least 1.",
    ]
    assert render(caught.value.message) == render(caught.value.problems[0])


def test_csv_without_boards_is_an_error():
    with pytest.raises(LayoutError) as caught:
        parse_layout_csv("hall,row,board,x,y\n# nothing yet\n")
    assert render(caught.value.message) == "The file lists no boards."


# --------------------------------------------------------------------------- numbering


def test_sessions_then_tracks_then_ids():
    layout = grid_layout(1, 8)
    posters = [
        poster(5, "late", "b"),
        poster(1, "early", "b"),
        poster(2, "early", "a"),
        poster(3, "late", "a"),
        poster(4, "early", "a"),
    ]
    sessions = [PosterSession("early"), PosterSession("late")]
    plan = number_boards(posters, sessions, layout)
    assert numbers(plan) == {2: 1, 4: 2, 1: 3, 3: 4, 5: 5}
    assert [p.poster_id for p in plan.placements] == [2, 4, 1, 3, 5]


def test_co_authored_posters_take_consecutive_boards_in_one_row():
    layout = grid_layout(3, 4)
    posters = [poster(i, track="t") for i in range(9)]
    # 1-3 share x, 3-5 share y, 5-7 share z: one cluster of four.
    for pid, authors in {1: {"x"}, 3: {"x", "y"}, 5: {"y", "z"}, 7: {"z"}}.items():
        posters[pid] = poster(pid, track="t", authors=authors)
    plan = number_boards(posters, [PosterSession("s1")], layout)
    # After poster 0 only three boards are left in row A: 2, 4 and 6 fill them and the
    # cluster takes the whole of row B, in the order of its shared authors.
    assert numbers(plan) == {0: 1, 2: 2, 4: 3, 6: 4, 1: 5, 3: 6, 5: 7, 7: 8, 8: 9}
    assert plan.clusters == ((1, 3, 5, 7),)
    assert plan.separated() == ()


def test_cluster_longer_than_a_row_still_runs_on_consecutive_boards():
    layout = grid_layout(2, 3)
    posters = [poster(i, authors={"prolific"}) for i in range(5)]
    plan = number_boards(posters, [PosterSession("s1")], layout)
    assert sorted(numbers(plan).values()) == [1, 2, 3, 4, 5]
    assert plan.separated() == ()


def test_co_authors_in_different_tracks_are_reported_as_separated():
    layout = grid_layout(1, 6)
    posters = [
        poster(1, track="a", authors={"k"}),
        poster(2, track="a"),
        poster(3, track="b"),
        poster(4, track="b", authors={"k"}),
    ]
    plan = number_boards(posters, [PosterSession("s1")], layout)
    assert numbers(plan) == {1: 1, 2: 2, 3: 3, 4: 4}
    assert plan.separated() == ((1, 4),)


def test_spare_boards_close_each_session_block():
    layout = grid_layout(2, 7)
    posters = [poster(i, "s1") for i in range(4)] + [poster(i, "s2") for i in range(4, 7)]
    plan = number_boards(
        posters, [PosterSession("s1"), PosterSession("s2")], layout, spare_fraction=0.4
    )
    # ceil(0.4 * 4) = 2 spare after session 1, ceil(0.4 * 3) = 2 after session 2.
    assert numbers(plan) == {0: 1, 1: 2, 2: 3, 3: 4, 4: 7, 5: 8, 6: 9}
    assert [(s.session_id, s.board.number) for s in plan.spare] == [
        ("s1", 5),
        ("s1", 6),
        ("s2", 10),
        ("s2", 11),
    ]
    # A fixed number wins when it is larger than the fraction.
    plan = number_boards(
        posters, [PosterSession("s1"), PosterSession("s2")], layout, spare_boards=3
    )
    assert numbers(plan) == {0: 1, 1: 2, 2: 3, 3: 4, 4: 8, 5: 9, 6: 10}
    assert [(s.session_id, s.board.number) for s in plan.spare] == [
        ("s1", 5),
        ("s1", 6),
        ("s1", 7),
        ("s2", 11),
        ("s2", 12),
        ("s2", 13),
    ]


def test_pinned_posters_keep_their_board_and_co_authors_join_them():
    layout = grid_layout(1, 8)
    posters = [
        poster(1, authors={"a"}),
        poster(2),
        poster(3, authors={"a"}, pinned=("Hall", 6)),
        poster(4),
    ]
    plan = number_boards(posters, [PosterSession("s1")], layout)
    assert numbers(plan) == {3: 6, 1: 5, 2: 1, 4: 2}
    assert plan.placement(3).pinned
    assert not plan.placement(1).pinned
    assert plan.separated() == ()


def test_numbering_is_independent_of_input_order():
    layout = grid_layout(4, 9)
    rng = np.random.default_rng(7)
    posters = [
        poster(i, f"s{i % 2}", str(rng.choice(list("xyz"))), {str(rng.choice(list("abcdefgh")))})
        for i in range(30)
    ]
    sessions = [PosterSession("s0"), PosterSession("s1")]
    first = number_boards(posters, sessions, layout, spare_boards=1)
    shuffled = posters[:]
    rng.shuffle(shuffled)
    assert number_boards(shuffled, sessions, layout, spare_boards=1) == first


def test_reused_boards_restart_for_every_session():
    layout = grid_layout(1, 4)
    posters = [poster(1, "am"), poster(2, "am"), poster(3, "pm"), poster(4, "pm"), poster(5, "pm")]
    plan = number_boards(
        posters, [PosterSession("am"), PosterSession("pm")], layout, reuse_boards=True
    )
    assert numbers(plan) == {1: 1, 2: 2, 3: 1, 4: 2, 5: 3}
    assert plan.occupant(("Hall", 1), "pm") == 3
    assert plan.occupant(("Hall", 1), "am") == 1


def test_too_few_boards_says_how_many_are_missing():
    layout = grid_layout(1, 3)
    posters = [poster(i) for i in range(5)]
    with pytest.raises(NotEnoughBoards) as caught:
        number_boards(posters, [PosterSession("s1")], layout)
    assert render(caught.value.message) == (
        "The posters need 5 boards but only 3 are free; add 2 boards."
    )
    assert (caught.value.needed, caught.value.available, caught.value.status) == (5, 3, 409)


def test_too_few_boards_for_the_spare_ones_says_so():
    layout = grid_layout(1, 5)
    posters = [poster(i) for i in range(4)]
    with pytest.raises(NotEnoughBoards) as caught:
        number_boards(posters, [PosterSession("s1")], layout, spare_boards=2)
    assert render(caught.value.message) == (
        "The posters need 4 boards and 2 should stay spare, but only 5 are free; keep fewer "
        "spare boards or add boards."
    )


def test_too_few_boards_in_one_reused_session_names_it():
    layout = grid_layout(1, 2)
    posters = [poster(1, "am"), poster(2, "pm"), poster(3, "pm"), poster(4, "pm")]
    with pytest.raises(NotEnoughBoards) as caught:
        number_boards(
            posters, [PosterSession("am"), PosterSession("pm")], layout, reuse_boards=True
        )
    assert render(caught.value.message) == "Session pm needs 3 boards but only 2 are free."
    assert caught.value.session_id == "pm"


@pytest.mark.parametrize(
    ("posters", "expected"),
    [
        ([poster(1, "nope")], "Poster 1 belongs to session nope, which is not in the plan."),
        ([poster(1), poster(1)], "A poster is listed twice."),
        (
            [poster(1, pinned=("Hall", 99))],
            "Poster 1 is pinned to board 99 of hall Hall, which does not exist.",
        ),
        (
            [poster(1, pinned=("Hall", 2)), poster(2, pinned=("Hall", 2))],
            "Posters 1 and 2 are both pinned to board 2.",
        ),
    ],
)
def test_malformed_plans_are_refused(posters, expected):
    with pytest.raises(PlanningError) as caught:
        number_boards(posters, [PosterSession("s1")], grid_layout(1, 4))
    assert render(caught.value.message) == expected


# --------------------------------------------------------------------------- slots and moves


def test_odd_boards_present_first_even_boards_second():
    layout = grid_layout(1, 5)
    assert [slot_for_board(b, ["10:00", "10:30"]) for b in layout.boards] == [
        "10:00",
        "10:30",
        "10:00",
        "10:30",
        "10:00",
    ]
    assert [slot_for_board(b, [1, 2, 3]) for b in layout.boards] == [1, 2, 3, 1, 2]
    with pytest.raises(ValueError, match="at least one slot"):
        slot_for_board(layout.boards[0], [])


def test_co_authors_side_by_side_present_in_different_slots():
    layout = grid_layout(1, 6)
    posters = [poster(1), poster(2, authors={"ann"}), poster(3, authors={"ann"})]
    plan = number_boards(posters, [PosterSession("s1")], layout)
    slots = presentation_slots(plan, {"s1": ["first", "second"]})
    assert numbers(plan) == {1: 1, 2: 2, 3: 3}
    # Ann stands between boards 2 and 3 and presents one in each slot.
    assert slots == {1: "first", 2: "second", 3: "first"}


def test_move_to_a_free_board_and_apply_pins_it():
    layout = grid_layout(1, 5)
    plan = number_boards([poster(1), poster(2)], [PosterSession("s1")], layout, spare_boards=1)
    assert [s.board.number for s in plan.spare] == [3]
    change = move(plan, 1, ("Hall", 3))
    assert change.swapped_with is None
    assert [(pid, b.number) for pid, b in change.changes()] == [(1, 3)]
    moved = change.apply(plan)
    assert numbers(moved) == {1: 3, 2: 2}
    assert moved.placement(1).pinned
    assert moved.spare == ()  # the spare board is taken now


def test_move_onto_an_occupied_board_is_a_swap():
    layout = grid_layout(1, 4)
    plan = number_boards([poster(1), poster(2), poster(3)], [PosterSession("s1")], layout)
    change = move(plan, 1, ("Hall", 3))
    assert change.swapped_with == 3
    moved = change.apply(plan)
    assert numbers(moved) == {1: 3, 2: 2, 3: 1}
    assert moved.placement(3).pinned and moved.placement(1).pinned


def test_move_with_reused_boards_ignores_other_sessions():
    layout = grid_layout(1, 3)
    plan = number_boards(
        [poster(1, "am"), poster(2, "pm"), poster(3, "pm")],
        [PosterSession("am"), PosterSession("pm")],
        layout,
        reuse_boards=True,
    )
    assert move(plan, 1, ("Hall", 2)).swapped_with is None  # board 2 is free in the morning
    assert move(plan, 2, ("Hall", 2)).swapped_with == 3


@pytest.mark.parametrize(
    ("poster_id", "target", "expected"),
    [
        (9, ("Hall", 2), "Poster 9 has no board in this plan."),
        (1, ("Hall", 9), "Board 9 of hall Hall does not exist."),
        (1, ("Hall", 1), "Poster 1 is already on board 1."),
    ],
)
def test_bad_moves_are_refused(poster_id, target, expected):
    plan = number_boards([poster(1)], [PosterSession("s1")], grid_layout(1, 3))
    with pytest.raises(MoveError) as caught:
        move(plan, poster_id, target)
    assert render(caught.value.message) == expected


# --------------------------------------------------------------------------- properties


@st.composite
def instances(draw):
    rows = draw(st.integers(1, 4))
    per_row = draw(st.integers(1, 7))
    layout = grid_layout(rows, per_row)
    n_sessions = draw(st.integers(1, 3))
    sessions = [PosterSession(f"s{i}") for i in range(n_sessions)]
    reuse = draw(st.booleans())
    n_posters = draw(st.integers(0, len(layout) + 2))
    free_boards = list(range(1, len(layout) + 1))
    posters = []
    for i in range(n_posters):
        pinned = None
        if free_boards and draw(st.integers(0, 5)) == 0:
            number = draw(st.sampled_from(free_boards))
            free_boards.remove(number)
            pinned = ("Hall", number)
        posters.append(
            poster(
                i,
                f"s{draw(st.integers(0, n_sessions - 1))}",
                draw(st.sampled_from("xyz")),
                draw(st.sets(st.sampled_from("abcdefg"), max_size=2)),
                pinned,
            )
        )
    spare = draw(st.integers(0, 2))
    fraction = draw(st.sampled_from([0.0, 0.1, 0.5]))
    return layout, posters, sessions, spare, fraction, reuse


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.randoms(use_true_random=False))
def test_numbering_rules_hold_on_random_instances(instance, rng):
    layout, posters, sessions, spare, fraction, reuse = instance
    options = {"spare_boards": spare, "spare_fraction": fraction, "reuse_boards": reuse}
    by_session = Counter(p.session_id for p in posters)
    refusal: NotEnoughBoards | None = None
    try:
        plan = number_boards(posters, sessions, layout, **options)
    except NotEnoughBoards as error:
        refusal = error
    if refusal is not None:
        # The refusal is true: some block lacks boards for its posters and spares.
        assert refusal.needed > refusal.available
        return
    # Every poster has exactly one board; pinned posters kept theirs.
    assert sorted(p.poster_id for p in plan.placements) == sorted(p.id for p in posters)
    for p in posters:
        if p.pinned is not None:
            assert plan.board_of(p.id).key == p.pinned
    # No board holds two posters (per session when boards are reused), nor a spare.
    used = defaultdict(list)
    for placement in plan.placements:
        used[placement.session_id if reuse else None].append(placement.board.key)
    for spare_board in plan.spare:
        used[spare_board.session_id if reuse else None].append(spare_board.board.key)
    for keys in used.values():
        assert len(keys) == len(set(keys))
    # Each session keeps its spare boards.
    expected_spare = {
        s.id: max(spare, math.ceil(Fraction(str(fraction)) * by_session[s.id])) for s in sessions
    }
    assert Counter(s.session_id for s in plan.spare) == {
        k: v for k, v in expected_spare.items() if v
    }
    # Without pins, co-authored posters of one session and track are on consecutive boards.
    if not any(p.pinned for p in posters):
        groups = defaultdict(list)
        for p in posters:
            groups[(p.session_id, p.track)].append(p)
        for members in groups.values():
            for cluster in _components(members):
                positions = sorted(layout.walk_index(plan.board_of(p).key) for p in cluster)
                assert positions[-1] - positions[0] + 1 == len(positions)
    # The same input in another order gives the same plan.
    shuffled = posters[:]
    rng.shuffle(shuffled)
    assert number_boards(shuffled, sessions, layout, **options) == plan


def _components(posters):
    """Groups of poster ids linked by shared authors (a plain re-implementation)."""
    left = {p.id: p for p in posters}
    groups = []
    while left:
        _, first = left.popitem()
        group, frontier = [first], [first]
        while frontier:
            current = frontier.pop()
            linked = [q for q in left.values() if q.author_keys & current.author_keys]
            for q in linked:
                del left[q.id]
            group += linked
            frontier += linked
        groups.append([p.id for p in group])
    return groups
