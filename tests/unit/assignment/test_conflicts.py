"""Conflict detection: people, institutions in several scripts, e-mail domains,
co-authorship and declarations, with the exact findings expected."""

from __future__ import annotations

import pytest

from poster_review.assignment.conflicts import (
    Affiliation,
    Author,
    ConflictKind,
    ConflictSource,
    ReviewerProfile,
    SubmissionAuthors,
    certain_pairs,
    detect_conflicts,
    load_public_domains,
    normalise_affiliation,
    registrable_domain,
)
from poster_review.i18n import render


def _found(findings):
    """Findings as comparable tuples with the evidence in English."""
    return [
        (f.reviewer_id, f.submission_id, f.kind, f.certain, render(f.evidence), f.source)
        for f in findings
    ]


def _reviewer(rid, email, *affiliations, **kw):
    return ReviewerProfile(rid, (email,), tuple(Affiliation(a) for a in affiliations), **kw)


def _submission(sid, *authors, **kw):
    return SubmissionAuthors(
        sid,
        tuple(Author(e, affiliations=tuple(Affiliation(a) for a in affs)) for e, *affs in authors),
        **kw,
    )


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Univ. of Almaty", "university of almaty"),
        ("The University of Oxford", "university of oxford"),
        ("Inst. of Tech., Dept. of Physics", "institute of technology department of physics"),
        ("Technische Universität München", "technische universitat munchen"),
        ("Université de Montréal", "universite de montreal"),
        ("Карагандинский гос. ун-т", "карагандинскии государственныи университет"),
        ("Казахский Национальный Университет им. аль-Фараби",
         "казахскии национальныи университет имени аль фараби"),
        ("جامعة القاهرة", "جامعه القاهره"),
        ("北京大学（图书馆）", "北京大学 图书馆"),
    ],
)  # fmt: skip
def test_normalise_affiliation_folds_case_accents_punctuation_and_abbreviations(
    written, normalised
):
    assert normalise_affiliation(written) == normalised


def test_institutions_in_several_scripts():
    reviewers = [
        _reviewer(1, "aigerim@mail.kz", "Казахский национальный университет"),
        _reviewer(2, "omar@gmail.com", "جامعة القاهرة"),
        _reviewer(3, "li@qq.com", "北京大学"),
        _reviewer(4, "jose@gmail.com", "Universität München", "Universidad de Buenos Aires"),
        _reviewer(5, "anna@gmail.com", "University of Almaty"),
        _reviewer(6, "ivan@yandex.ru", "Карагандинский государственный университет"),
    ]
    submissions = [
        _submission(10, ("b@mail.ru", "Казахский Национальный Университет им. аль-Фараби")),
        _submission(11, ("c@gmail.com", "جامعه القاهره"), ("d@gmail.com", "جامعة الإسكندرية")),
        _submission(12, ("e@163.com", "北京大学图书馆"), ("f@qq.com", "清华大学")),
        _submission(13, ("g@gmail.com", "Universitat Munchen")),
        _submission(14, ("h@gmail.com", "Universidad de Buenos Aires, Facultad de Ingeniería")),
        _submission(
            15, ("i@gmail.com", "Univ. of Almaty"), ("j@gmail.com", "University of Astana")
        ),
        _submission(16, ("k@gmail.com", "Карагандинский гос. ун-т")),
    ]
    same, detected = ConflictKind.SAME_INSTITUTION, ConflictSource.DETECTED
    assert _found(detect_conflicts(reviewers, submissions)) == [
        (1, 10, same, False,
         "'Казахский национальный университет' ≈ "
         "'Казахский Национальный Университет им. аль-Фараби', score 90", detected),
        (2, 11, same, True, "'جامعة القاهرة' = 'جامعه القاهره'", detected),
        (3, 12, same, False, "'北京大学' ≈ '北京大学图书馆', score 90", detected),
        (4, 13, same, True, "'Universität München' = 'Universitat Munchen'", detected),
        (4, 14, same, False,
         "'Universidad de Buenos Aires' ≈ "
         "'Universidad de Buenos Aires, Facultad de Ingeniería', score 90", detected),
        (5, 15, same, True, "'University of Almaty' = 'Univ. of Almaty'", detected),
        (6, 16, same, True,
         "'Карагандинский государственный университет' = 'Карагандинский гос. ун-т'", detected),
    ]  # fmt: skip
    # Cairo is not Alexandria, Peking is not Tsinghua, Almaty is not Astana (score 80).


