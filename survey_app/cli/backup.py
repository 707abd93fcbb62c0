"""``flask db backup --out FILE`` and ``flask db restore FILE``, added to Flask-Migrate's ``db`` group."""
from __future__ import annotations

from pathlib import Path

import click
from flask_migrate.cli import db as migrate_group

from ..extensions import db


@migrate_group.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=True, path_type=Path),
              help="Fichier de sauvegarde à écrire (SQLite : copie de la base ; PostgreSQL : pg_dump au format custom).")
def backup_command(out):
    """Back up the whole database to a file, while the service runs."""
    from ..infra import backup

    result = backup.backup(db.engine, out)
    click.echo(f"Sauvegarde {'SQLite' if result.kind == 'sqlite' else 'PostgreSQL'} écrite dans {result.path} "
               f"({result.size} octets).")


@migrate_group.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
def restore_command(file, yes):
    """Replace the whole database by a backup (stop the service first)."""
    from ..infra import backup

    backup.check_backup(db.engine, file)
    if not yes and click.prompt(
        f"Remplacer TOUTE la base par la sauvegarde {file} ? Les données actuelles seront perdues "
        "(arrêtez le service avant de restaurer). Tapez « oui » pour confirmer", default="non", show_default=False
    ).strip().lower() not in ("oui", "o"):
        raise click.ClickException("Restauration annulée : la base n'a pas été modifiée.")
    db.session.remove()
    kind = backup.restore(db.engine, file)
    click.echo(f"Base {'SQLite' if kind == 'sqlite' else 'PostgreSQL'} restaurée depuis {file}.")
