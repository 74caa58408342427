"""Fixtures of the core tests that start real processes."""

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

DATABASE = settings.DATABASES["default"]


def server_url(name: str) -> str:
    host, port, user = DATABASE["HOST"] or "127.0.0.1", DATABASE["PORT"] or 5432, DATABASE["USER"] or "postgres"
    password = f":{DATABASE['PASSWORD']}" if DATABASE["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{name}"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    name = f"maintenir_soak_{tmp_path.name}".lower().replace("-", "_")[:60]
    with psycopg.connect(server_url("postgres"), autocommit=True) as connection:
        # A run killed midway leaves its database behind, under the same name.
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield server_url(name)
    with psycopg.connect(server_url("postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