def test_threshold_decides_what_is_suspected():
    reviewers = [_reviewer(1, "a@gmail.com", "University of Almaty")]
    submissions = [_submission(2, ("b@gmail.com", "Universitet Almaty"))]
    assert detect_conflicts(reviewers, submissions) == []
    lowered = detect_conflicts(reviewers, submissions, threshold=80)
    assert _found(lowered) == [
        (1, 2, ConflictKind.SAME_INSTITUTION, False,
         "'University of Almaty' ≈ 'Universitet Almaty', score 84", ConflictSource.DETECTED),
    ]  # fmt: skip


def test_names_sharing_only_common_words_are_not_suspected():
    # WRatio alone gives 87 here; the differing city is the informative word.
    reviewers = [_reviewer(1, "a@gmail.com", "Institute of Technology, Almaty")]
    submissions = [
        _submission(2, ("b@gmail.com", "Institute of Technology, Astana")),
        _submission(3, ("c@gmail.com", "Almaty Institute of Technology and Design")),
    ]
    assert _found(detect_conflicts(reviewers, submissions)) == [
        (1, 3, ConflictKind.SAME_INSTITUTION, False,
         "'Institute of Technology, Almaty' ≈ 'Almaty Institute of Technology and Design', "
         "score 95", ConflictSource.DETECTED),
    ]  # fmt: skip


def test_ror_id_and_aliases_make_certain_matches():
    kaznu = "https://ror.org/03q0vrn42"
    reviewers = [
        ReviewerProfile(1, ("a@gmail.com",), (Affiliation("KazNU", ror_id=kaznu),)),
        ReviewerProfile(2, ("b@gmail.com",), (Affiliation("Nazarbayev University", ("NU",)),)),
    ]
    submissions = [
        SubmissionAuthors(
            7,
            (Author("c@gmail.com", affiliations=(Affiliation("Al-Farabi KazNU", ror_id=kaznu),)),),
        ),
        SubmissionAuthors(8, (Author("d@gmail.com", affiliations=(Affiliation("NU"),)),)),
    ]
    assert _found(detect_conflicts(reviewers, submissions)) == [
        (1, 7, ConflictKind.SAME_INSTITUTION, True,
         f"'KazNU' and 'Al-Farabi KazNU' have the same ROR id {kaznu}.", ConflictSource.DETECTED),
        (2, 8, ConflictKind.SAME_INSTITUTION, True, "'NU' = 'NU'", ConflictSource.DETECTED),
    ]  # fmt: skip


def test_short_names_are_matched_exactly_only():
    reviewers = [_reviewer(1, "a@gmail.com", "MIT")]
    submissions = [_submission(2, ("b@gmail.com", "MITRE Corporation"))]
    assert detect_conflicts(reviewers, submissions) == []


def test_same_person_by_case_insensitive_email():
    reviewers = [ReviewerProfile(1, ("A.Smith@Gmail.com", "smith@uni-almaty.kz"))]
    submissions = [
        _submission(5, ("a.smith@gmail.com",)),
        _submission(6, ("SMITH@uni-almaty.kz",)),
        _submission(7, ("other@gmail.com",)),
    ]
    assert _found(detect_conflicts(reviewers, submissions)) == [
        (1, 5, ConflictKind.SAME_PERSON, True,
         "The reviewer (a.smith@gmail.com) is an author.", ConflictSource.DETECTED),
        (1, 6, ConflictKind.SAME_PERSON, True,
         "The reviewer (smith@uni-almaty.kz) is an author.", ConflictSource.DETECTED),
    ]  # fmt: skip


def test_registrable_domains():
    assert registrable_domain("lib.uni-almaty.kz") == "uni-almaty.kz"
    assert registrable_domain("UNI-ALMATY.KZ.") == "uni-almaty.kz"
    assert registrable_domain("cs.ox.ac.uk") == "ox.ac.uk"
    assert registrable_domain("mail.kaznu.edu.kz") == "kaznu.edu.kz"
    assert registrable_domain("fr.yahoo.co.jp") == "yahoo.co.jp"


