"""A printable floor map of the poster boards as SVG, and its text alternative (pure).

:func:`render_svg` draws every board of a :class:`~poster_review.onsite.planning.HallLayout`
at its coordinates (1 metre = ``UNITS_PER_METRE`` SVG units; the SVG scales to the
page), with its number, a coloured band for its group (session, track or slot: the
caller chooses) and the poster's title as the board's ``<title>``, which browsers show as a
tooltip. Each row is labelled at its left end; each hall has a heading when there are
several, stacked top to bottom; a legend explains the colours and empty boards. The
colours are the Okabe-Ito palette, told apart with colour blindness, and the band leaves
black numbers on white, so the map stays legible when printed in black and white.

For assistive technology the ``<svg>`` has ``role="img"`` and is labelled by its
``<title>`` and ``<desc>``; :func:`map_rows` and :func:`map_text` give the same content
as a table or as plain text, for a page to show next to the picture.

All text is escaped for XML (characters XML cannot carry are dropped). Words shown on
the map come from :class:`MapWords`, whose defaults are marked for translation: a view
passes ``words.translated(request.localizer.translate)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from poster_review.i18n import _
from poster_review.onsite.planning import Board, BoardKey, BoardPlan, HallLayout, Id

UNITS_PER_METRE = 40
#: Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
OTHER_COLOUR = "#999999"
MARGIN = 1.5  # metres around the drawing
LEGEND_LINE = 0.9  # metres per legend line

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class MapEntry:
    """What hangs on a board: the poster's title and its group (a legend key)."""

    title: str
    group: str = ""


@dataclass(frozen=True)
class MapRow:
    """One line of the table alternative; ``title`` and ``group`` are empty for an
    empty board (``group`` holds the legend label)."""

    hall: str
    row: str
    board: int
    title: str
    group: str


@dataclass(frozen=True)
class MapWords:
    """The words printed on the map; pass them translated."""

    title: str = _("Floor map of the poster boards")
    board: str = _("Board")
    row: str = _("Row")
    hall: str = _("Hall")
    empty: str = _("Empty board")
    legend: str = _("Legend")

    def translated(self, translate: Callable[[str], str]) -> MapWords:
        return MapWords(**{f.name: translate(getattr(self, f.name)) for f in fields(self)})


def describe(layout: HallLayout, entries: Mapping[BoardKey, MapEntry]) -> str:
    """A one-sentence ``<desc>`` for the map (translatable)."""
    used = sum(1 for b in layout.boards if b.key in entries)
    return _(
        "${boards} boards in ${rows} rows in ${halls} hall(s); ${used} hold a poster, "
        "${free} are empty. The list of boards gives the same information as text.",
        mapping={
            "boards": len(layout.boards),
            "rows": len(layout.rows()),
            "halls": len(layout.halls()),
            "used": used,
            "free": len(layout.boards) - used,
        },
    )


def entries_from_plan(
    plan: BoardPlan,
    titles: Mapping[Any, str],
    groups: Mapping[Any, str] | None = None,
    *,
    session_id: Id | None = None,
) -> dict[BoardKey, MapEntry]:
    """Board -> entry for the posters of ``plan`` (of ``session_id`` only, if given,
    as a board may hold one poster per session when boards are reused). ``titles`` and
    ``groups`` are keyed by poster id (``Any`` keys, as ``Mapping`` is invariant in its
    key type and callers hold ``dict[int, str]`` or ``dict[str, str]``)."""
    return {
        p.board.key: MapEntry(titles.get(p.poster_id, ""), (groups or {}).get(p.poster_id, ""))
        for p in plan.placements
        if session_id is None or p.session_id == session_id
    }


def xml_text(value: object) -> str:
    """``value`` as XML character data or attribute text."""
    text = _NOT_XML.sub("", str(value))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _n(value: float) -> str:
    """A coordinate in SVG units, short."""
    return f"{value * UNITS_PER_METRE:.1f}".removesuffix(".0")


