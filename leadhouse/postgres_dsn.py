"""Speaking of a PostgreSQL connection string without repeating it: where it points, and why a
connection failed, never its password (the CRM source's extraction and the CRM sync share these)."""

from __future__ import annotations

from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict


class UnreadableDsn(ValueError):
    """libpq cannot read the string; its own message would quote parts of it, so it is not kept."""


def location(dsn: str) -> str:
    """``host:port/database``."""
    try:
        info = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        raise UnreadableDsn("the connection string is not one PostgreSQL can read") from None
    return f"{info.get('host') or 'localhost'}:{info.get('port') or 5432}/{info.get('dbname') or ''}"


def masked_error(dsn: str, exc: psycopg.Error) -> str:
    """The error's message on one line, with the connection string and its password masked wherever
    the server's or libpq's message repeats them."""
    message = " ".join(str(exc).split())
    secrets = [dsn]
    try:
        password = conninfo_to_dict(dsn).get("password")
    except psycopg.Error:
        password = None
    if password:
        secrets += [str(password), quote(str(password), safe="")]
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            message = message.replace(secret, "***")
    return message
