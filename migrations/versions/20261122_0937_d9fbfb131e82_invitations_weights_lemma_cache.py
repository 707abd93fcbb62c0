"""invitations weights lemma cache

Revision ID: d9fbfb131e82
Revises: eca22f8b8dde
Create Date: 2026-11-22 09:37:06.436411

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'd9fbfb131e82'
down_revision = 'eca22f8b8dde'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('lemma_cache',
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('lemmas', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('text_hash', name=op.f('pk_lemma_cache'))
    )
    op.create_table('weighting_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('converged', sa.Boolean(), nullable=False),
    sa.Column('iterations', sa.Integer(), nullable=False),
    sa.Column('diagnostics', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_weighting_run_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_weighting_run_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weighting_run'))
    )
    with op.batch_alter_table('weighting_run', schema=None) as batch_op:
        batch_op.create_index('ix_weighting_run_current', ['campaign_id', 'is_current'], unique=False)

    op.create_table('invitation_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_on', sa.Date(), nullable=True),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_invitation_code_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_invitation_code_response_id_response'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_invitation_code_code_hash')),
    sa.UniqueConstraint('response_id', name=op.f('uq_invitation_code_response_id'))
    )
    with op.batch_alter_table('invitation_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_code_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('response_weight',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_response_weight_response_id_response'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['weighting_run.id'], name=op.f('fk_response_weight_run_id_weighting_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'response_id', name=op.f('pk_response_weight'))
    )
    with op.batch_alter_table('response_weight', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_weight_response_id'), ['response_id'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('response_weight', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_weight_response_id'))

    op.drop_table('response_weight')
    with op.batch_alter_table('invitation_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_code_campaign_id'))

    op.drop_table('invitation_code')
    with op.batch_alter_table('weighting_run', schema=None) as batch_op:
        batch_op.drop_index('ix_weighting_run_current')

    op.drop_table('weighting_run')
    op.drop_table('lemma_cache')
    
