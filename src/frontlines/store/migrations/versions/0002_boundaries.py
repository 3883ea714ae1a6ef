"""boundaries: imported admin boundary layers (GeoJSON geometry, bbox for quick filtering)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # `frontlines.geo.boundaries` also creates this table on a bare engine (CREATE IF NOT EXISTS), so a
    # store that imported boundaries before this migration already has it.
    if "boundaries" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "boundaries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("layer", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("source_code", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("admin1", sa.String(length=300), nullable=True),
        sa.Column("admin_level", sa.Integer(), nullable=True),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("minx", sa.Float(), nullable=True),
        sa.Column("miny", sa.Float(), nullable=True),
        sa.Column("maxx", sa.Float(), nullable=True),
        sa.Column("maxy", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boundaries")),
    )
    op.create_index("ix_boundaries_layer", "boundaries", ["layer"])
    op.create_index("ix_boundaries_code", "boundaries", ["code"])


def downgrade() -> None:
    op.drop_index("ix_boundaries_code", table_name="boundaries")
    op.drop_index("ix_boundaries_layer", table_name="boundaries")
    op.drop_table("boundaries")
