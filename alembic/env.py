"""Alembic environment: reads the database URL from Quadriller's settings; migrations are raw SQL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from server.settings import Settings


def _url() -> str:
    url = context.config.attributes.get("database_url") or Settings().database_url
    # SQLAlchemy needs an explicit driver; asyncpg URLs use the plain scheme.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


def run_migrations_online() -> None:
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
