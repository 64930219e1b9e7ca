"""The demo congress: conference, tracks, people and posters as plain data (pure).

:func:`build_demo` describes a world library and information congress in Astana in
frozen dataclasses; the loader turns them into rows and :mod:`poster_review.demo.posters`
turns each poster into a PDF. Nothing here touches a database, the web or the clock:
the reference date and the seed are arguments, so a given ``(today, seed)`` always
yields the same congress.

The timeline, in the conference's local time (``Asia/Almaty``), relative to ``today``
(day 0), is chosen so that on the day the demo is loaded submission is open *and*
posters already submitted can be reviewed:

=====================  ==================================================
call opens             day −60, 09:00
reviewer bidding       day −17, 09:00 until reviews open
reviews open           day −10, 09:00
submission deadline    day +20, 23:59 (plus an unannounced 2-hour grace)
reviews close          day +34, 23:59
decisions released     day +41, 12:00
final version due      day +55, 23:59
congress               day +73 to day +78
poster session         day +75, 10:00 to day +76, 17:00 (judging window)
awards published       day +77, 12:00 (closing ceremony)
=====================  ==================================================

Deliberate rough edges, so that each page has something true to show:

* conflicts of interest (:attr:`DemoCongress.expected_conflicts` lists every one): a
  reviewer sharing an institution with an author, two reviewers with a past co-author,
  one declared conflict, the chair sharing an institution with the demo author, and
  the demo reviewer accounts sharing the demo author's e-mail domain;
* five drafts and one withdrawn poster among forty;
* :class:`PdfQuirk` marks the posters whose PDF is imperfect on purpose.

Author e-mail addresses use real institutional domains and public mail providers for
realism; the people are invented. Never run the demo against a real mail relay. ORCID
iDs have valid ISO 7064 11,2 check characters but lie in the unissued ``0000-0000``
block, so none of them resolves to a real person's record.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import random
import zoneinfo
from dataclasses import dataclass

from poster_review.conferences.phases import Schedule

CHAIR_EMAIL = "chair@example.org"
REVIEWER_EMAILS = ("reviewer1@example.org", "reviewer2@example.org")
AUTHOR_EMAIL = "author@example.org"
WITHDRAWAL_REASON = "The study will be presented at a national conference instead."


class PosterState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class PdfQuirk(enum.StrEnum):
    """A realistic defect the generated PDF carries on purpose."""

    NO_TITLE_METADATA = "no_title_metadata"  # Info /Title is empty
    LANDSCAPE_A1 = "landscape_a1"  # 841 × 594 mm instead of A0 portrait
    CJK_FONT_NOT_EMBEDDED = "cjk_font_not_embedded"  # Chinese names in STSong-Light


class ConflictKind(enum.StrEnum):
    INSTITUTION = "institution"
    COAUTHOR = "coauthor"
    DECLARED = "declared"
    EMAIL_DOMAIN = "email_domain"


@dataclass(frozen=True)
class Institution:
    name: str
    city: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class DemoTrack:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class DemoAuthor:
    """One author of one poster; the flags are per poster, except ``student``."""

    name: str  # in the person's own script
    latin_name: str | None  # transliteration, None when ``name`` is already Latin
    email: str
    affiliations: tuple[Institution, ...]
    country: str  # ISO 3166-1 alpha-2
    orcid: str | None
    presenting: bool
    corresponding: bool
    student: bool
    first_time: bool

    @property
    def name_latin(self) -> str:
        return self.latin_name or self.name


@dataclass(frozen=True)
class DemoPoster:
    """A poster; datetimes are naive wall-clock times in the conference's zone."""

    number: int  # stable, 1-based: the poster's identity across runs
    title: str
    abstract: str
    keywords: tuple[str, ...]
    track: str  # a DemoTrack slug
    language: str  # presentation language, ISO 639-1
    licence: str  # SPDX identifier
    authors: tuple[DemoAuthor, ...]  # in byline order
    state: PosterState
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    withdrawn_at: dt.datetime | None = None
    withdrawal_reason: str | None = None
    pdf_quirks: frozenset[PdfQuirk] = frozenset()
    chart_seed: int = 0  # drives the made-up figures drawn on the PDF

    @property
    def presenter(self) -> DemoAuthor:
        return next(a for a in self.authors if a.presenting)

    @property
    def corresponding_authors(self) -> tuple[DemoAuthor, ...]:
        return tuple(a for a in self.authors if a.corresponding)


@dataclass(frozen=True)
class DemoReviewer:
    name: str
    latin_name: str | None
    email: str
    affiliations: tuple[Institution, ...]
    country: str
    orcid: str | None
    expertise: tuple[str, ...]  # free keywords, matched against poster keywords
    tracks: tuple[str, ...]  # DemoTrack slugs the reviewer prefers
    languages: tuple[str, ...]  # ISO 639-1 codes the reviewer can review in
    max_load: int
    past_coauthor_emails: tuple[str, ...] = ()
    declared_conflicts: tuple[int, ...] = ()  # poster numbers
    min_load: int = 0

    @property
    def name_latin(self) -> str:
        return self.latin_name or self.name


@dataclass(frozen=True)
class DemoPerson:
    """Someone with an account who is neither an author nor a reviewer (the chair)."""

    name: str
    latin_name: str | None
    email: str
    affiliations: tuple[Institution, ...]
    country: str
    locale: str


@dataclass(frozen=True)
class DemoAccount:
    """A login shown on the demo's home page; the loader chooses the password."""

    email: str
    name: str
    role: str  # "chair", "reviewer" or "author"


@dataclass(frozen=True)
class DemoConflict:
    """A conflict the demo contains on purpose; ``person_email`` may be the chair's."""

    person_email: str
    poster_number: int
    kind: ConflictKind
    reason: str


@dataclass(frozen=True)
class DemoPhases:
    """Naive local wall-clock times of the conference's calendar."""

    call_opens: dt.datetime
    submission_deadline: dt.datetime
    grace_minutes: int
    bidding_opens: dt.datetime
    reviews_open: dt.datetime
    reviews_close: dt.datetime
    decisions: dt.datetime
    final_version_due: dt.datetime
    session_starts: dt.datetime
    session_ends: dt.datetime
    awards_published: dt.datetime

    def to_schedule(self, time_zone: str) -> Schedule:
        """The same calendar as aware UTC instants, read as wall-clock times in ``time_zone``."""
        zone = zoneinfo.ZoneInfo(time_zone)

        def utc(local: dt.datetime) -> dt.datetime:
            return local.replace(tzinfo=zone).astimezone(dt.UTC)

        return Schedule(
            call_opens_at=utc(self.call_opens),
            submission_deadline_at=utc(self.submission_deadline),
            grace_minutes=self.grace_minutes,
            bidding_open_at=utc(self.bidding_opens),
            reviews_open_at=utc(self.reviews_open),
            reviews_close_at=utc(self.reviews_close),
            decisions_at=utc(self.decisions),
            final_version_due_at=utc(self.final_version_due),
            session_starts_at=utc(self.session_starts),
            session_ends_at=utc(self.session_ends),
            awards_published_at=utc(self.awards_published),
        )


@dataclass(frozen=True)
class DemoConference:
    slug: str
    name: str
    short_name: str
    city: str
    country: str
    venue: str
    time_zone: str
    languages: tuple[str, ...]
    starts_on: dt.date
    ends_on: dt.date
    phases: DemoPhases


@dataclass(frozen=True)
class DemoCongress:
    conference: DemoConference
    tracks: tuple[DemoTrack, ...]
    posters: tuple[DemoPoster, ...]
    chair: DemoPerson
    reviewers: tuple[DemoReviewer, ...]
    accounts: tuple[DemoAccount, ...]
    expected_conflicts: tuple[DemoConflict, ...]
    seed: int = 2026

    def poster(self, number: int) -> DemoPoster:
        """The poster with ``number``; raises KeyError when there is none."""
        for poster in self.posters:
            if poster.number == number:
                return poster
        raise KeyError(number)

    def posters_of(self, email: str) -> tuple[DemoPoster, ...]:
        return tuple(p for p in self.posters if any(a.email == email for a in p.authors))


# --- ORCID -------------------------------------------------------------------------


