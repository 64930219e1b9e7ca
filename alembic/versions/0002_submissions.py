"""submissions, authors, poster files and history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 03:12:36.842859
"""

import sqlalchemy as sa
from alembic import op

import poster_review.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('abstract', sa.Text(), nullable=False),
    sa.Column('keywords', sa.String(length=500), nullable=False),
    sa.Column('presentation_language', sa.String(length=10), nullable=False),
    sa.Column('licence', sa.String(length=40), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'withdrawn', name='submissionstate', native_enum=False, length=12), nullable=False),
    sa.Column('reopened_until', poster_review.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', poster_review.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', poster_review.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_submissions_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_submissions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_submissions_track_id_tracks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('conference_id', 'number', name=op.f('uq_submissions_conference_id_number'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_conference_id'), ['conference_id'], unique=False)

    op.create_table('poster_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('uploaded_at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('inspection', sa.Enum('pending', 'accepted', 'rejected', 'failed', name='inspectionstate', native_enum=False, length=10), nullable=False),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=True),
    sa.Column('page_width_mm', sa.Double(), nullable=True),
    sa.Column('page_height_mm', sa.Double(), nullable=True),
    sa.Column('thumb_small_sha256', sa.String(length=64), nullable=True),
    sa.Column('thumb_large_sha256', sa.String(length=64), nullable=True),
    sa.Column('inspected_at', poster_review.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_poster_files_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_poster_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poster_files'))
    )
    with op.batch_alter_table('poster_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poster_files_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_poster_files_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_authors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_latin', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('affiliations', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('orcid', sa.String(length=19), nullable=True),
    sa.Column('is_presenting', sa.Boolean(), nullable=False),
    sa.Column('is_corresponding', sa.Boolean(), nullable=False),
    sa.Column('is_student', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_authors_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_submission_authors_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_authors'))
    )
    with op.batch_alter_table('submission_authors', schema=None) as batch_op:
        batch_op.create_index('ix_submission_authors_email', ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_authors_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_authors_user_id'), ['user_id'], unique=False)

    op.create_table('submission_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', poster_review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_events_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_submission_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_events'))
    )
    with op.batch_alter_table('submission_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_events_submission_id'), ['submission_id'], unique=False)

    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('poster_max_mb', sa.Integer(), nullable=False, server_default='50'))
        batch_op.add_column(sa.Column('poster_max_pages', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('poster_width_mm', sa.Integer(), nullable=False, server_default='841'))
        batch_op.add_column(sa.Column('poster_height_mm', sa.Integer(), nullable=False, server_default='1189'))
        batch_op.add_column(sa.Column('licences', sa.String(length=300), nullable=False, server_default='CC-BY-4.0 CC-BY-SA-4.0 CC-BY-NC-4.0'))



def downgrade() -> None:
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_column('licences')
        batch_op.drop_column('poster_height_mm')
        batch_op.drop_column('poster_width_mm')
        batch_op.drop_column('poster_max_pages')
        batch_op.drop_column('poster_max_mb')

    with op.batch_alter_table('submission_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_events_submission_id'))

    op.drop_table('submission_events')
    with op.batch_alter_table('submission_authors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_authors_user_id'))
        batch_op.drop_index(batch_op.f('ix_submission_authors_submission_id'))
        batch_op.drop_index('ix_submission_authors_email')

    op.drop_table('submission_authors')
    with op.batch_alter_table('poster_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poster_files_submission_id'))
        batch_op.drop_index(batch_op.f('ix_poster_files_sha256'))

    op.drop_table('poster_files')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_conference_id'))

    op.drop_table('submissions')
