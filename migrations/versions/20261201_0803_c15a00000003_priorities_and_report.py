"""priorities and report: the coordinator's decisions on candidate priorities, the scoring grid

Revision ID: c15a00000003
Revises: c15a00000002
Create Date: 2026-12-01 08:03:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c15a00000003'
down_revision = 'c15a00000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('priority_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('candidate_key', sa.String(length=100), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('merged_into', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('seriousness', sa.Float(), nullable=True),
    sa.Column('effectiveness', sa.Float(), nullable=True),
    sa.Column('pearl', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_priority_decision_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_priority_decision_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_decision')),
    sa.UniqueConstraint('campaign_id', 'candidate_key', name=op.f('uq_priority_decision_campaign_id_candidate_key'))
    )
    op.create_table('priority_grid',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=20), nullable=False),
    sa.Column('inequity_weight', sa.Float(), nullable=False),
    sa.Column('demand_weight', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_priority_grid_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_priority_grid_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_priority_grid'))
    )


def downgrade():
    op.drop_table('priority_grid')
    op.drop_table('priority_decision')
