"""Migration c15a00000008 moves a run's weights from rows into two vectors and back, on both databases."""
import numpy as np
import pytest
from sqlalchemy import select, text

from tests.conftest import empty_database, make_test_app

BEFORE = "c15a00000007"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request, tmp_path):
    """An empty database of its own (the suite's shared one stays at the head)."""
    with empty_database(request.param, tmp_path, "cls_migration") as url:
        yield url


def test_weights_move_from_rows_to_vectors_and_back(fresh_url, tmp_path_factory):
    import flask_migrate

    from survey_app.campaigns import demo
    from survey_app.extensions import db
    from survey_app.findings.weights import run_weights, set_run_weights
    from survey_app.models import Response, WeightingRun

    app = make_test_app(fresh_url, tmp_path_factory)
    with app.app_context():
        flask_migrate.upgrade()
        campaign = demo.setup_demo(db.session, responses=12, seed=3,
                                   questionnaires_dir=app.config["CLS_QUESTIONNAIRES_DIR"]).campaign
        ids = sorted(db.session.scalars(select(Response.id).where(Response.campaign_id == campaign.id)))
        weighted = ids[::-1]  # stored in the sample's order, not the ids'
        values = [1.0 + i / 7 for i in range(len(weighted))]
        run = WeightingRun(campaign_id=campaign.id, method="rake", diagnostics={})
        set_run_weights(run, weighted, values)
        erased = WeightingRun(campaign_id=campaign.id, method="rake", diagnostics={}, is_current=False)
        db.session.add_all([run, erased])
        db.session.commit()
        run_id, erased_id = run.id, erased.id
        expected = dict(zip(weighted, values))
        db.session.remove()  # its transaction would hold the tables the migration alters

        flask_migrate.downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT run_id, response_id, weight FROM response_weight")).all()
        assert {(r, i): w for r, i, w in rows} == {(run_id, i): w for i, w in expected.items()}

        flask_migrate.upgrade()
        db.session.remove()
        back_ids, back_values = run_weights(db.session, run_id)
        assert list(back_ids) == sorted(expected)  # in the ids' order now
        assert np.array_equal(back_values, [expected[i] for i in sorted(expected)])
        assert len(run_weights(db.session, erased_id)[0]) == 0
        db.session.remove()
        db.engine.dispose()
