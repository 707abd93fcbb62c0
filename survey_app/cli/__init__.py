"""Flask command groups; each command calls a service.

Database and domain errors become one clear line (``Erreur : ...``) and exit code 1,
never a traceback.
"""
from __future__ import annotations

import functools

import click
from flask import Flask
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from ..extensions import db
from ..domain import ServiceError


def database_error_message(error: Exception) -> str:
    """Turn a database error into one line for the operator."""
    detail = str(getattr(error, "orig", error)).strip().splitlines()[0] if str(error).strip() else ""
    if isinstance(error, ProgrammingError) or "no such table" in detail or "does not exist" in detail and "relation" in detail:
        return f"La base de données n'est pas à jour : lancez « flask db upgrade » ({detail})."
    return f"Base de données injoignable ou inutilisable : {detail}. Vérifiez CLS_DATABASE_URL."


def friendly_errors(callback):
    """Wrap a command so that expected failures print one line, roll back, and exit 1."""
    if getattr(callback, "_friendly", False):
        return callback

    @functools.wraps(callback)
    def wrapper(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except ServiceError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        except (OperationalError, ProgrammingError, ArgumentError) as error:
            try:
                db.session.rollback()
            except Exception:  # the connection itself may be gone
                pass
            raise click.ClickException(database_error_message(error)) from None

    wrapper._friendly = True
    return wrapper


def wrap_commands(group: click.Group) -> None:
    """Apply :func:`friendly_errors` to every command of ``group``, recursively."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            wrap_commands(command)
        elif command.callback is not None:
            command.callback = friendly_errors(command.callback)


def register(app: Flask) -> None:
    """Add the command groups to ``app.cli``."""
    from flask_migrate.cli import db as migrate_group

    from . import analysis, campaigns, demo, questionnaires, users
    from . import coding  # noqa: F401  (adds ``flask analysis code``)
    from . import purge  # noqa: F401  (adds ``flask campaigns purge``)
    from . import xlsform  # noqa: F401  (adds ``flask questionnaires import-xlsform`` / ``export-xlsform``)

    app.cli.add_command(users.group)
    app.cli.add_command(demo.group)
    app.cli.add_command(campaigns.group)
    app.cli.add_command(questionnaires.group)
    app.cli.add_command(analysis.group)
    from . import paper  # ``flask paper form``
    app.cli.add_command(paper.group)
    from ..jobs import cli as jobs_cli

    app.cli.add_command(jobs_cli.group)
    from . import report  # ``flask report build`` and ``flask report slides``
    app.cli.add_command(report.group)
    from . import export; app.cli.add_command(export.command)  # noqa: E702  ``flask export``
    from . import imports; app.cli.add_command(imports.group)  # noqa: E702  ``flask import responses``
    from . import backup  # noqa: F401  (adds ``flask db backup`` / ``flask db restore``)
    wrap_commands(app.cli)
    # ``flask db`` comes from Flask-Migrate's plugin; its failures (unreachable database)
    # deserve the same one-line message.
    wrap_commands(migrate_group)
