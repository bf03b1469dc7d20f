"""What every table module shares: the metadata, the UTC time column type, the autoincrementing id."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: identical behaviour on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use datetime.now(UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)



metadata = MetaData()

# An integer key that autoincrements on both dialects (BIGSERIAL on PostgreSQL, ROWID on SQLite).
BigId = BigInteger().with_variant(Integer, "sqlite")


def serial_id() -> Column:
    """The ``id`` primary key drawn by the database (BIGSERIAL / ROWID): users, events, case events."""
    return Column("id", BigId, primary_key=True, autoincrement=True)