def _legend(
    layout: HallLayout, entries: Mapping[BoardKey, MapEntry], group_labels: Mapping[str, str]
) -> dict[str, tuple[str, str]]:
    """Group -> (colour, label), in the order the groups first appear on the walk."""
    groups: dict[str, tuple[str, str]] = {}
    for board in layout.boards:
        entry = entries.get(board.key)
        if entry is None or entry.group in groups:
            continue
        colour = PALETTE[len(groups)] if len(groups) < len(PALETTE) else OTHER_COLOUR
        groups[entry.group] = (colour, group_labels.get(entry.group, entry.group))
    return groups


def _board_size(layout: HallLayout) -> tuple[float, float]:
    """A board's drawn width and depth in metres: 90 % of the closest spacing in a row."""
    gaps = []
    previous: Board | None = None
    for board in layout.boards:
        if previous is not None and (previous.hall, previous.row) == (board.hall, board.row):
            gap = math.hypot(board.x - previous.x, board.y - previous.y)
            if gap > 0:
                gaps.append(gap)
        previous = board
    width = 0.9 * min(gaps) if gaps else 1.0
    return width, min(0.8, max(0.5, 0.6 * width))


def render_svg(
    layout: HallLayout,
    entries: Mapping[BoardKey, MapEntry],
    *,
    words: MapWords | None = None,
    description: str = "",
    group_labels: Mapping[str, str] | None = None,
    id_prefix: str = "floormap",
    width: str = "100%",
) -> str:
    """The floor map as an SVG document (no XML declaration, so it can also be inlined
    in HTML). ``entries`` says what hangs where (boards without one are drawn empty);
    ``group_labels`` names the groups in the legend (default: the group keys);
    ``description`` is the ``<desc>`` text (default :func:`describe`). ``id_prefix``
    keeps element ids unique when several maps share a page."""
    words = words or MapWords()
    labels = group_labels or {}
    legend = _legend(layout, entries, labels)
    description = description or describe(layout, entries)
    board_w, board_h = _board_size(layout)
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", id_prefix) or "floormap"
    several_halls = len(layout.halls()) > 1
    font = board_h * 0.45

    body: list[str] = []
    top = MARGIN
    right = 0.0
    for hall in layout.halls():
        boards = [b for b in layout.boards if b.hall == hall]
        min_x = min(b.x for b in boards)
        min_y = min(b.y for b in boards)
        max_x = max(b.x for b in boards)
        max_y = max(b.y for b in boards)
        # Room on the left for the row labels, and above for the hall's heading.
        left = MARGIN + 2.5
        if several_halls:
            body.append(
                f'<text class="hall" x="{_n(MARGIN)}" y="{_n(top + 0.6)}" '
                f'font-size="{_n(0.7)}" font-weight="bold">'
                f"{xml_text(f'{words.hall} {hall}')}</text>"
            )
            top += 1.2
        dx = left - min_x + board_w / 2
        dy = top - min_y + board_h / 2
        body.append(f'<g class="hall" data-hall="{xml_text(hall)}">')
        for hall_name, row in layout.rows():
            if hall_name != hall:
                continue
            first = min((b for b in boards if b.row == row), key=lambda b: (b.x, b.number))
            body.append(
                f'<text class="row-label" x="{_n(first.x + dx - board_w / 2 - 0.3)}" '
                f'y="{_n(first.y + dy + font / 3)}" text-anchor="end" font-size="{_n(font)}" '
                f'font-weight="bold"><title>{xml_text(f"{words.row} {row}")}</title>'
                f"{xml_text(row)}</text>"
            )
        for board in boards:
            body.append(
                _board_svg(
                    board,
                    entries.get(board.key),
                    legend=legend,
                    words=words,
                    dx=dx,
                    dy=dy,
                    width=board_w,
                    height=board_h,
                    font=font,
                )
            )
        body.append("</g>")
        top += (max_y - min_y) + board_h + 1.0
        right = max(right, dx + max_x + board_w / 2)

    # Legend: a swatch per group, then the empty board.
    body.append(
        f'<g class="legend"><text x="{_n(MARGIN)}" y="{_n(top + 0.5)}" font-size="{_n(0.5)}" '
        f'font-weight="bold">{xml_text(words.legend)}</text>'
    )
    top += 0.9
    items = [(colour, label, False) for colour, label in legend.values()]
    if any(b.key not in entries for b in layout.boards):
        items.append(("none", words.empty, True))
    for colour, label, empty in items:
        swatch = f'<rect x="{_n(MARGIN)}" y="{_n(top)}" width="{_n(0.9)}" height="{_n(0.6)}" ' + (
            'fill="white" stroke="black" stroke-dasharray="4 3"/>'
            if empty
            else f'fill="white" stroke="black"/><rect x="{_n(MARGIN)}" y="{_n(top)}" '
            f'width="{_n(0.9)}" height="{_n(0.18)}" fill="{colour}" stroke="black"/>'
        )
        body.append(
            f'{swatch}<text x="{_n(MARGIN + 1.2)}" y="{_n(top + 0.45)}" '
            f'font-size="{_n(0.45)}">{xml_text(label or "—")}</text>'
        )
        top += LEGEND_LINE
    body.append("</g>")
    right = max(right, MARGIN + 1.2 + 0.25 * max((len(i[1]) for i in items), default=0))
    view_w, view_h = right + MARGIN, top + MARGIN

    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" '
        f'viewBox="0 0 {_n(view_w)} {_n(view_h)}" width="{xml_text(width)}" '
        f'font-family="sans-serif">'
        f'<title id="{prefix}-title">{xml_text(words.title)}</title>'
        f'<desc id="{prefix}-desc">{xml_text(description)}</desc>'
        f'<rect width="100%" height="100%" fill="white"/>'
    )
    return head + "".join(body) + "</svg>\n"


