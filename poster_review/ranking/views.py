"""The chair's ranking page and its exports (CSV, XLSX, JSON)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from poster_review.accounts.models import User
from poster_review.conferences.models import Track
from poster_review.permissions import Permission as P
from poster_review.ranking import export, scoring
from poster_review.ranking import services as ranking_services
from poster_review.resources import ConferenceResource


def _filters(request: Request, tracks: list[Track]) -> tuple[int | None, int | None]:
    """The track filter and the cut-off from the query string; unknown values are ignored."""
    track_id: int | None = None
    raw = request.GET.get("track", "")
    if raw.isascii() and raw.isdigit() and int(raw) in {t.id for t in tracks}:
        track_id = int(raw)
    top: int | None = None
    raw_top = request.GET.get("top", "")
    if raw_top.isascii() and raw_top.isdigit() and 1 <= int(raw_top) <= 10_000:
        top = int(raw_top)
    return track_id, top


def _page(request: Request, context: ConferenceResource) -> dict[str, Any]:
    conference = context.conference
    tracks = list(
        request.dbsession.scalars(
            select(Track).where(Track.conference_id == conference.id).order_by(Track.position)
        )
    )
    track_id, top = _filters(request, tracks)
    page = ranking_services.conference_ranking(
        request.dbsession,
        conference,
        viewer_id=request.user.id,
        track_id=track_id,
        top_n=top,
    )
    return {
        "conference": conference,
        "page": page,
        "tracks": tracks,
        "track_names": {t.id: t.name for t in tracks},
        "track_id": track_id,
    }


@view_config(route_name="ranking.page", renderer="ranking/page.jinja2", permission=P.DecisionsWrite)
def ranking_page(context: ConferenceResource, request: Request) -> dict[str, Any]:
    data = _page(request, context)
    page: ranking_services.ConferenceRanking = data["page"]
    reviewer_ids = [int(r.reviewer) for r in page.calibrated.reviewers] if page.calibrated else []
    names: dict[int, str] = {
        uid: str(name)
        for uid, name in request.dbsession.execute(
            select(User.id, User.name).where(User.id.in_(reviewer_ids))
        )
    }
    data["reviewer_names"] = names
    data["charts"] = _charts(request, page, names)
    return data


def _charts(
    request: Request, page: ranking_services.ConferenceRanking, names: dict[int, str]
) -> list[Any]:
    """Server-side SVG charts with their text alternatives (none without reviews)."""
    from poster_review.ranking import charts

    if page.calibrated is None:
        return []

    def translate(message: str) -> str:
        return str(request.localizer.translate(message))

    shown = {p.id for p in page.posters}
    return [
        charts.score_distribution_chart(
            [r for r in page.calibrated.posters if r.poster in shown], translate=translate
        ),
        charts.leniency_chart(page.calibrated.reviewers, names=names, translate=translate),
        charts.cutoff_chart(
            page.calibrated.posters,
            top_n=page.top_n,
            numbers={p.id: p.number for p in page.posters},
            titles={p.id: p.title for p in page.posters},
            shown=shown,
            translate=translate,
        ),
    ]


@view_config(route_name="ranking.export", permission=P.DecisionsWrite)
def ranking_export(context: ConferenceResource, request: Request) -> Response:
    data = _page(request, context)
    page: ranking_services.ConferenceRanking = data["page"]
    calibrated = page.calibrated or scoring.Ranking(
        parameters=scoring.RankingParameters(), posters=(), reviewers=()
    )
    numbers = {p.id: p.number for p in page.posters}
    kept = tuple(
        dataclasses.replace(r, poster=numbers[int(r.poster)])
        for r in calibrated.posters
        if int(r.poster) in numbers
    )
    ranking = dataclasses.replace(calibrated, posters=kept, reviewers=())
    titles: dict[int | str, str] = {p.number: p.title for p in page.posters}
    table = export.ranking_table(ranking, titles)
    table = dataclasses.replace(
        table, headers=tuple(request.localizer.translate(h) for h in table.headers)
    )
    fmt = request.matchdict["fmt"]
    name = f"{context.conference.slug}-ranking.{fmt}"
    if fmt == "csv":
        response = Response(export.to_csv(table), content_type="text/csv", charset="utf-8")
    elif fmt == "xlsx":
        response = Response(
            export.to_xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        document = export.ranking_document(ranking)
        response = Response(
            json.dumps(document, ensure_ascii=False, allow_nan=False, indent=1),
            content_type="application/json",
            charset="utf-8",
        )
    response.content_disposition = f'attachment; filename="{name}"'
    response.cache_control = "private, no-store"
    return response
