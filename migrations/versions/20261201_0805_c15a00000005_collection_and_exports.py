"""collection and exports: a campaign's retention date, the record of retention purges

Revision ID: c15a00000005
Revises: c15a00000004
Create Date: 2026-12-01 08:05:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c15a00000005'
down_revision = 'c15a00000004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_until', sa.Date(), nullable=True))
    op.create_table('retention_purge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_retention_purge_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_retention_purge_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_purge'))
    )
    with op.batch_alter_table('retention_purge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_purge_campaign_id'), ['campaign_id'], unique=False)


def downgrade():
    with op.batch_alter_table('retention_purge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_purge_campaign_id'))
    op.drop_table('retention_purge')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('retention_until')
