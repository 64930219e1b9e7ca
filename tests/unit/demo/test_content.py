"""The demo congress content: determinism, identifiers, people, timeline, conflicts."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import Counter

import pytest

from poster_review.conferences.phases import Action, is_open
from poster_review.demo.content import (
    AUTHOR_EMAIL,
    CHAIR_EMAIL,
    REVIEWER_EMAILS,
    ConflictKind,
    DemoCongress,
    PdfQuirk,
    PosterState,
    build_demo,
    is_valid_orcid,
    orcid_check_character,
)

TODAY = dt.date(2026, 3, 1)
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


@pytest.fixture(scope="module")
def demo() -> DemoCongress:
    return build_demo(TODAY)


def _local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    """A naive wall-clock time, as the demo's calendar is written."""
    return dt.datetime.combine(day, dt.time(hour, minute))


def _has(name: str, first: int, last: int) -> bool:
    return any(first <= ord(ch) <= last for ch in name)


def test_build_demo_same_seed_gives_equal_congress() -> None:
    assert build_demo(TODAY, seed=7) == build_demo(TODAY, seed=7)


def test_build_demo_other_seed_moves_times_but_keeps_people_and_texts() -> None:
    first, second = build_demo(TODAY, seed=1), build_demo(TODAY, seed=2)
    assert [p.submitted_at for p in first.posters] != [p.submitted_at for p in second.posters]
    assert [(p.title, p.abstract, p.authors) for p in first.posters] == [
        (p.title, p.abstract, p.authors) for p in second.posters
    ]
    assert first.reviewers == second.reviewers


def test_orcid_check_character_matches_published_examples() -> None:
    # Examples from ORCID's own documentation of the checksum.
    assert orcid_check_character("000000021825009") == "7"
    assert orcid_check_character("000000021694233") == "X"
    assert is_valid_orcid("0000-0002-1825-0097")
    assert is_valid_orcid("0000-0001-5109-3700")
    assert not is_valid_orcid("0000-0002-1825-0098")
    assert not is_valid_orcid("0000-0002-1825-009")
    assert not is_valid_orcid("0000-0002-18250-097")


def test_orcid_check_character_rejects_bad_base() -> None:
    with pytest.raises(ValueError, match="15 digits"):
        orcid_check_character("12345")


def test_every_demo_orcid_is_valid_and_stable_per_person(demo: DemoCongress) -> None:
    by_email: dict[str, set[str | None]] = {}
    for poster in demo.posters:
        for author in poster.authors:
            by_email.setdefault(author.email, set()).add(author.orcid)
    orcids = [o for values in by_email.values() for o in values if o is not None]
    orcids += [r.orcid for r in demo.reviewers if r.orcid is not None]
    assert len(orcids) >= 25
    assert all(is_valid_orcid(o) for o in orcids)
    assert all(len(values) == 1 for values in by_email.values())
    assert len(set(orcids)) == len(orcids)


def test_every_poster_has_authors_one_presenter_and_a_correspondent(demo: DemoCongress) -> None:
    for poster in demo.posters:
        assert 1 <= len(poster.authors) <= 4, poster.number
        assert sum(a.presenting for a in poster.authors) == 1, poster.number
        assert poster.corresponding_authors, poster.number
        assert len({a.email for a in poster.authors}) == len(poster.authors), poster.number


def test_people_have_one_name_per_email_and_plausible_fields(demo: DemoCongress) -> None:
    people = [a for p in demo.posters for a in p.authors]
    names: dict[str, set[str]] = {}
    for person in people:
        names.setdefault(person.email, set()).add(person.name)
        assert re.fullmatch(r"[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}", person.email), person.email
        assert re.fullmatch(r"[A-Z]{2}", person.country), person.country
        assert person.affiliations
    assert all(len(n) == 1 for n in names.values())
    countries = {a.country for a in people} | {r.country for r in demo.reviewers}
    assert len(countries) >= 25


