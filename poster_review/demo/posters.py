"""Poster PDFs for the demo congress, drawn with reportlab (pure: no web, no database).

:func:`render_poster` lays out one :class:`~poster_review.demo.content.DemoPoster` as a
single-page A0 portrait poster: a coloured title band with authors and affiliations,
three columns (introduction, methods, results with two vector charts, conclusions),
a QR-like placeholder and a footer. The output is deterministic (reportlab's invariant
mode, creation date taken from the poster), so the same poster gives the same bytes.

Fonts. reportlab's standard fonts cover only Windows-1252, so text is set in DejaVu
Sans when it can be found (matplotlib's bundled copy, then the usual system folders);
it covers accented Latin, Cyrillic including Kazakh letters, and Arabic presentation
forms. Each string is checked glyph by glyph against the chosen font, and whatever it
cannot show falls back to a Latin form: an author's transliteration, a transliteration
of Cyrillic, or Latin letters stripped of diacritics. Nothing is ever printed with
missing glyphs.

Arabic names are shaped here (contextual forms and lam-alef ligatures, then put in
visual order), since reportlab does not shape; text with vowel marks or other
characters the small shaper does not know falls back to the transliteration.

Chinese names are printed in Chinese only on posters marked
:attr:`~poster_review.demo.content.PdfQuirk.CJK_FONT_NOT_EMBEDDED` (posters 16 and 27
of the demo), in reportlab's CID font STSong-Light, which is referenced but never
embedded, as an author's office software sometimes does; elsewhere they appear in
pinyin, as is usual on international posters. Korean and Japanese names always appear
in Latin script.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from poster_review.demo.content import DemoAuthor, DemoPoster, Institution, PdfQuirk

CREATOR = "poster_review demo"
CJK_FONT = "STSong-Light"
MM = 72 / 25.4  # points per millimetre

#: Portrait sizes in millimetres, width × height.
PAGE_SIZES_MM: dict[str, tuple[float, float]] = {
    "A0": (841.0, 1189.0),
    "A1": (594.0, 841.0),
    "A2": (420.0, 594.0),
}

_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
_SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),  # Arch
    Path("/usr/local/share/fonts/dejavu"),  # FreeBSD
    Path("/Library/Fonts"),
)

_TRACK_COLOURS: dict[str, tuple[str, str]] = {  # (band, accent)
    "digital-preservation": ("#1f4e79", "#f2a900"),
    "inclusion-accessibility": ("#6a1b9a", "#ffd54f"),
    "ai-literacy": ("#00695c", "#ffab40"),
    "open-science": ("#b23a12", "#ffe082"),
    "indigenous-knowledge": ("#4e342e", "#ffcc80"),
    "library-spaces": ("#283593", "#80deea"),
}

_LICENCE_LABELS = {
    "CC-BY-4.0": "CC BY 4.0",
    "CC-BY-SA-4.0": "CC BY-SA 4.0",
    "CC-BY-NC-4.0": "CC BY-NC 4.0",
    "CC-BY-NC-ND-4.0": "CC BY-NC-ND 4.0",
    "CC0-1.0": "CC0 1.0",
}


@dataclass(frozen=True)
class _Words:
    """Everything printed on a poster that is not the author's own text."""

    headings: tuple[str, str, str, str]  # introduction, methods, results, conclusions
    acknowledgements: str
    contact: str
    filler: tuple[str, str, str, str]  # one paragraph per section
    thanks: str
    figures: tuple[str, str]
    scan: str
    poster: str
    keywords: str


