"""The board map and automatic board numbering (pure: no web, no database).

A hall is a set of numbered poster boards, each at ``(x, y)`` metres on the floor plan.
:class:`HallLayout` holds the boards of one or more halls in *walk order*: halls in the
order they are first given, then by board number. Two boards are *adjacent* when they
follow each other in walk order in the same hall. A layout comes from a chair's grid
(:func:`grid_layout`: rows x boards per row, with the pitch between boards and the
spacing between rows) or from CSV lines ``hall,row,board,x,y``
(:func:`parse_layout_csv`, which reports every bad line by its number).

:func:`number_boards` gives every accepted poster a board:

- sessions take the boards block after block, in the order given; inside a block,
  posters are grouped by track (tracks in alphabetical order), then by poster id;
- posters of one session and track that share an author (any common key in
  ``author_keys``, transitively) form a *cluster* placed on consecutive boards, in the
  same row when a gap in the row can be filled with other posters of the track first;
  with the odd/even slots of :func:`slot_for_board`, an author presenting two posters
  stands between them and presents each in turn;
- after each session's posters, ``spare_boards`` (or ``spare_fraction`` of the session's
  posters, whichever is more) boards stay empty for late additions;
- a poster with a ``pinned`` board keeps it (a chair moved it by hand, or the numbering
  was already printed); its unpinned cluster mates are put next to it when a board
  beside it is free;
- with ``reuse_boards`` the sessions happen at different times and each one starts again
  at the first board; otherwise every poster has a board of its own.

The result is the same for the same input, whatever order the posters come in. Too
few boards raise :class:`NotEnoughBoards` with the figures; a malformed input raises
:class:`PlanningError`. Clusters that could not be kept on consecutive boards (pins in
the way, co-authors in other tracks, a hall ending) are listed by
:meth:`BoardPlan.separated`, so a chair can fix them by hand with :func:`move`, which
checks a move to a free board or a swap with the board's occupant and returns the
change to store.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias

from poster_review.errors import DomainError, InvalidInput
from poster_review.i18n import _

#: A poster, session, slot or person identifier: database ids or codes.
Id: TypeAlias = int | str
#: A board is named by its hall and its number in that hall.
BoardKey: TypeAlias = tuple[str, int]

CSV_FIELDS = ("hall", "row", "board", "x", "y")


def id_order(value: Id) -> tuple[int, int, str]:
    """A sort key for ids mixing ints and strings: ints first, by value, then strings."""
    if isinstance(value, int):
        return (0, value, "")
    return (1, 0, value)


# --------------------------------------------------------------------------- errors


class LayoutError(InvalidInput):
    """A hall layout is not valid; ``problems`` holds one sentence per problem (CSV
    problems start with their line number), ``message`` the first one."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(problems[0])
        self.problems = tuple(problems)


class PlanningError(InvalidInput):
    """The posters, sessions or pins do not fit together (unknown session, duplicate
    poster, a pin to a board that does not exist or is pinned twice)."""


class NotEnoughBoards(DomainError):
    """The hall has fewer free boards than the plan needs. ``needed`` counts the posters
    still to place plus the spare boards asked for, ``available`` the boards not pinned;
    ``session_id`` names the session that ran out when sessions reuse the boards."""

    status = 409

    def __init__(
        self, message: str, *, needed: int, available: int, session_id: Id | None = None
    ) -> None:
        super().__init__(message)
        self.needed = needed
        self.available = available
        self.session_id = session_id


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Board:
    """One poster board: ``number`` is unique in its ``hall``; ``row`` names its row
    (for signs and the floor map); ``x`` and ``y`` are metres on the floor plan."""

    hall: str
    row: str
    number: int
    x: float
    y: float

    @property
    def key(self) -> BoardKey:
        return (self.hall, self.number)


