"""calls.status in our own words (CallStatus): Twilio's in-progress, no-answer, initiated rewritten

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Twilio's word -> ours. "initiated" (Twilio started dialing) is ringing in our lifecycle.
RENAMED = {"in-progress": "in_progress", "no-answer": "no_answer", "initiated": "ringing"}


def _rewrite(mapping: dict[str, str]) -> None:
    calls = sa.table("calls", sa.column("status", sa.String))
    for old, new in mapping.items():
        op.execute(calls.update().where(calls.c.status == old).values(status=new))


def upgrade() -> None:
    _rewrite(RENAMED)


def downgrade() -> None:
    # "ringing" stays ringing: Twilio has that word too.
    _rewrite({new: old for old, new in RENAMED.items() if old != "initiated"})
