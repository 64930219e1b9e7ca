"""Server-side SVG charts for the chair's ranking page, each with a text alternative.

* :func:`score_distribution_chart`: a histogram of calibrated scores beside raw means.
* :func:`leniency_chart`: each reviewer's leniency, strictest first, around a zero line.
* :func:`cutoff_chart`: the posters ranked around the top-N cut-off, each with its
  bootstrap interval; intervals that cross the cut-off are marked.
* :func:`ranking_charts`: the three for one :class:`~poster_review.ranking.scoring.Ranking`.

Each returns a :class:`Chart`. Its ``svg`` is markup to inline in the page: the root
has ``role="img"`` and ``aria-labelledby`` naming its ``<title>`` and ``<desc>``, every
text is XML-escaped, and there is no script, event handler, ``style`` attribute or
external reference (the Content-Security-Policy allows none). The ``table`` holds the
same numbers as plain text, header row first, for the page to show as the chart's text
alternative; the page escapes it. Series differ by shape and pattern as well as by
colour (Okabe-Ito blue and a darkened vermillion, both above 5:1 on white).

Wording is marked with ``_`` and turned into text by ``translate`` (the request's
``localizer.translate`` on a page; English by default) before it is written into the
SVG, which a template can no longer translate. Output is deterministic: equal inputs
give identical markup, whatever their order.

Pure: no pyramid, no sqlalchemy, no numpy.
"""

from __future__ import annotations

import html
import math
import re
import statistics
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from poster_review.i18n import _, render
from poster_review.ranking.scoring import Id, PosterResult, Ranking, ReviewerResult, id_sort_key

#: Turns a message marked with ``_`` into display text (``request.localizer.translate``).
Translate: TypeAlias = Callable[[str], str]
#: Header row first, then one row per item; plain text.
Table: TypeAlias = tuple[tuple[str, ...], ...]

WIDTH = 720
#: Rows above and below the cut-off in :func:`cutoff_chart`.
AROUND_CUTOFF = 10
#: Up to this many reviewers, each row of the leniency chart is labelled; beyond,
#: rows are packed without labels (the table names everyone).
LABELLED_ROWS = 60
#: Room for the poster number and title, and for the "≈" mark, in the cut-off chart.
_LABEL_WIDTH = 300.0
_CUTOFF_RIGHT = 40.0
#: Ids named in a description; the table lists them all.
_IDS_IN_DESCRIPTION = 12

INK = "#1b1f24"
MUTED = "#4a5563"
GRID = "#c9d1db"
STRIPE = "#f3f5f8"
WHITE = "#ffffff"
BLUE = "#0072b2"  # Okabe-Ito blue, 5.2:1 on white
VERMILLION = "#b84a00"  # Okabe-Ito vermillion darkened to 5.2:1 on white

_CHART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,40}$")
#: Characters XML 1.0 cannot hold (controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_DASH = "\u2013"
_MISSING = "\u2014"


@dataclass(frozen=True)
class Chart:
    """``svg``: escaped markup to inline; ``title`` and ``description``: plain text,
    also inside the SVG as ``<title>`` and ``<desc>``; ``table``: plain text, header
    row first, holding the chart's numbers."""

    svg: str
    title: str
    description: str
    table: Table


# --- Markup ----------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _escape(text: str) -> str:
    """Text safe in XML content and in double- or single-quoted attributes."""
    return html.escape(_clean(text), quote=True)


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    if not math.isfinite(value):
        raise ValueError("coordinates must be finite")
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _el(
    tag: str,
    attrs: Mapping[str, object] | None = None,
    text: str | None = None,
    children: Iterable[str] = (),
) -> str:
    """One element; attribute values and ``text`` are escaped, ``children`` are markup."""
    parts = [f"<{tag}"]
    for name, value in (attrs or {}).items():
        if name == "style" or name.lower().startswith("on"):
            raise ValueError(f"attribute {name} is not allowed")
        shown = _num(value) if isinstance(value, float) else str(value)
        parts.append(f' {name}="{_escape(shown)}"')
    inner = ("" if text is None else _escape(text)) + "".join(children)
    if not inner:
        return "".join(parts) + "/>"
    return "".join(parts) + f">{inner}</{tag}>"


def _document(
    chart_id: str, height: float, title: str, description: str, body: Iterable[str]
) -> str:
    if not _CHART_ID.match(chart_id):
        raise ValueError("a chart id is a letter followed by letters, digits, - or _")
    return _el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {_num(height)}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "class": "ranking-chart",
            "font-size": "12",
            "fill": INK,
        },
        children=[
            _el("title", {"id": f"{chart_id}-title"}, title),
            _el("desc", {"id": f"{chart_id}-desc"}, description),
            *body,
        ],
    )


