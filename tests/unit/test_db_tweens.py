"""Large form bodies are parsed before the request's database transaction begins."""

from __future__ import annotations

from typing import Any

from pyramid.request import Request
from pyramid.response import Response

from poster_review import db


def _multipart(size: int) -> Request:
    boundary = "xyz"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"%" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return Request.blank(
        "/upload",
        method="POST",
        body=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _seen(request: Request) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def handler(req: Request) -> Response:
        seen["parsed"] = "webob._parsed_post_vars" in req.environ
        return Response("ok")

    db.parse_large_bodies_tween_factory(handler, None)(request)
    return seen


def test_large_upload_is_parsed_before_the_handler(monkeypatch):
    monkeypatch.setattr(db, "LARGE_BODY", 1000)
    assert _seen(_multipart(5000)) == {"parsed": True}


def test_small_forms_are_left_to_the_view(monkeypatch):
    monkeypatch.setattr(db, "LARGE_BODY", 1000)
    assert _seen(_multipart(10)) == {"parsed": False}
