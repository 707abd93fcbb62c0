"""Settings come from create_app and CLS_* variables only."""
import os
import stat

import pytest

from survey_app import ConfigError, create_app


def test_cls_variables_configure_the_app(tmp_path):
    app = create_app(environ={"CLS_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "CLS_SECRET_KEY": "k" * 40})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/a.db"
    assert app.config["SECRET_KEY"] == "k" * 40


def test_default_database_is_sqlite_in_the_instance_folder():
    app = create_app({"SECRET_KEY": "x"}, environ={})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + os.path.join(app.instance_path, "cls.sqlite3")


def test_postgres_urls_use_psycopg3():
    app = create_app({"SECRET_KEY": "x"}, environ={"CLS_DATABASE_URL": "postgresql://u@h/base"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    from survey_app import config

    key = config.instance_secret_key(str(tmp_path))
    assert len(key) == 64
    assert config.instance_secret_key(str(tmp_path)) == key
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


@pytest.mark.parametrize(
    "url, words",
    [("nonsense", "n'est pas une URL"), ("mysql://u@h/b", "n'est pas pris en charge")],
)
def test_a_wrong_database_url_is_one_clear_error(url, words):
    with pytest.raises(ConfigError) as error:
        create_app(environ={"CLS_DATABASE_URL": url, "CLS_SECRET_KEY": "x"})
    assert words in str(error.value)
    assert "\n" not in str(error.value)


def test_public_url_for_posters_comes_from_the_environment():
    app = create_app({"SECRET_KEY": "x"}, environ={"CLS_PUBLIC_URL": "https://sante.ville.fr/"})
    assert app.config["CLS_PUBLIC_URL"] == "https://sante.ville.fr"


def test_the_life_of_account_links_is_a_setting_with_a_clear_error(tmp_path):
    base = {"CLS_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "CLS_SECRET_KEY": "k" * 40}
    assert create_app(environ=base).config["CLS_ACCOUNT_LINK_DAYS"] == 7
    assert create_app(environ={**base, "CLS_ACCOUNT_LINK_DAYS": "3"}).config["CLS_ACCOUNT_LINK_DAYS"] == 3
    with pytest.raises(ConfigError, match="CLS_ACCOUNT_LINK_DAYS"):
        create_app(environ={**base, "CLS_ACCOUNT_LINK_DAYS": "jamais"})


def test_pages_show_times_on_the_towns_clock_which_cls_timezone_sets():
    import datetime as dt

    import pytest

    from survey_app.web.i18n import local_datetime

    winter, summer = dt.datetime(2026, 12, 1, 19, 3), dt.datetime(2026, 7, 1, 19, 3)  # UTC, as stored
    app = create_app({"SECRET_KEY": "x"}, environ={})
    with app.test_request_context("/"):
        assert local_datetime(winter) == "01/12/2026 20:03"  # Paris, winter time
        assert local_datetime(summer) == "01/07/2026 21:03"  # summer time
        assert local_datetime("2026-12-01T19:03:00") == "01/12/2026 20:03"  # a job's ISO text
        assert local_datetime(winter.replace(tzinfo=dt.timezone.utc), "dd/MM/yyyy 'à' HH:mm") == "01/12/2026 à 20:03"
        assert local_datetime(None) == "–" and local_datetime(dt.date(2026, 12, 1)) == "01/12/2026"
    app = create_app({"SECRET_KEY": "x"}, environ={"CLS_TIMEZONE": "America/Cayenne"})
    with app.test_request_context("/"):
        assert local_datetime(winter) == "01/12/2026 16:03"
    from survey_app.accounts.activity import local_time

    with app.app_context():  # the admin's activity log and the account links' messages too
        assert local_time(winter).strftime("%H:%M") == "16:03"
    assert local_time(winter).strftime("%H:%M") == "20:03"  # no app: Paris
    with pytest.raises(ConfigError, match="fuseau horaire"):
        create_app({"SECRET_KEY": "x"}, environ={"CLS_TIMEZONE": "Lune/Tranquillité"})