def _hatch(pattern_id: str) -> str:
    """Vermillion diagonal stripes on white: a second series that survives greyscale."""
    return _el(
        "defs",
        children=[
            _el(
                "pattern",
                {
                    "id": pattern_id,
                    "patternUnits": "userSpaceOnUse",
                    "width": "6",
                    "height": "6",
                    "patternTransform": "rotate(45)",
                },
                children=[
                    _el("rect", {"width": "6", "height": "6", "fill": WHITE}),
                    _el("rect", {"width": "3", "height": "6", "fill": VERMILLION}),
                ],
            )
        ],
    )


def _diamond(x: float, y: float, r: float, attrs: Mapping[str, object]) -> str:
    corners = ((x, y - r), (x + r, y), (x, y + r), (x - r, y))
    points = " ".join(f"{_num(a)},{_num(b)}" for a, b in corners)
    return _el("polygon", {"points": points, **attrs})


def _named(extra: Mapping[str, object]) -> dict[str, object]:
    """Keyword arguments as attributes: ``text_anchor`` -> ``text-anchor``, ``class_``
    -> ``class``."""
    return {k.rstrip("_").replace("_", "-"): v for k, v in extra.items()}


def _text(x: float, y: float, content: str, **extra: object) -> str:
    return _el("text", {"x": x, "y": y, **_named(extra)}, content)


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, **extra: object) -> str:
    return _el("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": stroke, **_named(extra)})


#: A swatch drawn with its left edge at x, centred on y, 22 units wide.
Swatch: TypeAlias = Callable[[float, float], list[str]]


def _text_width(text: str, size: float = 12.0) -> float:
    """A deliberately generous estimate of the drawn width: wide (CJK) characters take
    a full em, marks none, everything else 0.6 em."""
    width = 0.0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += size if unicodedata.east_asian_width(char) in "WF" else 0.6 * size
    return width


def _legend(items: Sequence[tuple[Swatch, str]], left: float = 10.0) -> tuple[list[str], float]:
    """The legend in rows along the top, wrapping where a row is full; returns the
    markup and the height it takes."""
    out: list[str] = []
    x, y = left, 16.0
    for swatch, label in items:
        needed = 28 + _text_width(label)
        if x > left and x + needed > WIDTH - 10:
            x, y = left, y + 20
        out += swatch(x, y)
        out.append(_text(x + 28, y + 4, label))
        x += needed + 20
    return out, y + 16


def _empty(
    chart_id: str, title: str, description: str, header: tuple[str, ...], tr: Translate
) -> Chart:
    message = tr(_("No data yet."))
    body = [
        _el(
            "rect",
            {
                "x": "0.5",
                "y": "0.5",
                "width": WIDTH - 1,
                "height": "99",
                "fill": WHITE,
                "stroke": GRID,
            },
        ),
        _text(WIDTH / 2, 55.0, message, text_anchor="middle", fill=MUTED, font_size="14"),
    ]
    svg = _document(chart_id, 100, title, description, body)
    return Chart(svg=svg, title=title, description=description, table=(header,))


# --- Numbers and text ------------------------------------------------------------------


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _fmt(value: float | None, signed: bool = False) -> str:
    value = _finite(value)
    if value is None:
        return _MISSING
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    return text.replace("-0.0", "0.0").replace("+0.0", "0.0")


def _interval(low: float | None, high: float | None) -> str:
    if _finite(low) is None or _finite(high) is None:
        return _MISSING
    return f"{_fmt(low)}{_DASH}{_fmt(high)}"


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", _clean(text)).strip()


def _truncate(text: str, width: float) -> str:
    """One line that fits in ``width`` units at 12 px, cut with an ellipsis; a cut never
    separates a combining mark from its letter."""
    line = _one_line(text)
    if _text_width(line) <= width:
        return line
    cut, used = 0, _text_width("\u2026")
    while cut < len(line) and used + _text_width(line[cut]) <= width:
        used += _text_width(line[cut])
        cut += 1
    while 0 < cut < len(line) and unicodedata.combining(line[cut]):
        cut -= 1
    return line[:cut].rstrip() + "\u2026"


def _ids(labels: Sequence[str]) -> str:
    shown = ", ".join(labels[:_IDS_IN_DESCRIPTION])
    return shown + ", \u2026" if len(labels) > _IDS_IN_DESCRIPTION else shown


