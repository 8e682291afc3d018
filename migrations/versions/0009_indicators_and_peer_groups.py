"""Indicators (numerator and denominator expressions over form field codes) and custom peer groups.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:10:51.465845

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('indicators',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('descriptions', sa.JSON(), nullable=False),
    sa.Column('units', sa.JSON(), nullable=False),
    sa.Column('numerator', sa.String(length=500), nullable=False),
    sa.Column('denominator', sa.String(length=500), nullable=True),
    sa.Column('factor', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=32), nullable=False),
    sa.Column('standard', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('higher', 'lower', 'neither')", name=op.f('ck_indicators_direction_allowed')),
    sa.CheckConstraint('factor > 0', name=op.f('ck_indicators_factor_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('code', name=op.f('uq_indicators_code'))
    )
    op.create_table('peer_groups',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_peer_groups_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_groups'))
    )
    with op.batch_alter_table('peer_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_groups_owner_id'), ['owner_id'], unique=False)

    op.create_table('peer_group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('library_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['peer_groups.id'], name=op.f('fk_peer_group_members_group_id_peer_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['library_id'], ['member_libraries.id'], name=op.f('fk_peer_group_members_library_id_member_libraries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'library_id', name=op.f('pk_peer_group_members'))
    )
    with op.batch_alter_table('peer_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_group_members_library_id'), ['library_id'], unique=False)



def downgrade():
    with op.batch_alter_table('peer_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_group_members_library_id'))

    op.drop_table('peer_group_members')
    with op.batch_alter_table('peer_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_groups_owner_id'))

    op.drop_table('peer_groups')
    op.drop_table('indicators')
