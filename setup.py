"""Packaging glue that pyproject.toml cannot express: ship templates/ and alembic/.

The design keeps both folders at the top of the repository; a wheel must still carry
them, so they are mapped to the packages ``poster_review._templates`` and
``poster_review._migrations`` (see ``poster_review.paths``).
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["poster_review", "poster_review.*"]),
        "poster_review._templates",
        "poster_review._migrations",
    ],
    package_dir={"poster_review._templates": "templates", "poster_review._migrations": "alembic"},
    package_data={
        "poster_review": ["py.typed", "static/**/*", "locale/**/*", "**/*.txt"],
        "poster_review._templates": ["**/*"],
        "poster_review._migrations": ["**/*"],
    },
    include_package_data=False,
)
