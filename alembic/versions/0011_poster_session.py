"""poster session: sessions, slots, boards, placements, judge availability and visits

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 06:46:31.597995
"""

import sqlalchemy as sa
from alembic import op

import poster_review.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('boards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('hall', sa.String(length=100), nullable=False),
    sa.Column('row', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('x', sa.Double(), nullable=False),
    sa.Column('y', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_boards_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_boards')),
    sa.UniqueConstraint('conference_id', 'hall', 'number', name=op.f('uq_boards_conference_id_hall_number'))
    )
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_boards_conference_id'), ['conference_id'], unique=False)

    op.create_table('poster_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('hall', sa.String(length=100), nullable=False),
    sa.Column('track_ids', sa.JSON(), nullable=False),
    sa.Column('starts_at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('required_judges', sa.Integer(), nullable=False),
    sa.Column('minutes_per_visit', sa.Integer(), nullable=False),
    sa.Column('spare_boards', sa.Integer(), nullable=False),
    sa.Column('created_at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_poster_sessions_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poster_sessions'))
    )
    with op.batch_alter_table('poster_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poster_sessions_conference_id'), ['conference_id'], unique=False)

    op.create_table('session_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('starts_at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['poster_sessions.id'], name=op.f('fk_session_slots_session_id_poster_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_slots')),
    sa.UniqueConstraint('session_id', 'position', name=op.f('uq_session_slots_session_id_position'))
    )
    with op.batch_alter_table('session_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_slots_session_id'), ['session_id'], unique=False)

    op.create_table('judge_availability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['slot_id'], ['session_slots.id'], name=op.f('fk_judge_availability_slot_id_session_slots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_judge_availability_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judge_availability')),
    sa.UniqueConstraint('slot_id', 'user_id', name=op.f('uq_judge_availability_slot_id_user_id'))
    )
    with op.batch_alter_table('judge_availability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judge_availability_slot_id'), ['slot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judge_availability_user_id'), ['user_id'], unique=False)

    op.create_table('poster_placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('presenter_status', sa.Enum('pending', 'confirmed', 'cannot_attend', name='presenterstatus', native_enum=False, length=16), nullable=False),
    sa.Column('presenter_answered_at', poster_review.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('substitute_name', sa.String(length=200), nullable=False),
    sa.Column('substitute_email', sa.String(length=254), nullable=False),
    sa.Column('updated_at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_poster_placements_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['poster_sessions.id'], name=op.f('fk_poster_placements_session_id_poster_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_poster_placements_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poster_placements')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_poster_placements_submission_id'))
    )
    with op.batch_alter_table('poster_placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poster_placements_board_id'), ['board_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_poster_placements_session_id'), ['session_id'], unique=False)

    op.create_table('judge_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('starts_at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_judge_visits_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['poster_sessions.id'], name=op.f('fk_judge_visits_session_id_poster_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['session_slots.id'], name=op.f('fk_judge_visits_slot_id_session_slots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judge_visits')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_judge_visits_assignment_id'))
    )
    with op.batch_alter_table('judge_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judge_visits_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('judge_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judge_visits_session_id'))

    op.drop_table('judge_visits')
    with op.batch_alter_table('poster_placements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poster_placements_session_id'))
        batch_op.drop_index(batch_op.f('ix_poster_placements_board_id'))

    op.drop_table('poster_placements')
    with op.batch_alter_table('judge_availability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judge_availability_user_id'))
        batch_op.drop_index(batch_op.f('ix_judge_availability_slot_id'))

    op.drop_table('judge_availability')
    with op.batch_alter_table('session_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_slots_session_id'))

    op.drop_table('session_slots')
    with op.batch_alter_table('poster_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poster_sessions_conference_id'))

    op.drop_table('poster_sessions')
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_boards_conference_id'))

    op.drop_table('boards')
