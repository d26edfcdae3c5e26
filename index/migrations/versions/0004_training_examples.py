"""training_examples: passages a board labelled, imported as training data with provenance

``gwersi learn FILE.jsonl`` and ``POST /training-examples`` store each labelled passage once (by the
sha1 of its text) with who imported it, when, and from which file and line. The taggers are
trained on these rows together with the panel's decisions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha1", sa.String(length=40), nullable=False),
        sa.Column("standards", sa.JSON(), nullable=False),
        sa.Column("rejected", sa.JSON(), nullable=False),
        sa.Column("polarity", sa.String(length=20), nullable=True),
        sa.Column("section_kind", sa.String(length=40), nullable=True),
        sa.Column("passage_id", sa.Integer(), nullable=True),
        sa.Column("taxonomy_version", sa.String(length=40), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["passage_id"], ["passages.id"], name=op.f("fk_training_examples_passage_id_passages"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_examples")),
        sa.UniqueConstraint("text_sha1", name=op.f("uq_training_examples_text_sha1")),
    )
    op.create_index(op.f("ix_training_examples_passage_id"), "training_examples", ["passage_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_training_examples_passage_id"), table_name="training_examples")
    op.drop_table("training_examples")
