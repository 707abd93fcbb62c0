"""background jobs

Revision ID: c15a00000001
Revises: 37a29e6cae10
Create Date: 2026-12-01 08:01:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'c15a00000001'
down_revision = '37a29e6cae10'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
