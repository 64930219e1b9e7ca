"""Chair pages for ranking and decisions, and the public gallery of accepted posters."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from typing import Any

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select
from translationstring import TranslationString

from poster_review.accounts.models import User
from poster_review.awards import categories, services
from poster_review.awards.models import AwardCategory, AwardPublication, AwardState, Outcome
from poster_review.conferences.models import Conference
from poster_review.db import utcnow
from poster_review.errors import Conflict, InvalidInput
from poster_review.forms import Form
from poster_review.i18n import _
from poster_review.permissions import Permission as P
from poster_review.ranking import export
from poster_review.ranking import services as ranking_services
from poster_review.resources import ConferenceResource
from poster_review.submissions.models import Submission


@view_config(
    route_name="awards.decisions", renderer="awards/decisions.jinja2", permission=P.DecisionsWrite
)
def decisions(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    now = utcnow()
    if request.method == "POST":
        message = _decisions_action(request, conference, now)
        request.session.flash(request.localizer.translate(message), "success")
        return HTTPSeeOther(request.route_url("awards.decisions", slug=conference.slug))
    return {
        "conference": conference,
        "outcomes": list(Outcome),
        "decisions": services.decisions_of(request.dbsession, conference.id),
        **_ranking(request, conference),
    }


def _posted_outcomes(request: Request) -> dict[int, Outcome]:
    outcomes = {}
    for key, value in request.POST.items():
        poster = key.removeprefix("outcome-")
        # an id of an integer column: ASCII digits, below 2**31 (PostgreSQL refuses more)
        if (
            key.startswith("outcome-")
            and value in Outcome.__members__
            and poster.isascii()
            and poster.isdigit()
            and len(poster) < 10
        ):
            outcomes[int(poster)] = Outcome(value)
    return outcomes


def _bulk_outcomes(request: Request, conference: Conference) -> dict[int, Outcome]:
    """ "The best N undecided posters: outcome A; the other undecided: outcome B", in the
    calibrated order the chair sees (posters without reviews are left alone)."""
    form = Form(request.POST)
    top = form.integer("bulk_top", minimum=0, maximum=100_000, default=0)
    top_outcome = form.choice("bulk_top_outcome", list(Outcome.__members__))
    rest_raw = form.raw("bulk_rest_outcome")
    if rest_raw and rest_raw not in Outcome.__members__:
        form.errors["bulk_rest_outcome"] = _("Please choose one of the options.")
    if not form.ok:
        raise InvalidInput(next(iter(form.errors.values())))
    decided = services.decisions_of(request.dbsession, conference.id)
    page = ranking_services.conference_ranking(
        request.dbsession, conference, viewer_id=request.user.id, n_bootstrap=0
    )
    ranked = [p.id for p in page.posters if p.id in page.results and p.id not in decided]
    outcomes = {pid: Outcome(top_outcome) for pid in ranked[:top]}
    if rest_raw:
        outcomes.update({pid: Outcome(rest_raw) for pid in ranked[top:]})
    return outcomes


def _decisions_action(request: Request, conference: Conference, now: dt.datetime) -> str:
    action = request.POST.get("action")
    dbsession = request.dbsession
    if action in ("save", "bulk"):
        outcomes = (
            _posted_outcomes(request) if action == "save" else _bulk_outcomes(request, conference)
        )
        conflicted = ranking_services.conflicted_posters(dbsession, conference.id, request.user.id)
        outcomes = {k: v for k, v in outcomes.items() if k not in conflicted}
        count = services.decide_many(
            dbsession, conference=conference, outcomes=outcomes, chair=request.user, now=now
        )
        details: dict[str, Any] = {"outcomes": {str(k): v.value for k, v in outcomes.items()}}
        message = _("${n} decisions saved.", mapping={"n": count})
    elif action == "release":
        mails = services.release(dbsession, conference=conference, now=now)
        details = {"mails": mails}
        message = _("Decisions released; ${n} e-mails queued.", mapping={"n": mails})
    elif action in ("publish", "unpublish"):
        services.publish_posters(
            dbsession, conference=conference, now=now, publish=action == "publish"
        )
        details = {}
        message = (
            _("Accepted posters are public.")
            if action == "publish"
            else _("Posters are no longer public.")
        )
    else:
        raise InvalidInput(_("Nothing was done."))
    categories.audit(
        dbsession,
        conference_id=conference.id,
        actor=request.user,
        action=f"decisions.{action}",
        now=now,
        details=details,
    )
    return message


def _ranking(request: Request, conference: Conference) -> dict[str, Any]:
    page = ranking_services.conference_ranking(
        request.dbsession, conference, viewer_id=request.user.id
    )
    return {
        "posters": page.posters,
        "results": page.results,
        "warnings": page.warnings,
        "hidden": page.hidden,
    }


@view_config(
    route_name="awards.gallery", renderer="awards/gallery.jinja2", permission=P.ConferenceView
)
def gallery(context: ConferenceResource, request: Request) -> dict[str, Any]:
    conference = context.conference
    return {
        "conference": conference,
        "posters": services.public_posters(request.dbsession, conference, utcnow()),
    }


# --- Awards ---------------------------------------------------------------------------

RULE_CHOICES_JUDGES = "judges"
RULE_CHOICES_CASTING = "casting"


def _category(request: Request, conference_id: int) -> AwardCategory:
    try:
        category_id = int(request.matchdict["category_id"])
    except (KeyError, ValueError):
        raise HTTPNotFound() from None
    category: AwardCategory | None = request.dbsession.get(AwardCategory, category_id)
    if category is None or category.conference_id != conference_id:
        raise HTTPNotFound()
    return category


def _rule_options(request: Request, conference: Conference) -> list[tuple[str, str]]:
    translate = request.localizer.translate
    options = [
        (
            f"criterion:{key}",
            translate(
                _(
                    "higher mean on the criterion “${name}”",
                    mapping={"name": translate(TranslationString(name, domain="poster_review"))},
                )
            ),
        )
        for key, name in categories.criterion_choices(request.dbsession, conference)
    ]
    options.append((RULE_CHOICES_JUDGES, translate(_("the judges' pairwise preference"))))
    options.append((RULE_CHOICES_CASTING, translate(_("the chair's casting vote"))))
    return options


def _category_input(request: Request, conference: Conference) -> categories.CategoryInput:
    form = Form(request.POST)
    name = form.text("name", required=True, max_length=200)
    description = form.text("description", max_length=4000)
    places = form.integer("places", minimum=1, maximum=50, default=3)
    shortlist_size = form.integer("shortlist_size", minimum=1, maximum=500, default=10)
    tolerance_raw = form.raw("tolerance").strip() or "0.5"
    try:
        tolerance = float(tolerance_raw.replace(",", "."))
    except ValueError:
        form.errors["tolerance"] = _("Please enter a number of points, e.g. 0.5.")
        tolerance = 0.5
    if not math.isfinite(tolerance):
        form.errors["tolerance"] = _("Please enter a number of points, e.g. 0.5.")
    specs: list[tuple[str, ...]] = []
    for i in range(3):
        value = form.raw(f"tie_break_{i}")
        if not value:
            continue
        if value.startswith("criterion:"):
            specs.append(("criterion", value.removeprefix("criterion:")))
        elif value in (RULE_CHOICES_JUDGES, RULE_CHOICES_CASTING):
            specs.append((value,))
        else:
            form.errors[f"tie_break_{i}"] = _("Please choose one of the options.")
    track_ids = []
    for raw in request.POST.getall("track_ids"):
        if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 10:
            track_ids.append(int(raw))
        else:
            form.errors["track_ids"] = _("Please choose one of the options.")
    languages = [loc for loc in conference.language_list if loc != conference.default_locale]
    names = {loc: form.text(f"name_{loc}", max_length=200) for loc in languages}
    descriptions = {loc: form.text(f"description_{loc}", max_length=4000) for loc in languages}
    if not form.ok:
        raise FormInvalid(form)
    return categories.CategoryInput(
        name=name,
        description=description,
        name_translations=names,
        description_translations=descriptions,
        student_presenter=request.POST.get("student_presenter") == "1",
        first_time_attendee=request.POST.get("first_time_attendee") == "1",
        track_ids=tuple(sorted(set(track_ids))),
        shortlist_size=shortlist_size,
        places=places,
        tolerance=tolerance,
        tie_breaks=tuple(specs),
    )


class FormInvalid(InvalidInput):
    def __init__(self, form: Form) -> None:
        first = next(iter(form.errors.values()))
        super().__init__(first)
        self.form = form


def _form_page(
    request: Request, conference: Conference, category: AwardCategory | None
) -> dict[str, Any]:
    return {
        "conference": conference,
        "category": category,
        "tracks": list(conference.tracks),
        "rule_options": _rule_options(request, conference),
        "languages": [loc for loc in conference.language_list if loc != conference.default_locale],
    }


@view_config(
    route_name="awards.manage", renderer="awards/manage.jinja2", permission=P.DecisionsWrite
)
def manage(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    page = {
        **_form_page(request, conference, None),
        "categories": categories.categories_of(request.dbsession, conference.id),
        "published": {
            p.category.id: p
            for p in categories.published_awards(request.dbsession, conference, utcnow())
        },
        "error": None,
    }
    if request.method != "POST":
        return page
    try:
        data = _category_input(request, conference)
        category = categories.save_category(
            request.dbsession, conference=conference, data=data, actor=request.user, now=utcnow()
        )
    except InvalidInput as exc:
        request.response.status = 400
        page["error"] = exc.message
        page["values"] = request.POST
        return page
    request.session.flash(request.localizer.translate(_("The award was created.")), "success")
    return HTTPSeeOther(
        request.route_url("awards.category", slug=conference.slug, category_id=category.id)
    )


def _casting_order(request: Request, shortlist: list[int], numbers: dict[int, int]) -> list[int]:
    """The chair's order as poster numbers ("12, 7, 3"), turned into poster ids."""
    by_number = {numbers[i]: i for i in shortlist if i in numbers}
    order = []
    for piece in Form(request.POST).raw("order").replace(";", ",").split(","):
        part = piece.strip().lstrip("#")
        if not part:
            continue
        # isascii: "²" is a digit to isdigit() but not to int()
        if not (part.isascii() and part.isdigit()) or int(part) not in by_number:
            raise InvalidInput(
                _("${value} is not a shortlisted poster number.", mapping={"value": part[:20]})
            )
        order.append(by_number[int(part)])
    return order


