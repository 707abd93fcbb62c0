"""report and results page

Revision ID: c15a00000006
Revises: c15a00000005
Create Date: 2026-12-01 08:06:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'c15a00000006'
down_revision = 'c15a00000005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
