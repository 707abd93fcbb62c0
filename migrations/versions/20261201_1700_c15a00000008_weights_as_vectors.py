"""a weighting run's weights stored as two vectors on the run (response_weight dropped)

A run's weights are computed at once, never edited and always read whole: one row per
response cost 1.6 s of foreign-key checks and index updates on PostgreSQL for 100,000
weights. They become two binary columns of ``weighting_run``: the response ids
(little-endian 64-bit integers) and the weights (little-endian doubles), in the same
order. The rows of existing runs are moved into the vectors; the downgrade moves them
back (for the responses that still exist, as the foreign key demands).

Revision ID: c15a00000008
Revises: c15a00000007
Create Date: 2026-12-01 17:00:00

"""
from alembic import op
import numpy as np
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c15a00000008'
down_revision = 'c15a00000007'
branch_labels = None
depends_on = None

_runs = sa.table('weighting_run', sa.column('id', sa.Integer()),
                 sa.column('weight_response_ids', sa.LargeBinary()), sa.column('weight_values', sa.LargeBinary()))
_rows = sa.table('response_weight', sa.column('run_id', sa.Integer()), sa.column('response_id', sa.Integer()),
                 sa.column('weight', sa.Double()))


def upgrade():
    with op.batch_alter_table('weighting_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight_response_ids', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('weight_values', sa.LargeBinary(), nullable=True))

    connection = op.get_bind()
    run_ids = [r for (r,) in connection.execute(sa.select(_runs.c.id))]
    for run_id in run_ids:
        found = connection.execute(sa.select(_rows.c.response_id, _rows.c.weight)
                                   .where(_rows.c.run_id == run_id).order_by(_rows.c.response_id)).all()
        ids = np.asarray([r for r, _ in found], dtype='<i8')
        values = np.asarray([w for _, w in found], dtype='<f8')
        connection.execute(sa.update(_runs).where(_runs.c.id == run_id)
                           .values(weight_response_ids=ids.tobytes(), weight_values=values.tobytes()))

    with op.batch_alter_table('response_weight', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_weight_response_id'))
    op.drop_table('response_weight')


def downgrade():
    # The vectors are read before the columns go: on SQLite, dropping a column rebuilds
    # ``weighting_run``, and dropping the old table would cascade to rows already moved.
    connection = op.get_bind()
    existing = {r for (r,) in connection.execute(sa.text('SELECT id FROM response'))}
    rows = []
    for run_id, ids, values in connection.execute(sa.select(_runs.c.id, _runs.c.weight_response_ids, _runs.c.weight_values)).all():
        if ids is None or values is None:
            continue
        pairs = zip(np.frombuffer(bytes(ids), dtype='<i8').tolist(), np.frombuffer(bytes(values), dtype='<f8').tolist())
        rows.extend({'run_id': run_id, 'response_id': r, 'weight': w} for r, w in pairs if r in existing)

    with op.batch_alter_table('weighting_run', schema=None) as batch_op:
        batch_op.drop_column('weight_values')
        batch_op.drop_column('weight_response_ids')

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
    if rows:
        connection.execute(sa.insert(_rows), rows)