STALE_AWARD = _("Someone else changed this award meanwhile. Reload the page and apply your change.")


def _category_action(
    request: Request, conference: Conference, category: AwardCategory, conflicted: set[int]
) -> Response:
    dbsession = request.dbsession
    now = utcnow()
    action = request.POST.get("action", "")
    base = Form(request.POST).raw("version")  # a file sent instead reads as ""
    if not (base.isascii() and base.isdigit()) or int(base) != category.version:
        raise Conflict(STALE_AWARD)
    kwargs = {"category": category, "actor": request.user, "now": now}
    if action == "save":
        try:
            data = _category_input(request, conference)
        except FormInvalid as exc:
            raise InvalidInput(exc.message) from None
        categories.save_category(
            dbsession,
            conference=conference,
            data=data,
            actor=request.user,
            now=now,
            category=category,
        )
        message = _("The award was saved.")
    elif action == "shortlist":
        chosen = categories.draw_shortlist(
            dbsession, conference=conference, category=category, actor=request.user, now=now
        )
        message = _("${n} posters are on the shortlist.", mapping={"n": len(chosen)})
    elif action == "reopen":
        categories.reopen(dbsession, **kwargs)
        message = _("The shortlist was dropped; the rules can be changed again.")
    elif action == "cast":
        numbers: dict[int, int] = {
            sid: int(number)
            for sid, number in dbsession.execute(
                select(Submission.id, Submission.number).where(
                    Submission.id.in_(category.shortlist or [])
                )
            )
        }
        order = _casting_order(request, list(category.shortlist or []), numbers)
        categories.cast_vote(dbsession, order=order, conflicted=conflicted, **kwargs)
        message = _("The casting vote was recorded.")
    elif action == "freeze":
        categories.freeze(
            dbsession, conference=conference, category=category, actor=request.user, now=now
        )
        message = _("The result is frozen.")
    elif action == "unfreeze":
        categories.unfreeze(dbsession, **kwargs)
        message = _("The result is open again; the frozen snapshot stays on record.")
    elif action == "publish":
        categories.publish(
            dbsession, conference=conference, category=category, actor=request.user, now=now
        )
        message = _("The award list is public.")
    elif action == "unpublish":
        categories.unpublish(dbsession, **kwargs)
        message = _("The award list is no longer public.")
    elif action == "delete":
        categories.delete_category(dbsession, **kwargs)
        request.session.flash(request.localizer.translate(_("The award was deleted.")), "success")
        return HTTPSeeOther(request.route_url("awards.manage", slug=conference.slug))
    else:
        raise InvalidInput(_("Nothing was done."))
    request.session.flash(request.localizer.translate(message), "success")
    return HTTPSeeOther(
        request.route_url("awards.category", slug=conference.slug, category_id=category.id)
    )


