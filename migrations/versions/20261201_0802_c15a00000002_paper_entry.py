"""paper entry

Revision ID: c15a00000002
Revises: c15a00000001
Create Date: 2026-12-01 08:02:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'c15a00000002'
down_revision = 'c15a00000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