def test_email_domains_match_across_subdomains_but_not_public_providers():
    reviewers = [
        _reviewer(1, "librarian@lib.uni-almaty.kz"),
        _reviewer(2, "someone@gmail.com"),
        _reviewer(3, "x@mail.ru"),
        _reviewer(4, "y@cs.ox.ac.uk"),
    ]
    submissions = [
        _submission(20, ("dean@uni-almaty.kz",), ("friend@gmail.com",)),
        _submission(21, ("z@mail.ru",), ("w@163.com",)),
        _submission(22, ("v@ox.ac.uk",)),
        _submission(23, ("u@cam.ac.uk",)),
    ]
    domain, detected = ConflictKind.SAME_EMAIL_DOMAIN, ConflictSource.DETECTED
    assert _found(detect_conflicts(reviewers, submissions)) == [
        (1, 20, domain, True,
         "The reviewer (librarian@lib.uni-almaty.kz) and author dean@uni-almaty.kz share the "
         "e-mail domain uni-almaty.kz.", detected),
        (4, 22, domain, True,
         "The reviewer (y@cs.ox.ac.uk) and author v@ox.ac.uk share the e-mail domain ox.ac.uk.",
         detected),
    ]  # fmt: skip
    # A conference may list its own public providers instead of the shipped list.
    only_uni = detect_conflicts(reviewers, submissions, public_domains={"uni-almaty.kz"})
    assert {(f.reviewer_id, f.submission_id) for f in only_uni} == {(2, 20), (3, 21), (4, 22)}


def test_public_domain_list_is_data():
    public = load_public_domains()
    assert {"gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "qq.com", "163.com",
            "yandex.ru", "mail.ru"} <= public  # fmt: skip
    assert all(d == d.strip().lower() and "#" not in d for d in public)


def test_coauthorship_through_another_submission_and_known_coauthors():
    reviewers = [
        ReviewerProfile(1, ("rev@gmail.com",), coauthor_emails=frozenset({"Old.Friend@gmail.com"}))
    ]
    submissions = [
        _submission(30, ("rev@gmail.com",), ("partner@gmail.com",)),  # the reviewer's own
        _submission(31, ("partner@gmail.com",), ("stranger@gmail.com",)),
        _submission(32, ("old.friend@gmail.com",)),
        _submission(33, ("stranger@gmail.com",)),
    ]
    assert _found(detect_conflicts(reviewers, submissions)) == [
        (1, 30, ConflictKind.SAME_PERSON, True,
         "The reviewer (rev@gmail.com) is an author.", ConflictSource.DETECTED),
        (1, 31, ConflictKind.COAUTHOR, True,
         "Author partner@gmail.com co-wrote submission 30 with the reviewer.",
         ConflictSource.DETECTED),
        (1, 32, ConflictKind.COAUTHOR, True,
         "Author old.friend@gmail.com is a known co-author of the reviewer.",
         ConflictSource.DETECTED),
    ]  # fmt: skip


def test_declared_conflicts_record_who_declared_them():
    reviewers = [
        ReviewerProfile(
            1,
            ("r1@gmail.com",),
            declared_submission_ids=frozenset({40}),
            declared_person_emails=frozenset({"Rival@Gmail.com"}),
        ),
        ReviewerProfile(2, ("r2@gmail.com",)),
    ]
    submissions = [
        _submission(40, ("a@gmail.com",)),
        _submission(41, ("rival@gmail.com",), declared_reviewer_ids=frozenset({2, 99})),
    ]
    findings = detect_conflicts(reviewers, submissions, chair_pairs=[(2, 40)])
    assert _found(findings) == [
        (1, 40, ConflictKind.DECLARED_BY_REVIEWER, True, "Declared by the reviewer.",
         ConflictSource.REVIEWER),
        (1, 41, ConflictKind.DECLARED_BY_REVIEWER, True,
         "The reviewer declared a conflict with author rival@gmail.com.", ConflictSource.REVIEWER),
        (2, 40, ConflictKind.ADDED_BY_CHAIR, True, "Added by the chair.", ConflictSource.CHAIR),
        (2, 41, ConflictKind.DECLARED_BY_AUTHOR, True, "Declared by the authors.",
         ConflictSource.AUTHOR),
    ]  # fmt: skip


def test_one_finding_per_kind_keeps_the_strongest_and_certain_pairs_skip_suspicions():
    reviewers = [_reviewer(1, "a@gmail.com", "University of Almaty", "Almaty Universty")]
    submissions = [
        _submission(
            50, ("b@gmail.com", "Univ. of Almaty"), ("c@gmail.com", "University of Almaty")
        ),
        _submission(51, ("d@gmail.com", "Universty of Almaty")),
    ]
    findings = detect_conflicts(reviewers, submissions)
    assert [(f.submission_id, f.certain) for f in findings] == [(50, True), (51, False)]
    assert render(findings[1].evidence) == (
        "'University of Almaty' ≈ 'Universty of Almaty', score 97"
    )
    assert certain_pairs(findings) == {(1, 50)}