def test_names_cover_cyrillic_kazakh_arabic_and_chinese(demo: DemoCongress) -> None:
    names = [a for p in demo.posters for a in p.authors] + list(demo.reviewers)
    cyrillic = [n for n in names if _has(n.name, 0x0400, 0x04FF)]
    arabic = [n for n in names if _has(n.name, 0x0600, 0x06FF)]
    chinese = [n for n in names if _has(n.name, 0x4E00, 0x9FFF)]
    assert cyrillic and arabic and chinese
    assert any(KAZAKH_LETTERS & set(n.name) for n in cyrillic)
    assert any(_has(n.name, 0x00C0, 0x017F) for n in names)  # accented Latin
    # Every non-Latin name comes with a transliteration for the PDF and the e-mails.
    for person in cyrillic + arabic + chinese:
        assert person.latin_name is not None
        assert person.latin_name.isascii()


def test_posters_are_numbered_and_mostly_submitted(demo: DemoCongress) -> None:
    assert [p.number for p in demo.posters] == list(range(1, 41))
    states = Counter(p.state for p in demo.posters)
    assert states == {PosterState.SUBMITTED: 34, PosterState.DRAFT: 5, PosterState.WITHDRAWN: 1}


def test_poster_timestamps_fit_the_calendar(demo: DemoCongress) -> None:
    opens = demo.conference.phases.call_opens
    today = dt.datetime.combine(TODAY, dt.time())
    for poster in demo.posters:
        assert opens <= poster.created_at < today
        if poster.state is PosterState.DRAFT:
            assert poster.submitted_at is None
            continue
        assert poster.submitted_at is not None
        assert poster.created_at <= poster.submitted_at < today
        if poster.state is PosterState.WITHDRAWN:
            assert poster.withdrawn_at is not None
            assert poster.withdrawal_reason
            assert poster.submitted_at < poster.withdrawn_at < today
        else:
            assert poster.withdrawn_at is None


def test_abstracts_are_120_to_200_words_in_four_languages(demo: DemoCongress) -> None:
    for poster in demo.posters:
        assert 120 <= len(poster.abstract.split()) <= 200, poster.number
        assert 3 <= len(poster.keywords) <= 6, poster.number
    languages = Counter(p.language for p in demo.posters)
    assert languages["en"] >= 30
    assert {"fr", "es", "ru"} <= set(languages)
    assert set(languages) <= set(demo.conference.languages)


def test_licences_are_mostly_cc_by(demo: DemoCongress) -> None:
    licences = Counter(p.licence for p in demo.posters)
    assert licences.most_common(1)[0] == ("CC-BY-4.0", licences["CC-BY-4.0"])
    assert licences["CC-BY-4.0"] > len(demo.posters) / 2


def test_tracks_each_hold_several_posters(demo: DemoCongress) -> None:
    slugs = [t.slug for t in demo.tracks]
    assert len(slugs) == len(set(slugs)) == 6
    counts = Counter(p.track for p in demo.posters)
    assert set(counts) == set(slugs)
    assert min(counts.values()) >= 6
    assert all(t.description for t in demo.tracks)


def test_phases_leave_submission_and_review_open_today(demo: DemoCongress) -> None:
    conference = demo.conference
    phases = conference.phases
    assert conference.slug == "wlic-astana"
    assert conference.time_zone == "Asia/Almaty"
    assert phases.submission_deadline == _local(dt.date(2026, 3, 21), 23, 59)
    assert phases.grace_minutes == 120
    assert phases.reviews_open == _local(dt.date(2026, 2, 19), 9, 0)
    schedule = phases.to_schedule(conference.time_zone)
    noon = dt.datetime.combine(TODAY, dt.time(12), zoneinfo.ZoneInfo(conference.time_zone))
    assert is_open(schedule, Action.submit, noon)
    assert is_open(schedule, Action.review, noon)
    assert not is_open(schedule, Action.bid, noon)
    assert not is_open(schedule, Action.see_decisions, noon)
    ordered = [
        phases.call_opens,
        phases.bidding_opens,
        phases.reviews_open,
        phases.submission_deadline,
        phases.reviews_close,
        phases.decisions,
        phases.final_version_due,
        phases.session_starts,
        phases.session_ends,
        phases.awards_published,
    ]
    assert ordered == sorted(ordered)
    assert conference.starts_on <= phases.session_starts.date() <= conference.ends_on


def test_to_schedule_converts_local_wall_clock_to_utc(demo: DemoCongress) -> None:
    schedule = demo.conference.phases.to_schedule("Asia/Almaty")
    assert schedule.submission_deadline_at == dt.datetime(2026, 3, 21, 18, 59, tzinfo=dt.UTC)


