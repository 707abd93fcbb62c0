"""paper entry: serials issued, paper forms, their entries, reconciliation, response changes

Revision ID: c15a00000002
Revises: c15a00000001
Create Date: 2026-12-01 08:02:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c15a00000002'
down_revision = 'c15a00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('paper_settings',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('double_entry', sa.Enum('none', 'all', 'sample', name='paper_double_entry', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('sample_percent', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_paper_settings_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_paper_settings_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_paper_settings'))
    )
    op.create_table('paper_serial',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_version_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_paper_serial_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_paper_serial_issued_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['questionnaire_version_id'], ['questionnaire_version.id'], name=op.f('fk_paper_serial_questionnaire_version_id_questionnaire_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_serial')),
    sa.UniqueConstraint('campaign_id', 'serial', name=op.f('uq_paper_serial_campaign_id_serial'))
    )
    op.create_index(op.f('ix_paper_serial_questionnaire_version_id'), 'paper_serial', ['questionnaire_version_id'], unique=False)
    op.create_table('paper_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=True),
    sa.Column('keyed_serial', sa.String(length=40), nullable=False),
    sa.Column('questionnaire_version_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('keyed', 'incomplete', 'awaiting_second', 'reconciling', 'validated', 'cancelled', name='paper_form_state', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('needs_second', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('validated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_paper_form_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['questionnaire_version_id'], ['questionnaire_version.id'], name=op.f('fk_paper_form_questionnaire_version_id_questionnaire_version'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_paper_form_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_form')),
    sa.UniqueConstraint('campaign_id', 'serial', name=op.f('uq_paper_form_campaign_id_serial')),
    sa.UniqueConstraint('response_id', name=op.f('uq_paper_form_response_id'))
    )
    op.create_index('ix_paper_form_campaign_state', 'paper_form', ['campaign_id', 'state'], unique=False)
    op.create_index(op.f('ix_paper_form_questionnaire_version_id'), 'paper_form', ['questionnaire_version_id'], unique=False)
    op.create_table('response_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=True),
    sa.Column('old_value', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('new_value', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_response_change_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_response_change_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_change'))
    )
    op.create_index(op.f('ix_response_change_response_id'), 'response_change', ['response_id'], unique=False)
    op.create_table('paper_discrepancy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('first', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('second', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('paper', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_paper_discrepancy_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['form_id'], ['paper_form.id'], name=op.f('fk_paper_discrepancy_form_id_paper_form'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_discrepancy')),
    sa.UniqueConstraint('form_id', 'question_id', name=op.f('uq_paper_discrepancy_form_id_question_id'))
    )
    op.create_table('paper_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('markers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('incomplete_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_paper_entry_agent_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['form_id'], ['paper_form.id'], name=op.f('fk_paper_entry_form_id_paper_form'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_entry')),
    sa.UniqueConstraint('form_id', 'round', name=op.f('uq_paper_entry_form_id_round'))
    )
    op.create_index(op.f('ix_paper_entry_agent_id'), 'paper_entry', ['agent_id'], unique=False)
    op.create_index(op.f('ix_paper_entry_created_at'), 'paper_entry', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_paper_entry_created_at'), table_name='paper_entry')
    op.drop_index(op.f('ix_paper_entry_agent_id'), table_name='paper_entry')
    op.drop_table('paper_entry')
    op.drop_table('paper_discrepancy')
    op.drop_index(op.f('ix_response_change_response_id'), table_name='response_change')
    op.drop_table('response_change')
    op.drop_index(op.f('ix_paper_form_questionnaire_version_id'), table_name='paper_form')
    op.drop_index('ix_paper_form_campaign_state', table_name='paper_form')
    op.drop_table('paper_form')
    op.drop_index(op.f('ix_paper_serial_questionnaire_version_id'), table_name='paper_serial')
    op.drop_table('paper_serial')
    op.drop_table('paper_settings')
