"""Sites speak the config's levels: the legacy ``hall`` and ``city`` rows become ``district``.

Releases before the one vocabulary stored whatever ``kiosk queue add-site --level hall|town|district|city``
was given. The kiosk config, the catalogue and the central kiosk configuration (which validates a change
against the site's level) know only district|town|village (kiosk/config/levels.py), so an old row made the
site's remote configuration unchangeable and its reports speak another language.

The mapping is the one ``add-site`` applies to a legacy spelling today (``LEGACY_LEVELS``):
- ``city`` → ``district``: the three-level scheme has nothing above the district's 政务服务大厅, and a city
  hall is the top of its escalation chain as a district hall is;
- ``hall`` → ``district``: the old name of a 政务服务大厅, the district's hall (towns and villages were
  always ``town``; ``village`` did not exist).
``town`` and ``district`` rows are unchanged. The values are written out here, not imported, so this
revision does the same thing whatever later code says.

Downgrade changes nothing: ``district`` was valid before too, and which rows were ``hall`` is not kept.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

LEGACY = {"hall": "district", "city": "district"}

_sites = sa.table("sites", sa.column("level", sa.String(16)))


def upgrade() -> None:
    for old, new in LEGACY.items():
        op.execute(_sites.update().where(_sites.c.level == old).values(level=new))


def downgrade() -> None:
    pass
