"""sections: kind_confidence, how surely ingest read each section's kind

Search applies its section-kind prior only to sections whose kind is known with confidence, so a
misread layout (every heading missed, all text in ``front_matter`` or ``other``) no longer sinks
the best passages. Existing rows get 1.0, except ``front_matter`` and ``other`` sections, which
are unclassified by definition and get 0.0; re-ingesting a review fills the column from the parser.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UNCLASSIFIED = ("front_matter", "other")


def upgrade() -> None:
    op.add_column("sections", sa.Column("kind_confidence", sa.Float(), server_default="1.0", nullable=False))
    sections = sa.table("sections", sa.column("kind", sa.String()), sa.column("kind_confidence", sa.Float()))
    op.execute(sections.update().where(sections.c.kind.in_(UNCLASSIFIED)).values(kind_confidence=0.0))


def downgrade() -> None:
    # In place, not a batch copy: rebuilding ``sections`` on SQLite (foreign keys on) would cascade
    # and delete every passage and tag. SQLite drops a plain column in place since 3.35.
    op.drop_column("sections", "kind_confidence")