def _step(span: float, target: int) -> float:
    """A 1-2-2.5-5 step giving about ``target`` intervals over ``span``."""
    raw = span / max(target, 1)
    if not raw > 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0):
        if raw <= factor * magnitude * (1 + 1e-9):
            return factor * magnitude
    return 10.0 * magnitude


def _ticks(low: float, high: float, step: float) -> list[float]:
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def _tick_label(value: float, step: float) -> str:
    if float(step).is_integer():
        return str(round(value))
    return f"{value:g}"


def _yes_no(value: bool, tr: Translate) -> str:
    return tr(_("yes")) if value else tr(_("no"))


# --- Score distribution ----------------------------------------------------------------


@dataclass(frozen=True)
class _Histogram:
    width: int
    bands: tuple[str, ...]
    calibrated: tuple[int, ...]
    raw: tuple[int, ...]


def _count(values: Iterable[float], width: int) -> tuple[int, ...]:
    n_bins = 100 // width
    out = [0] * n_bins
    for v in values:
        out[min(n_bins - 1, max(0, math.floor(v / width)))] += 1
    return tuple(out)


def _score_description(
    n_posters: int, calibrated: Sequence[float], raw: Sequence[float], width: int, tr: Translate
) -> str:
    parts = [tr(_("Posters: ${count}.", mapping={"count": n_posters}))]
    for values, message in (
        (calibrated, _("Calibrated scores range from ${low} to ${high} (median ${median}).")),
        (raw, _("Raw means range from ${low} to ${high} (median ${median}).")),
    ):
        if values:
            mapping = {
                "low": _fmt(values[0]),
                "high": _fmt(values[-1]),
                "median": _fmt(statistics.median(values)),
            }
            parts.append(tr(_(message, mapping=mapping)))
    band = _("Each bar counts the posters in a ${width}-point band.", mapping={"width": width})
    parts.append(tr(band))
    if any(v < 0 or v > 100 for v in (*calibrated, *raw)):
        parts.append(tr(_("Scores below 0 or above 100 are counted in the first or last band.")))
    return " ".join(parts)


