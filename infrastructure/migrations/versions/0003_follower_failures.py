"""The follower health log (``follower_failures``) becomes a durable table: it records what no event says (a
follower that is stuck), so it is not rebuilt from the log. A database where the runner already created it keeps it.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "follower_failures" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "follower_failures",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
