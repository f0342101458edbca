"""lead Hebrew name and data source, the call's dialogue snapshot, the turn's language

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("name_he", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("source", sa.String(length=200), nullable=True))
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("dialogue", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("dialogue")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("source")
        batch.drop_column("name_he")
