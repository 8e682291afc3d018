"""The identity generation: one row, given a new random value by every commit that changes who a signed-in request
is (users, their roles and committee memberships, API tokens, the end of a session), so that the identity cache of
every process reloads (association.auth.identity).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 04:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('identity_generation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_generation'))
    )
    op.bulk_insert(table, [{"id": 1, "value": secrets.randbits(62)}])


def downgrade():
    op.drop_table('identity_generation')
