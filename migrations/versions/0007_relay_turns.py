"""streaming turns (ConversationRelay): time to the first token, what a caller cut short heard

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("ms_first_token", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("interrupted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("heard_he", sa.Text(), nullable=True))
        batch.add_column(sa.Column("heard_en", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("heard_en")
        batch.drop_column("heard_he")
        batch.drop_column("interrupted")
        batch.drop_column("ms_first_token")
