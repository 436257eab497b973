"""The durable tables as they stood before migrations: follower positions, command receipts, audit tree and heads,
data keys. A database made before Alembic already has them (created then by the code): they are left as they are.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    def create(name: str, *columns: sa.Column | sa.PrimaryKeyConstraint) -> None:
        if name not in existing:
            op.create_table(name, *columns)

    create("follower_tracking",
           sa.Column("name", sa.Text(), primary_key=True),
           sa.Column("position", BIGINT, nullable=False),
           sa.Column("version", sa.Integer(), nullable=False),
           sa.Column("updated_at", TIMESTAMP, nullable=False))
    create("command_receipts",
           sa.Column("scope", sa.Text(), nullable=False),
           sa.Column("key", sa.Text(), nullable=False),
           sa.Column("fingerprint", sa.Text(), nullable=False),
           sa.Column("response", sa.LargeBinary(), nullable=False),
           sa.Column("last_position", BIGINT, nullable=False),
           sa.PrimaryKeyConstraint("scope", "key"))
    create("data_keys",
           sa.Column("key_id", sa.Text(), primary_key=True),
           sa.Column("wrapped_key", sa.LargeBinary()),
           sa.Column("created_at", TIMESTAMP, nullable=False),
           sa.Column("shredded_at", TIMESTAMP))
    create("audit_leaves",
           sa.Column("leaf_index", BIGINT, primary_key=True),
           sa.Column("position", BIGINT, nullable=False, unique=True),
           sa.Column("leaf_hash", sa.LargeBinary(), nullable=False))
    create("audit_nodes",
           sa.Column("level", sa.Integer(), nullable=False),
           sa.Column("node_index", BIGINT, nullable=False),
           sa.Column("hash", sa.LargeBinary(), nullable=False),
           sa.PrimaryKeyConstraint("level", "node_index"))
    create("audit_heads",
           sa.Column("tree_size", BIGINT, primary_key=True),
           sa.Column("root_hash", sa.LargeBinary(), nullable=False),
           sa.Column("signed_at", TIMESTAMP, nullable=False),
           sa.Column("key_id", sa.LargeBinary(), nullable=False),
           sa.Column("signature", sa.LargeBinary(), nullable=False))
