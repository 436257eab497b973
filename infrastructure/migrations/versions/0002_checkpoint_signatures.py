"""The note signatures of tree heads as checkpoints: the log's own and the witnesses' cosignatures (docs/audit.md
§11). A database where the sealer already created the table keeps it as it is.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "audit_checkpoint_signatures" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "audit_checkpoint_signatures",
        sa.Column("tree_size", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_id", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", "name", "key_id"),
    )