def orcid_check_character(base_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 15 digits of an ORCID iD."""
    if len(base_digits) != 15 or not base_digits.isdigit():
        raise ValueError("an ORCID base is exactly 15 digits")
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def is_valid_orcid(orcid: str) -> bool:
    """Whether ``orcid`` is ``dddd-dddd-dddd-dddC`` with a correct check character."""
    parts = orcid.split("-")
    if len(parts) != 4 or any(len(p) != 4 for p in parts):
        return False
    compact = "".join(parts)
    base, check = compact[:15], compact[15]
    if not base.isdigit():
        return False
    return orcid_check_character(base) == check


def _orcid_for(email: str) -> str:
    # Derived from the e-mail, not the seed, so a person keeps one iD across seeds.
    digits = int(hashlib.sha256(email.encode()).hexdigest(), 16) % 10**7
    base = f"00000000{digits:07d}"
    compact = base + orcid_check_character(base)
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))


# --- Reference data ----------------------------------------------------------------

TRACKS: tuple[DemoTrack, ...] = (
    DemoTrack(
        "digital-preservation",
        "Digital preservation",
        "Keeping digital and digitised collections usable for the long term: formats, "
        "fixity, web archiving, emulation and the policies that pay for them.",
    ),
    DemoTrack(
        "inclusion-accessibility",
        "Inclusion and accessibility",
        "Services, spaces and collections that work for disabled people, displaced people "
        "and everyone the library does not reach yet.",
    ),
    DemoTrack(
        "ai-literacy",
        "AI and information literacy",
        "Teaching and practising critical use of generative AI, search and media, and "
        "testing machine assistance in library work.",
    ),
    DemoTrack(
        "open-science",
        "Open science and repositories",
        "Repositories, persistent identifiers, research data services, open access "
        "policies and the metrics that describe them.",
    ),
    DemoTrack(
        "indigenous-knowledge",
        "Indigenous knowledge and languages",
        "Community-led description, consent and access for Indigenous and minority "
        "knowledge, scripts and languages.",
    ),
    DemoTrack(
        "library-spaces",
        "Library spaces and communities",
        "Buildings, opening hours, outreach and programmes: how people use the library as "
        "a place and how it serves its neighbourhood.",
    ),
)

_I = Institution
INSTITUTIONS: dict[str, Institution] = {
    "nabrk": _I("National Academic Library of the Republic of Kazakhstan", "Astana", "KZ"),
    "nlrk": _I("National Library of the Republic of Kazakhstan", "Almaty", "KZ"),
    "kaznu": _I("Al-Farabi Kazakh National University", "Almaty", "KZ"),
    "nu": _I("Nazarbayev University Library", "Astana", "KZ"),
    "enu": _I("L. N. Gumilyov Eurasian National University", "Astana", "KZ"),
    "almaty_city": _I("Almaty Central City Library", "Almaty", "KZ"),
    "ksd": _I("Kazakh Society of the Deaf", "Almaty", "KZ"),
    "auezov": _I("M. O. Auezov Institute of Literature and Art", "Almaty", "KZ"),
    "unam": _I("Biblioteca Nacional de México, UNAM", "Mexico City", "MX"),
    "bne": _I("Biblioteca Nacional de España", "Madrid", "ES"),
    "ed": _I("University of Edinburgh Library", "Edinburgh", "GB"),
    "ucad": _I("Université Cheikh Anta Diop", "Dakar", "SN"),
    "fhb": _I("Université Félix Houphouët-Boigny", "Abidjan", "CI"),
    "kb_nl": _I("KB, National Library of the Netherlands", "The Hague", "NL"),
    "dnb": _I("German National Library", "Frankfurt am Main", "DE"),
    "kb_se": _I("National Library of Sweden", "Stockholm", "SE"),
    "urfu": _I("Ural Federal University", "Yekaterinburg", "RU"),
    "utoronto": _I("University of Toronto Libraries", "Toronto", "CA"),
    "dcl": _I("Dublin City Libraries", "Dublin", "IE"),
    "ufro": _I("Universidad de La Frontera", "Temuco", "CL"),
    "uj": _I("University of Jordan Library", "Amman", "JO"),
    "hacettepe": _I("Hacettepe University", "Ankara", "TR"),
    "gaun": _I("Gaziantep University", "Gaziantep", "TR"),
    "helmet": _I("Helsinki City Library", "Helsinki", "FI"),
    "malmo": _I("Malmö City Library", "Malmö", "SE"),
    "umich": _I("University of Michigan Library", "Ann Arbor", "US"),
    "pku": _I("Peking University Library", "Beijing", "CN"),
    "navoi": _I("Alisher Navoi National Library of Uzbekistan", "Tashkent", "UZ"),
    "enssib": _I("Enssib", "Villeurbanne", "FR"),
    "manouba": _I("Institut supérieur de documentation, Université de la Manouba", "Tunis", "TN"),
    "rsl": _I("Russian State Library", "Moscow", "RU"),
    "knls": _I("Kenya National Library Service", "Nairobi", "KE"),
    "snu": _I("Seoul National University", "Seoul", "KR"),
    "keio": _I("Keio University", "Tokyo", "JP"),
    "auca": _I("American University of Central Asia", "Bishkek", "KG"),
    "uu": _I("Utrecht University Library", "Utrecht", "NL"),
    "gla": _I("University of Glasgow Library", "Glasgow", "GB"),
    "uct": _I("University of Cape Town Libraries", "Cape Town", "ZA"),
    "ug": _I("University of Ghana", "Accra", "GH"),
    "ui": _I("University of Ibadan", "Ibadan", "NG"),
    "udea": _I("Universidad de Antioquia", "Medellín", "CO"),
    "unlp": _I("Universidad Nacional de La Plata", "La Plata", "AR"),
    "bibalex": _I("Bibliotheca Alexandrina", "Alexandria", "EG"),
    "kau": _I("King Abdulaziz University", "Jeddah", "SA"),
    "whu": _I("Wuhan University", "Wuhan", "CN"),
    "tsinghua": _I("Tsinghua University Library", "Beijing", "CN"),
    "spsl": _I(
        "State Public Scientific Technological Library, Siberian Branch of the Russian "
        "Academy of Sciences",
        "Novosibirsk",
        "RU",
    ),
    "vuw": _I("Te Herenga Waka — Victoria University of Wellington", "Wellington", "NZ"),
    "uit": _I("UiT The Arctic University of Norway", "Tromsø", "NO"),
    "pucp": _I("Pontificia Universidad Católica del Perú", "Lima", "PE"),
    "usyd": _I("University of Sydney Library", "Sydney", "AU"),
    "bnrm": _I("Bibliothèque nationale du Royaume du Maroc", "Rabat", "MA"),
    "iitm": _I("Indian Institute of Technology Madras", "Chennai", "IN"),
    "ghla": _I("Ghana Library Authority", "Accra", "GH"),
    "marseille": _I("Bibliothèques de Marseille", "Marseille", "FR"),
    "eth": _I("ETH Library", "Zurich", "CH"),
    # Reviewers' institutions.
    "nanterre": _I("Université Paris Nanterre", "Nanterre", "FR"),
    "tsukuba": _I("University of Tsukuba", "Tsukuba", "JP"),
    "um5": _I("Université Mohammed V de Rabat", "Rabat", "MA"),
    "colmex": _I("El Colegio de México", "Mexico City", "MX"),
    "spbu": _I("Saint Petersburg State University Library", "Saint Petersburg", "RU"),
    "uon": _I("University of Nairobi Library", "Nairobi", "KE"),
    "sub": _I("Göttingen State and University Library", "Göttingen", "DE"),
    "uoh": _I("University of Hyderabad", "Hyderabad", "IN"),
    "akl": _I("Auckland Libraries", "Auckland", "NZ"),
    "fudan": _I("Fudan University Library", "Shanghai", "CN"),
    "bcub": _I("Central University Library of Bucharest", "Bucharest", "RO"),
    "usp": _I("Universidade de São Paulo, Agência de Bibliotecas", "São Paulo", "BR"),
    "unilag": _I("University of Lagos Library", "Lagos", "NG"),
    "nkp": _I("Národní knihovna České republiky", "Prague", "CZ"),
    "slq": _I("State Library of Queensland", "Brisbane", "AU"),
    "buketov": _I("Buketov Karaganda University", "Karaganda", "KZ"),
    "qnl": _I("Qatar National Library", "Doha", "QA"),
    "udelar": _I("Universidad de la República", "Montevideo", "UY"),
}


@dataclass(frozen=True)
class _Person:
    name: str
    latin: str | None
    email: str
    country: str
    institutions: tuple[str, ...]
    orcid: bool = False
    student: bool = False
    first_time: bool = False


def _p(
    name: str,
    latin: str | None,
    email: str,
    country: str,
    *institutions: str,
    orcid: bool = False,
    student: bool = False,
    first_time: bool = False,
) -> _Person:
    return _Person(name, latin, email, country, institutions, orcid, student, first_time)


PEOPLE: dict[str, _Person] = {
    # Kazakhstan: Kazakh names in Kazakh Cyrillic.
    "dana": _p("Дана Оспанова", "Dana Ospanova", AUTHOR_EMAIL, "KZ", "nabrk", orcid=True),
    "erlan": _p(
        "Ерлан Жұмабаев", "Erlan Zhumabayev", "e.zhumabayev@nlrk.kz", "KZ", "nlrk", orcid=True
    ),
    "madina": _p(
        "Мадина Сәрсенбаева", "Madina Sarsenbayeva", "m.sarsenbayeva@nlrk.kz", "KZ", "nlrk"
    ),
    "nurlan": _p(
        "Нұрлан Қасымов",
        "Nurlan Kassymov",
        "kassymov.nurlan@gmail.com",
        "KZ",
        "kaznu",
        student=True,
        first_time=True,
    ),
    "assel": _p(
        "Әсел Тоқтарова", "Assel Toktarova", "assel.toktarova@kaznu.kz", "KZ", "kaznu", orcid=True
    ),
    "saule": _p(
        "Сәуле Нұрғалиева",
        "Saule Nurgaliyeva",
        "saule.nurgaliyeva@mail.ru",
        "KZ",
        "almaty_city",
        first_time=True,
    ),
    "arman": _p("Арман Төлегенов", "Arman Tolegenov", "arman.tolegenov@gmail.com", "KZ", "ksd"),
    "bauyrzhan": _p(
        "Бауыржан Ермеков", "Bauyrzhan Yermekov", "byermekov@nu.edu.kz", "KZ", "nu", orcid=True
    ),
    "gulnar": _p(
        "Гүлнар Әбдірахманова",
        "Gulnar Abdirakhmanova",
        "g.abdirakhmanova@gmail.com",
        "KZ",
        "auezov",
        orcid=True,
    ),
    "zhanar": _p("Жанар Бекова", "Zhanar Bekova", "bekova_zh@enu.kz", "KZ", "enu"),
    "yerzhan": _p(
        "Ержан Сапаров",
        "Yerzhan Saparov",
        "yerzhan.saparov@yandex.kz",
        "KZ",
        "enu",
        student=True,
        first_time=True,
    ),
    # Russia, Kyrgyzstan, Uzbekistan.
    "ekaterina": _p(
        "Екатерина Волкова", "Ekaterina Volkova", "e.a.volkova@urfu.ru", "RU", "urfu", orcid=True
    ),
    "dmitry": _p(
        "Дмитрий Соколов",
        "Dmitry Sokolov",
        "dmitry.sokolov.lib@yandex.ru",
        "RU",
        "urfu",
        student=True,
    ),
    "olga": _p("Ольга Морозова", "Olga Morozova", "morozova.ov@rsl.ru", "RU", "rsl"),
    "igor": _p(
        "Игорь Кузнецов", "Igor Kuznetsov", "kuznetsov@spsl.nsc.ru", "RU", "spsl", orcid=True
    ),
    "aiperi": _p("Айпери Асанова", "Aiperi Asanova", "asanova_a@auca.kg", "KG", "auca", orcid=True),
    "timur": _p("Тимур Абдыкеримов", "Timur Abdykerimov", "abdykerimov_t@auca.kg", "KG", "auca"),
    "dilnoza": _p("Dilnoza Karimova", None, "d.karimova@natlib.uz", "UZ", "navoi", first_time=True),
    "jasur": _p("Jasur Tursunov", None, "jasur.tursunov@gmail.com", "UZ", "navoi"),
    # Arabic-speaking countries: names in Arabic script.
    "layla": _p("ليلى منصور", "Layla Mansour", "l.mansour@ju.edu.jo", "JO", "uj", orcid=True),
    "yazan": _p(
        "يزن الخطيب", "Yazan Al-Khatib", "yazan.alkhatib@gmail.com", "JO", "uj", student=True
    ),
    "youssef": _p(
        "يوسف بن علي", "Youssef Ben Ali", "youssef.benali.isd@gmail.com", "TN", "manouba"
    ),
    "ahmed": _p(
        "أحمد عبد الرحمن",
        "Ahmed Abdelrahman",
        "ahmed.abdelrahman@bibalex.org",
        "EG",
        "bibalex",
        orcid=True,
    ),
    "sara": _p(
        "سارة العتيبي",
        "Sara Al-Otaibi",
        "salotaibi@kau.edu.sa",
        "SA",
        "kau",
        student=True,
        first_time=True,
    ),
    "omar": _p("عمر الفاسي", "Omar El Fassi", "o.elfassi@bnrm.ma", "MA", "bnrm", student=True),
    "nadia_a": _p("Nadia Aït Ouali", None, "n.aitouali@bnrm.ma", "MA", "bnrm"),
    # China, Korea, Japan.
    "chen": _p("陈晓明", "Chen Xiaoming", "chenxm@lib.pku.edu.cn", "CN", "pku", orcid=True),
    "liufang": _p("刘芳", "Liu Fang", "liufang_lib@qq.com", "CN", "pku", student=True),
    "zhangwei": _p("张伟", "Zhang Wei", "zhangwei@whu.edu.cn", "CN", "whu"),
    "lijing": _p("李静", "Li Jing", "lijing@lib.tsinghua.edu.cn", "CN", "tsinghua", orcid=True),
    "minji": _p(
        "김민지", "Kim Minji", "minji.kim@snu.ac.kr", "KR", "snu", student=True, first_time=True
    ),
    "misaki": _p("佐藤美咲", "Misaki Sato", "m.sato@keio.jp", "JP", "keio", orcid=True),
    # Europe.
    "pieter": _p("Pieter de Vries", None, "pieter.devries@kb.nl", "NL", "kb_nl", orcid=True),
    "sanne": _p("Sanne Bakker", None, "s.bakker@uu.nl", "NL", "uu", orcid=True),
    "oliver": _p("Oliver Grant", None, "oliver.grant@glasgow.ac.uk", "GB", "gla"),
    "sarah": _p("Sarah Whitfield", None, "sarah.whitfield@ed.ac.uk", "GB", "ed", orcid=True),
    "daniel_o": _p(
        "Daniel Okoro", None, "d.okoro@sms.ed.ac.uk", "NG", "ed", student=True, first_time=True
    ),
    "jonas": _p("Jonas Becker", None, "j.becker@dnb.de", "DE", "dnb", orcid=True),
    "hanna": _p("Hanna Lindqvist", None, "hanna.lindqvist@kb.se", "SE", "kb_se"),
    "liam": _p("Liam O'Connor", None, "liam.oconnor@dublincity.ie", "IE", "dcl"),
    "siobhan": _p("Siobhán Byrne", None, "siobhan.byrne@dublincity.ie", "IE", "dcl", orcid=True),
    "aino": _p("Aino Virtanen", None, "aino.virtanen@hel.fi", "FI", "helmet"),
    "elin": _p("Elin Johansson", None, "elin.johansson@malmo.se", "SE", "malmo"),
    "ibrahim": _p(
        "İbrahim Yılmaz", None, "iyilmaz@hacettepe.edu.tr", "TR", "hacettepe", orcid=True
    ),
    "tugba": _p("Tuğba Aksoy", None, "tugba.aksoy@hacettepe.edu.tr", "TR", "hacettepe"),
    "elif": _p("Elif Şahin", None, "elifsahin@gantep.edu.tr", "TR", "gaun", student=True),
    "elodie": _p("Élodie Marchand", None, "elodie.marchand@enssib.fr", "FR", "enssib", orcid=True),
    "camille": _p("Camille Roussel", None, "croussel@marseille.fr", "FR", "marseille"),
    "nadia_h": _p("Nadia Hamidi", None, "nhamidi@marseille.fr", "FR", "marseille", first_time=True),
    "lukas": _p("Lukas Meier", None, "lukas.meier@library.ethz.ch", "CH", "eth"),
    "anna_k": _p("Anna Keller", None, "anna.keller@library.ethz.ch", "CH", "eth", orcid=True),
    "ingrid": _p("Ingrid Solberg", None, "ingrid.solberg@uit.no", "NO", "uit"),
    "inger": _p("Inger Marie Balto", None, "inger.m.balto@uit.no", "NO", "uit", first_time=True),
    "lucia": _p("Lucía Fernández Gil", None, "lucia.fernandez@bne.es", "ES", "bne"),
    # Africa.
    "aminata": _p(
        "Aminata Diallo",
        None,
        "aminata.diallo@ucad.edu.sn",
        "SN",
        "ucad",
        orcid=True,
        first_time=True,
    ),
    "koffi": _p("Koffi Yao", None, "koffi.yao.ci@gmail.com", "CI", "fhb"),
    "wanjiru": _p("Wanjiru Kamau", None, "wkamau@knls.ac.ke", "KE", "knls", first_time=True),
    "brian": _p("Brian Otieno", None, "botieno@knls.ac.ke", "KE", "knls"),
    "thandiwe": _p("Thandiwe Dlamini", None, "thandiwe.dlamini@uct.ac.za", "ZA", "uct", orcid=True),
    "kwame": _p("Kwame Asante", None, "kasante@ug.edu.gh", "GH", "ug"),
    "chidinma": _p("Chidinma Okafor", None, "chidinma.okafor@ui.edu.ng", "NG", "ui"),
    "ama": _p("Ama Owusu", None, "ama.owusu.gla@gmail.com", "GH", "ghla", first_time=True),
    # Americas.
    "jose": _p("José Ramírez Ortega", None, "jramirez@bnm.unam.mx", "MX", "unam", orcid=True),
    "sebastian": _p("Sebastián Muñoz Painemal", None, "sebastian.munoz@ufrontera.cl", "CL", "ufro"),
    "valentina": _p(
        "Valentina Catrileo",
        None,
        "v.catrileo01@ufromail.cl",
        "CL",
        "ufro",
        student=True,
        first_time=True,
    ),
    "camila": _p("Camila Restrepo", None, "camila.restrepo@udea.edu.co", "CO", "udea"),
    "martin": _p("Martín Acosta", None, "macosta@unlp.edu.ar", "AR", "unlp", orcid=True),
    "rosa": _p("Rosa Quispe Mamani", None, "rquispe@pucp.edu.pe", "PE", "pucp", orcid=True),
    "jorge": _p("Jorge Huamán Ccori", None, "jorge.huaman@pucp.edu.pe", "PE", "pucp", student=True),
    "marie_claude": _p(
        "Marie-Claude Tremblay", None, "mc.tremblay@utoronto.ca", "CA", "utoronto", orcid=True
    ),
    "noah": _p("Noah Singh", None, "noah.singh@mail.utoronto.ca", "CA", "utoronto", student=True),
    "emily": _p("Emily Tran", None, "emtran@umich.edu", "US", "umich", orcid=True),
    "marcus": _p("Marcus Reed", None, "mreed@umich.edu", "US", "umich"),
    # South Asia and Oceania.
    "priya": _p("Priya Raghunathan", None, "priya.r@iitm.ac.in", "IN", "iitm", orcid=True),
    "ananya": _p(
        "Ananya Iyer",
        None,
        "ananya.iyer@smail.iitm.ac.in",
        "IN",
        "iitm",
        student=True,
        first_time=True,
    ),
    "aroha": _p("Aroha Ngata", None, "aroha.ngata@vuw.ac.nz", "NZ", "vuw", orcid=True),
    "rawiri": _p("Rāwiri Te Awa", None, "rawiri.teawa@vuw.ac.nz", "NZ", "vuw", student=True),
    "jessica": _p("Jessica Walker", None, "jessica.walker@sydney.edu.au", "AU", "usyd"),
    "daniel_h": _p("Daniel Harris", None, "daniel.harris@sydney.edu.au", "AU", "usyd"),
}


@dataclass(frozen=True)
class _Spec:
    number: int
    track: str
    language: str
    title: str
    keywords: tuple[str, ...]
    authors: tuple[str, ...]  # PEOPLE keys; the first is the presenter unless said
    abstract: str
    state: PosterState = PosterState.SUBMITTED
    presenter: str | None = None
    corresponding: tuple[str, ...] = ()  # defaults to the presenter
    licence: str = "CC-BY-4.0"
    quirks: frozenset[PdfQuirk] = frozenset()


_DRAFT = PosterState.DRAFT
_SPECS: tuple[_Spec, ...] = (
    # --- Digital preservation --------------------------------------------------------
    _Spec(
        1,
        "digital-preservation",
        "en",
        "Migrating 1.2 million scanned newspaper pages to JPEG 2000 without losing trust",
        ("format migration", "JPEG 2000", "newspapers", "digitisation", "PREMIS"),
        ("erlan", "madina"),
        "Between 2009 and 2016 the National Library of the Republic of Kazakhstan scanned "
        "1.2 million pages of Kazakh- and Russian-language newspapers as uncompressed TIFF, a "
        "collection that now occupies 61 TB and grows more expensive every time storage is "
        "renewed. We report on a migration to lossless JPEG 2000 that had to convince curators, "
        "auditors and readers that nothing was lost. Each file was converted with two "
        "independent encoders, decoded again and compared pixel by pixel with its source; "
        "embedded metadata and checksums were carried into a PREMIS event log. The pipeline "
        "processed about 40,000 pages a day on four commodity servers. Pixel comparison "
        "flagged 312 files, all of which turned out to be damaged masters with truncated strips "
        "that had gone unnoticed for a decade; they were rescanned from the paper originals. "
        "Storage fell by 58%, and page delivery in the reading room dropped from 6.1 to 1.4 "
        "seconds. We share the validation scripts, the decision record used to obtain sign-off, "
        "and a checklist for libraries planning similar migrations on limited budgets.",
    ),
    _Spec(
        2,
        "digital-preservation",
        "es",
        "Archivo web de las elecciones federales: 4 300 sitios de candidaturas en 30 días",
        ("archivo web", "elecciones", "Browsertrix", "preservación digital", "México"),
        ("jose", "lucia"),
        "Durante las elecciones federales, los sitios web de candidaturas aparecen y "
        "desaparecen en cuestión de semanas, y con ellos una parte importante del registro "
        "político del país. Presentamos la experiencia de la Biblioteca Nacional de México en "
        "la captura de 4 300 sitios y cuentas públicas en un periodo de 30 días. La lista "
        "semilla se construyó a partir de los registros oficiales de candidaturas y se amplió "
        "con aportes de bibliotecas estatales y de la ciudadanía mediante un formulario "
        "abierto. Las capturas se realizaron con Browsertrix y Heritrix, con frecuencias "
        "diferenciadas según la actividad de cada sitio, y se verificaron con muestras "
        "revisadas manualmente. El 18 % de los sitios ya no estaba disponible una semana "
        "después de la jornada electoral, y el 41 % había cambiado de contenido de forma "
        "sustancial. Describimos los problemas jurídicos encontrados, los criterios de "
        "selección, los costos de almacenamiento y las herramientas de acceso que ofrecemos a "
        "investigadores. Concluimos con recomendaciones para coordinar archivos web "
        "electorales entre instituciones de América Latina y España.",
        licence="CC-BY-SA-4.0",
    ),
    _Spec(
        3,
        "digital-preservation",
        "en",
        "What does fixity cost? A model for checksum audits in cloud object storage",
        ("fixity", "checksums", "cloud storage", "cost modelling", "preservation policy"),
        ("sarah", "daniel_o"),
        "Regular fixity checking is a cornerstone of digital preservation, yet few "
        "institutions know what their audit schedule actually costs once collections move to "
        "cloud object storage, where every read is billed. We built a cost model that combines "
        "storage class, egress and request pricing, compute time and the probability of silent "
        "corruption, and calibrated it against three years of audit logs from a university "
        "library holding 410 TB across two providers. The model shows that checking every "
        "object every month costs about eleven times more than a risk-weighted schedule that "
        "audits frequently accessed or recently migrated objects monthly and cold objects "
        "annually, while detecting the same number of real incidents in retrospective "
        "simulation. Provider-side checksums, where they exist, reduce costs further but shift "
        "trust to the vendor. We discuss how to document that trade-off in a preservation "
        "policy and release the model as a spreadsheet and a small Python package, so that "
        "other libraries can enter their own volumes and prices and see the consequences of "
        "their choices.",
    ),
    _Spec(
        4,
        "digital-preservation",
        "fr",
        "Préserver les archives sonores des radios communautaires d'Afrique de l'Ouest",
        (
            "archives sonores",
            "radios communautaires",
            "numérisation",
            "langues nationales",
            "Sénégal",
            "Côte d'Ivoire",
        ),
        ("aminata", "koffi"),
        "En Afrique de l'Ouest, les radios communautaires conservent des décennies d'émissions "
        "en langues nationales : contes, débats agricoles, chroniques de santé publique. Ces "
        "enregistrements, souvent sur cassettes ou sur des disques durs vieillissants, ne sont "
        "ni inventoriés ni sauvegardés. Entre 2021 et 2024, un projet mené par l'Université "
        "Cheikh Anta Diop avec onze stations au Sénégal et en Côte d'Ivoire a numérisé 6 800 "
        "heures d'archives. Nous présentons la méthode : formation de techniciens locaux, kits "
        "de numérisation à bas coût, fiches de description en wolof, pulaar, dioula et "
        "français, et accords de dépôt qui laissent aux radios la maîtrise de la diffusion. Un "
        "tiers des cassettes présentait des dégradations avancées ; les priorités ont été "
        "fixées avec les communautés selon la valeur patrimoniale et le risque de perte. Les "
        "copies de préservation sont conservées à Dakar et dans chaque station. Nous discutons "
        "des limites du modèle, notamment la dépendance aux financements de projet, et "
        "proposons une feuille de route pour un réseau régional d'archives sonores.",
    ),
    _Spec(
        5,
        "digital-preservation",
        "en",
        "Floppy disks in the writers' archive: forensic imaging of Kazakh literary manuscripts",
        ("digital forensics", "floppy disks", "literary archives", "legacy encodings", "Kazakh"),
        ("nurlan", "assel", "pieter"),
        "Many Kazakh writers of the post-Soviet transition drafted their work on home "
        "computers, and their literary archives now contain hundreds of 3.5- and 5.25-inch "
        "floppy disks alongside paper manuscripts. This poster presents a forensic imaging "
        "workflow developed at Al-Farabi Kazakh National University for 740 disks from the "
        "personal archives of nine writers. Disks were imaged with a KryoFlux controller, which "
        "reads the magnetic flux directly and recovers data from non-standard formats; file "
        "systems were then identified and files extracted in a write-blocked environment. Of "
        "the images, 83% were fully readable, 11% partially, and 6% yielded nothing. The "
        "most difficult files were texts written in DOS word processors with custom Kazakh code "
        "pages that no modern tool recognises; we reconstructed three such encodings from "
        "keyboard driver files found on the same disks. The recovered material includes "
        "unpublished drafts and correspondence. We discuss privacy review before access and "
        "the training of archivists without a computer-science background.",
        corresponding=("assel",),
    ),
    _Spec(
        6,
        "digital-preservation",
        "en",
        "Emulation as a service for CD-ROM-era educational titles in legal deposit",
        ("emulation", "CD-ROM", "legal deposit", "software preservation", "reading rooms"),
        ("jonas", "hanna"),
        "Between 1993 and 2005 publishers released thousands of educational CD-ROMs that now "
        "sit in legal deposit collections but can no longer be used: they require Windows 95, "
        "QuickTime 2 or specific sound cards. We describe an emulation-as-a-service set-up "
        "that lets readers in the reading rooms of two national libraries launch these titles "
        "in a browser with one click. Each title is linked to a pre-configured emulated "
        "environment described in a shared registry, so that a configuration built in "
        "Frankfurt can be reused in Stockholm. We tested 1,150 titles: 71% ran without "
        "intervention, 19% needed a specific configuration such as a colour depth or a font, "
        "and 10% failed, mostly because of copy protection or missing drivers. A user study "
        "with 24 researchers and teachers found that emulated access was preferred over "
        "screenshots and video captures, even with slower start-up times. We discuss licensing "
        "under legal deposit, the cost of maintaining environments, and what metadata a "
        "library must record at ingest to make emulation possible decades later.",
    ),
    _Spec(
        7,
        "digital-preservation",
        "ru",
        "Оцифровка кириллических старопечатных книг в региональных библиотеках Урала",
        ("старопечатные книги", "оцифровка", "маргиналии", "распознавание текста", "Урал"),
        ("ekaterina", "dmitry"),
        "Региональные библиотеки Урала хранят значительные собрания кириллических "
        "старопечатных книг XVI–XVIII веков, в том числе издания старообрядческих типографий, "
        "которые до сих пор не описаны в сводных каталогах. В докладе представлен опыт "
        "совместного проекта Уральского федерального университета и пяти областных библиотек "
        "по оцифровке 1 270 экземпляров. Мы разработали единый регламент съёмки, учитывающий "
        "хрупкость переплётов и маргиналий, и методику описания экземплярных особенностей: "
        "владельческих записей, вкладных надписей, следов использования. Для распознавания "
        "текста использовалась модель, дообученная на 40 000 строк церковнославянского "
        "шрифта; средняя доля ошибок в символах составила 4,8 %. Оцифрованные книги доступны в "
        "открытом репозитории с метаданными, совместимыми с Национальной электронной "
        "библиотекой. Описание маргиналий позволило выявить 214 ранее неизвестных владельцев "
        "книг и уточнить историю распространения изданий по Уралу и Сибири. Мы обсуждаем "
        "вопросы сохранности, правовые аспекты и возможности для исследователей истории "
        "чтения.",
    ),
    # --- Inclusion and accessibility -------------------------------------------------
    _Spec(
        8,
        "inclusion-accessibility",
        "en",
        "Accessible EPUB by default: retrofitting 9,000 open textbooks for screen readers",
        ("accessibility", "EPUB", "open textbooks", "screen readers", "alternative text"),
        ("marie_claude", "noah"),
        "Open textbooks are free to read, but not always free to read with a screen reader. "
        "Our library publishing programme hosts 9,000 open textbooks and chapters, most of them "
        "produced as PDF from word processors, with untagged images, unstructured tables and "
        "mathematics rendered as pictures. We describe a two-year effort to make accessible "
        "EPUB the default output. Existing titles were triaged by an automated audit based on "
        "Ace by DAISY and manual spot checks; 63% needed only structural fixes that could be "
        "scripted, while the remainder required image descriptions or MathML conversion. "
        "Students with print disabilities were paid to test the results, and their reports "
        "shaped the style guide we now give to authors. After remediation, serious "
        "accessibility errors per title fell from a median of 37 to 2, and requests for "
        "alternative formats to the campus accessibility office dropped by half. We share the "
        "workflow, the costs per title, and what we learned about writing useful alternative "
        "text for diagrams in chemistry and engineering.",
    ),
    _Spec(
        9,
        "inclusion-accessibility",
        "en",
        "Kazakh Sign Language storytimes in public libraries: a mixed-methods evaluation",
        ("sign language", "deaf children", "storytime", "public libraries", "Kazakhstan"),
        ("saule", "dana", "arman"),
        "Deaf children in Kazakhstan rarely find library programmes in their first language. "
        "In partnership with the Kazakh Society of the Deaf, two public libraries in Almaty and "
        "Astana piloted fortnightly storytimes in Kazakh Sign Language, led by deaf "
        "storytellers and supported by bilingual picture books. Over eight months, 46 sessions "
        "reached 212 children and 160 parents, many of whom had never held a library card. We "
        "evaluated the pilot with attendance data, a short questionnaire for parents, and "
        "interviews with storytellers and library staff. Parents valued the presence of deaf "
        "adults as role models and the chance to meet other families; hearing siblings also "
        "began to learn signs. Staff reported initial uncertainty about communication, which "
        "fell after a short training course delivered by the storytellers themselves. "
        "Attendance was highest when sessions were announced through community messaging "
        "groups rather than library channels. We present a costed model for other libraries in "
        "the region, including how to pay storytellers fairly and how to build a small "
        "collection of signed video stories.",
        corresponding=("saule", "dana"),
    ),
    _Spec(
        10,
        "inclusion-accessibility",
        "en",
        "Dyslexia-friendly collections: do they change what children borrow?",
        ("dyslexia", "reading for pleasure", "circulation data", "public libraries", "children"),
        ("liam", "siobhan"),
        "Many public libraries now offer dyslexia-friendly collections, with tinted paper, "
        "adapted fonts and high-interest, low-reading-age titles, but little is known about "
        "whether they change what readers borrow. Dublin City Libraries introduced such "
        "collections in 12 of its 21 branches, which allowed a comparison with branches that "
        "did not. Using anonymised circulation data over three years, we compared loans of the "
        "collections with those of similar titles in standard editions, and surveyed 310 "
        "borrowers and 28 staff. Loans of dyslexia-friendly titles grew steadily and reached "
        "4.2% of children's fiction loans after two years, with the strongest effect among "
        "readers aged 9 to 13. Borrowers with a dyslexia diagnosis were a minority of users; "
        "many others chose the books because they were shorter or less intimidating. Shelving "
        "the collection separately helped families find it but made some teenagers reluctant "
        "to be seen there; mixed shelving with a discreet spine label worked better. We "
        "conclude with recommendations on selection, labelling and staff training.",
        corresponding=("siobhan",),
    ),
    _Spec(
        11,
        "inclusion-accessibility",
        "es",
        "Bibliotecas rurales y conectividad: préstamo de módems 4G en La Araucanía",
        (
            "brecha digital",
            "bibliotecas rurales",
            "préstamo de dispositivos",
            "Chile",
            "mapudungun",
        ),
        ("sebastian", "valentina"),
        "En las comunas rurales de La Araucanía, una de cada tres familias no tiene acceso a "
        "internet en el hogar. Entre marzo y diciembre, ocho bibliotecas públicas de la región "
        "ofrecieron en préstamo módems 4G con planes de datos prepagados, por periodos de tres "
        "semanas y con la misma credencial de lector que se usa para los libros. Analizamos "
        "1 046 préstamos y realizamos entrevistas con 35 usuarios y con el personal de las "
        "bibliotecas, incluidas comunidades mapuche. Los módems se usaron sobre todo para "
        "tareas escolares, trámites en línea y consultas de salud; el 27 % de los usuarios "
        "nunca antes había visitado la biblioteca. La lista de espera superó los dos meses en "
        "cinco de las ocho bibliotecas. Los principales problemas fueron la cobertura desigual "
        "de la red móvil y la falta de apoyo técnico fuera del horario de atención. Proponemos "
        "un modelo de costos, criterios de priorización y materiales de alfabetización digital "
        "en español y mapudungun para acompañar el préstamo.",
    ),
    _Spec(
        12,
        "inclusion-accessibility",
        "en",
        "Audio description of library exhibitions for blind and partially sighted visitors",
        ("audio description", "blind visitors", "exhibitions", "tactile reproductions", "Arabic"),
        ("layla", "yazan"),
        "Library exhibitions of manuscripts, maps and photographs are designed to be seen, and "
        "for blind and partially sighted visitors they are often inaccessible from the "
        "entrance onward. At the University of Jordan Library we produced audio descriptions "
        "in Arabic and English for a permanent exhibition of 38 items on the history of "
        "printing in the Levant, together with tactile reproductions of six key objects. The "
        "descriptions were written by library staff after a training course and reviewed by a "
        "panel of five blind advisers, who also tested navigation through the exhibition space "
        "with floor markers and a simple smartphone application. Visitors could choose between "
        "short descriptions of about one minute and extended ones with historical context. In "
        "the first six months, 94 visitors used the audio guide, including groups from two "
        "schools for the blind. Feedback emphasised the value of describing texture, size and "
        "condition rather than only content. We discuss the cost of production, copyright "
        "questions around reproductions, and how the approach can extend to temporary "
        "exhibitions.",
        state=_DRAFT,
    ),
    _Spec(
        13,
        "inclusion-accessibility",
        "en",
        "Library services for refugees in transit: three provinces of south-eastern Türkiye",
        ("refugees", "public libraries", "earthquake recovery", "mobile libraries", "Türkiye"),
        ("ibrahim", "tugba", "elif"),
        "South-eastern Türkiye hosts one of the largest refugee populations in the world, and "
        "many families remain in the region for years while waiting for resettlement. This "
        "study examines how public libraries in Gaziantep, Şanlıurfa and Hatay responded, both "
        "before and after the earthquakes of February 2023 destroyed or damaged several "
        "library buildings. We interviewed 41 librarians and 63 adult library users from "
        "Syria, Afghanistan and Iraq, and analysed programme records over five years. "
        "Libraries offered Turkish language courses, children's activities in Arabic, homework "
        "support and help with online administrative procedures. After the earthquakes, mobile "
        "libraries and container libraries in temporary settlements became the main point of "
        "contact for many families. Users valued libraries as safe, calm spaces where they "
        "could meet people without being asked about their status. Librarians described a lack "
        "of materials in Arabic and Persian, unclear rules on registration without residence "
        "documents, and emotional strain. We propose minimum standards for library services to "
        "displaced people that municipalities in the region can adapt.",
        quirks=frozenset({PdfQuirk.NO_TITLE_METADATA}),
    ),
    _Spec(
        14,
        "inclusion-accessibility",
        "en",
        "Easy-read library cards and signage co-designed with people with intellectual "
        "disabilities",
        ("easy read", "co-design", "intellectual disability", "wayfinding", "registration"),
        ("aino", "elin"),
        "Library registration forms, card agreements and wayfinding signs are often written in "
        "language that excludes adults with intellectual disabilities. At Helsinki City "
        "Library we redesigned these materials together with nine co-designers with "
        "intellectual disabilities, who were paid for their time as experts by experience. "
        "Over ten workshops, the group tested existing forms, rewrote the terms of use in "
        "easy-to-read Finnish and Swedish, and selected pictograms for signs in the central "
        "library Oodi and two branch libraries. The new registration process uses a two-page "
        "easy-read agreement and an optional picture-supported guide. We compared the six "
        "months before and after the change: registrations needing help from staff fell, while "
        "independent registrations by people who said they needed easy-read materials rose "
        "from 14 to 61. Staff also reported fewer misunderstandings about loan periods and "
        "fines. We reflect on the co-design method, including scheduling, consent and how to "
        "share decision power, and provide the materials under an open licence for "
        "translation.",
        licence="CC-BY-SA-4.0",
    ),
    # --- AI and information literacy -------------------------------------------------
    _Spec(
        15,
        "ai-literacy",
        "en",
        "Verify before you cite: a four-week intervention on chatbot-generated references",
        (
            "information literacy",
            "generative AI",
            "citation verification",
            "first-year students",
            "instruction",
        ),
        ("emily", "marcus"),
        "Students increasingly ask chatbots for sources, and many of the references they "
        "receive do not exist. We designed a four-week intervention for first-year writing "
        "courses in which librarians taught students to verify references produced by "
        "generative AI tools against discovery systems, publisher sites and citation "
        "databases. Twelve course sections with 284 students took part; eight received the "
        "intervention and four served as comparison groups. Before the intervention, students "
        "accepted 58% of fabricated references as genuine in a verification task; afterwards "
        "the rate fell to 19% in the intervention group and to 49% in the comparison group. "
        "Students also became faster at recognising partially correct references, which "
        "combine a real author with an invented title or journal. In reflective essays, "
        "students described the exercise as changing their trust in fluent text rather than "
        "discouraging them from using AI tools altogether. We share the lesson plans, the "
        "verification task and a rubric for assessing source evaluation that instructors can "
        "adapt to their own disciplines.",
    ),
    _Spec(
        16,
        "ai-literacy",
        "en",
        "Hallucinated references in master's theses: an audit of 600 bibliographies",
        ("research integrity", "generative AI", "theses", "reference verification", "China"),
        ("chen", "liufang"),
        "Since generative AI tools became widely available, supervisors and librarians have "
        "reported references in student theses that cannot be found. To measure the problem, "
        "we audited the bibliographies of 600 master's theses submitted at a large Chinese "
        "university, 300 from before the release of general-purpose chatbots and 300 from the "
        "two following academic years. Every reference was checked against CNKI, Web of "
        "Science, publisher websites and the library catalogue; references that could not be "
        "located were examined by two librarians. In the earlier group, 1.1% of references "
        "could not be verified, mostly because of typing errors. In the later group the rate "
        "rose to 3.9%, and one thesis in eight contained at least one reference that did not "
        "exist at all. Fabricated references were most frequent in Chinese-language citations "
        "of journal articles and in the humanities and social sciences. We describe how the "
        "library now offers reference verification as part of thesis submission, and discuss "
        "the workload this creates and the conversations it has opened with graduate schools.",
        quirks=frozenset({PdfQuirk.CJK_FONT_NOT_EMBEDDED}),
    ),
    _Spec(
        17,
        "ai-literacy",
        "en",
        "Media and information literacy for older adults in Tashkent mahallas",
        ("older adults", "media literacy", "online fraud", "health misinformation", "Uzbekistan"),
        ("dilnoza", "jasur"),
        "Older adults in Uzbekistan are moving online quickly, often through messaging apps, "
        "and are frequent targets of fraud and health misinformation. The Alisher Navoi "
        "National Library of Uzbekistan worked with mahalla committees, the neighbourhood "
        "self-government bodies, to offer media and information literacy sessions in 16 "
        "neighbourhoods of Tashkent. Sessions were held in Uzbek and Russian in community "
        "centres rather than the library, and covered recognising fraudulent messages, "
        "checking health claims, and privacy settings on popular apps. Younger volunteers from "
        "local universities gave one-to-one support on participants' own phones. Of 530 "
        "participants, 78% were women and the median age was 66. A short scenario-based test "
        "before and after the sessions showed that correct identification of fraudulent "
        "messages rose from 41% to 72%. Participants most appreciated practical help and the "
        "chance to ask questions without embarrassment. We discuss the role of trusted local "
        "institutions, the limits of short interventions and plans to train mahalla activists "
        "as multipliers.",
    ),
    _Spec(
        18,
        "ai-literacy",
        "fr",
        "Les bibliothécaires face à l'IA générative : enquête auprès de 1 100 professionnels "
        "francophones",
        (
            "intelligence artificielle",
            "enquête",
            "formation professionnelle",
            "francophonie",
            "bibliothécaires",
        ),
        ("elodie", "youssef"),
        "Comment les bibliothécaires francophones perçoivent-ils l'arrivée de l'IA générative "
        "dans leur travail et dans les usages de leurs publics ? Nous avons mené une enquête en "
        "ligne auprès de 1 100 professionnels en France, en Belgique, en Suisse, au Québec, au "
        "Maghreb et en Afrique subsaharienne, complétée par 24 entretiens. Deux tiers des "
        "répondants utilisent déjà ces outils, le plus souvent pour rédiger des textes de "
        "médiation, traduire ou résumer des documents ; l'usage pour le catalogage reste "
        "marginal. Les attentes sont fortes en matière de formation : 72 % estiment ne pas être "
        "préparés à accompagner les usagers. Les inquiétudes portent sur la fiabilité des "
        "réponses, le droit d'auteur, la dépendance envers quelques entreprises et l'impact "
        "environnemental. Les différences entre pays sont marquées : le coût des outils payants "
        "et la qualité des réponses dans les langues africaines limitent les usages dans "
        "plusieurs pays. Nous proposons des pistes pour la formation initiale et continue et "
        "pour une position professionnelle commune sur l'IA en bibliothèque.",
    ),
    _Spec(
        19,
        "ai-literacy",
        "en",
        "Subject indexing with large language models: agreement with cataloguers on Kazakh "
        "and Russian records",
        (
            "subject indexing",
            "large language models",
            "cataloguing",
            "Kazakh language",
            "controlled vocabularies",
        ),
        ("bauyrzhan", "olga"),
        "Subject indexing is one of the most time-consuming tasks in cataloguing, and backlogs "
        "are largest for materials in less-resourced languages. We tested whether large "
        "language models can suggest subject headings of acceptable quality for Kazakh- and "
        "Russian-language monographs. From a union catalogue we sampled 1,500 records with "
        "headings assigned by experienced cataloguers, and asked three models, one open-weight "
        "model run locally and two commercial services, to propose headings from a controlled "
        "vocabulary given the title, table of contents and abstract. Suggestions were compared "
        "with the original headings and judged by four cataloguers in a blind review. For "
        "Russian-language records the best model matched at least one cataloguer heading in "
        "74% of cases; for Kazakh-language records the figure was 52%, and invented headings "
        "that did not exist in the vocabulary were three times more frequent. Cataloguers rated "
        "38% of suggestions for Kazakh records as useful starting points. We conclude that "
        "such tools can support but not replace indexing in Kazakh, and argue for shared "
        "training data.",
    ),
    _Spec(
        20,
        "ai-literacy",
        "en",
        "Prompt literacy workshops in Nairobi secondary school libraries",
        ("school libraries", "prompt literacy", "generative AI", "Kenya", "teacher collaboration"),
        ("wanjiru", "brian"),
        "Secondary school students in Kenya already use generative AI tools on shared phones "
        "and in cyber cafés, often without guidance from teachers. The Kenya National Library "
        "Service ran a series of prompt literacy workshops in the libraries of six public "
        "secondary schools in Nairobi, reaching 420 students in Forms 3 and 4. Workshops were "
        "co-taught by librarians and teachers and combined offline activities, such as "
        "comparing answers printed on cards, with supervised use of a chatbot on library "
        "computers. Students learned to write clear prompts, to ask for sources and to check "
        "answers against textbooks and the library's e-resources. Tasks set before and after "
        "the workshops showed that students who attended were twice as likely to question an "
        "incorrect answer. Teachers noted that the workshops improved discussions about "
        "academic honesty. Limited bandwidth and a lack of devices were the main obstacles, and "
        "a low-data version of the workshop has since been developed. We share the curriculum "
        "in English and Kiswahili and discuss how libraries can become partners for schools.",
        quirks=frozenset({PdfQuirk.LANDSCAPE_A1}),
    ),
    _Spec(
        21,
        "ai-literacy",
        "en",
        "Can readers spot synthetic photographs? A game-based visual literacy activity",
        (
            "visual literacy",
            "synthetic images",
            "game-based learning",
            "provenance",
            "library orientation",
        ),
        ("minji", "misaki"),
        "Synthetic photographs are now hard to distinguish from real ones, and libraries that "
        "teach visual literacy need engaging ways to discuss them. We developed a card and "
        "browser game in which players decide whether each of 40 images is a documentary "
        "photograph from library collections or an image generated from a text prompt, and "
        "then read a short explanation of the clues. The game was played by 350 university "
        "students in Seoul and Tokyo during library orientation weeks. Players identified "
        "synthetic images correctly 61% of the time on their first attempt, and accuracy "
        "improved only modestly with practice; confidence, however, fell sharply, which we "
        "interpret as healthy scepticism. Players told to look at provenance information, such "
        "as the archive, photographer and date, outperformed those who focused on visual "
        "artefacts. Discussions after the game were rated the most useful part. We describe "
        "the design, the selection of public domain photographs and the ethics of generating "
        "images of people and places.",
        state=_DRAFT,
        corresponding=("misaki",),
    ),
    # --- Open science and repositories -----------------------------------------------
    _Spec(
        22,
        "open-science",
        "en",
        "Persistent identifiers for grey literature: DOIs for 30 years of Central Asian "
        "policy reports",
        ("grey literature", "DOI", "persistent identifiers", "Central Asia", "permissions"),
        ("aiperi", "timur"),
        "Policy reports, working papers and conference proceedings from Central Asian think "
        "tanks and NGOs are widely cited but difficult to find, and many of the websites that "
        "published them have disappeared. The library of the American University of Central "
        "Asia has collected this grey literature for several years, and this poster reports on "
        "assigning DOIs to 3,200 reports published over three decades in Kyrgyzstan, "
        "Kazakhstan, Tajikistan and Uzbekistan. We negotiated permissions with 87 "
        "organisations, some of which no longer exist, and recorded metadata in English, "
        "Russian and the national language of each report. Assigning DOIs required decisions "
        "on versioning, on authorship when reports name only organisations, and on the "
        "transliteration of names. Within a year of registration, the reports had received "
        "more than 41,000 resolutions, and citation tracking found 460 citations in journal "
        "articles and policy documents. The main challenges were staff time for permissions "
        "and the low adoption of ORCID among authors in the region. We share the permission "
        "templates and metadata guidelines.",
    ),
    _Spec(
        23,
        "open-science",
        "en",
        "Rights retention in practice: repository deposits before and after an institutional "
        "policy",
        (
            "rights retention",
            "open access",
            "institutional repository",
            "accepted manuscripts",
            "policy evaluation",
        ),
        ("sanne", "oliver"),
        "Rights retention policies allow authors to share their accepted manuscripts "
        "immediately under an open licence, regardless of publisher embargoes. Utrecht "
        "University adopted such a policy, and this study measures its effect on deposits in "
        "the institutional repository. We compared the 18 months before and after the policy "
        "for 9,400 journal articles with at least one Utrecht author, and benchmarked the "
        "results against a university without such a policy. The share of articles with an "
        "open accepted manuscript in the repository rose from 23% to 41%, with the largest "
        "increases in the social sciences and humanities. Publishers contested only 14 "
        "deposits, all resolved without removal. However, a third of authors were unaware of "
        "the policy, and deposits depended heavily on reminders from library staff triggered "
        "by the research information system. We discuss the workload of the mediated deposit "
        "service, the role of faculty champions and how the experience can inform national "
        "policies on rights retention.",
        state=PosterState.WITHDRAWN,
    ),
    _Spec(
        24,
        "open-science",
        "en",
        "Research data management capability in African university libraries: a survey of "
        "74 institutions",
        (
            "research data management",
            "capability maturity",
            "Africa",
            "university libraries",
            "survey",
        ),
        ("thandiwe", "kwame", "chidinma"),
        "Funders and journals increasingly require research data to be managed and shared, but "
        "the capacity of African university libraries to support researchers varies widely. We "
        "surveyed 74 university libraries in 19 countries of sub-Saharan Africa, using a "
        "capability model that covers policy, data management planning, storage, curation, "
        "training and advocacy, and followed up with interviews in 12 institutions. Only 22% "
        "of libraries offered a research data service with dedicated staff, while 58% gave ad "
        "hoc support, mostly for data management plans. Institutional data repositories "
        "existed in 17 libraries; most others relied on international generalist repositories. "
        "Barriers included limited storage infrastructure, unclear institutional policies and "
        "the absence of data management from library school curricula. Libraries that had "
        "joined regional consortia or national research and education networks scored markedly "
        "higher on every dimension. We present capability profiles by region and type of "
        "institution and propose priorities for training, shared infrastructure and advocacy "
        "with university leadership.",
    ),
    _Spec(
        25,
        "open-science",
        "es",
        "Hacia un repositorio nacional de tesis: interoperabilidad con LA Referencia",
        ("tesis", "repositorios", "OAI-PMH", "calidad de metadatos", "LA Referencia"),
        ("camila", "martin"),
        "Colombia no cuenta todavía con un repositorio nacional de tesis, y las tesis de "
        "posgrado se dispersan en más de 120 repositorios institucionales con prácticas de "
        "descripción muy distintas. Presentamos un prototipo de agregador desarrollado por la "
        "Universidad de Antioquia en colaboración con la Universidad Nacional de La Plata, que "
        "recolecta registros mediante OAI-PMH de 38 universidades y los normaliza según las "
        "directrices de LA Referencia. Analizamos 214 000 registros: el 31 % carecía de "
        "identificador de autor, el 18 % no indicaba el tipo de tesis y el 12 % tenía enlaces "
        "rotos al texto completo. Desarrollamos reglas de limpieza automáticas y un panel que "
        "informa a cada repositorio sobre la calidad de sus metadatos. Tras seis meses, 22 "
        "instituciones corrigieron sus registros y la proporción de tesis con texto completo "
        "accesible subió del 71 % al 86 %. Discutimos la gobernanza necesaria para convertir el "
        "prototipo en un servicio nacional y la experiencia argentina como referencia.",
        licence="CC-BY-NC-4.0",
    ),
    _Spec(
        26,
        "open-science",
        "en",
        "Open peer review of datasets in an Arabic-language research data repository",
        ("open peer review", "research data", "Arabic", "data repositories", "data quality"),
        ("ahmed", "sara"),
        "Arabic-language research data are underrepresented in international repositories, "
        "and their quality is hard to judge for potential users. The research data repository "
        "of Bibliotheca Alexandrina introduced open peer review for datasets deposited in "
        "Arabic or in bilingual form. Reviewers, recruited from a pool of 60 volunteer "
        "researchers and data librarians, assess documentation, file formats, licensing and "
        "the consistency between data and description; their signed reports are published "
        "alongside the dataset with a DOI. In the first eighteen months, 112 datasets were "
        "reviewed, mostly in the social sciences, linguistics and heritage studies. Reviews "
        "took a median of 24 days, and 81% of datasets were revised before publication, most "
        "often to add codebooks or clarify variables. Depositors valued the feedback, but some "
        "reviewers were reluctant to sign public reports, so reviewers may now remain "
        "anonymous. We discuss reviewer recognition, workload and the difficulty of finding "
        "reviewers for datasets in regional dialects.",
    ),
    _Spec(
        27,
        "open-science",
        "en",
        "Beyond downloads: COUNTER-compliant usage statistics for 40 Chinese university "
        "repositories",
        ("usage statistics", "COUNTER", "institutional repositories", "robot filtering", "China"),
        ("zhangwei", "lijing"),
        "Download counts reported by institutional repositories are often inflated by robots "
        "and cannot be compared between platforms. We worked with 40 university repositories "
        "in China to produce usage statistics that follow the COUNTER Code of Practice for "
        "research data and repositories. Log files from DSpace, Fedora-based and locally "
        "developed platforms were processed with a shared pipeline that removes robot traffic, "
        "double clicks and machine access, and aggregates usage by item, institution and "
        "month. On average, 46% of raw downloads were removed as non-human activity, with "
        "rates above 80% in two heavily crawled repositories. After filtering, the ranking of "
        "the most used items changed substantially: grey literature and theses rose, while a "
        "few items with anomalous robot traffic dropped out. Repository managers found the "
        "reports useful for decisions on digitisation and for discussions with university "
        "administrations. We describe the pipeline, the data-sharing agreement that allowed "
        "logs to be pooled, and plans for a national aggregation service.",
        corresponding=("lijing",),
        quirks=frozenset({PdfQuirk.CJK_FONT_NOT_EMBEDDED}),
    ),
    _Spec(
        28,
        "open-science",
        "ru",
        "Открытый доступ к научным журналам Казахстана: анализ 214 изданий",
        ("открытый доступ", "научные журналы", "лицензии Creative Commons", "DOI", "Казахстан"),
        ("zhanar", "igor"),
        "Научные журналы Казахстана активно переходят в открытый доступ, однако сведения об их "
        "политике, лицензиях и метаданных остаются разрозненными. Мы проанализировали 214 "
        "рецензируемых журналов, издаваемых в Казахстане, по 22 критериям: наличие открытого "
        "доступа, тип лицензии, плата за публикацию, политика самоархивирования, использование "
        "DOI и ORCID, передача метаданных в международные базы данных. Полностью открыты 71 % "
        "журналов, однако только 38 % указывают лицензию Creative Commons, а у 29 % сайт не "
        "содержит явной информации об авторских правах. Плату за публикацию взимают 44 % "
        "журналов, причём её размер часто не указан на сайте. Метаданные на казахском языке "
        "передаются в международные индексы реже, чем на русском и английском. Результаты "
        "показывают, что библиотеки могут помочь редакциям: консультировать по лицензиям, "
        "поддерживать регистрацию DOI и вести национальный реестр журналов открытого доступа. "
        "Мы представляем прототип такого реестра и приглашаем к сотрудничеству библиотеки "
        "стран Центральной Азии.",
    ),
    # --- Indigenous knowledge and languages ------------------------------------------
    _Spec(
        29,
        "indigenous-knowledge",
        "en",
        "Applying Traditional Knowledge Labels to a Māori photograph collection",
        (
            "Traditional Knowledge Labels",
            "Māori",
            "Indigenous data sovereignty",
            "photographs",
            "Local Contexts",
        ),
        ("aroha", "rawiri"),
        "Many photographs of Māori people, places and taonga held in university collections "
        "were taken without the consent of the communities depicted, and their catalogue "
        "records say little about cultural rights or protocols. Working with iwi "
        "representatives, the library of Te Herenga Waka — Victoria University of Wellington "
        "applied Traditional Knowledge Labels from the Local Contexts initiative to a "
        "collection of 2,300 photographs from the early twentieth century. Labels are chosen by "
        "the communities themselves and express conditions such as attribution, seasonal use "
        "or restrictions on commercial reuse. In the first phase, representatives of four iwi "
        "reviewed 640 images at hui held on their marae and applied labels to 410 of them; 37 "
        "images were withdrawn from online display at the community's request. The catalogue "
        "now shows the labels beside the records, with links to community statements. We "
        "reflect on the time and trust this process requires, the tension between open access "
        "and Indigenous data sovereignty, and how libraries can resource community-led "
        "decisions.",
        licence="CC-BY-NC-ND-4.0",
    ),
    _Spec(
        30,
        "indigenous-knowledge",
        "en",
        "Recording the zhyrau: community consent for a digital archive of Kazakh oral epic "
        "performers",
        ("oral epic", "consent", "sound archives", "Kazakh", "intangible heritage"),
        ("gulnar", "erlan"),
        "Kazakh oral epic poetry is still performed by zhyrau and akyns, often accompanied by "
        "the dombra, but the number of performers who know long epics by heart is declining. "
        "The M. O. Auezov Institute of Literature and Art and the National Library of the "
        "Republic of Kazakhstan have recorded 260 hours of performances by 34 performers in "
        "six regions. This poster focuses on consent and community ownership rather than "
        "recording technique. We developed a consent process in Kazakh that separates "
        "permissions for archival preservation, research, online publication and commercial "
        "use, and that performers' families can renew. Performers and their apprentices helped "
        "describe the recordings, adding genealogies of transmission and local names of "
        "melodies that were missing from our controlled vocabularies. Two thirds of performers "
        "chose online publication; others limited access to researchers or to their own "
        "community. We present the consent forms, the metadata scheme and the challenges of "
        "managing restrictions in a catalogue designed for open access.",
    ),
    _Spec(
        31,
        "indigenous-knowledge",
        "en",
        "North Sámi subject headings in a Nordic union catalogue",
        (
            "Sámi languages",
            "subject headings",
            "union catalogues",
            "multilingual vocabularies",
            "Indigenous languages",
        ),
        ("ingrid", "inger"),
        "Sámi-language publications are catalogued in Norway, Sweden and Finland, but subject "
        "headings are almost always in the majority languages, which makes the materials hard "
        "for Sámi readers to discover. We developed 1,850 North Sámi subject headings mapped to "
        "the Norwegian, Swedish and Finnish vocabularies used in the national union catalogues, "
        "working with Sámi librarians, language experts and teachers. Terms were chosen to "
        "reflect Sámi concepts, for example in reindeer husbandry, kinship and landscape, "
        "rather than translating majority-language headings word for word. Headings were added "
        "to 4,100 records, and the search interface now offers North Sámi as a query language. "
        "Usage logs from the first year show that searches in North Sámi grew steadily, mainly "
        "from schools and Sámi institutions. We discuss governance of the vocabulary, the work "
        "needed to extend it to Lule and South Sámi, and how similar approaches can support "
        "other Indigenous and minority languages in library catalogues.",
        presenter="inger",
        corresponding=("ingrid",),
    ),
    _Spec(
        32,
        "indigenous-knowledge",
        "es",
        "Narración oral en quechua en bibliotecas comunitarias del Cusco",
        (
            "quechua",
            "tradición oral",
            "bibliotecas comunitarias",
            "Perú",
            "educación intercultural bilingüe",
        ),
        ("rosa", "jorge"),
        "En las comunidades altoandinas del Cusco, la narración oral en quechua sigue siendo "
        "una forma viva de transmisión de conocimientos, pero rara vez está presente en las "
        "colecciones de las bibliotecas comunitarias. Durante dos años acompañamos a diez "
        "bibliotecas comunitarias en la grabación, transcripción y publicación de 380 relatos "
        "narrados por abuelas y abuelos, en quechua con traducción al español. Cada comunidad "
        "decidió qué relatos podían difundirse públicamente y cuáles debían quedarse en la "
        "biblioteca local. Los relatos se publicaron en libros ilustrados de bajo costo y en "
        "audio accesible por teléfono móvil. Las bibliotecas organizaron sesiones de escucha "
        "con escuelas bilingües, y los docentes incorporaron los materiales en sus clases de "
        "comunicación. Observamos un aumento de la participación de jóvenes como "
        "transcriptores y grabadores. Analizamos las tensiones entre la estandarización de la "
        "escritura quechua y las variantes locales, así como los retos para garantizar la "
        "sostenibilidad de las bibliotecas comunitarias sin financiamiento estable.",
        licence="CC-BY-NC-4.0",
    ),
    _Spec(
        33,
        "indigenous-knowledge",
        "en",
        "Cultural protocols in a university library digitisation programme",
        (
            "cultural protocols",
            "Aboriginal and Torres Strait Islander",
            "digitisation",
            "culturally sensitive material",
            "ATSILIRN",
        ),
        ("jessica", "daniel_h"),
        "University libraries in Australia hold large collections of material about "
        "Aboriginal and Torres Strait Islander peoples, much of it created without consent and "
        "containing culturally sensitive content. Before starting a large digitisation "
        "programme, the University of Sydney Library worked with an Indigenous advisory group "
        "to apply the ATSILIRN Protocols and the principles of Indigenous data sovereignty to "
        "selection, description and access. This poster describes the resulting workflow. "
        "Items are screened for culturally sensitive content, such as images of people who "
        "have died or secret and sacred material, and community consultation precedes any "
        "online publication. Catalogue records now include cultural notices, and offensive "
        "historical terms in descriptions are placed in context rather than silently removed. "
        "In the first year, 1,900 items were screened, 240 were referred to communities and 65 "
        "were withheld from online access. Consultation takes time and must be budgeted from "
        "the start. We discuss how to scale the approach and why the library must employ "
        "Aboriginal and Torres Strait Islander staff.",
        state=_DRAFT,
    ),
    _Spec(
        34,
        "indigenous-knowledge",
        "en",
        "Tifinagh in the catalogue: cataloguing Amazigh-language publications in Morocco",
        ("Amazigh", "Tifinagh", "legal deposit", "multiscript cataloguing", "authority records"),
        ("omar", "nadia_a"),
        "Since Amazigh became an official language of Morocco, publishing in Tifinagh script "
        "has grown steadily, but library catalogues were not prepared for it. The legal "
        "deposit department of the National Library of the Kingdom of Morocco receives around "
        "300 Amazigh-language titles a year, in Tifinagh, Latin and Arabic scripts. We "
        "describe how we adapted the cataloguing workflow: choosing Unicode fonts and keyboard "
        "layouts for staff, recording titles in the original script with parallel "
        "transliterations, and extending authority records for Amazigh authors, whose names "
        "often appear in several scripts. We also worked with the library system vendor to fix "
        "sorting and searching of Tifinagh characters. Of 2,640 Amazigh titles received since "
        "2011, 1,980 have been catalogued in the original script, and searches in Tifinagh "
        "have grown from almost none to 6% of catalogue searches for Amazigh materials. We "
        "share our guidelines, which follow the standard of the Royal Institute of Amazigh "
        "Culture, and invite collaboration with libraries in Algeria, Tunisia and Libya.",
    ),
    # --- Library spaces and communities ----------------------------------------------
    _Spec(
        35,
        "library-spaces",
        "en",
        "From reading room to makerspace: two years of usage data at a national library",
        ("makerspaces", "space planning", "young adults", "usage data", "Astana"),
        ("dana",),
        "When the National Academic Library of the Republic of Kazakhstan converted part of a "
        "traditional reading room into a makerspace, the decision was controversial: readers "
        "valued the quiet, and staff worried about noise, safety and cost. This poster reports "
        "two years of usage data. We combined gate counts, booking records for 3D printers, "
        "laser cutters and recording equipment, a survey of 480 users and observation "
        "sessions. The makerspace recorded 21,400 visits, with 62% of users aged between 16 "
        "and 29, compared with 34% for the library as a whole. Bookings were highest for the "
        "podcast studio and the 3D printers; laser cutters were underused because of the "
        "safety training they require. Makerspace users also borrowed more books than the "
        "average reader, especially in technology and design. Noise complaints fell after "
        "acoustic panels were installed and the space was separated by a glass wall. We "
        "conclude with recommendations on staffing, training and partnerships with local "
        "universities and start-ups.",
        state=_DRAFT,
    ),
    _Spec(
        36,
        "library-spaces",
        "en",
        "Who comes after midnight? Night use of a 24/7 university library",
        ("opening hours", "24/7 libraries", "study spaces", "safety", "India"),
        ("priya", "ananya"),
        "When the central library of the Indian Institute of Technology Madras began opening "
        "24 hours a day during examination periods, staff wanted to know who used the building "
        "after midnight and why. We combined anonymised entry-gate data for 96 nights with a "
        "short survey of 620 users and observation of seat occupancy every two hours. Between "
        "midnight and 6 a.m. the library received a median of 410 visitors per night, 73% of "
        "them undergraduates; occupancy peaked at 2 a.m. at 64% of seats. The most common "
        "reasons were a quiet place to study, reliable electricity and internet, and "
        "air-conditioning, rather than access to collections. Women students said that "
        "security staff and well-lit access routes were decisive for their use of the library "
        "at night. Night users borrowed few books but used group study rooms intensively. We "
        "discuss the cost of night opening, staffing with student assistants, and the case for "
        "extending 24-hour opening beyond examination periods.",
        presenter="ananya",
        corresponding=("priya",),
    ),
    _Spec(
        37,
        "library-spaces",
        "en",
        "Seed libraries and climate resilience in Ghanaian community libraries",
        (
            "seed libraries",
            "climate adaptation",
            "community libraries",
            "Ghana",
            "agricultural information",
        ),
        ("ama", "kwame"),
        "Seed libraries let people borrow seeds, grow them and return seeds from the harvest. "
        "In Ghana, where farmers face increasingly irregular rainfall, the Ghana Library "
        "Authority piloted seed libraries in seven community libraries in the Northern, Upper "
        "East and Ashanti regions. Libraries collected seeds of local varieties of millet, "
        "sorghum, cowpea and vegetables from farmers' groups, stored them in simple sealed "
        "containers and lent them with information sheets in English, Dagbani and Twi. Over "
        "two seasons, 890 households borrowed seeds and 54% returned seeds after the harvest, "
        "a rate that improved when returns were linked to community events. Libraries also "
        "hosted sessions with agricultural extension officers on drought-tolerant varieties. "
        "Participants valued access to local varieties that are no longer sold in markets. "
        "Challenges included seed quality control, pests in storage and the seasonal workload "
        "for staff. We present a toolkit for community libraries and discuss partnerships with "
        "agricultural research institutes.",
    ),
    _Spec(
        38,
        "library-spaces",
        "fr",
        "Le bibliobus revient : lecture publique dans les quartiers nord de Marseille",
        ("bibliobus", "lecture publique", "quartiers prioritaires", "médiation", "Marseille"),
        ("camille", "nadia_h"),
        "Les quartiers nord de Marseille comptent parmi les territoires les moins bien "
        "desservis en équipements culturels de la ville. Les Bibliothèques de Marseille y ont "
        "relancé un service de bibliobus, avec deux véhicules qui s'arrêtent chaque semaine au "
        "pied de douze ensembles d'habitat social, à la sortie des écoles et sur les marchés. "
        "Nous présentons le bilan de deux années : 3 900 personnes inscrites, dont 61 % de "
        "moins de 18 ans, et 48 000 prêts. Les arrêts les plus fréquentés sont ceux organisés "
        "avec les centres sociaux et les associations de locataires. Le bibliobus propose "
        "aussi des ateliers numériques, une aide aux démarches administratives et des lectures "
        "en arabe, en comorien et en turc, animées par des habitants. Les entretiens avec les "
        "usagers montrent que le bibliobus est souvent une première porte d'entrée vers les "
        "bibliothèques de quartier. Nous discutons des conditions de réussite : régularité des "
        "passages, recrutement de médiateurs issus des quartiers et coopération avec les "
        "acteurs locaux.",
    ),
    _Spec(
        39,
        "library-spaces",
        "en",
        "Quiet, group and in-between zones: a post-occupancy evaluation of a renovated library",
        ("post-occupancy evaluation", "zoning", "noise", "study spaces", "sensors"),
        ("lukas", "anna_k"),
        "After a three-year renovation, the main reading rooms of ETH Library reopened with a "
        "new zoning concept: silent areas, bookable group rooms and an open in-between zone "
        "where conversation is allowed but not encouraged. We carried out a post-occupancy "
        "evaluation during the first two semesters, combining sensor data on occupancy and "
        "noise, 1,200 survey responses and 30 walking interviews. Silent areas were full at "
        "peak times, while group rooms were often booked but left empty; releasing unused "
        "bookings automatically after 15 minutes improved their use. The in-between zone was "
        "the most popular, but noise measurements showed that it often exceeded the levels "
        "users described as comfortable. Students used the space differently by discipline "
        "and time of day, and many moved between zones during a single visit. Clear signage "
        "helped less than consistent behaviour by staff. We share the evaluation toolkit and "
        "recommendations for libraries planning similar renovations.",
        state=_DRAFT,
    ),
    _Spec(
        40,
        "library-spaces",
        "en",
        "Libraries as warm spaces: winter programming at minus 30 °C",
        ("warm spaces", "winter", "social infrastructure", "older people", "Astana"),
        ("dana", "yerzhan"),
        "Astana is one of the coldest capital cities in the world, with winter temperatures "
        "often falling below minus 30 °C. In such conditions, libraries are among the few "
        "public places where people can spend time indoors without paying. This poster reports "
        "on a winter programme offered by the National Academic Library of the Republic of "
        "Kazakhstan and two city libraries, designed with social services and volunteers. From "
        "December to February the libraries extended their evening opening hours, served hot "
        "tea, and organised board games, Kazakh language clubs, film screenings and homework "
        "help. We recorded 14,700 visits to the programme and surveyed 350 participants. Older "
        "people living alone and families in small apartments were the most frequent users; "
        "38% of participants had not visited a library in the previous year. Participants "
        "valued company and a sense of routine as much as warmth. We discuss how libraries can "
        "be recognised as part of winter social infrastructure and how such programmes can be "
        "funded sustainably.",
    ),
)


@dataclass(frozen=True)
class _ReviewerSpec:
    person: _Person
    expertise: tuple[str, ...]
    tracks: tuple[str, ...]
    languages: tuple[str, ...]
    max_load: int
    past_coauthor_emails: tuple[str, ...] = ()
    declared_conflicts: tuple[int, ...] = ()
    min_load: int = 0


_REVIEWERS: tuple[_ReviewerSpec, ...] = (
    _ReviewerSpec(
        _p("Марат Искаков", "Marat Iskakov", REVIEWER_EMAILS[0], "KZ", "nu", orcid=True),
        expertise=(
            "subject indexing",
            "metadata quality",
            "large language models",
            "cataloguing",
            "Kazakh language",
        ),
        tracks=("ai-literacy", "open-science"),
        languages=("en", "ru", "kk"),
        max_load=8,
        min_load=6,
    ),
    _ReviewerSpec(
        _p("Sophie Laurent", None, REVIEWER_EMAILS[1], "FR", "nanterre", orcid=True),
        expertise=(
            "information literacy",
            "generative AI",
            "user studies",
            "public libraries",
            "accessibility",
        ),
        tracks=("ai-literacy", "inclusion-accessibility", "library-spaces"),
        languages=("fr", "en", "es"),
        max_load=8,
        min_load=6,
        past_coauthor_emails=("elodie.marchand@enssib.fr",),
    ),
    _ReviewerSpec(
        _p("田中博", "Hiroshi Tanaka", "h.tanaka@slis.tsukuba.ac.jp", "JP", "tsukuba"),
        expertise=("emulation", "software preservation", "file formats", "digital forensics"),
        tracks=("digital-preservation",),
        languages=("ja", "en"),
        max_load=6,
    ),
    _ReviewerSpec(
        _p(
            "فاطمة الزهراء بنعلي",
            "Fatima Zahra Benali",
            "fz.benali@um5.ac.ma",
            "MA",
            "um5",
            orcid=True,
        ),
        expertise=(
            "Amazigh",
            "multiscript cataloguing",
            "repositories",
            "Arabic manuscripts",
            "multilingual metadata",
        ),
        tracks=("indigenous-knowledge", "open-science"),
        languages=("ar", "fr", "en"),
        max_load=6,
        declared_conflicts=(34,),
    ),
    _ReviewerSpec(
        _p("Carlos Mendoza Ruiz", None, "cmendoza@colmex.mx", "MX", "colmex"),
        expertise=(
            "web archiving",
            "preservation policy",
            "theses",
            "repositories",
            "Latin America",
        ),
        tracks=("digital-preservation", "open-science"),
        languages=("es", "en"),
        max_load=7,
    ),
    _ReviewerSpec(
        _p("Наталья Иванова", "Natalia Ivanova", "n.ivanova@spbu.ru", "RU", "spbu", orcid=True),
        expertise=(
            "rare books",
            "digitisation",
            "open access journals",
            "Russian-language publishing",
        ),
        tracks=("digital-preservation", "open-science"),
        languages=("ru", "en", "de"),
        max_load=6,
    ),
    _ReviewerSpec(
        _p("Grace Achieng Otieno", None, "grace.otieno@uonbi.ac.ke", "KE", "uon"),
        expertise=(
            "information literacy",
            "school libraries",
            "community engagement",
            "seed libraries",
        ),
        tracks=("ai-literacy", "library-spaces", "inclusion-accessibility"),
        languages=("en", "sw"),
        max_load=6,
    ),
    _ReviewerSpec(
        _p("Thomas Berger", None, "berger@sub.uni-goettingen.de", "DE", "sub", orcid=True),
        expertise=("long-term preservation", "fixity", "research data management", "emulation"),
        tracks=("digital-preservation", "open-science"),
        languages=("de", "en"),
        max_load=8,
        past_coauthor_emails=("j.becker@dnb.de",),
    ),
    _ReviewerSpec(
        _p("Meera Pillai", None, "meera.pillai@uohyd.ac.in", "IN", "uoh"),
        expertise=("library buildings", "space assessment", "opening hours", "user experience"),
        tracks=("library-spaces", "inclusion-accessibility"),
        languages=("en", "hi"),
        max_load=6,
    ),
    _ReviewerSpec(
        _p("Hemi Walker", None, "hemi.walker@aucklandcouncil.govt.nz", "NZ", "akl"),
        expertise=(
            "Māori collections",
            "Indigenous data sovereignty",
            "cultural protocols",
            "community archives",
        ),
        tracks=("indigenous-knowledge", "library-spaces"),
        languages=("en", "mi"),
        max_load=5,
    ),
    _ReviewerSpec(
        _p("李娜", "Li Na", "lina_lib@fudan.edu.cn", "CN", "fudan", orcid=True),
        expertise=(
            "institutional repositories",
            "usage statistics",
            "COUNTER",
            "research integrity",
        ),
        tracks=("open-science", "ai-literacy"),
        languages=("zh", "en"),
        max_load=7,
    ),
    _ReviewerSpec(
        _p("Elena Popescu", None, "elena.popescu@bcub.ro", "RO", "bcub"),
        expertise=("accessibility", "refugee services", "public libraries", "outreach"),
        tracks=("inclusion-accessibility", "library-spaces"),
        languages=("ro", "en", "fr"),
        max_load=6,
    ),
    # Joined the pool so that every poster can have three reviewers, none with more
    # than six posters (the assignment's default limit).
    _ReviewerSpec(
        _p("Ana Beatriz Carvalho", None, "anabeatriz.carvalho@usp.br", "BR", "usp", orcid=True),
        expertise=(
            "research data management",
            "open access",
            "persistent identifiers",
            "repositories",
            "Latin America",
        ),
        tracks=("open-science", "digital-preservation"),
        languages=("pt", "es", "en"),
        max_load=6,
    ),
    _ReviewerSpec(
        _p("Oluwaseun Adebayo", None, "oadebayo@unilag.edu.ng", "NG", "unilag"),
        expertise=(
            "information literacy",
            "generative AI",
            "school libraries",
            "teacher collaboration",
            "Africa",
        ),
        tracks=("ai-literacy", "library-spaces"),
        languages=("en", "yo"),
        max_load=6,
    ),
    _ReviewerSpec(
        _p("Jana Dvořáková", None, "jana.dvorakova@nkp.cz", "CZ", "nkp", orcid=True),
        expertise=("web archiving", "digitisation", "format migration", "newspapers", "OCR"),
        tracks=("digital-preservation",),
        languages=("cs", "en", "ru"),
        max_load=6,
    ),
    _ReviewerSpec(
        _p("Jarrah Collins", None, "jarrah.collins@slq.qld.gov.au", "AU", "slq"),
        expertise=(
            "Indigenous knowledge centres",
            "cultural protocols",
            "oral history",
            "community archives",
            "Indigenous languages",
        ),
        tracks=("indigenous-knowledge", "inclusion-accessibility"),
        languages=("en",),
        max_load=6,
    ),
    _ReviewerSpec(
        _p(
            "Ержан Мұхамедов",
            "Yerzhan Mukhamedov",
            "y.mukhamedov@buketov.edu.kz",
            "KZ",
            "buketov",
        ),
        expertise=(
            "public libraries",
            "library buildings",
            "rural libraries",
            "reading promotion",
            "Kazakh language",
        ),
        tracks=("library-spaces", "inclusion-accessibility"),
        languages=("kk", "ru", "en"),
        max_load=6,
    ),
    _ReviewerSpec(
        _p("مريم الخطيب", "Mariam Al-Khatib", "malkhatib@qnl.qa", "QA", "qnl", orcid=True),
        expertise=(
            "Arabic script OCR",
            "digitisation",
            "accessibility",
            "multilingual metadata",
            "research data",
        ),
        tracks=("inclusion-accessibility", "open-science"),
        languages=("ar", "en", "fr"),
        max_load=6,
    ),
    _ReviewerSpec(
        _p("Lucía Fernández Ortega", None, "lucia.fernandez@fic.edu.uy", "UY", "udelar"),
        expertise=(
            "information literacy",
            "media literacy",
            "older adults",
            "misinformation",
            "public libraries",
        ),
        tracks=("ai-literacy", "inclusion-accessibility"),
        languages=("es", "pt", "en"),
        max_load=6,
    ),
)

_CHAIR = _p("Айгерім Сейтқали", "Aigerim Seitkali", CHAIR_EMAIL, "KZ", "nabrk")

_EXPECTED_CONFLICTS: tuple[tuple[str, int, ConflictKind, str], ...] = (
    (
        REVIEWER_EMAILS[0],
        19,
        ConflictKind.INSTITUTION,
        "Works at Nazarbayev University Library, like the first author.",
    ),
    (
        REVIEWER_EMAILS[1],
        18,
        ConflictKind.COAUTHOR,
        "Co-authored a book chapter with the first author.",
    ),
    (
        "berger@sub.uni-goettingen.de",
        6,
        ConflictKind.COAUTHOR,
        "Co-authored a report on emulation with the first author.",
    ),
    (
        "fz.benali@um5.ac.ma",
        34,
        ConflictKind.DECLARED,
        "Supervised the first author's master's thesis.",
    ),
    # The demo accounts share example.org, which detection reads as one institution's
    # domain: recorded here, so that no assignment is lost when detection next runs.
    *(
        (
            reviewer,
            number,
            ConflictKind.EMAIL_DOMAIN,
            "Shares the e-mail domain example.org with an author.",
        )
        for reviewer in REVIEWER_EMAILS
        for number in (9, 35, 40)
    ),
    (
        CHAIR_EMAIL,
        9,
        ConflictKind.INSTITUTION,
        "Works at the National Academic Library, like a co-author.",
    ),
    (
        CHAIR_EMAIL,
        35,
        ConflictKind.INSTITUTION,
        "Works at the National Academic Library, like the author.",
    ),
    (
        CHAIR_EMAIL,
        40,
        ConflictKind.INSTITUTION,
        "Works at the National Academic Library, like the first author.",
    ),
)


# --- Assembly ----------------------------------------------------------------------


def _institutions(keys: tuple[str, ...]) -> tuple[Institution, ...]:
    return tuple(INSTITUTIONS[k] for k in keys)


def _author(key: str, spec: _Spec) -> DemoAuthor:
    person = PEOPLE[key]
    presenter = spec.presenter or spec.authors[0]
    corresponding = spec.corresponding or (presenter,)
    return DemoAuthor(
        name=person.name,
        latin_name=person.latin,
        email=person.email,
        affiliations=_institutions(person.institutions),
        country=person.country,
        orcid=_orcid_for(person.email) if person.orcid else None,
        presenting=key == presenter,
        corresponding=key in corresponding,
        student=person.student,
        first_time=person.first_time,
    )


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def _phases(today: dt.date) -> DemoPhases:
    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    return DemoPhases(
        call_opens=_at(day(-60), 9),
        submission_deadline=_at(day(20), 23, 59),
        grace_minutes=120,
        bidding_opens=_at(day(-17), 9),
        reviews_open=_at(day(-10), 9),
        reviews_close=_at(day(34), 23, 59),
        decisions=_at(day(41), 12),
        final_version_due=_at(day(55), 23, 59),
        session_starts=_at(day(75), 10),
        session_ends=_at(day(76), 17),
        awards_published=_at(day(77), 12),
    )


def _random_moment(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A whole minute between ``start`` and ``end``, during waking hours."""
    span_days = max((end - start).days, 1)
    moment = dt.datetime.combine(
        start.date() + dt.timedelta(days=rng.randrange(span_days)),
        dt.time(rng.randrange(8, 23), rng.randrange(60)),
    )
    return min(max(moment, start), end)


def _poster(spec: _Spec, phases: DemoPhases, today: dt.date, rng: random.Random) -> DemoPoster:
    withdrawn_at = _at(today - dt.timedelta(days=3), 11, 20)
    last = (
        withdrawn_at - dt.timedelta(days=2)
        if spec.state is PosterState.WITHDRAWN
        else _at(today - dt.timedelta(days=1), 22)
    )
    first, second = (_random_moment(rng, phases.call_opens, last) for _ in range(2))
    created_at, submitted_at = min(first, second), max(first, second)
    withdrawn = spec.state is PosterState.WITHDRAWN
    return DemoPoster(
        number=spec.number,
        title=spec.title,
        abstract=spec.abstract,
        keywords=spec.keywords,
        track=spec.track,
        language=spec.language,
        licence=spec.licence,
        authors=tuple(_author(k, spec) for k in spec.authors),
        state=spec.state,
        created_at=created_at,
        submitted_at=None if spec.state is PosterState.DRAFT else submitted_at,
        withdrawn_at=withdrawn_at if withdrawn else None,
        withdrawal_reason=WITHDRAWAL_REASON if withdrawn else None,
        pdf_quirks=spec.quirks,
        chart_seed=rng.randrange(2**31),
    )


def _reviewer(spec: _ReviewerSpec) -> DemoReviewer:
    person = spec.person
    return DemoReviewer(
        name=person.name,
        latin_name=person.latin,
        email=person.email,
        affiliations=_institutions(person.institutions),
        country=person.country,
        orcid=_orcid_for(person.email) if person.orcid else None,
        expertise=spec.expertise,
        tracks=spec.tracks,
        languages=spec.languages,
        max_load=spec.max_load,
        past_coauthor_emails=spec.past_coauthor_emails,
        declared_conflicts=spec.declared_conflicts,
        min_load=spec.min_load,
    )


def build_demo(today: dt.date, *, seed: int = 2026) -> DemoCongress:
    """The demo congress with its calendar anchored on ``today`` (local date in Astana).

    Deterministic: the same ``today`` and ``seed`` give equal results. The seed moves
    the creation and submission times of posters and the figures drawn on their PDFs;
    names, texts and conflicts never change.
    """
    rng = random.Random(seed)
    phases = _phases(today)
    year = phases.session_starts.year
    conference = DemoConference(
        slug="wlic-astana",
        name=f"World Library and Information Congress {year}, Astana",
        short_name=f"WLIC {year} Astana",
        city="Astana",
        country="KZ",
        venue="Congress Centre, Astana",
        time_zone="Asia/Almaty",
        languages=("en", "fr", "es", "de", "ru", "ar", "zh"),
        starts_on=today + dt.timedelta(days=73),
        ends_on=today + dt.timedelta(days=78),
        phases=phases,
    )
    posters = tuple(_poster(spec, phases, today, rng) for spec in _SPECS)
    reviewers = tuple(_reviewer(spec) for spec in _REVIEWERS)
    chair = DemoPerson(
        name=_CHAIR.name,
        latin_name=_CHAIR.latin,
        email=_CHAIR.email,
        affiliations=_institutions(_CHAIR.institutions),
        country=_CHAIR.country,
        locale="en",
    )
    author = PEOPLE["dana"]
    accounts = (
        DemoAccount(CHAIR_EMAIL, chair.latin_name or chair.name, "chair"),
        *(DemoAccount(r.email, r.name_latin, "reviewer") for r in reviewers[:2]),
        DemoAccount(AUTHOR_EMAIL, author.latin or author.name, "author"),
    )
    conflicts = tuple(DemoConflict(*row) for row in _EXPECTED_CONFLICTS)
    return DemoCongress(
        conference=conference,
        tracks=TRACKS,
        posters=posters,
        chair=chair,
        reviewers=reviewers,
        accounts=accounts,
        expected_conflicts=conflicts,
        seed=seed,
    )
