"""The figures' generation: one row, given a new random value by every commit that changes what the cached
programme figures are computed from (association.progress.cache).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 22:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('figure_generation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_figure_generation'))
    )
    op.bulk_insert(table, [{"id": 1, "value": secrets.randbits(62)}])


def downgrade():
    op.drop_table('figure_generation')