def _histogram_body(data: _Histogram, chart_id: str, tr: Translate) -> tuple[list[str], float]:
    hatch = f"{chart_id}-hatch"
    calibrated_name, raw_name = tr(_("Calibrated score")), tr(_("Raw mean"))

    def solid(x: float, y: float) -> list[str]:
        return [_el("rect", {"x": x, "y": y - 7, "width": "22", "height": "14", "fill": BLUE})]

    def hatched(x: float, y: float) -> list[str]:
        attrs = {"x": x, "y": y - 7, "width": "22", "height": "14", "stroke": VERMILLION}
        return [_el("rect", {**attrs, "fill": f"url(#{hatch})"})]

    legend, top = _legend([(solid, calibrated_name), (hatched, raw_name)])
    left, right, plot_h = 48.0, 16.0, 220.0
    top += 8
    plot_w = WIDTH - left - right
    bottom = top + plot_h
    slot = plot_w / len(data.bands)
    peak = max(*data.calibrated, *data.raw, 1)
    y_step = max(1.0, float(math.ceil(_step(peak, 5))))
    y_max = math.ceil(peak / y_step) * y_step

    def y(count: float) -> float:
        return bottom - plot_h * count / y_max

    body = [_hatch(hatch), *legend]
    for tick in _ticks(0, y_max, y_step):
        body.append(_line(left, y(tick), WIDTH - right, y(tick), GRID))
        label = _tick_label(tick, y_step)
        body.append(_text(left - 6, y(tick) + 4, label, text_anchor="end", fill=MUTED))
    for i in range(0, len(data.bands) + 1, max(1, 10 // data.width)):
        x = left + i * slot
        body.append(_line(x, bottom, x, bottom + 4, MUTED))
        body.append(_text(x, bottom + 17, str(i * data.width), text_anchor="middle", fill=MUTED))
    bar_w = slot / 2 - 1.5
    for i, band in enumerate(data.bands):
        x0 = left + i * slot + 1
        series = (
            (0.0, data.calibrated[i], calibrated_name, "bar calibrated", BLUE, BLUE),
            (bar_w + 1, data.raw[i], raw_name, "bar raw", f"url(#{hatch})", VERMILLION),
        )
        for offset, count, name, cls, fill, stroke in series:
            if count:
                attrs = {
                    "class": cls,
                    "x": x0 + offset,
                    "y": y(count),
                    "width": bar_w,
                    "height": bottom - y(count),
                    "fill": fill,
                    "stroke": stroke,
                }
                tip = _el("title", text=f"{name}, {band}: {count}")
                body.append(_el("rect", attrs, children=[tip]))
    body.append(_line(left, bottom, WIDTH - right, bottom, INK))
    height = bottom + 48.0
    axis = tr(_("Score (0-100)"))
    body.append(_text(left + plot_w / 2, height - 8, axis, text_anchor="middle"))
    middle = top + plot_h / 2
    rotate = f"rotate(-90 14 {_num(middle)})"
    body.append(_text(14, middle, tr(_("Posters")), text_anchor="middle", transform=rotate))
    return body, height


def score_distribution_chart(
    posters: Iterable[PosterResult],
    *,
    bin_width: int = 5,
    translate: Translate = render,
    chart_id: str = "chart-scores",
) -> Chart:
    """A histogram of the posters' calibrated scores beside their raw means, on 0-100.

    Bins are ``bin_width`` points wide (it must divide 100) and closed on the left; 100
    falls in the last bin, and scores outside 0-100 are counted in the end bins (the
    description says so). Non-finite scores are left out. Raises ``ValueError`` for a
    bin width that does not divide 100 or a bad ``chart_id``.
    """
    if not 1 <= bin_width <= 100 or 100 % bin_width:
        raise ValueError("the bin width must divide 100")
    tr = translate
    title = tr(_("Distribution of poster scores"))
    header = (
        tr(_("Score range")),
        tr(_("Posters by calibrated score")),
        tr(_("Posters by raw mean")),
    )
    rows = list(posters)
    calibrated = sorted(v for p in rows if (v := _finite(p.calibrated)) is not None)
    raw = sorted(v for p in rows if (v := _finite(p.raw_mean)) is not None)
    if not calibrated and not raw:
        return _empty(chart_id, title, tr(_("No poster has been scored yet.")), header, tr)
    data = _Histogram(
        width=bin_width,
        bands=tuple(f"{i}{_DASH}{i + bin_width}" for i in range(0, 100, bin_width)),
        calibrated=_count(calibrated, bin_width),
        raw=_count(raw, bin_width),
    )
    description = _score_description(len(rows), calibrated, raw, bin_width, tr)
    body, height = _histogram_body(data, chart_id, tr)
    table = (header, *zip(data.bands, map(str, data.calibrated), map(str, data.raw), strict=True))
    svg = _document(chart_id, height, title, description, body)
    return Chart(svg=svg, title=title, description=description, table=table)


# --- Reviewer leniency -----------------------------------------------------------------


@dataclass(frozen=True)
class _Dot:
    name: str
    n_reviews: int
    leniency: float | None
    bounds: tuple[float, float] | None
    outlier: bool


def _bounds(low: float | None, high: float | None) -> tuple[float, float] | None:
    low, high = _finite(low), _finite(high)
    return None if low is None or high is None else (min(low, high), max(low, high))


def _leniency_description(dots: Sequence[_Dot], tr: Translate) -> str:
    drawn = [d for d in dots if d.leniency is not None]
    flagged = [d.name for d in dots if d.outlier]
    parts = [tr(_("Reviewers: ${count}.", mapping={"count": len(dots)}))]
    if drawn:
        mapping = {
            "low": _fmt(drawn[0].leniency, signed=True),
            "high": _fmt(drawn[-1].leniency, signed=True),
        }
        message = _(
            "Leniency ranges from ${low} (strictest) to ${high} points (most lenient); "
            "the chart lists reviewers from strictest to most lenient.",
            mapping=mapping,
        )
        parts.append(tr(message))
    if flagged:
        message = _(
            "Reviewers who disagree strongly with the others, drawn as diamonds: ${names}.",
            mapping={"names": _ids(flagged)},
        )
        parts.append(tr(message))
    else:
        parts.append(tr(_("No reviewer disagrees strongly with the others.")))
    return " ".join(parts)


def _leniency_row(
    dot: _Dot,
    leniency: float,
    *,
    cy: float,
    row_h: float,
    left: float,
    x: Callable[[float], float],
    labelled: bool,
) -> str:
    children: list[str] = []
    if labelled:
        label = _truncate(dot.name, left - 16)
        children.append(_text(left - 8, cy + 4, label, text_anchor="end"))
    colour = VERMILLION if dot.outlier else BLUE
    tip = f"{dot.name}: {_fmt(leniency, signed=True)}"
    if dot.bounds is not None:
        low, high = dot.bounds
        tip += f" ({_fmt(low, signed=True)} {_DASH} {_fmt(high, signed=True)})"
        children.append(_line(x(low), cy, x(high), cy, colour, stroke_width="2", class_="interval"))
    attrs: dict[str, object] = {
        "class": "dot outlier" if dot.outlier else "dot",
        "fill": colour,
        "stroke": WHITE,
    }
    if dot.outlier:
        children.append(_diamond(x(leniency), cy, min(6.0, row_h / 2), attrs))
    else:
        radius = min(4.5, row_h / 2 - 0.5)
        children.append(_el("circle", {"cx": x(leniency), "cy": cy, "r": radius, **attrs}))
    return _el("g", {"class": "row"}, children=[_el("title", text=tip), *children])


def _leniency_body(dots: Sequence[_Dot], tr: Translate) -> tuple[list[str], float]:
    def circle(x: float, y: float) -> list[str]:
        return [_el("circle", {"cx": x + 11, "cy": y, "r": "4.5", "fill": BLUE})]

    def diamond(x: float, y: float) -> list[str]:
        return [_diamond(x + 11, y, 6, {"fill": VERMILLION})]

    flag_name = tr(_("Disagrees strongly with the others"))
    legend, top = _legend([(circle, tr(_("Reviewer"))), (diamond, flag_name)])
    top += 8
    drawn = [(d, value) for d in dots if (value := d.leniency) is not None]
    labelled = len(drawn) <= LABELLED_ROWS
    row_h = 18.0 if labelled else 8.0
    left = 170.0 if labelled else 24.0
    plot_w = WIDTH - left - 24.0
    bottom = top + row_h * max(len(drawn), 1)
    reach = 1.0
    for dot, value in drawn:
        reach = max(reach, abs(value), *(abs(v) for v in dot.bounds or ()))
    x_step = _step(2 * reach, 6)
    x_max = math.ceil(reach / x_step - 1e-9) * x_step

    def x(value: float) -> float:
        return left + plot_w * (value + x_max) / (2 * x_max)

    body = list(legend)
    for tick in _ticks(-x_max, x_max, x_step):
        label = _tick_label(tick, x_step)
        if tick == 0:
            body.append(_line(x(0), top, x(0), bottom, INK, stroke_width="1.5", class_="zero"))
        else:
            body.append(_line(x(tick), top, x(tick), bottom, GRID))
            label = label if tick < 0 else "+" + label
        body.append(_text(x(tick), bottom + 16, label, text_anchor="middle", fill=MUTED))
    for i, (dot, value) in enumerate(drawn):
        cy = top + row_h * (i + 0.5)
        body.append(
            _leniency_row(dot, value, cy=cy, row_h=row_h, left=left, x=x, labelled=labelled)
        )
    height = bottom + 44.0
    axis = tr(_("Leniency: points above (+) or below (-) the other reviewers"))
    body.append(_text(left + plot_w / 2, height - 8, axis, text_anchor="middle"))
    return body, height


def leniency_chart(
    reviewers: Iterable[ReviewerResult],
    *,
    names: Mapping[Any, str] | None = None,
    intervals: Mapping[Any, tuple[float | None, float | None]] | None = None,
    translate: Translate = render,
    chart_id: str = "chart-leniency",
) -> Chart:
    """Each reviewer's leniency as a dot, strictest first, around a zero line.

    Reviewers flagged as outliers are drawn as vermillion diamonds, the others as blue
    circles. ``names`` labels reviewers by id (default "Reviewer <id>"); ``intervals``
    may give a (low, high) interval of leniency per reviewer id, drawn as a line (a
    missing or non-finite end: none). Up to :data:`LABELLED_ROWS` reviewers each row is
    labelled; beyond, rows are packed and the table names them. A reviewer whose
    leniency is not finite is listed in the table but not drawn. Raises ``ValueError``
    for a bad ``chart_id``.
    """
    tr = translate
    title = tr(_("Reviewer leniency"))
    header = (
        tr(_("Reviewer")),
        tr(_("Reviews")),
        tr(_("Leniency")),
        *((tr(_("Interval")),) if intervals is not None else ()),
        tr(_("Disagrees strongly with the others")),
    )

    def order(r: ReviewerResult) -> tuple[bool, float, tuple[int, int, str]]:
        value = _finite(r.leniency)
        return (value is None, value or 0.0, id_sort_key(r.reviewer))

    def dot(r: ReviewerResult) -> _Dot:
        given = _one_line((names or {}).get(r.reviewer) or "")
        return _Dot(
            name=given or tr(_("Reviewer ${id}", mapping={"id": r.reviewer})),
            n_reviews=r.n_reviews,
            leniency=_finite(r.leniency),
            bounds=_bounds(*(intervals or {}).get(r.reviewer, (None, None))),
            outlier=r.outlier,
        )

    dots = [dot(r) for r in sorted(reviewers, key=order)]
    if not dots:
        return _empty(chart_id, title, tr(_("No reviewer has scored a poster yet.")), header, tr)

    def table_row(d: _Dot) -> tuple[str, ...]:
        interval = () if intervals is None else (_interval(*(d.bounds or (None, None))),)
        leniency = _fmt(d.leniency, signed=True)
        return (d.name, str(d.n_reviews), leniency, *interval, _yes_no(d.outlier, tr))

    description = _leniency_description(dots, tr)
    body, height = _leniency_body(dots, tr)
    table = (header, *(table_row(d) for d in dots))
    svg = _document(chart_id, height, title, description, body)
    return Chart(svg=svg, title=title, description=description, table=table)


# --- Around the cut-off ----------------------------------------------------------------


def _by_rank(posters: Iterable[PosterResult]) -> list[PosterResult]:
    return sorted(posters, key=lambda p: (p.rank, id_sort_key(p.poster)))


def cutoff_score(posters: Iterable[PosterResult], top_n: int) -> float | None:
    """Midway between the ``top_n``-th and the next poster's score, where
    :func:`~poster_review.ranking.scoring.rank` places the cut-off; ``None`` when every
    poster is within the top ``top_n`` or a score is not finite."""
    ordered = _by_rank(posters)
    if top_n < 1 or top_n >= len(ordered):
        return None
    return _finite((ordered[top_n - 1].score + ordered[top_n].score) / 2)


def crosses(poster: PosterResult, cutoff: float | None) -> bool:
    """Whether the poster's interval holds the cut-off score: the data cannot tell
    whether it belongs above or below it. False without a cut-off or an interval."""
    bounds = _bounds(poster.ci_low, poster.ci_high)
    return cutoff is not None and bounds is not None and bounds[0] <= cutoff <= bounds[1]


@dataclass(frozen=True)
class _Row:
    rank: int
    number: str
    title: str
    score: float | None
    bounds: tuple[float, float] | None
    in_top: bool
    crosses: bool


def _cutoff_description(
    rows: Sequence[_Row], cutoff: float | None, top_n: int, n_ranked: int, tr: Translate
) -> str:
    first, last = rows[0].rank, rows[-1].rank
    if first == last:
        parts = [tr(_("Posters ranked ${rank}.", mapping={"rank": first}))]
    else:
        span = {"first": first, "last": last}
        parts = [tr(_("Posters ranked ${first} to ${last}.", mapping=span))]
    marked = [r.number for r in rows if r.crosses]
    if cutoff is None:
        message = _(
            "All ${count} ranked posters are within the top ${n}: there is no cut-off.",
            mapping={"count": n_ranked, "n": top_n},
        )
    else:
        mapping = {"n": top_n, "score": _fmt(cutoff)}
        parts.append(
            tr(_("The cut-off after the top ${n} lies at score ${score}.", mapping=mapping))
        )
        if not any(r.bounds for r in rows):
            message = _(
                "There are no intervals, so the chart cannot show which posters the data "
                "cannot place on either side of the cut-off."
            )
        elif marked:
            message = _(
                "The interval of these posters crosses the cut-off, so the data cannot tell "
                "whether they belong above or below it: ${posters}.",
                mapping={"posters": _ids(marked)},
            )
        else:
            message = _(
                "No interval crosses the cut-off: every poster shown lies clearly above or "
                "below it."
            )
    parts.append(tr(message))
    return " ".join(parts)


def _cutoff_legend(hatch: str, cutoff: float | None, tr: Translate) -> tuple[list[str], float]:
    def plain(x: float, y: float) -> list[str]:
        return [
            _el("rect", {"x": x, "y": y - 4, "width": "22", "height": "8", "fill": BLUE}),
            _el("circle", {"cx": x + 11, "cy": y, "r": "4", "fill": INK, "stroke": WHITE}),
        ]

    def hatched(x: float, y: float) -> list[str]:
        bar = {"x": x, "y": y - 4, "width": "22", "height": "8", "stroke": VERMILLION}
        return [
            _el("rect", {**bar, "fill": f"url(#{hatch})"}),
            _diamond(x + 11, y, 6, {"fill": INK, "stroke": WHITE}),
        ]

    def dashed(x: float, y: float) -> list[str]:
        return [_line(x + 11, y - 8, x + 11, y + 8, INK, stroke_width="2", stroke_dasharray="4 2")]

    items: list[tuple[Swatch, str]] = [
        (plain, tr(_("Score and interval"))),
        (hatched, "\u2248 " + tr(_("Indistinguishable from the cut-off: the interval crosses it"))),
    ]
    if cutoff is not None:
        items.append((dashed, tr(_("Cut-off: ${score}", mapping={"score": _fmt(cutoff)}))))
    return _legend(items)


def _cutoff_row(row: _Row, cy: float, hatch: str, x: Callable[[float], float]) -> str:
    tip = f"{row.number} {row.title}".strip()
    tip += f": {_fmt(row.score)} ({_interval(*(row.bounds or (None, None)))})"
    children = [
        _el("title", text=tip),
        _text(48.0, cy + 4, row.number, text_anchor="end", font_weight="bold"),
        _text(56.0, cy + 4, _truncate(row.title, _LABEL_WIDTH - 60)),
    ]
    if row.bounds is not None:
        low, high = row.bounds
        bar = {
            "class": "interval",
            "x": x(low),
            "y": cy - 4,
            "width": max(x(high) - x(low), 1.0),
            "height": "8",
            "fill": f"url(#{hatch})" if row.crosses else BLUE,
            "stroke": VERMILLION if row.crosses else BLUE,
        }
        children.append(_el("rect", bar))
    if row.score is not None:
        point: dict[str, object] = {"class": "point", "fill": INK, "stroke": WHITE}
        if row.crosses:
            children.append(_diamond(x(row.score), cy, 6, point))
        else:
            children.append(_el("circle", {"cx": x(row.score), "cy": cy, "r": "4", **point}))
    if row.crosses:
        mark = {"text_anchor": "middle", "fill": VERMILLION, "font_size": "16"}
        children.append(_text(WIDTH - _CUTOFF_RIGHT / 2, cy + 5, "\u2248", **mark))
    return _el("g", {"class": "row crosses" if row.crosses else "row"}, children=children)


def _cutoff_body(
    rows: Sequence[_Row], cutoff: float | None, chart_id: str, tr: Translate
) -> tuple[list[str], float]:
    hatch = f"{chart_id}-hatch"
    legend, top = _cutoff_legend(hatch, cutoff, tr)
    top += 10
    row_h = 22.0
    plot_left = _LABEL_WIDTH + 10
    plot_w = WIDTH - plot_left - _CUTOFF_RIGHT
    bottom = top + row_h * len(rows)
    values = [cutoff] if cutoff is not None else []
    for row in rows:
        values += [v for v in (row.score, *(row.bounds or ())) if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 100.0)
    if high - low < 2:
        low, high = low - 1, high + 1
    x_step = _step(high - low, 5)
    x_low = math.floor(low / x_step + 1e-9) * x_step
    x_high = math.ceil(high / x_step - 1e-9) * x_step

    def x(value: float) -> float:
        return plot_left + plot_w * (value - x_low) / (x_high - x_low)

    body = [_hatch(hatch), *legend]
    for i in range(1, len(rows), 2):
        stripe = {"x": "0", "y": top + row_h * i, "width": WIDTH, "height": row_h}
        body.append(_el("rect", {**stripe, "fill": STRIPE}))
    for tick in _ticks(x_low, x_high, x_step):
        body.append(_line(x(tick), top, x(tick), bottom, GRID))
        label = _tick_label(tick, x_step)
        body.append(_text(x(tick), bottom + 16, label, text_anchor="middle", fill=MUTED))
    body += [_cutoff_row(row, top + row_h * (i + 0.5), hatch, x) for i, row in enumerate(rows)]
    if cutoff is not None:
        dash = {"stroke_width": "2", "stroke_dasharray": "6 3", "class_": "cutoff"}
        body.append(_line(x(cutoff), top - 6, x(cutoff), bottom, INK, **dash))
    above = sum(1 for row in rows if row.in_top)
    if 0 < above < len(rows):
        # The rows above this line are in the top N by rank, whatever their interval.
        y_split = top + row_h * above
        body.append(_line(0, y_split, WIDTH, y_split, INK, stroke_width="1.5", class_="top-n"))
    height = bottom + 44.0
    body.append(_text(plot_left + plot_w / 2, height - 8, tr(_("Score")), text_anchor="middle"))
    return body, height


def cutoff_chart(
    posters: Iterable[PosterResult],
    *,
    top_n: int,
    around: int = AROUND_CUTOFF,
    numbers: Mapping[Any, int | str] | None = None,
    titles: Mapping[Any, str] | None = None,
    shown: Collection[Id] | None = None,
    translate: Translate = render,
    chart_id: str = "chart-cutoff",
) -> Chart:
    """Up to ``around`` posters either side of the top-``top_n`` cut-off, each with its
    score and bootstrap interval as a horizontal bar, and the cut-off as a dashed line.

    ``posters`` is the whole ranking: the cut-off score (:func:`cutoff_score`) and which
    posters are in the top ``top_n`` come from all of it; ``shown`` keeps only those
    poster ids as rows (a track filter). A poster whose interval holds the cut-off score
    (:func:`crosses`) is marked as indistinguishable from it: a hatched bar, a diamond
    and "≈" instead of a solid bar and a circle. Rows are labelled by ``numbers``
    (default the poster id) and ``titles`` (shortened to fit; the table has them whole).
    Raises ``ValueError`` when ``top_n`` or ``around`` is below 1, or for a bad
    ``chart_id``.
    """
    if top_n < 1 or around < 1:
        raise ValueError("top_n and around must be at least 1")
    tr = translate
    title = tr(_("Posters around the top ${n} cut-off", mapping={"n": top_n}))
    header = (
        tr(_("Rank")),
        tr(_("Poster")),
        tr(_("Title")),
        tr(_("Score")),
        tr(_("Interval")),
        tr(_("In the top ${n}", mapping={"n": top_n})),
        tr(_("Indistinguishable from the cut-off")),
    )
    ordered = _by_rank(posters)
    cutoff = cutoff_score(ordered, top_n)
    in_top = {p.poster for p in ordered[:top_n]}
    visible = [p for p in ordered if shown is None or p.poster in shown]
    if not visible:
        return _empty(chart_id, title, tr(_("No poster has been ranked yet.")), header, tr)
    split = sum(1 for p in visible if p.poster in in_top)

    def row(p: PosterResult) -> _Row:
        number = (numbers or {}).get(p.poster)
        return _Row(
            rank=p.rank,
            number="#" + _one_line(str(p.poster if number is None else number)),
            title=_one_line((titles or {}).get(p.poster) or ""),
            score=_finite(p.score),
            bounds=_bounds(p.ci_low, p.ci_high),
            in_top=p.poster in in_top,
            crosses=crosses(p, cutoff),
        )

    rows = [row(p) for p in visible[max(0, split - around) : split + around]]

    def table_row(r: _Row) -> tuple[str, ...]:
        crossing = _MISSING if cutoff is None or r.bounds is None else _yes_no(r.crosses, tr)
        interval = _interval(*(r.bounds or (None, None)))
        in_top_n = _yes_no(r.in_top, tr)
        return (str(r.rank), r.number, r.title, _fmt(r.score), interval, in_top_n, crossing)

    description = _cutoff_description(rows, cutoff, top_n, len(ordered), tr)
    body, height = _cutoff_body(rows, cutoff, chart_id, tr)
    table = (header, *(table_row(r) for r in rows))
    svg = _document(chart_id, height, title, description, body)
    return Chart(svg=svg, title=title, description=description, table=table)


# --- All three -------------------------------------------------------------------------


def ranking_charts(
    ranking: Ranking,
    *,
    top_n: int | None = None,
    numbers: Mapping[Any, int | str] | None = None,
    titles: Mapping[Any, str] | None = None,
    reviewer_names: Mapping[Any, str] | None = None,
    translate: Translate = render,
) -> list[Chart]:
    """The score distribution, the reviewer leniency and the cut-off charts.

    ``top_n`` defaults to the ranking's own cut-off. When ``numbers`` is given, only
    the posters it names are drawn (the posters the page lists, e.g. one track); ranks
    and the cut-off score still come from the whole ranking.
    """
    shown = None if numbers is None else frozenset(numbers)
    posters = [p for p in ranking.posters if shown is None or p.poster in shown]
    return [
        score_distribution_chart(posters, translate=translate),
        leniency_chart(ranking.reviewers, names=reviewer_names, translate=translate),
        cutoff_chart(
            ranking.posters,
            top_n=top_n if top_n is not None else ranking.parameters.top_n,
            numbers=numbers,
            titles=titles,
            shown=shown,
            translate=translate,
        ),
    ]


__all__ = [
    "Chart",
    "Table",
    "Translate",
    "crosses",
    "cutoff_chart",
    "cutoff_score",
    "leniency_chart",
    "ranking_charts",
    "score_distribution_chart",
]
