"""The SVG floor map and its text alternatives."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from poster_review.i18n import render
from poster_review.onsite.floormap import (
    PALETTE,
    UNITS_PER_METRE,
    MapEntry,
    MapRow,
    MapWords,
    describe,
    entries_from_plan,
    map_rows,
    map_text,
    render_svg,
)
from poster_review.onsite.planning import (
    Board,
    HallLayout,
    PosterSession,
    PosterToPlace,
    grid_layout,
    number_boards,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def boards_of(root):
    return {g.get("data-board"): g for g in root.iter(f"{SVG}g") if g.get("data-board")}


def test_svg_is_an_image_with_a_title_and_description():
    layout = grid_layout(2, 3)
    root = parse(render_svg(layout, {}, description="Six empty boards.", id_prefix="day 1"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "day-1-title day-1-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == ("day-1-title", "Floor map of the poster boards")
    assert (desc.get("id"), desc.text) == ("day-1-desc", "Six empty boards.")


def test_boards_are_drawn_at_their_coordinates_with_numbers_and_tooltips():
    layout = grid_layout(2, 3, board_pitch=1.5, row_spacing=4.0)
    entries = {("Hall", 1): MapEntry("Reading clubs", "t1"), ("Hall", 5): MapEntry("Maps", "t2")}
    root = parse(render_svg(layout, entries))
    drawn = boards_of(root)
    assert sorted(drawn, key=int) == ["1", "2", "3", "4", "5", "6"]
    rect = {n: g.find(f"{SVG}rect") for n, g in drawn.items()}
    assert float(rect["2"].get("x")) - float(rect["1"].get("x")) == 1.5 * UNITS_PER_METRE
    assert float(rect["4"].get("y")) - float(rect["1"].get("y")) == 4.0 * UNITS_PER_METRE
    assert [t.text for t in drawn["1"].iter(f"{SVG}text")] == ["1"]
    assert drawn["1"].find(f"{SVG}title").text == "Board 1: Reading clubs"
    assert drawn["2"].find(f"{SVG}title").text == "Board 2: Empty board"
    assert drawn["2"].get("class") == "board empty"
    assert drawn["2"].find(f"{SVG}rect").get("stroke-dasharray") == "4 3"
    # The group colour band: first group first in the palette.
    assert drawn["1"].findall(f"{SVG}rect")[1].get("fill") == PALETTE[0]
    assert drawn["5"].findall(f"{SVG}rect")[1].get("fill") == PALETTE[1]


def test_rows_and_legend_are_labelled():
    layout = grid_layout(2, 2)
    entries = {("Hall", 1): MapEntry("A", "oral"), ("Hall", 2): MapEntry("B", "demo")}
    root = parse(render_svg(layout, entries, group_labels={"oral": "Track: oral history"}))
    rows = [t for t in root.iter(f"{SVG}text") if t.get("class") == "row-label"]
    assert [(t.find(f"{SVG}title").text, t.find(f"{SVG}title").tail) for t in rows] == [
        ("Row A", "A"),
        ("Row B", "B"),
    ]
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    assert [t.text for t in legend.iter(f"{SVG}text")] == [
        "Legend",
        "Track: oral history",
        "demo",
        "Empty board",
    ]


def test_no_empty_board_entry_in_the_legend_when_every_board_is_used():
    layout = grid_layout(1, 2)
    entries = {("Hall", 1): MapEntry("A", "x"), ("Hall", 2): MapEntry("B", "x")}
    legend = next(
        g for g in parse(render_svg(layout, entries)).iter(f"{SVG}g") if g.get("class") == "legend"
    )
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["Legend", "x"]


def test_text_is_escaped_and_characters_xml_cannot_hold_are_dropped():
    layout = grid_layout(1, 1)
    title = "<script>alert(\"x\")</script> & 'quotes'\x00\x1b"
    svg = render_svg(layout, {("Hall", 1): MapEntry(title, "<g>")}, description="a < b & c")
    assert "<script>" not in svg
    root = parse(svg)
    assert boards_of(root)["1"].find(f"{SVG}title").text == (
        "Board 1: <script>alert(\"x\")</script> & 'quotes'"
    )
    assert root.find(f"{SVG}desc").text == "a < b & c"


def test_several_halls_are_stacked_with_headings():
    layout = HallLayout(
        (Board("North", "A", 1, 0, 0), Board("North", "A", 2, 1.2, 0), Board("South", "A", 1, 0, 0))
    )
    root = parse(render_svg(layout, {}))
    headings = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "hall"]
    assert headings == ["Hall North", "Hall South"]
    halls = [g for g in root.iter(f"{SVG}g") if g.get("data-hall")]
    north_y = float(halls[0].find(f"{SVG}g/{SVG}rect").get("y"))
    south_y = float(halls[1].find(f"{SVG}g/{SVG}rect").get("y"))
    assert south_y > north_y  # the same coordinates, drawn below


def test_words_can_be_translated():
    words = MapWords().translated(lambda s: {"Board": "Стенд", "Empty board": "Свободно"}.get(s, s))
    root = parse(render_svg(grid_layout(1, 1), {}, words=words))
    assert boards_of(root)["1"].find(f"{SVG}title").text == "Стенд 1: Свободно"


def test_default_description_counts_boards():
    layout = grid_layout(2, 3)
    text = describe(layout, {("Hall", 1): MapEntry("A")})
    assert render(text) == (
        "6 boards in 2 rows in 1 hall(s); 1 hold a poster, 5 are empty. The list of boards "
        "gives the same information as text."
    )


def test_table_and_text_alternatives_list_every_board_in_walk_order():
    layout = grid_layout(2, 2)
    entries = {("Hall", 1): MapEntry("Reading clubs", "t1"), ("Hall", 4): MapEntry("Maps")}
    assert map_rows(layout, entries, {"t1": "Track 1"}) == (
        MapRow("Hall", "A", 1, "Reading clubs", "Track 1"),
        MapRow("Hall", "A", 2, "", ""),
        MapRow("Hall", "B", 3, "", ""),
        MapRow("Hall", "B", 4, "Maps", ""),
    )
    assert map_text(layout, entries, group_labels={"t1": "Track 1"}) == (
        "Row A\n"
        "  Board 1: Reading clubs (Track 1)\n"
        "  Board 2: Empty board\n"
        "\n"
        "Row B\n"
        "  Board 3: Empty board\n"
        "  Board 4: Maps\n"
    )


def test_entries_from_a_plan_per_session():
    layout = grid_layout(1, 3)
    plan = number_boards(
        [PosterToPlace(1, "am", "x"), PosterToPlace(2, "pm", "y")],
        [PosterSession("am"), PosterSession("pm")],
        layout,
        reuse_boards=True,
    )
    titles = {1: "Morning poster", 2: "Afternoon poster"}
    groups = {1: "x", 2: "y"}
    assert entries_from_plan(plan, titles, groups, session_id="pm") == {
        ("Hall", 1): MapEntry("Afternoon poster", "y")
    }
