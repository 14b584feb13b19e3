"""privacy checks: what the privacy guard found in each stored file and what was decided

Revision ID: 0004
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'privacy_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('faces', sa.Integer(), nullable=False),
        sa.Column('sensitive_texts', sa.Integer(), nullable=False),
        sa.Column('other_texts', sa.Integer(), nullable=False),
        sa.Column('manual_regions', sa.Integer(), nullable=False),
        sa.Column('blurred', sa.Integer(), nullable=False),
        sa.Column('kept_with_reason', sa.Integer(), nullable=False),
        sa.Column('images_scanned', sa.Integer(), nullable=False),
        sa.Column('case_file', sa.Boolean(), nullable=False),
        sa.Column('allowed_reason', sa.Text(), server_default='', nullable=False),
        sa.Column('detail', sa.Text(), server_default='{}', nullable=False),
        sa.ForeignKeyConstraint(['revision_id'], ['evidence_revision.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('revision_id'),
    )


def downgrade() -> None:
    op.drop_table('privacy_check')
