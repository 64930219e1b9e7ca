"""Small, explicit form parsing shared by the domains.

A form is parsed into values plus a dict of field -> message; views re-render the
page with the person's input kept and each message beside its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email

from poster_review.i18n import _

MAX_TEXT = 10_000


@dataclass
class Form:
    data: Mapping[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raw(self, name: str) -> str:
        value = self.data.get(name, "")
        return value if isinstance(value, str) else ""

    def text(
        self, name: str, *, required: bool = False, max_length: int = 300, label: str = ""
    ) -> str:
        value = self.raw(name).strip()
        if "\x00" in value:
            self.errors[name] = _("This field contains characters that are not allowed.")
        elif required and not value:
            self.errors[name] = _("Please fill in this field.")
        elif len(value) > max_length:
            self.errors[name] = _("Use at most ${n} characters.", mapping={"n": max_length})
        self.values[name] = value
        return value

    def email(self, name: str, *, required: bool = True) -> str:
        value = self.raw(name).strip()
        if not value:
            if required:
                self.errors[name] = _("Please enter an e-mail address.")
            self.values[name] = ""
            return ""
        try:
            checked = validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            self.errors[name] = _("This does not look like an e-mail address.")
            self.values[name] = value
            return value
        self.values[name] = checked.normalized.lower()
        return str(self.values[name])

    def integer(self, name: str, *, minimum: int, maximum: int, default: int | None = None) -> int:
        value = self.raw(name).strip()
        if not value and default is not None:
            self.values[name] = default
            return default
        try:
            number = int(value)
        except ValueError:
            self.errors[name] = _("Please enter a whole number.")
            return default or 0
        if not minimum <= number <= maximum:
            self.errors[name] = _(
                "Please enter a number from ${lo} to ${hi}.", mapping={"lo": minimum, "hi": maximum}
            )
        self.values[name] = number
        return number

    def choice(
        self, name: str, choices: Mapping[str, Any] | list[str], *, default: str | None = None
    ) -> str:
        value = self.raw(name) or (default or "")
        if value not in choices:
            self.errors[name] = _("Please choose one of the options.")
        self.values[name] = value
        return value

    def local_datetime(self, name: str, *, required: bool = False) -> dt.datetime | None:
        """A ``datetime-local`` input (YYYY-MM-DDTHH:MM), naive wall-clock time."""
        value = self.raw(name).strip()
        self.values[name] = value
        if not value:
            if required:
                self.errors[name] = _("Please enter a date and time.")
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            self.errors[name] = _("Please enter a date and time like 2026-02-28 23:59.")
            return None
        if parsed.tzinfo is not None:
            self.errors[name] = _("Enter the local time without a time zone.")
            return None
        return parsed
