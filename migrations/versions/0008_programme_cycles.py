"""Programmes as a sequence (draft → active → closing → closed, at most one active), tasks belonging to a programme
with codes unique per programme and a `carried_from` link, the `carried_over` task status, and the close-out
decisions. An existing database's programme becomes the active one and its tasks stay its tasks.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD_STATUSES = "'planned', 'in_progress', 'blocked', 'done', 'cancelled'"
NEW_STATUSES = OLD_STATUSES + ", 'carried_over'"


def _sqlite_foreign_keys(on):
    """SQLite's batch mode copies, drops and renames tables that other rows refer to, and dropping a table with
    foreign keys on deletes its rows first — cascading to directions, task history and library progress. So the
    keys are off while the tables are rebuilt (the pragma is ignored inside a transaction, hence the COMMIT), and
    checked when they are back."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    bind.exec_driver_sql('BEGIN')
    if on:
        broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
        if broken:
            raise RuntimeError(f'foreign keys broken by the migration: {broken}')


def upgrade():
    _sqlite_foreign_keys(on=False)
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=32), nullable=False, server_default='draft'))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    # The programme an existing database holds (the newest, should there be several) is the one running.
    op.execute("UPDATE programmes SET status = 'active' WHERE id = (SELECT MAX(id) FROM programmes)")
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
        batch_op.create_check_constraint(
            batch_op.f('ck_programmes_status_allowed'), "status IN ('draft', 'active', 'closing', 'closed')")
        batch_op.create_check_constraint(
            batch_op.f('ck_programmes_closed_has_date'), "status <> 'closed' OR closed_at IS NOT NULL")
        batch_op.create_index('uq_programmes_one_active', ['status'], unique=True,
                              postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))

    with op.batch_alter_table('roadmap_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('carried_from_id', sa.Integer(), nullable=True))
    op.execute("UPDATE roadmap_tasks SET programme_id = "
               "(SELECT directions.programme_id FROM directions WHERE directions.id = roadmap_tasks.direction_id)")
    with op.batch_alter_table('roadmap_tasks', schema=None) as batch_op:
        batch_op.alter_column('programme_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_roadmap_tasks_code'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_roadmap_tasks_programme_id_code'), ['programme_id', 'code'])
        batch_op.create_foreign_key(batch_op.f('fk_roadmap_tasks_programme_id_programmes'), 'programmes',
                                    ['programme_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_roadmap_tasks_carried_from_id_roadmap_tasks'), 'roadmap_tasks',
                                    ['carried_from_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_roadmap_tasks_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmap_tasks_carried_from_id'), ['carried_from_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('ck_roadmap_tasks_status_allowed'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_roadmap_tasks_status_allowed'), f"status IN ({NEW_STATUSES})")

    with op.batch_alter_table('task_history', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_task_history_to_status_allowed'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_task_history_from_status_allowed'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_task_history_to_status_allowed'),
                                         f"to_status IN ({NEW_STATUSES})")
        batch_op.create_check_constraint(batch_op.f('ck_task_history_from_status_allowed'),
                                         "from_status IS NULL OR from_status IN ('planned', 'in_progress', 'blocked',"
                                         " 'done', 'cancelled', 'carried_over')")

    op.create_table('closeout_decisions',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('to_programme_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('new_task_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("action <> 'carry_over' OR to_programme_id IS NOT NULL",
                       name=op.f('ck_closeout_decisions_carry_over_has_target')),
    sa.CheckConstraint("action IN ('carry_over', 'cancel', 'done')", name=op.f('ck_closeout_decisions_action_allowed')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_closeout_decisions_decided_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['new_task_id'], ['roadmap_tasks.id'],
                            name=op.f('fk_closeout_decisions_new_task_id_roadmap_tasks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['roadmap_tasks.id'], name=op.f('fk_closeout_decisions_task_id_roadmap_tasks'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_programme_id'], ['programmes.id'],
                            name=op.f('fk_closeout_decisions_to_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closeout_decisions')),
    sa.UniqueConstraint('task_id', name=op.f('uq_closeout_decisions_task_id'))
    )
    _sqlite_foreign_keys(on=True)


def downgrade():
    _sqlite_foreign_keys(on=False)
    op.drop_table('closeout_decisions')
    # Tasks of later programmes (and the carried_over status) cannot live in the one-programme schema.
    op.execute("UPDATE task_history SET to_status = 'cancelled' WHERE to_status = 'carried_over'")
    op.execute("UPDATE task_history SET from_status = 'cancelled' WHERE from_status = 'carried_over'")
    op.execute("UPDATE roadmap_tasks SET status = 'cancelled' WHERE status = 'carried_over'")
    with op.batch_alter_table('task_history', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_task_history_from_status_allowed'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_task_history_to_status_allowed'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_task_history_to_status_allowed'),
                                         f"to_status IN ({OLD_STATUSES})")
        batch_op.create_check_constraint(batch_op.f('ck_task_history_from_status_allowed'),
                                         f"from_status IS NULL OR from_status IN ({OLD_STATUSES})")
    with op.batch_alter_table('roadmap_tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_roadmap_tasks_status_allowed'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_roadmap_tasks_status_allowed'), f"status IN ({OLD_STATUSES})")
        batch_op.drop_index(batch_op.f('ix_roadmap_tasks_carried_from_id'))
        batch_op.drop_index(batch_op.f('ix_roadmap_tasks_programme_id'))
        batch_op.drop_constraint(batch_op.f('fk_roadmap_tasks_carried_from_id_roadmap_tasks'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_roadmap_tasks_programme_id_programmes'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_roadmap_tasks_programme_id_code'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_roadmap_tasks_code'), ['code'])
        batch_op.drop_column('carried_from_id')
        batch_op.drop_column('programme_id')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_index('uq_programmes_one_active', sqlite_where=sa.text("status = 'active'"))
        batch_op.drop_constraint(batch_op.f('ck_programmes_closed_has_date'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_programmes_status_allowed'), type_='check')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('status')
    _sqlite_foreign_keys(on=True)
