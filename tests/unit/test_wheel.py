"""A built wheel carries templates, migrations, static files and catalogues: a
non-editable install must serve pages without the source tree."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_wheel_renders_a_page_without_the_source_tree(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = (tmp_path / "dist").glob("poster_review-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "poster_review/_templates/layout.jinja2" in names
    assert "poster_review/_templates/email/confirm_email/body.txt.jinja2" in names
    assert "poster_review/_migrations/env.py" in names
    assert any(n.startswith("poster_review/_migrations/versions/0001_") for n in names)
    assert "poster_review/static/app.css" in names
    assert "poster_review/locale/poster_review.pot" in names

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(site)!r})
        sys.path = [p for p in sys.path if p not in ({str(REPO)!r}, '')]
        import poster_review
        from poster_review.paths import templates_dir, migrations_dir
        assert str(templates_dir()).startswith({str(site)!r}), templates_dir()
        assert str(migrations_dir()).startswith({str(site)!r}), migrations_dir()
        from poster_review import migrate
        from poster_review.db import make_engine
        url = "sqlite:///" + {str(tmp_path / "wheel.sqlite")!r}
        migrate.upgrade(make_engine(url))
        from webtest import TestApp
        from poster_review.config import configure
        app = TestApp(configure({{"sqlalchemy.url": url, "here": {str(tmp_path)!r}}})
                      .make_wsgi_app())
        page = app.get("/")
        assert "Poster sessions" in page.text, page.text[:500]
        css = app.get("/static/app.css")
        assert "skip-link" in css.text
        print("wheel ok", poster_review.__file__)
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("wheel ok " + str(site))