def test_demo_accounts_use_the_reserved_domain(demo: DemoCongress) -> None:
    emails = {a.email: a.role for a in demo.accounts}
    assert emails == {
        CHAIR_EMAIL: "chair",
        REVIEWER_EMAILS[0]: "reviewer",
        REVIEWER_EMAILS[1]: "reviewer",
        AUTHOR_EMAIL: "author",
    }
    assert {r.email for r in demo.reviewers} >= set(REVIEWER_EMAILS)
    mine = demo.posters_of(AUTHOR_EMAIL)
    assert len(mine) >= 3
    assert {p.state for p in mine} >= {PosterState.DRAFT, PosterState.SUBMITTED}


def test_reviewers_cover_every_presentation_language(demo: DemoCongress) -> None:
    assert len(demo.reviewers) == 19
    assert all(r.max_load > 0 and r.expertise and r.tracks for r in demo.reviewers)
    assert all(0 <= r.min_load <= r.max_load for r in demo.reviewers)
    slugs = {t.slug for t in demo.tracks}
    assert all(set(r.tracks) <= slugs for r in demo.reviewers)
    for language in {p.language for p in demo.posters}:
        assert sum(language in r.languages for r in demo.reviewers) >= 2, language


def test_reviewers_can_give_every_submitted_poster_three_reviews(demo: DemoCongress) -> None:
    """Three reviewers per poster fit within the assignment's default limit of six."""
    submitted = sum(p.state is PosterState.SUBMITTED for p in demo.posters)
    assert sum(min(r.max_load, 6) for r in demo.reviewers) >= 3 * submitted + 10
    accounts = [r for r in demo.reviewers if r.email in REVIEWER_EMAILS]
    assert [r.min_load for r in accounts] == [6, 6]  # work left for the demo accounts


PUBLIC_MAIL = {"gmail.com", "mail.ru", "yandex.ru", "yandex.kz", "qq.com"}


def test_expected_conflicts_are_exactly_the_ones_in_the_data(demo: DemoCongress) -> None:
    found: set[tuple[str, int, ConflictKind]] = set()
    for poster in demo.posters:
        emails = {a.email for a in poster.authors}
        institutions = {i for a in poster.authors for i in a.affiliations}
        people = [(r.email, r.affiliations) for r in demo.reviewers]
        people.append((demo.chair.email, demo.chair.affiliations))
        for email, affiliations in people:
            if set(affiliations) & institutions:
                found.add((email, poster.number, ConflictKind.INSTITUTION))
        for reviewer in demo.reviewers:
            if set(reviewer.past_coauthor_emails) & emails:
                found.add((reviewer.email, poster.number, ConflictKind.COAUTHOR))
            if poster.number in reviewer.declared_conflicts:
                found.add((reviewer.email, poster.number, ConflictKind.DECLARED))
            domain = reviewer.email.rsplit("@", 1)[1]
            if domain not in PUBLIC_MAIL and any(e.endswith(f"@{domain}") for e in emails):
                found.add((reviewer.email, poster.number, ConflictKind.EMAIL_DOMAIN))
    expected = {(c.person_email, c.poster_number, c.kind) for c in demo.expected_conflicts}
    assert found == expected
    assert {c.kind for c in demo.expected_conflicts} == set(ConflictKind)
    assert all(c.reason for c in demo.expected_conflicts)


def test_pdf_quirks_mark_a_few_posters(demo: DemoCongress) -> None:
    marked = {q: [p.number for p in demo.posters if q in p.pdf_quirks] for q in PdfQuirk}
    assert len(marked[PdfQuirk.NO_TITLE_METADATA]) == 1
    assert len(marked[PdfQuirk.LANDSCAPE_A1]) == 1
    assert 1 <= len(marked[PdfQuirk.CJK_FONT_NOT_EMBEDDED]) <= 2
    for number in marked[PdfQuirk.CJK_FONT_NOT_EMBEDDED]:
        assert any(_has(a.name, 0x4E00, 0x9FFF) for a in demo.poster(number).authors)


def test_poster_lookup_by_number(demo: DemoCongress) -> None:
    assert demo.poster(7).language == "ru"
    with pytest.raises(KeyError):
        demo.poster(41)