@view_config(
    route_name="awards.category", renderer="awards/category.jinja2", permission=P.DecisionsWrite
)
def category_page(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    category = _category(request, conference.id)
    dbsession = request.dbsession
    conflicted = ranking_services.conflicted_posters(dbsession, conference.id, request.user.id)
    if request.method == "POST":
        return _category_action(request, conference, category, conflicted)
    snapshot = categories.latest_snapshot(dbsession, category.id)
    result = None
    error = None
    if category.state != AwardState.frozen:
        try:
            result = categories.preview(dbsession, conference, category)
        except (InvalidInput, ValueError) as exc:
            error = getattr(exc, "message", str(exc))
    posters = {
        s.id: s
        for s in dbsession.scalars(
            select(Submission).where(Submission.conference_id == conference.id)
        )
    }
    return {
        **_form_page(request, conference, category),
        "result": result,
        "error": error,
        "snapshot": snapshot,
        "verified": categories.verify(snapshot) if snapshot else None,
        "publication": dbsession.get(AwardPublication, category.id),
        "posters": posters,
        "conflicted": conflicted,
        "conflict_in_shortlist": bool(conflicted & set(category.shortlist or ())),
        "AwardState": AwardState,
    }


@view_config(route_name="awards.audit", renderer="awards/audit.jinja2", permission=P.DecisionsWrite)
def audit_page(context: ConferenceResource, request: Request) -> dict[str, Any]:
    conference = context.conference
    entries = categories.audit_log(request.dbsession, conference.id)
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    names: dict[int, str] = {
        uid: str(name)
        for uid, name in request.dbsession.execute(
            select(User.id, User.name).where(User.id.in_(actor_ids))
        )
    }
    return {"conference": conference, "entries": entries, "names": names}


def content_language(request: Request, conference: Conference) -> str:
    """The language of the award names: ``?lang=`` among the conference's languages,
    else the page's language when the conference has it, else its default language."""
    languages = conference.language_list or [conference.default_locale]
    asked = str(request.GET.get("lang", ""))
    if asked in languages:
        return asked
    if request.locale_name in languages:
        return str(request.locale_name)
    return conference.default_locale


def _published(request: Request, conference: Conference) -> list[categories.PublishedAward]:
    return categories.published_awards(request.dbsession, conference, utcnow())


@view_config(
    route_name="awards.public", renderer="awards/public.jinja2", permission=P.ConferenceView
)
def public_awards(context: ConferenceResource, request: Request) -> dict[str, Any]:
    conference = context.conference
    return {
        "conference": conference,
        "awards": _published(request, conference),
        "locale": content_language(request, conference),
        "languages": conference.language_list,
    }


@view_config(route_name="awards.export", permission=P.ConferenceView)
def export_awards(context: ConferenceResource, request: Request) -> Response:
    conference = context.conference
    awards = _published(request, conference)
    if not awards:
        raise HTTPNotFound()
    locale = content_language(request, conference)
    fmt = request.matchdict["fmt"]
    name = f"{conference.slug}-awards.{fmt}"
    if fmt == "json":
        document = {
            "conference": {"slug": conference.slug, "name": conference.name},
            "awards": [
                {
                    "award": a.category.localised_name(locale),
                    "description": a.category.localised_description(locale),
                    "published_at": a.published_at.isoformat(),
                    "snapshot": {
                        "frozen_at": a.snapshot.created_at.isoformat(),
                        "method": a.snapshot.method,
                        "seed": a.snapshot.seed,
                        "software_version": a.snapshot.software_version,
                        "inputs_sha256": a.snapshot.inputs_sha256,
                        "result_sha256": a.snapshot.result_sha256,
                    },
                    "winners": [
                        {
                            k: e[k]
                            for k in (
                                "place",
                                "number",
                                "title",
                                "presenters",
                                "affiliations",
                                "track",
                            )
                        }
                        for e in a.snapshot.entries
                    ],
                }
                for a in awards
            ],
        }
        response = Response(
            json.dumps(document, ensure_ascii=False, indent=1),
            content_type="application/json",
            charset="utf-8",
        )
    else:
        table = export.award_table(
            export.AwardEntry(
                award=a.category.localised_name(locale),
                place=e["place"],
                poster=e["number"],
                title=e["title"],
                presenters="; ".join(e["presenters"]),
            )
            for a in awards
            for e in a.snapshot.entries
        )
        table = dataclasses.replace(
            table, headers=tuple(request.localizer.translate(h) for h in table.headers)
        )
        if fmt == "csv":
            response = Response(export.to_csv(table), content_type="text/csv", charset="utf-8")
        else:
            response = Response(
                export.to_xlsx(table, sheet_title="Awards"),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
    response.content_disposition = f'attachment; filename="{name}"'
    return response