def _board_svg(
    board: Board,
    entry: MapEntry | None,
    *,
    legend: Mapping[str, tuple[str, str]],
    words: MapWords,
    dx: float,
    dy: float,
    width: float,
    height: float,
    font: float,
) -> str:
    x, y = board.x + dx - width / 2, board.y + dy - height / 2
    name = f"{words.board} {board.number}"
    if entry is None:
        tooltip = f"{name}: {words.empty}"
        shape = (
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
            'fill="white" stroke="black" stroke-dasharray="4 3"/>'
        )
        css = "board empty"
    else:
        tooltip = f"{name}: {entry.title}" if entry.title else name
        shape = (
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
            f'fill="white" stroke="black"/><rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" '
            f'height="{_n(height * 0.25)}" fill="{legend[entry.group][0]}" stroke="black"/>'
        )
        css = "board"
    return (
        f'<g class="{css}" data-board="{board.number}"><title>{xml_text(tooltip)}</title>'
        f'{shape}<text x="{_n(board.x + dx)}" y="{_n(y + height * 0.25 + font * 1.15)}" '
        f'text-anchor="middle" font-size="{_n(font)}">{board.number}</text></g>'
    )


def map_rows(
    layout: HallLayout,
    entries: Mapping[BoardKey, MapEntry],
    group_labels: Mapping[str, str] | None = None,
) -> tuple[MapRow, ...]:
    """The map as table rows, one per board in walk order."""
    labels = group_labels or {}
    rows = []
    for board in layout.boards:
        entry = entries.get(board.key)
        rows.append(
            MapRow(
                hall=board.hall,
                row=board.row,
                board=board.number,
                title=entry.title if entry else "",
                group=labels.get(entry.group, entry.group) if entry else "",
            )
        )
    return tuple(rows)


def map_text(
    layout: HallLayout,
    entries: Mapping[BoardKey, MapEntry],
    *,
    words: MapWords | None = None,
    group_labels: Mapping[str, str] | None = None,
) -> str:
    """The map as plain text: a heading per row (and hall), then a line per board."""
    words = words or MapWords()
    several_halls = len(layout.halls()) > 1
    lines: list[str] = []
    current: tuple[str, str] | None = None
    for row in map_rows(layout, entries, group_labels):
        if (row.hall, row.row) != current:
            current = (row.hall, row.row)
            heading = f"{words.row} {row.row}"
            if several_halls:
                heading = f"{words.hall} {row.hall}, {heading}"
            lines.append(("" if not lines else "\n") + heading)
        text = row.title or words.empty
        if row.group:
            text = f"{text} ({row.group})"
        lines.append(f"  {words.board} {row.board}: {text}")
    return "\n".join(lines) + "\n"
