"""codebook and answer codings

Revision ID: 37a29e6cae10
Revises: d9fbfb131e82
Create Date: 2026-11-22 09:54:32.788169

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '37a29e6cae10'
down_revision = 'd9fbfb131e82'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('codebook',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_codebook_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_codebook_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codebook')),
    sa.UniqueConstraint('campaign_id', name=op.f('uq_codebook_campaign_id'))
    )
    op.create_table('answer_coding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=True),
    sa.Column('themes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('confidences', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_answer_coding_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coder_id'], ['user_account.id'], name=op.f('fk_answer_coding_coder_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_answer_coding_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_coding'))
    )
    with op.batch_alter_table('answer_coding', schema=None) as batch_op:
        batch_op.create_index('ix_answer_coding_lookup', ['campaign_id', 'question_id', 'source'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_coding_response_id'), ['response_id'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('answer_coding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_coding_response_id'))
        batch_op.drop_index('ix_answer_coding_lookup')

    op.drop_table('answer_coding')
    op.drop_table('codebook')
    
