"""report and results page

Revision ID: c15a00000006
Revises: c15a00000005
Create Date: 2026-12-01 08:06:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c15a00000006'
down_revision = 'c15a00000005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_report_file_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_report_file_job_id_job'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_file'))
    )
    with op.batch_alter_table('report_file', schema=None) as batch_op:
        batch_op.create_index('ix_report_file_lookup', ['campaign_id', 'kind', 'id'], unique=False)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('results_page', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('results_page')
        batch_op.drop_column('results_published_at')

    with op.batch_alter_table('report_file', schema=None) as batch_op:
        batch_op.drop_index('ix_report_file_lookup')

    op.drop_table('report_file')
