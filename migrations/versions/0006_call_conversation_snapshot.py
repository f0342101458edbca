"""the call's conversation state as one JSON snapshot (calls.conversation)

Replaces offered_slots, questions_asked, error_count, silence_count and dialogue; existing rows
are carried over, both ways.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# snapshot key -> (old column, its type, its server default)
OLD_COLUMNS = {
    "offered": ("offered_slots", sa.JSON(), "[]"),
    "questions_asked": ("questions_asked", sa.Integer(), "0"),
    "errors": ("error_count", sa.Integer(), "0"),
    "silences": ("silence_count", sa.Integer(), "0"),
    "dialogue": ("dialogue", sa.JSON(), "{}"),
}
EMPTY = {"offered": [], "questions_asked": 0, "errors": 0, "silences": 0, "dialogue": {}}


def _calls(*names: str) -> sa.TableClause:
    types = {column: kind for column, kind, _ in OLD_COLUMNS.values()}
    types["conversation"] = sa.JSON()
    return sa.table(
        "calls", sa.column("id", sa.Integer()), *(sa.column(n, types[n]) for n in names)
    )


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("conversation", sa.JSON(), nullable=False, server_default="{}"))
    old = [column for column, _, _ in OLD_COLUMNS.values()]
    calls = _calls(*old, "conversation")
    bind = op.get_bind()
    for row in bind.execute(sa.select(calls.c.id, *(calls.c[c] for c in old))).mappings():
        snapshot = {
            key: row[column] if row[column] is not None else EMPTY[key]
            for key, (column, _, _) in OLD_COLUMNS.items()
        }
        bind.execute(calls.update().where(calls.c.id == row["id"]).values(conversation=snapshot))
    with op.batch_alter_table("calls") as batch:
        for column in old:
            batch.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        for column, kind, default in OLD_COLUMNS.values():
            batch.add_column(sa.Column(column, kind, nullable=False, server_default=default))
    old = [column for column, _, _ in OLD_COLUMNS.values()]
    calls = _calls(*old, "conversation")
    bind = op.get_bind()
    for row in bind.execute(sa.select(calls.c.id, calls.c.conversation)).mappings():
        snapshot = row["conversation"] or {}
        values = {
            column: snapshot.get(key, EMPTY[key]) for key, (column, _, _) in OLD_COLUMNS.items()
        }
        bind.execute(calls.update().where(calls.c.id == row["id"]).values(**values))
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("conversation")
