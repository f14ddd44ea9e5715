"""Connection URLs: SeaTunnel's ``jdbc:`` URLs and SQLAlchemy URLs to one ``Target``.

Parsed without importing any driver, so option checks stay light. Accepted forms::

    jdbc:postgresql://host:5432/db?sslmode=disable
    jdbc:mysql://host:3306/db   jdbc:mariadb://host:3306/db
    jdbc:sqlite:/path/to/file.db   jdbc:sqlite::memory:
    postgresql://…  postgresql+psycopg://…  mysql+pymysql://…  mariadb+pymysql://…  sqlite:///…
    any other SQLAlchemy URL (served by the generic SQLAlchemy path)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from urllib.parse import parse_qsl, quote, unquote, urlsplit


class Dialect(str, Enum):
    """The database family, which picks the fast path."""

    POSTGRES = "postgresql"
    MYSQL = "mysql"
    SQLITE = "sqlite"
    OTHER = "other"


_SCHEMES = {
    "postgresql": Dialect.POSTGRES, "postgres": Dialect.POSTGRES, "pgsql": Dialect.POSTGRES,
    "mysql": Dialect.MYSQL, "mariadb": Dialect.MYSQL,
    "sqlite": Dialect.SQLITE,
}
_DEFAULT_PORTS = {Dialect.POSTGRES: 5432, Dialect.MYSQL: 3306}


@dataclass(frozen=True)
class Target:
    """Where to connect: the parsed URL plus credentials (the password is never shown)."""

    dialect: Dialect
    scheme: str
    host: str = ""
    port: int | None = None
    database: str = ""
    path: str = ""
    """SQLite: the database file (``:memory:`` for an in-memory database)."""
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    params: tuple[tuple[str, str], ...] = ()
    sqlalchemy_url: str = field(default="", repr=False)
    """For Dialect.OTHER: the URL as given."""

    def display(self) -> str:
        """A one-line description for messages (no password)."""
        if self.dialect == Dialect.SQLITE:
            return f"sqlite {self.path}"
        if self.dialect == Dialect.OTHER:
            return f"{self.scheme} database"
        return f"{self.dialect.value} {self.host}:{self.port or _DEFAULT_PORTS[self.dialect]}/{self.database}"

    def with_credentials(self, user: str | None, password: str | None,
                         properties: dict[str, str] | None = None) -> Target:
        """This target with the options' user/password (URL values win when options are unset)."""
        params = dict(self.params)
        params.update({str(k): str(v) for k, v in (properties or {}).items()})
        return replace(self, user=user if user is not None else self.user,
                       password=password if password is not None else self.password,
                       params=tuple(params.items()))

    def adbc_uri(self) -> str:
        """libpq URI for the ADBC PostgreSQL driver."""
        auth = ""
        if self.user:
            auth = quote(self.user, safe="")
            if self.password is not None:
                auth += ":" + quote(self.password, safe="")
            auth += "@"
        query = "&".join(f"{quote(k)}={quote(v)}" for k, v in self.params if k in _LIBPQ)
        port = self.port or _DEFAULT_PORTS[Dialect.POSTGRES]
        uri = f"postgresql://{auth}{self.host or '127.0.0.1'}:{port}/{quote(self.database)}"
        return uri + (f"?{query}" if query else "")

    def sqlalchemy(self) -> str:
        """A SQLAlchemy URL (as text, password included: never print it)."""
        if self.dialect == Dialect.OTHER:
            return self.sqlalchemy_url
        if self.dialect == Dialect.SQLITE:
            return "sqlite://" if self.path == ":memory:" else f"sqlite:///{self.path}"
        driver = "postgresql+psycopg" if self.dialect == Dialect.POSTGRES else "mysql+pymysql"
        auth = ""
        if self.user:
            auth = quote(self.user, safe="")
            if self.password is not None:
                auth += ":" + quote(self.password, safe="")
            auth += "@"
        port = self.port or _DEFAULT_PORTS[self.dialect]
        return f"{driver}://{auth}{self.host or '127.0.0.1'}:{port}/{quote(self.database)}"


_LIBPQ = {"connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name",
          "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
          "channel_binding", "gssencmode", "sslmode", "sslcompression", "sslcert", "sslkey", "sslpassword",
          "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version",
          "ssl_max_protocol_version", "krbsrvname", "gsslib", "service", "target_session_attrs",
          "load_balance_hosts", "passfile", "hostaddr"}
"""libpq connection keywords; JDBC-only properties (stringtype, reWriteBatchedInserts …) are left out."""


def parse_url(url: str) -> Target:
    """Parse a ``jdbc:`` or SQLAlchemy URL; ``ValueError`` with a readable reason when bad."""
    text = url.strip()
    if not text:
        raise ValueError("empty url")
    if text.lower().startswith("jdbc:"):
        text = text[5:]
        lowered = text.lower()
        if lowered.startswith("sqlite:"):
            path = text[len("sqlite:"):]
            return Target(Dialect.SQLITE, "sqlite", path=path or ":memory:")
        scheme = lowered.split(":", 1)[0]
        if scheme not in _SCHEMES:
            raise ValueError(f"unsupported jdbc url scheme 'jdbc:{scheme}' (expected jdbc:postgresql, "
                             "jdbc:mysql, jdbc:mariadb or jdbc:sqlite, or a SQLAlchemy URL)")
        return _network(text, _SCHEMES[scheme], scheme)
    if "://" not in text:
        raise ValueError("not a URL (expected jdbc:postgresql://host:port/db or a SQLAlchemy URL)")
    scheme = text.split("://", 1)[0].lower()
    family = scheme.split("+", 1)[0]
    dialect = _SCHEMES.get(family, Dialect.OTHER)
    if dialect == Dialect.SQLITE:
        rest = text.split("://", 1)[1]
        path = rest[1:] if rest.startswith("/") else rest
        return Target(Dialect.SQLITE, "sqlite", path=path or ":memory:")
    if dialect == Dialect.OTHER:
        return Target(Dialect.OTHER, scheme, sqlalchemy_url=text)
    return _network(text, dialect, scheme)


def _network(text: str, dialect: Dialect, scheme: str) -> Target:
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the port is not a number") from None
    params = tuple(parse_qsl(parts.query, keep_blank_values=True))
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    named = dict(params)
    user = user or named.get("user")
    password = password if password is not None else named.get("password")
    return Target(dialect, scheme, host=parts.hostname or "127.0.0.1", port=port,
                  database=unquote(parts.path.lstrip("/")), user=user, password=password,
                  params=tuple((k, v) for k, v in params if k not in ("user", "password")))
