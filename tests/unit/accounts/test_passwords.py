from __future__ import annotations

import time

from poster_review.accounts import passwords
from poster_review.settings import parse


def test_default_parameters_are_rfc9106_second_option() -> None:
    settings = parse({}, environ={})
    hasher = passwords.hasher(settings)
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)
    started = time.perf_counter()
    stored = passwords.hash_password(settings, "correct horse battery")
    elapsed = time.perf_counter() - started
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert elapsed < 2.0  # a sanity bound only; the figure is in docs/security.md
    assert passwords.verify_password(settings, stored, "correct horse battery") == (True, False)
    assert passwords.verify_password(settings, stored, "wrong") == (False, False)


def test_weaker_old_hash_asks_for_rehash() -> None:
    cheap = parse(
        {
            "poster_review.argon2_time_cost": "1",
            "poster_review.argon2_memory_kib": "8",
            "poster_review.argon2_parallelism": "1",
        },
        environ={},
    )
    stored = passwords.hash_password(cheap, "correct horse battery")
    strong = parse({}, environ={})
    assert passwords.verify_password(strong, stored, "correct horse battery") == (True, True)


def test_garbage_hash_and_huge_password_are_refusals_not_errors() -> None:
    settings = parse({}, environ={})
    assert passwords.verify_password(settings, "not-a-hash", "x") == (False, False)
    assert passwords.verify_password(settings, None, "x") == (False, False)
    stored = passwords.hash_password(settings, "correct horse battery")
    assert passwords.verify_password(settings, stored, "x" * 10_000) == (False, False)


def test_password_rules() -> None:
    assert passwords.password_problem("short") == "Use at least ${n} characters."
    assert passwords.password_problem("aaaaaaaaaaaa") is not None
    assert passwords.password_problem("me@example.org", "ME@example.org") is not None
    assert passwords.password_problem("Пароль для конгресса") is None  # any script is fine
