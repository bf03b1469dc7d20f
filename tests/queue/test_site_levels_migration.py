"""An old database whose sites were added as ``hall`` or ``city`` speaks the config's levels after the upgrade
(SQLite and PostgreSQL): the rows are mapped as ``add-site`` maps a legacy spelling, so every site the
server hands out (sites API, reports, the stand-in its central configuration is checked on) is a valid
kiosk-config site."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from tests.queue.conftest import pg_schema

REVISION = "0013"  # kiosk/queue/migrations/versions/0013_site_levels.py
OLD_SITES = [  # code, level, parent: the old vocabulary hall|town|district|city
    ("C1", "city", None), ("D1", "district", "C1"), ("H1", "hall", None), ("T1", "town", "H1")]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    """A database with no schema yet (a PostgreSQL schema of its own, dropped afterwards)."""
    from kiosk.queue.db import sqlite_url

    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        with pg_schema("tlv") as url:
            yield url


def _old_database(url: str):
    """The schema as it was just before the levels were mapped, with sites in the old vocabulary."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from kiosk.queue.db import MIGRATIONS, Database

    db = Database(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    before = ScriptDirectory.from_config(cfg).get_revision(REVISION).down_revision
    with db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, before)
        conn.commit()
    created = datetime.now(UTC).replace(tzinfo=None)
    with db.engine.begin() as conn:
        for code, level, parent in OLD_SITES:
            conn.execute(text("INSERT INTO sites (code, name, level, parent_code, escalate_after_s, "
                              "escalate_up_after_s, expected_claim_s, created_at) "
                              "VALUES (:c, :n, :l, :p, 180, 600, 300, :at)"),
                         {"c": code, "n": f"站点{code}", "l": level, "p": parent, "at": created})
    return db


def _as_kiosk_sites(db) -> dict[str, str | None]:
    """Each stored site read as a kiosk config's [site]: its level, or None where the config refuses it."""
    from pydantic import ValidationError

    from kiosk.config.settings import SiteConfig
    from kiosk.queue.models import sites

    out: dict[str, str | None] = {}
    with db.read() as conn:
        for row in conn.execute(select(sites.c.code, sites.c.name, sites.c.level)):
            try:
                out[row.code] = SiteConfig(code=row.code, name=row.name, level=row.level).level
            except ValidationError:
                out[row.code] = None
    return out


def test_old_levels_become_the_configs_after_the_upgrade(empty_url):
    from kiosk.config.levels import LEGACY_LEVELS
    from kiosk.queue.models import sites

    db = _old_database(empty_url)
    try:
        assert _as_kiosk_sites(db) == {"C1": None, "D1": "district", "H1": None, "T1": "town"}
        db.migrate()
        assert _as_kiosk_sites(db) == {"C1": "district", "D1": "district", "H1": "district", "T1": "town"}
        assert {old: LEGACY_LEVELS[old] for old in ("hall", "city")} == {"hall": "district", "city": "district"}
        with db.read() as conn:  # as `add-site --level hall|city` stores them; parents (escalation) untouched
            parents = dict(conn.execute(select(sites.c.code, sites.c.parent_code)).all())
        assert parents == {"C1": None, "D1": "C1", "H1": None, "T1": "H1"}
        db.migrate()  # once upgraded, again changes nothing
        assert _as_kiosk_sites(db)["H1"] == "district"
    finally:
        db.dispose()