@dataclass(frozen=True)
class HallLayout:
    """Every board of the venue. Whatever order they are given in, ``boards`` holds them
    in walk order: halls in order of first appearance, then by board number. Raises
    :class:`LayoutError` when a board number appears twice in one hall."""

    boards: tuple[Board, ...]
    _index: dict[BoardKey, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        halls: dict[str, int] = {}
        for board in self.boards:
            halls.setdefault(board.hall, len(halls))
        ordered = tuple(sorted(self.boards, key=lambda b: (halls[b.hall], b.number)))
        index: dict[BoardKey, int] = {}
        problems = []
        for i, board in enumerate(ordered):
            if board.key in index:
                problems.append(
                    _(
                        "Board ${board} of hall ${hall} is listed twice.",
                        mapping={"board": board.number, "hall": board.hall},
                    )
                )
            index[board.key] = i
        if problems:
            raise LayoutError(problems)
        object.__setattr__(self, "boards", ordered)
        object.__setattr__(self, "_index", index)

    def __len__(self) -> int:
        return len(self.boards)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def board(self, key: BoardKey) -> Board:
        """The board named ``key``; raises ``KeyError`` for an unknown one."""
        return self.boards[self._index[key]]

    def walk_index(self, key: BoardKey) -> int:
        """The board's position in walk order (0 for the first board)."""
        return self._index[key]

    def halls(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(b.hall for b in self.boards))

    def rows(self) -> tuple[tuple[str, str], ...]:
        """``(hall, row)`` pairs in walk order of their first board."""
        return tuple(dict.fromkeys((b.hall, b.row) for b in self.boards))

    def adjacent(self, a: BoardKey, b: BoardKey) -> bool:
        """Whether the two boards follow each other in walk order in the same hall."""
        return a[0] == b[0] and abs(self._index[a] - self._index[b]) == 1

    def same_row(self, a: BoardKey, b: BoardKey) -> bool:
        first, second = self.board(a), self.board(b)
        return (first.hall, first.row) == (second.hall, second.row)


def row_name(index: int) -> str:
    """Spreadsheet-style row names: 0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def grid_layout(
    rows: int,
    boards_per_row: int,
    *,
    hall: str = "Hall",
    board_pitch: float = 1.2,
    row_spacing: float = 3.0,
    first_number: int = 1,
    row_names: Sequence[str] | None = None,
) -> HallLayout:
    """A rectangular grid: ``rows`` rows (A, B, … unless ``row_names`` are given) of
    ``boards_per_row`` boards, numbered from ``first_number`` along each row, row after
    row. Boards are ``board_pitch`` metres apart; rows are ``row_spacing`` metres apart
    (the aisle plus the boards' depth). Board 1 stands at (0, 0)."""
    if rows < 1 or boards_per_row < 1:
        raise LayoutError([_("A grid needs at least one row of at least one board.")])
    if first_number < 1:
        raise LayoutError([_("Board numbers start at 1 or more.")])
    if not (board_pitch > 0 and row_spacing > 0):
        raise LayoutError([_("The spacing between boards and between rows must be positive.")])
    if row_names is not None and len(row_names) != rows:
        raise LayoutError([_("Give one name per row.")])
    names = list(row_names) if row_names is not None else [row_name(r) for r in range(rows)]
    if len(set(names)) != len(names) or not all(n.strip() for n in names):
        raise LayoutError([_("Row names must be unique and not empty.")])
    boards = [
        Board(
            hall=hall,
            row=names[r],
            number=first_number + r * boards_per_row + i,
            x=round(i * board_pitch, 6),
            y=round(r * row_spacing, 6),
        )
        for r in range(rows)
        for i in range(boards_per_row)
    ]
    return HallLayout(tuple(boards))


def parse_layout_csv(lines: str | Iterable[str]) -> HallLayout:
    """Read boards from CSV lines ``hall,row,board,x,y`` (x and y in metres; a header
    line with those names, blank lines and lines starting with ``#`` are skipped).

    Raises :class:`LayoutError` listing every bad line: wrong number of fields, an empty
    hall or row, a board number that is not a whole number of at least 1, coordinates
    that are not finite numbers, a board listed twice, or no board at all.
    """
    if isinstance(lines, str):
        lines = lines.splitlines()
    problems: list[str] = []
    boards: list[Board] = []
    seen: dict[BoardKey, int] = {}
    reader = csv.reader(lines, skipinitialspace=True)
    first = True
    for fields in reader:
        line = reader.line_num
        values = [f.strip() for f in fields]
        if not any(values) or values[0].startswith("#"):
            continue
        if first and [v.lower() for v in values] == list(CSV_FIELDS):
            first = False
            continue
        first = False
        if len(values) != len(CSV_FIELDS):
            problems.append(
                _(
                    "Line ${line}: expected 5 fields (hall, row, board, x, y), found ${n}.",
                    mapping={"line": line, "n": len(values)},
                )
            )
            continue
        hall, row, number_text, x_text, y_text = values
        line_problems: list[str] = []
        if not hall:
            line_problems.append(_("Line ${line}: the hall is empty.", mapping={"line": line}))
        if not row:
            line_problems.append(_("Line ${line}: the row is empty.", mapping={"line": line}))
        number = _whole_number(number_text)
        if number is None:
            line_problems.append(
                _(
                    "Line ${line}: the board number “${value}” is not a whole number of at "
                    "least 1.",
                    mapping={"line": line, "value": number_text},
                )
            )
        x, y = _metres(x_text), _metres(y_text)
        for axis, text, value in (("x", x_text, x), ("y", y_text, y)):
            if value is None:
                line_problems.append(
                    _(
                        "Line ${line}: ${axis} = “${value}” is not a number of metres.",
                        mapping={"line": line, "axis": axis, "value": text},
                    )
                )
        if line_problems or number is None or x is None or y is None:
            problems.extend(line_problems)
            continue
        key = (hall, number)
        if key in seen:
            problems.append(
                _(
                    "Line ${line}: board ${board} of hall ${hall} is already on line ${first}.",
                    mapping={"line": line, "board": number, "hall": hall, "first": seen[key]},
                )
            )
            continue
        seen[key] = line
        boards.append(Board(hall=hall, row=row, number=number, x=x, y=y))
    if not boards and not problems:
        problems.append(_("The file lists no boards."))
    if problems:
        raise LayoutError(problems)
    return HallLayout(tuple(boards))


def _whole_number(text: str) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value >= 1 else None


def _metres(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- numbering


@dataclass(frozen=True)
class PosterToPlace:
    """An accepted poster. ``author_keys`` are the people whose posters should hang
    side by side (presenting authors, or all authors: the caller chooses), as any
    strings that identify a person. ``pinned`` keeps the poster on that board."""

    id: Id
    session_id: Id
    track: str = ""
    author_keys: frozenset[str] = frozenset()
    pinned: BoardKey | None = None


@dataclass(frozen=True)
class PosterSession:
    """A poster session; sessions take their board blocks in the order given."""

    id: Id
    name: str = ""


@dataclass(frozen=True)
class Placement:
    poster_id: Id
    session_id: Id
    board: Board
    pinned: bool = False


@dataclass(frozen=True)
class SpareBoard:
    """A board kept empty at the end of a session's block for a late addition."""

    session_id: Id
    board: Board


@dataclass(frozen=True)
class BoardPlan:
    """Where every poster hangs.

    ``placements`` are in session order, then walk order; ``spare`` lists the boards
    kept free per session; ``clusters`` are the groups of posters of one session that
    share authors (across tracks), each in id order. With ``reuse_boards`` a board holds
    one poster per session; otherwise one poster in all.
    """

    layout: HallLayout
    placements: tuple[Placement, ...]
    spare: tuple[SpareBoard, ...] = ()
    clusters: tuple[tuple[Id, ...], ...] = ()
    reuse_boards: bool = False

    def placement(self, poster_id: Id) -> Placement:
        """The poster's placement; raises ``KeyError`` for a poster not in the plan."""
        for p in self.placements:
            if p.poster_id == poster_id:
                return p
        raise KeyError(poster_id)

    def board_of(self, poster_id: Id) -> Board:
        return self.placement(poster_id).board

    def occupant(self, key: BoardKey, session_id: Id | None = None) -> Id | None:
        """The poster on board ``key`` (in ``session_id`` when boards are reused)."""
        for p in self.placements:
            if p.board.key == key and (not self.reuse_boards or p.session_id == session_id):
                return p.poster_id
        return None

    def separated(self) -> tuple[tuple[Id, ...], ...]:
        """The clusters whose posters are not on consecutive boards of one hall."""
        where = {p.poster_id: p.board for p in self.placements}
        result = []
        for cluster in self.clusters:
            boards = [where[poster] for poster in cluster if poster in where]
            positions = sorted(self.layout.walk_index(b.key) for b in boards)
            one_hall = len({b.hall for b in boards}) <= 1
            if positions and (not one_hall or positions[-1] - positions[0] + 1 != len(positions)):
                result.append(cluster)
        return tuple(result)


def number_boards(
    posters: Sequence[PosterToPlace],
    sessions: Sequence[PosterSession],
    layout: HallLayout,
    *,
    spare_boards: int = 0,
    spare_fraction: float = 0.0,
    reuse_boards: bool = False,
) -> BoardPlan:
    """Give every poster a board, as described in the module docstring.

    Each session keeps ``max(spare_boards, ceil(spare_fraction * its posters))`` boards
    empty after its posters. Raises :class:`PlanningError` for an unknown session, a
    duplicate poster id, or a pin to an unknown or already pinned board, and
    :class:`NotEnoughBoards` when the posters and the spare boards do not fit.
    """
    _check_numbering_input(
        posters,
        sessions,
        layout,
        spare_boards=spare_boards,
        spare_fraction=spare_fraction,
        reuse_boards=reuse_boards,
    )
    by_session: dict[Id, list[PosterToPlace]] = defaultdict(list)
    for poster in sorted(posters, key=lambda p: id_order(p.id)):
        by_session[poster.session_id].append(poster)
    spare_of = {
        s.id: max(spare_boards, math.ceil(spare_fraction * len(by_session[s.id]) - 1e-9))
        for s in sessions
    }
    _check_capacity(sessions, by_session, spare_of, layout, reuse_boards)

    board_count = len(layout.boards)
    occupied_all: set[int] = set()  # walk indices taken, when boards are not reused
    occupied_by_session: dict[Id, set[int]] = defaultdict(set)
    placed: dict[Id, int] = {}
    pinned_ids: set[Id] = set()
    for poster in posters:
        if poster.pinned is not None:
            index = layout.walk_index(poster.pinned)
            placed[poster.id] = index
            pinned_ids.add(poster.id)
            (occupied_by_session[poster.session_id] if reuse_boards else occupied_all).add(index)

    spares: list[SpareBoard] = []
    clusters_found: list[tuple[Id, ...]] = []
    cursor = 0
    for session in sessions:
        members = by_session[session.id]
        occupied = occupied_by_session[session.id] if reuse_boards else occupied_all
        if reuse_boards:
            cursor = 0
        clusters_found.extend(
            tuple(sorted((p.id for p in c), key=id_order)) for c in _clusters(members) if len(c) > 1
        )
        tracks: dict[str, list[list[PosterToPlace]]] = defaultdict(list)
        for cluster in _clusters(members, by_track=True):
            ordered = _cluster_path(cluster)
            rest = _place_beside_pins(ordered, placed, pinned_ids, occupied, layout)
            if rest:
                tracks[ordered[0].track].append(rest)
        placer = _Placer(layout, occupied, placed, cursor)
        for track in sorted(tracks):
            units = sorted(tracks[track], key=lambda unit: id_order(_min_id(unit)))
            placer.place_units(units)
        cursor = placer.cursor
        kept = 0
        while kept < spare_of[session.id] and cursor < board_count:
            if cursor not in occupied:
                spares.append(SpareBoard(session.id, layout.boards[cursor]))
                occupied.add(cursor)
                kept += 1
            cursor += 1

    session_rank = {s.id: i for i, s in enumerate(sessions)}
    session_of = {p.id: p.session_id for p in posters}
    placements = sorted(
        (
            Placement(pid, session_of[pid], layout.boards[index], pid in pinned_ids)
            for pid, index in placed.items()
        ),
        key=lambda p: (session_rank[p.session_id], layout.walk_index(p.board.key)),
    )
    return BoardPlan(
        layout=layout,
        placements=tuple(placements),
        spare=tuple(spares),
        clusters=tuple(sorted(clusters_found, key=lambda c: id_order(c[0]))),
        reuse_boards=reuse_boards,
    )


def _min_id(posters: Iterable[PosterToPlace]) -> Id:
    return min((p.id for p in posters), key=id_order)


def _check_numbering_input(
    posters: Sequence[PosterToPlace],
    sessions: Sequence[PosterSession],
    layout: HallLayout,
    *,
    spare_boards: int,
    spare_fraction: float,
    reuse_boards: bool,
) -> None:
    if spare_boards < 0 or not 0 <= spare_fraction < 1:
        raise PlanningError(
            _("Spare boards must be a number from 0 up and a fraction from 0 to below 1.")
        )
    session_ids = [s.id for s in sessions]
    if len(set(session_ids)) != len(session_ids):
        raise PlanningError(_("A session is listed twice."))
    ids = [p.id for p in posters]
    if len(set(ids)) != len(ids):
        raise PlanningError(_("A poster is listed twice."))
    known = set(session_ids)
    pinned_at: dict[tuple[BoardKey, Id | None], Id] = {}
    for poster in posters:
        if poster.session_id not in known:
            raise PlanningError(
                _(
                    "Poster ${poster} belongs to session ${session}, which is not in the plan.",
                    mapping={"poster": poster.id, "session": poster.session_id},
                )
            )
        if poster.pinned is None:
            continue
        if poster.pinned not in layout:
            raise PlanningError(
                _(
                    "Poster ${poster} is pinned to board ${board} of hall ${hall}, which does "
                    "not exist.",
                    mapping={
                        "poster": poster.id,
                        "board": poster.pinned[1],
                        "hall": poster.pinned[0],
                    },
                )
            )
        slot = (poster.pinned, poster.session_id if reuse_boards else None)
        if slot in pinned_at:
            raise PlanningError(
                _(
                    "Posters ${first} and ${second} are both pinned to board ${board}.",
                    mapping={
                        "first": pinned_at[slot],
                        "second": poster.id,
                        "board": poster.pinned[1],
                    },
                )
            )
        pinned_at[slot] = poster.id


def _check_capacity(
    sessions: Sequence[PosterSession],
    by_session: Mapping[Id, Sequence[PosterToPlace]],
    spare_of: Mapping[Id, int],
    layout: HallLayout,
    reuse_boards: bool,
) -> None:
    groups: list[tuple[Id | None, list[Id]]] = (
        [(s.id, [s.id]) for s in sessions] if reuse_boards else [(None, [s.id for s in sessions])]
    )
    for session_id, members in groups:
        pinned = sum(1 for s in members for p in by_session[s] if p.pinned is not None)
        to_place = sum(1 for s in members for p in by_session[s] if p.pinned is None)
        spare = sum(spare_of[s] for s in members)
        free = len(layout) - pinned
        if to_place <= free and to_place + spare <= free:
            continue
        mapping = {
            "posters": to_place,
            "spare": spare,
            "needed": to_place + spare,
            "free": free,
            "session": session_id if session_id is not None else "",
        }
        if to_place > free:
            message = (
                _(
                    "Session ${session} needs ${posters} boards but only ${free} are free.",
                    mapping=mapping,
                )
                if session_id is not None
                else _(
                    "The posters need ${posters} boards but only ${free} are free; add "
                    "${missing} boards.",
                    mapping={**mapping, "missing": to_place - free},
                )
            )
        else:
            message = _(
                "The posters need ${posters} boards and ${spare} should stay spare, but only "
                "${free} are free; keep fewer spare boards or add boards.",
                mapping=mapping,
            )
        raise NotEnoughBoards(
            message, needed=to_place + spare, available=free, session_id=session_id
        )


def _clusters(
    posters: Sequence[PosterToPlace], *, by_track: bool = False
) -> list[list[PosterToPlace]]:
    """Groups of posters linked by shared author keys (within a track if ``by_track``),
    each in id order, groups in order of their first poster."""
    parent = list(range(len(posters)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[tuple[str, str], int] = {}
    for i, poster in enumerate(posters):
        for author in sorted(poster.author_keys):
            key = (poster.track if by_track else "", author)
            if key in first_with:
                a, b = find(first_with[key]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first_with[key] = i
    groups: dict[int, list[PosterToPlace]] = defaultdict(list)
    for i, poster in enumerate(posters):
        groups[find(i)].append(poster)
    return [sorted(g, key=lambda p: id_order(p.id)) for g in groups.values()]


def _cluster_path(cluster: Sequence[PosterToPlace]) -> list[PosterToPlace]:
    """An order in which each poster shares an author with the one before it whenever
    the sharing allows (a greedy path from the smallest id)."""
    remaining = sorted(cluster, key=lambda p: id_order(p.id))
    path = [remaining.pop(0)]
    while remaining:
        last = path[-1]
        pick = next((p for p in remaining if p.author_keys & last.author_keys), None)
        if pick is None:
            pick = next(
                (p for p in remaining if any(p.author_keys & q.author_keys for q in path)),
                remaining[0],
            )
        remaining.remove(pick)
        path.append(pick)
    return path


def _place_beside_pins(
    path: Sequence[PosterToPlace],
    placed: dict[Id, int],
    pinned_ids: set[Id],
    occupied: set[int],
    layout: HallLayout,
) -> list[PosterToPlace]:
    """Put unpinned cluster members on free boards beside already-placed mates, in the
    same row; return the members still to place (in path order)."""
    rest = [p for p in path if p.id not in pinned_ids]
    if len(rest) == len(path):
        return rest
    anchors = [placed[p.id] for p in path if p.id in pinned_ids]
    still: list[PosterToPlace] = []
    for poster in rest:
        candidates = sorted(
            {
                i
                for a in anchors
                for i in (a - 1, a + 1)
                if 0 <= i < len(layout)
                and i not in occupied
                and layout.same_row(layout.boards[a].key, layout.boards[i].key)
            }
        )
        if not candidates:
            still.append(poster)
            continue
        placed[poster.id] = candidates[0]
        occupied.add(candidates[0])
        anchors.append(candidates[0])
    return still


class _Placer:
    """Lays units (clusters in path order) on free boards from a cursor, in walk order."""

    def __init__(
        self, layout: HallLayout, occupied: set[int], placed: dict[Id, int], cursor: int
    ) -> None:
        self.layout = layout
        self.occupied = occupied
        self.placed = placed
        self.cursor = cursor

    def _next_free(self, start: int) -> int:
        i = start
        while i < len(self.layout) and i in self.occupied:
            i += 1
        return i

    def _run(self, start: int) -> int:
        """Free boards from ``start`` on, in the same row, before an occupied board."""
        boards = self.layout.boards
        row = (boards[start].hall, boards[start].row)
        end = start
        while (
            end < len(boards)
            and end not in self.occupied
            and (boards[end].hall, boards[end].row) == row
        ):
            end += 1
        return end - start

    def _put(self, poster: PosterToPlace) -> None:
        index = self._next_free(self.cursor)
        self.placed[poster.id] = index
        self.occupied.add(index)
        self.cursor = index + 1

    def place_units(self, units: list[list[PosterToPlace]]) -> None:
        queue = list(units)
        while queue:
            unit = queue.pop(0)
            start = self._next_free(self.cursor)
            run = self._run(start) if start < len(self.layout) else 0
            if len(unit) > run and self._fits_next_run(start + run, len(unit)):
                # First fit: later units of the track fill this gap, so that the
                # cluster starts the next run and stays in one row.
                fillers = []
                room = run
                for other in queue:
                    if len(other) <= room:
                        fillers.append(other)
                        room -= len(other)
                if fillers:
                    for other in fillers:
                        queue.remove(other)
                        for poster in other:
                            self._put(poster)
                    queue.insert(0, unit)
                    continue
            for poster in unit:
                self._put(poster)

    def _fits_next_run(self, after: int, size: int) -> bool:
        start = self._next_free(after)
        return start < len(self.layout) and self._run(start) >= size


# --------------------------------------------------------------------------- slots and moves


def slot_for_board(board: Board, slot_ids: Sequence[Id]) -> Id:
    """The slot in which the presenter of ``board`` stands at it: boards take the
    session's slots in turn by number, so with two slots odd boards present in the
    first and even boards in the second. Raises ``ValueError`` without slots."""
    if not slot_ids:
        raise ValueError("a session needs at least one slot")
    return slot_ids[(board.number - 1) % len(slot_ids)]


def presentation_slots(
    plan: BoardPlan, slots_by_session: Mapping[Any, Sequence[Id]]
) -> dict[Id, Id]:
    """Poster id -> the slot its presenter is at the board, by :func:`slot_for_board`.
    Posters of a session with no slots listed are left out. (``Any`` keys: ``Mapping``
    is invariant in its key type, and callers hold ``dict[int, …]`` or ``dict[str, …]``.)"""
    return {
        p.poster_id: slot_for_board(p.board, slots_by_session[p.session_id])
        for p in plan.placements
        if slots_by_session.get(p.session_id)
    }


class MoveError(InvalidInput):
    """A manual move cannot be made; the message says why."""


@dataclass(frozen=True)
class Move:
    """A checked manual move: ``poster_id`` goes from ``source`` to ``target``; when the
    target was taken, its poster ``swapped_with`` goes to ``source``."""

    poster_id: Id
    source: Board
    target: Board
    swapped_with: Id | None = None

    def changes(self) -> tuple[tuple[Id, Board], ...]:
        """``(poster id, new board)`` pairs to store (and pin)."""
        moved: tuple[tuple[Id, Board], ...] = ((self.poster_id, self.target),)
        if self.swapped_with is not None:
            moved += ((self.swapped_with, self.source),)
        return moved

    def apply(self, plan: BoardPlan) -> BoardPlan:
        """The plan after the move; both posters moved become pinned, and a spare board
        taken stops being spare."""
        new_board = dict(self.changes())
        placements = tuple(
            replace(p, board=new_board[p.poster_id], pinned=True) if p.poster_id in new_board else p
            for p in plan.placements
        )
        mover = plan.placement(self.poster_id)
        spare = tuple(
            s
            for s in plan.spare
            if not (
                s.board.key == self.target.key
                and (not plan.reuse_boards or s.session_id == mover.session_id)
            )
        )
        return replace(plan, placements=placements, spare=spare)


def move(plan: BoardPlan, poster_id: Id, target: BoardKey) -> Move:
    """Check moving ``poster_id`` to board ``target``: a free (or spare) board, or a swap
    with the poster there (of the same session when boards are reused).

    Raises :class:`MoveError` for an unknown poster or board, or a move to the board
    the poster already has.
    """
    try:
        mover = plan.placement(poster_id)
    except KeyError:
        raise MoveError(
            _("Poster ${poster} has no board in this plan.", mapping={"poster": poster_id})
        ) from None
    if target not in plan.layout:
        raise MoveError(
            _(
                "Board ${board} of hall ${hall} does not exist.",
                mapping={"board": target[1], "hall": target[0]},
            )
        )
    if mover.board.key == target:
        raise MoveError(
            _(
                "Poster ${poster} is already on board ${board}.",
                mapping={"poster": poster_id, "board": target[1]},
            )
        )
    occupant = plan.occupant(target, mover.session_id)
    return Move(
        poster_id=poster_id,
        source=mover.board,
        target=plan.layout.board(target),
        swapped_with=occupant,
    )
