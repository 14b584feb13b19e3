"""organisations can be archived

An archived organisation keeps every row (ratings, evidence, audit entries); it only leaves the
organisation switchers and the network's scores. A plain ADD/DROP COLUMN (no table copy), which
SQLite (3.35+) and PostgreSQL both do in place, so the rows that refer to an organisation stay put.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-01 10:45:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('organisation', sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE organisation DROP COLUMN archived_at')