_WORDS: dict[str, _Words] = {
    "en": _Words(
        ("Introduction", "Methods", "Results", "Conclusions"),
        "Acknowledgements",
        "Contact",
        (
            "The questions addressed here arose from everyday practice rather than from a "
            "funded research programme, and we designed the study so that other libraries can "
            "repeat it with modest resources. Throughout, we report what did not work as "
            "openly as what did.",
            "Participants gave informed consent, and personal data were stored according to "
            "the institution's data protection policy. Quantitative data were summarised with "
            "descriptive statistics; interview notes were coded thematically by two "
            "researchers, who discussed disagreements until they reached consensus.",
            "Figure 1 summarises the main distribution and Figure 2 shows how it developed "
            "over the observation period. Differences between groups should be read with "
            "caution, given the size of the samples.",
            "The approach is transferable, but it depends on staff time that is rarely visible "
            "in budgets. We welcome contact from colleagues working on similar questions; all "
            "materials are available on request.",
        ),
        "We thank everyone who gave their time to this work, and the colleagues who commented "
        "on earlier drafts of this poster.",
        (
            "Figure 1. Distribution across the five main categories.",
            "Figure 2. Monthly development over the observation period (two series).",
        ),
        "Scan for the full text, data and materials.",
        "Poster",
        "Keywords",
    ),
    "fr": _Words(
        ("Introduction", "Méthodes", "Résultats", "Conclusions"),
        "Remerciements",
        "Contact",
        (
            "Les questions abordées ici sont nées de la pratique quotidienne plutôt que d'un "
            "programme de recherche financé, et l'étude a été conçue pour que d'autres "
            "bibliothèques puissent la reproduire avec des moyens modestes. Nous rendons compte "
            "de ce qui n'a pas fonctionné aussi ouvertement que de ce qui a réussi.",
            "Les participants ont donné leur consentement éclairé, et les données personnelles "
            "ont été conservées conformément à la politique de protection des données de "
            "l'établissement. Les données quantitatives ont été résumées par des statistiques "
            "descriptives ; les notes d'entretien ont été codées par thèmes par deux "
            "chercheurs, qui ont discuté leurs désaccords jusqu'à obtenir un consensus.",
            "La figure 1 résume la répartition principale et la figure 2 montre son évolution "
            "au cours de la période d'observation. Les différences entre groupes doivent être "
            "interprétées avec prudence, compte tenu de la taille des échantillons.",
            "La démarche est transposable, mais elle repose sur un temps de travail rarement "
            "visible dans les budgets. Nous serons heureux d'échanger avec les collègues qui "
            "travaillent sur des questions proches ; tous les documents sont disponibles sur "
            "demande.",
        ),
        "Nous remercions toutes les personnes qui ont consacré du temps à ce travail, ainsi "
        "que les collègues qui ont relu les versions précédentes de ce poster.",
        (
            "Figure 1. Répartition entre les cinq principales catégories.",
            "Figure 2. Évolution mensuelle au cours de la période d'observation (deux séries).",
        ),
        "Scannez pour accéder au texte intégral, aux données et aux documents.",
        "Poster",
        "Mots-clés",
    ),
    "es": _Words(
        ("Introducción", "Métodos", "Resultados", "Conclusiones"),
        "Agradecimientos",
        "Contacto",
        (
            "Las preguntas que abordamos surgieron de la práctica cotidiana y no de un programa "
            "de investigación financiado, y diseñamos el estudio para que otras bibliotecas "
            "puedan repetirlo con recursos modestos. Informamos de lo que no funcionó con la "
            "misma franqueza que de lo que sí funcionó.",
            "Las personas participantes dieron su consentimiento informado, y los datos "
            "personales se almacenaron conforme a la política de protección de datos de la "
            "institución. Los datos cuantitativos se resumieron con estadística descriptiva; "
            "las notas de las entrevistas fueron codificadas temáticamente por dos "
            "investigadores, que discutieron los desacuerdos hasta alcanzar un consenso.",
            "La figura 1 resume la distribución principal y la figura 2 muestra su evolución "
            "durante el periodo de observación. Las diferencias entre grupos deben "
            "interpretarse con cautela, dado el tamaño de las muestras.",
            "El enfoque es transferible, pero depende de un tiempo de trabajo que rara vez "
            "aparece en los presupuestos. Agradecemos el contacto de colegas que trabajen en "
            "preguntas similares; todos los materiales están disponibles a petición.",
        ),
        "Agradecemos a todas las personas que dedicaron su tiempo a este trabajo y a los "
        "colegas que comentaron versiones anteriores de este póster.",
        (
            "Figura 1. Distribución entre las cinco categorías principales.",
            "Figura 2. Evolución mensual durante el periodo de observación (dos series).",
        ),
        "Escanee para acceder al texto completo, los datos y los materiales.",
        "Póster",
        "Palabras clave",
    ),
    "ru": _Words(
        ("Введение", "Методы", "Результаты", "Выводы"),
        "Благодарности",
        "Контакты",
        (
            "Вопросы, рассматриваемые в работе, возникли из повседневной практики, а не из "
            "финансируемой исследовательской программы, и исследование построено так, чтобы "
            "другие библиотеки могли повторить его при скромных ресурсах. Мы сообщаем о том, "
            "что не сработало, так же открыто, как и об успехах.",
            "Участники дали информированное согласие, а персональные данные хранились в "
            "соответствии с политикой защиты данных учреждения. Количественные данные обобщены "
            "методами описательной статистики; записи интервью закодированы по темам двумя "
            "исследователями, которые обсуждали расхождения до достижения согласия.",
            "На рисунке 1 показано основное распределение, на рисунке 2 — его изменение за "
            "период наблюдения. Различия между группами следует интерпретировать с "
            "осторожностью, учитывая размер выборок.",
            "Подход можно перенести в другие библиотеки, но он требует рабочего времени "
            "сотрудников, которое редко отражается в бюджетах. Мы будем рады контактам с "
            "коллегами, работающими над похожими вопросами; все материалы доступны по запросу.",
        ),
        "Благодарим всех, кто уделил время этой работе, а также коллег, прокомментировавших "
        "предыдущие версии постера.",
        (
            "Рисунок 1. Распределение по пяти основным категориям.",
            "Рисунок 2. Помесячная динамика за период наблюдения (два ряда).",
        ),
        "Отсканируйте, чтобы получить полный текст, данные и материалы.",
        "Постер",
        "Ключевые слова",
    ),
}


