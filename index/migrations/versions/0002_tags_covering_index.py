"""tags: covering index for standard filters

The search filter "passages tagged with standard S (not rejected)" read every matching tag row
from the table to get its passage id (about 40 ms for 15k rows at 100k passages on SQLite).
With ``passage_id`` in the index the lookup is index-only (about 8 ms).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:40:00
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index("ix_tags_standard_status")
        batch_op.create_index(
            "ix_tags_standard_status_passage", ["standard_id", "status", "passage_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index("ix_tags_standard_status_passage")
        batch_op.create_index("ix_tags_standard_status", ["standard_id", "status"], unique=False)
