"""The benches' PostgreSQL database: created on the server of DATABASE_URL when it is missing, so
that a bench runs on a fresh machine without a manual `createdb`."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def ensure_database(database_url: str) -> None:
    """Creates the database named by a postgres:// URL unless it exists. Connects to the
    server's `postgres` maintenance database with the same credentials; other URLs (SQLite)
    are left alone."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"DATABASE_URL names no database: {database_url}")
    maintenance = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}")