# --- Fonts -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str
    covered: frozenset[int]  # code points the regular and bold fonts can both draw
    embedded: bool

    def covers(self, text: str) -> bool:
        return all(ord(ch) in self.covered for ch in text)


def find_unicode_fonts() -> tuple[Path, Path] | None:
    """Paths of DejaVu Sans regular and bold, or None when neither copy is found.

    matplotlib's bundled copy comes first (located without importing matplotlib), then
    the usual system folders.
    """
    folders: list[Path] = []
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin is not None:
        folders.append(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf")
    folders.extend(_SYSTEM_FONT_DIRS)
    for folder in folders:
        regular, bold = (folder / name for name in _FONT_FILES)
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


@functools.cache
def _winansi() -> frozenset[int]:
    covered = set()
    for code in range(0x20, 0x2200):
        try:
            chr(code).encode("cp1252")
        except UnicodeEncodeError:
            continue
        covered.add(code)
    return frozenset(covered)


@functools.cache
def _fonts(unicode_font: bool) -> _Fonts:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    # Registration is process-wide in reportlab; caching makes it happen once.
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    paths = find_unicode_fonts() if unicode_font else None
    if paths is None:
        return _Fonts("Helvetica", "Helvetica-Bold", _winansi(), embedded=False)
    regular, bold = TTFont("PosterSans", str(paths[0])), TTFont("PosterSans-Bold", str(paths[1]))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    pdfmetrics.registerFontFamily(
        "PosterSans",
        normal="PosterSans",
        bold="PosterSans-Bold",
        italic="PosterSans",
        boldItalic="PosterSans-Bold",
    )
    covered = frozenset(regular.face.charToGlyph) & frozenset(bold.face.charToGlyph)
    return _Fonts("PosterSans", "PosterSans-Bold", covered, embedded=True)


# --- Scripts -----------------------------------------------------------------------

_LAM = "\u0644"
_LAM_ALEF = {"\u0622": "\ufef5", "\u0623": "\ufef7", "\u0625": "\ufef9", "\u0627": "\ufefb"}


@functools.cache
def _arabic_forms(ch: str) -> dict[str, str]:
    """The presentation forms (ISOLATED, FINAL, INITIAL, MEDIAL) Unicode gives ``ch``."""
    name = unicodedata.name(ch, "")
    forms = {}
    for form in ("ISOLATED", "FINAL", "INITIAL", "MEDIAL"):
        try:
            glyph = unicodedata.lookup(f"{name} {form} FORM")
        except KeyError:
            continue
        if 0xFE70 <= ord(glyph) <= 0xFEFF:
            forms[form] = glyph
    return forms


def shape_arabic(text: str) -> str | None:
    """Arabic ``text`` as presentation forms in visual (left-to-right) order.

    Meant for short runs such as names: letters and spaces only. Returns None for
    anything else (vowel marks, digits, Latin), so the caller can fall back to a
    transliteration instead of printing broken text.
    """
    glyphs: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == " ":
            glyphs.append("\u00a0")  # a name must never wrap: its words would swap lines
            i += 1
            continue
        forms = _arabic_forms(ch)
        # Vowel marks have presentation forms too, but are not letters: refuse them.
        arabic_letter = "\u0600" <= ch <= "\u06ff" and unicodedata.category(ch) == "Lo"
        if not arabic_letter or "ISOLATED" not in forms:
            return None
        prev = _arabic_forms(text[i - 1]) if i > 0 else {}
        joins_previous = "INITIAL" in prev and "FINAL" in forms
        if ch == _LAM and i + 1 < len(text) and text[i + 1] in _LAM_ALEF:
            isolated = _LAM_ALEF[text[i + 1]]
            glyphs.append(chr(ord(isolated) + 1) if "INITIAL" in prev else isolated)
            i += 2
            continue
        following = _arabic_forms(text[i + 1]) if i + 1 < len(text) else {}
        joins_next = "INITIAL" in forms and "FINAL" in following
        if joins_previous and joins_next:
            form = "MEDIAL"
        elif joins_previous:
            form = "FINAL"
        elif joins_next:
            form = "INITIAL"
        else:
            form = "ISOLATED"
        glyphs.append(forms.get(form, forms["ISOLATED"]))
        i += 1
    return "".join(reversed(glyphs))


_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
        (
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "iu",
            "ia",
            "a",
            "g",
            "q",
            "n",
            "o",
            "u",
            "u",
            "h",
            "i",
        ),
        strict=True,
    )
)
_LATIN_EXTRA = {"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "ø": "o"}


def _script(text: str) -> str:
    for ch in text:
        code = ord(ch)
        if 0x0600 <= code <= 0x06FF:
            return "arabic"
        if 0x0400 <= code <= 0x04FF:
            return "cyrillic"
        if 0x3040 <= code <= 0x30FF or 0xAC00 <= code <= 0xD7AF:
            return "kana-hangul"
        if 0x4E00 <= code <= 0x9FFF:
            return "han"
    return "latin"


def _latin_fallback(ch: str) -> str:
    lower = ch.lower()
    if lower in _CYRILLIC:
        out = _CYRILLIC[lower]
        return out.capitalize() if ch != lower else out
    if ch in _LATIN_EXTRA:
        return _LATIN_EXTRA[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or "?"


def _printable(text: str, fonts: _Fonts) -> str:
    """``text`` if the fonts cover it, else a Latin approximation they do cover."""
    if fonts.covers(text):
        return text
    out = []
    for ch in text:
        if ord(ch) in fonts.covered:
            out.append(ch)
            continue
        fallback = _latin_fallback(ch)
        out.append(fallback if fonts.covers(fallback) else "?")
    return "".join(out)


def _name_markup(author: DemoAuthor, poster: DemoPoster, fonts: _Fonts) -> str:
    """The author's name as Paragraph markup, in their own script where it prints well."""
    latin = escape(_printable(author.name_latin, fonts))
    script = _script(author.name)
    if script == "latin":
        return escape(_printable(author.name, fonts))
    if script == "han" and PdfQuirk.CJK_FONT_NOT_EMBEDDED in poster.pdf_quirks:
        return f'{latin} (<font name="{CJK_FONT}">{escape(author.name)}</font>)'
    if script == "arabic":
        shaped = shape_arabic(author.name)
        if shaped is not None and fonts.covers(shaped):
            return f"{shaped} ({latin})"
    if script == "cyrillic" and fonts.covers(author.name):
        native = escape(author.name).replace(" ", "\u00a0")
        return native if poster.language == "ru" else f"{native} ({latin})"
    return latin


# --- Layout ------------------------------------------------------------------------


def page_size_mm(
    poster: DemoPoster, size: str = "A0", *, landscape: bool = False
) -> tuple[float, float]:
    """(width, height) in millimetres of the page :func:`render_poster` draws."""
    if PdfQuirk.LANDSCAPE_A1 in poster.pdf_quirks:
        size, landscape = "A1", True
    if size not in PAGE_SIZES_MM:
        raise ValueError(f"unknown paper size {size!r}; expected one of {sorted(PAGE_SIZES_MM)}")
    width, height = PAGE_SIZES_MM[size]
    return (height, width) if landscape else (width, height)


def _sentences(text: str) -> list[str]:
    pieces = re.split(r"(?<=[.!?])\s+", text.strip())
    merged: list[str] = []
    for piece in pieces:
        # "6 a.m. the library": a lower-case start continues the previous sentence.
        if merged and piece[:1].islower():
            merged[-1] += " " + piece
        else:
            merged.append(piece)
    return merged


def _sections(abstract: str) -> tuple[str, str, str, str]:
    sentences = _sentences(abstract)
    n = len(sentences)
    cuts = [0, max(1, round(n * 0.25)), max(2, round(n * 0.5)), max(3, round(n * 0.8)), n]
    parts = [" ".join(sentences[cuts[i] : cuts[i + 1]]) for i in range(4)]
    return parts[0], parts[1], parts[2], parts[3]


def _affiliations(authors: Sequence[DemoAuthor]) -> list[Institution]:
    seen: list[Institution] = []
    for author in authors:
        for institution in author.affiliations:
            if institution not in seen:
                seen.append(institution)
    return seen


@dataclass(frozen=True)
class _Geometry:
    width: float  # points
    height: float
    scale: float  # 1.0 for A0 portrait's short side

    @property
    def margin(self) -> float:
        return 24 * MM * self.scale


class _Styles:
    def __init__(self, fonts: _Fonts, scale: float, band: str) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        def style(name: str, size: float, **kw: Any) -> Any:
            kw.setdefault("fontName", fonts.regular)
            kw.setdefault("leading", size * scale * 1.3)
            return ParagraphStyle(name, fontSize=size * scale, **kw)

        white, grey = colors.white, colors.HexColor("#444444")
        self.title = style("title", 92, fontName=fonts.bold, textColor=white, leading=108 * scale)
        self.authors = style("authors", 42, textColor=white)
        self.affiliations = style("affiliations", 28, textColor=colors.HexColor("#e6e6e6"))
        self.badge = style("badge", 24, textColor=white)
        self.heading = style(
            "heading",
            60,
            fontName=fonts.bold,
            textColor=colors.HexColor(band),
            spaceBefore=44 * scale,
            spaceAfter=18 * scale,
        )
        self.body = style("body", 37, spaceAfter=22 * scale, textColor=colors.HexColor("#222222"))
        self.key = style(
            "key",
            42,
            fontName=fonts.bold,
            textColor=colors.HexColor(band),
            backColor=colors.HexColor("#f1f1f1"),
            borderPadding=(24 * scale, 24 * scale),
            spaceBefore=40 * scale,
            spaceAfter=64 * scale,
        )
        self.caption = style("caption", 28, textColor=grey, spaceAfter=34 * scale)
        self.small = style("small", 26, textColor=grey, spaceAfter=18 * scale)


@dataclass(frozen=True)
class _Page:
    """What every drawing step of one page needs."""

    poster: DemoPoster
    conference_name: str
    fonts: _Fonts
    styles: _Styles
    geometry: _Geometry
    colours: tuple[str, str]  # band, accent

    @property
    def words(self) -> _Words:
        return _WORDS.get(self.poster.language, _WORDS["en"])

    def text(self, text: str) -> str:
        """Plain ``text`` as Paragraph markup the page's fonts can draw."""
        return escape(_printable(_typeset(text, self.poster.language), self.fonts))


def _bar_chart(width: float, rng: random.Random, fonts: _Fonts, colour: str) -> Any:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    height = width * 0.58
    drawing = Drawing(width, height)
    drawing.initialFontName = fonts.regular  # else the renderer selects Helvetica
    chart = VerticalBarChart()
    chart.x, chart.y = width * 0.1, height * 0.14
    chart.width, chart.height = width * 0.86, height * 0.8
    first = [rng.randint(12, 95) for _ in range(5)]
    second = [max(5, v + rng.randint(-20, 25)) for v in first]
    chart.data = [first, second]
    chart.categoryAxis.categoryNames = ["A", "B", "C", "D", "E"]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 120
    chart.valueAxis.valueStep = 20
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = fonts.regular
        axis.labels.fontSize = width / 36
        axis.strokeWidth = width / 600
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.bars[0].fillColor = colors.HexColor(colour)
    chart.bars[1].fillColor = colors.HexColor("#9e9e9e")
    chart.bars.strokeColor = None
    chart.groupSpacing = width / 40
    drawing.add(chart)
    return drawing


def _line_chart(width: float, rng: random.Random, fonts: _Fonts, colour: str) -> Any:
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    height = width * 0.5
    drawing = Drawing(width, height)
    drawing.initialFontName = fonts.regular  # else the renderer selects Helvetica
    plot = LinePlot()
    plot.x, plot.y = width * 0.1, height * 0.15
    plot.width, plot.height = width * 0.86, height * 0.78
    series = []
    for start in (rng.uniform(10, 30), rng.uniform(30, 50)):
        value, points = start, []
        for month in range(1, 13):
            value = max(0.0, value + rng.uniform(-4, 7))
            points.append((month, round(value, 1)))
        series.append(points)
    plot.data = series
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax, plot.xValueAxis.valueStep = 1, 12, 1
    plot.yValueAxis.valueMin = 0
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName = fonts.regular
        axis.labels.fontSize = width / 38
        axis.strokeWidth = width / 600
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    plot.lines[0].strokeColor = colors.HexColor(colour)
    plot.lines[1].strokeColor = colors.HexColor("#757575")
    plot.lines[0].strokeWidth = plot.lines[1].strokeWidth = width / 200
    drawing.add(plot)
    return drawing


def _qr_placeholder(side: float, seed: int, fonts: _Fonts) -> Any:
    """A QR-looking square: three finder patterns and seeded noise, encoding nothing."""
    from reportlab.graphics.shapes import Drawing, Rect
    from reportlab.lib import colors

    n = 25
    cell = side / n
    rng = random.Random(seed)
    drawing = Drawing(side, side)
    drawing.initialFontName = fonts.regular  # else the renderer selects Helvetica
    drawing.add(Rect(0, 0, side, side, fillColor=colors.white, strokeColor=None))
    dark = colors.black

    def finder(col: int, row: int) -> None:
        for size, fill in ((7, dark), (5, colors.white), (3, dark)):
            offset = (7 - size) / 2
            drawing.add(
                Rect(
                    (col + offset) * cell,
                    (row + offset) * cell,
                    size * cell,
                    size * cell,
                    fillColor=fill,
                    strokeColor=None,
                )
            )

    for col, row in ((0, 0), (0, n - 7), (n - 7, n - 7)):
        finder(col, row)
    for row in range(n):
        for col in range(n):
            in_finder = (col < 8 and (row < 8 or row >= n - 8)) or (col >= n - 8 and row >= n - 8)
            if not in_finder and rng.random() < 0.48:
                drawing.add(
                    Rect(col * cell, row * cell, cell, cell, fillColor=dark, strokeColor=None)
                )
    return drawing


@dataclass(frozen=True)
class _Story:
    items: list[Any]  # flowables in reading order
    keep_with_next: frozenset[int]  # ids of headings
    unsplittable: frozenset[int]  # ids of flowables never split across columns


def _typeset(text: str, language: str) -> str:
    """Non-breaking spaces where a line must not break: "1 270", "58 %", French "pour :"."""
    text = re.sub(r"(?<=\d) (?=\d{3}\b)", "\u00a0", text)
    marks = "%:;?!»" if language == "fr" else "%"
    return re.sub(rf" (?=[{marks}])", "\u00a0", text)


def _key_message(parts: Sequence[str]) -> str:
    """The first result sentence with a figure in it: what a passer-by should remember."""
    results = _sentences(parts[2])
    return next((s for s in results if any(ch.isdigit() for ch in s)), results[0])


def _story(page: _Page, column_width: float) -> _Story:
    from reportlab.platypus import Paragraph

    poster, fonts, styles, words = page.poster, page.fonts, page.styles, page.words
    colour = page.colours[0]
    rng = random.Random(poster.chart_seed)
    # Figures keep A0 proportions on smaller pages instead of filling the column.
    chart_width = min(column_width, 247 * MM * page.geometry.scale)

    def para(text: str, style: Any) -> Any:
        return Paragraph(page.text(text), style)

    story: list[Any] = []
    headings: set[int] = set()
    whole: set[int] = set()  # never split across columns
    parts = _sections(poster.abstract)
    for index, (heading, text, filler) in enumerate(
        zip(words.headings, parts, words.filler, strict=True)
    ):
        title = para(heading, styles.heading)
        headings.add(id(title))
        story += [title, para(text, styles.body)]
        if index == 2:
            key = para(_key_message(parts), styles.key)
            whole.add(id(key))
            story += [
                key,
                _bar_chart(chart_width, rng, fonts, colour),
                para(words.figures[0], styles.caption),
                _line_chart(chart_width, rng, fonts, colour),
                para(words.figures[1], styles.caption),
            ]
        story.append(para(filler, styles.body))
    acknowledgements = para(words.acknowledgements, styles.heading)
    contact = para(words.contact, styles.heading)
    headings.update({id(acknowledgements), id(contact)})
    corresponding = poster.corresponding_authors or (poster.presenter,)
    story += [
        acknowledgements,
        para(words.thanks, styles.body),
        contact,
        Paragraph(
            "<br/>".join(
                f"{_name_markup(a, poster, fonts)} · {escape(a.email)}" for a in corresponding
            ),
            styles.body,
        ),
        para(f"{words.keywords}: {', '.join(poster.keywords)}", styles.small),
        _qr_placeholder(chart_width * 0.3, poster.chart_seed, fonts),
        para(words.scan, styles.small),
    ]
    return _Story(story, frozenset(headings), frozenset(headings | whole))


def _flow(
    canvas: Any,
    story: _Story,
    columns: Sequence[tuple[float, float, float, float]],
    min_after_heading: float,
) -> list[Any]:
    """Draw ``story`` into ``columns`` (x, top, width, height); return what did not fit."""
    pending = list(story.items)
    fuzz = 1e-6
    for x, top, width, height in columns:
        bottom = top - height
        y = top
        while pending:
            item = pending[0]
            gap = item.getSpaceBefore() if y < top else 0
            available = y - gap - bottom
            _, needed = item.wrap(width, max(available, 0))
            orphaned = id(item) in story.keep_with_next and needed + min_after_heading > available
            if needed <= available + fuzz and not orphaned:
                item.drawOn(canvas, x, y - gap - needed)
                y -= gap + needed + item.getSpaceAfter()
                pending.pop(0)
                continue
            if id(item) in story.unsplittable or available <= 0:
                break
            parts = item.split(width, available)
            if len(parts) < 2 or parts[0].wrap(width, available)[1] > available + fuzz:
                break
            pending[0:1] = parts
    return pending


def _draw_band(canvas: Any, page: _Page) -> float:
    """Draw the title band; return its height in points."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph

    poster, fonts, styles, colours, g = (
        page.poster,
        page.fonts,
        page.styles,
        page.colours,
        page.geometry,
    )
    institutions = _affiliations(poster.authors)
    names = []
    for author in poster.authors:
        marks = ",".join(str(institutions.index(i) + 1) for i in author.affiliations)
        name = _name_markup(author, poster, fonts)
        if author.presenting:
            name = f"<u>{name}</u>"
        star = "*" if author.corresponding else ""
        names.append(f"{name}<super>{marks}{star}</super>")
    affiliation_lines = " · ".join(
        f"<super>{n}</super>{escape(_printable(f'{i.name}, {i.city}', fonts))}"
        for n, i in enumerate(institutions, start=1)
    )
    badge = 150 * MM * g.scale
    inner = g.width - 2 * g.margin - badge - g.margin
    blocks = [
        Paragraph(page.text(poster.title), styles.title),
        Paragraph(", ".join(names), styles.authors),
        Paragraph(affiliation_lines, styles.affiliations),
    ]
    heights: list[float] = [b.wrap(inner, g.height)[1] for b in blocks]
    gap = 14 * MM * g.scale
    band = sum(heights) + 2 * gap + 2 * g.margin
    canvas.setFillColor(colors.HexColor(colours[0]))
    canvas.rect(0, g.height - band, g.width, band, stroke=0, fill=1)
    canvas.setFillColor(colors.HexColor(colours[1]))
    canvas.rect(0, g.height - band - 6 * MM * g.scale, g.width, 6 * MM * g.scale, stroke=0, fill=1)
    y = g.height - g.margin
    for block, height in zip(blocks, heights, strict=True):
        block.drawOn(canvas, g.margin, y - height)
        y -= height + gap
    # The badge: poster number and conference, top right.
    x = g.width - g.margin - badge
    top = g.height - g.margin
    canvas.setFillColor(colors.white)
    canvas.roundRect(x, top - badge * 0.62, badge, badge * 0.62, 8 * MM * g.scale, stroke=0, fill=1)
    canvas.setFillColor(colors.HexColor(colours[0]))
    canvas.setFont(fonts.bold, 110 * g.scale)
    canvas.drawCentredString(x + badge / 2, top - badge * 0.42, f"P{poster.number:02d}")
    small = Paragraph(page.text(page.conference_name), styles.badge)
    _, h = small.wrap(badge, badge)
    small.drawOn(canvas, x, top - badge * 0.62 - h - 4 * MM * g.scale)
    return band + 6 * MM * g.scale


def _draw_footer(canvas: Any, page: _Page) -> float:
    """Draw the footer strip; return its height in points."""
    from reportlab.lib import colors

    poster, g = page.poster, page.geometry
    height = 22 * MM * g.scale
    canvas.setFillColor(colors.HexColor(page.colours[0]))
    canvas.rect(0, 0, g.width, height, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(page.fonts.regular, 24 * g.scale)
    label = f"{page.conference_name} · {page.words.poster} P{poster.number:02d}"
    licence = _LICENCE_LABELS.get(poster.licence, poster.licence)
    canvas.drawString(g.margin, height * 0.38, _printable(label, page.fonts))
    canvas.drawRightString(g.width - g.margin, height * 0.38, f"© {_year(poster)} · {licence}")
    return height


def _year(poster: DemoPoster) -> int:
    return (poster.submitted_at or poster.created_at).year


def _pdf_date(poster: DemoPoster) -> str:
    # Wall-clock time with no offset: the author's machine's zone is unknown.
    return (poster.submitted_at or poster.created_at).strftime("D:%Y%m%d%H%M%S")


def _render_once(
    poster: DemoPoster, conference_name: str, geometry: _Geometry, fonts: _Fonts
) -> tuple[bytes, int]:
    from reportlab.pdfgen.canvas import Canvas

    g = geometry
    colours = _TRACK_COLOURS.get(poster.track, ("#37474f", "#ffca28"))
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(g.width, g.height),
        invariant=True,
        pageCompression=1,
        lang=poster.language,
        initialFontName=fonts.regular,
    )
    canvas.setDateFormatter(lambda *_: _pdf_date(poster))
    canvas.setCreator(CREATOR)
    canvas.setAuthor("; ".join(a.name for a in poster.authors))
    canvas.setSubject(f"{conference_name}, poster P{poster.number:02d}")
    canvas.setKeywords(list(poster.keywords))
    # An empty title is what many export tools write when the document has none.
    no_title = PdfQuirk.NO_TITLE_METADATA in poster.pdf_quirks
    canvas.setTitle("" if no_title else poster.title)

    styles = _Styles(fonts, g.scale, colours[0])
    page = _Page(poster, conference_name, fonts, styles, g, colours)
    band = _draw_band(canvas, page)
    footer = _draw_footer(canvas, page)
    gutter = 20 * MM * g.scale
    column_width = (g.width - 2 * g.margin - 2 * gutter) / 3
    top = g.height - band - g.margin * 0.8
    height = top - footer - g.margin * 0.8
    columns = [
        (g.margin + i * (column_width + gutter), top, column_width, height) for i in range(3)
    ]
    story = _story(page, column_width)
    leftover = _flow(canvas, story, columns, styles.body.leading * 3)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue(), len(leftover)


def render_poster(
    poster: DemoPoster,
    conference_name: str,
    *,
    size: str = "A0",
    landscape: bool = False,
    unicode_font: bool = True,
) -> bytes:
    """One poster as a one-page PDF.

    ``size`` is "A0", "A1" or "A2" (ValueError otherwise); posters marked
    ``LANDSCAPE_A1`` ignore ``size`` and ``landscape``. ``unicode_font=False`` forces
    reportlab's standard fonts, as on a machine without DejaVu Sans. When the text
    does not fit, the type is shrunk in steps of 10 % (three times at most); anything
    still left over is dropped from the end.
    """
    width_mm, height_mm = page_size_mm(poster, size, landscape=landscape)
    fonts = _fonts(unicode_font)
    scale = min(width_mm, height_mm) / PAGE_SIZES_MM["A0"][0]
    pdf = b""
    for attempt in range(4):
        geometry = _Geometry(width_mm * MM, height_mm * MM, scale * 0.9**attempt)
        pdf, leftover = _render_once(poster, conference_name, geometry, fonts)
        if leftover == 0:
            break
    return pdf
