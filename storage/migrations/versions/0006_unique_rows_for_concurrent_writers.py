"""unique rows that concurrent writers might each add once

Without one lock for every transaction, two sessions (or two replicas) can each decide that a row is missing
and add it. These constraints make the database refuse the second: one review decision per evidence revision,
one open assessment cycle per organisation, one membership per user and organisation (and one covering every
organisation). Duplicates left by an older version are folded first: the newest row is kept.

Revision ID: 0006
Revises: 0007
Create Date: 2026-12-01 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM review WHERE id NOT IN (SELECT MAX(id) FROM review GROUP BY revision_id)")
    op.execute("DELETE FROM membership WHERE id NOT IN "
               "(SELECT MAX(id) FROM membership GROUP BY user_id, COALESCE(organisation_id, 0))")
    op.execute("UPDATE assessment_cycle SET closed_on = started_on WHERE closed_on IS NULL AND id NOT IN "
               "(SELECT MAX(id) FROM assessment_cycle WHERE closed_on IS NULL GROUP BY organisation_id)")
    open_cycle = sa.text("closed_on IS NULL")
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index('uq_review_revision', ['revision_id'], unique=True)
    with op.batch_alter_table('assessment_cycle', schema=None) as batch_op:
        batch_op.create_index('uq_assessment_cycle_open', ['organisation_id'], unique=True,
                              sqlite_where=open_cycle, postgresql_where=open_cycle)
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index('uq_membership_user_organisation', ['user_id', 'organisation_id'], unique=True,
                              sqlite_where=sa.text("organisation_id IS NOT NULL"),
                              postgresql_where=sa.text("organisation_id IS NOT NULL"))
        batch_op.create_index('uq_membership_user_every_organisation', ['user_id'], unique=True,
                              sqlite_where=sa.text("organisation_id IS NULL"),
                              postgresql_where=sa.text("organisation_id IS NULL"))


def downgrade() -> None:
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('uq_membership_user_every_organisation')
        batch_op.drop_index('uq_membership_user_organisation')
    with op.batch_alter_table('assessment_cycle', schema=None) as batch_op:
        batch_op.drop_index('uq_assessment_cycle_open')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index('uq_review_revision')
