"""indexes for a national network's scale

The audit log is read by organisation, newest first (the daily snapshot check on every page run), by
actor, action and day (the audit log page and its filters); thumbnails are looked up by key when a
failed upload cleans up after itself.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 20:05:00.000000
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_entry_organisation_newest', ['organisation_id', 'id'], unique=False)

    with op.batch_alter_table('evidence_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_revision_thumbnail_key'), ['thumbnail_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_revision_thumbnail_key'))

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_organisation_newest')
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_action'))
