"""Back up and restore the whole database: SQLite's online backup API, or pg_dump / pg_restore.

SQLite: :meth:`sqlite3.Connection.backup` copies the live file page by page while the
service runs (a consistent snapshot); a restore copies the backup back INTO the live file
by the same API, so the file keeps its path and permissions.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
--single-transaction`` (all or nothing) with the parameters of the URL; the password goes
through ``PGPASSWORD``, never on the command line.

Open connections: a restore first disposes of this process's connection pool (and again
afterwards), so that no pooled connection holds a lock or a stale page cache. Connections
of OTHER processes (the gunicorn workers) are not closed: on PostgreSQL the restore waits
for their locks, on SQLite they see the restored data at their next transaction. Stop the
service before restoring.
"""
from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from ..domain import ServiceError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str  # "sqlite" or "postgresql"
    size: int


def database_kind(engine: Engine) -> str:
    backend = engine.url.get_backend_name()
    if backend == "sqlite":
        return "sqlite"
    if backend in ("postgresql", "postgres"):
        return "postgresql"
    raise ServiceError(f"Sauvegarde impossible : base de type « {backend} » non prise en charge (SQLite ou PostgreSQL).")


def file_kind(path: Path) -> str | None:
    """``"sqlite"``, ``"postgresql"`` or ``None`` (not a backup) from the file's first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    return None


def backup(engine: Engine, out: str | Path) -> BackupResult:
    """Write a full backup of the database behind ``engine`` to ``out``."""
    out = Path(out)
    kind = database_kind(engine)
    if out.is_dir():
        raise ServiceError(f"« {out} » est un dossier : donnez un nom de fichier pour la sauvegarde.")
    if not out.parent.is_dir():
        raise ServiceError(f"Le dossier « {out.parent} » n'existe pas.")
    if kind == "sqlite":
        _sqlite_backup(_sqlite_path(engine), out)
    else:
        _run(_pg_binary("pg_dump"), ["--format=custom", f"--file={out}", "--no-owner", "--no-privileges"], engine)
    return BackupResult(out, kind, out.stat().st_size)


def check_backup(engine: Engine, path: str | Path) -> str:
    """Refuse (``ServiceError``) a file that is missing, not a backup, or of the other database kind."""
    path = Path(path)
    if not path.is_file():
        raise ServiceError(f"Fichier de sauvegarde introuvable : « {path} ».")
    kind = database_kind(engine)
    found = file_kind(path)
    if found is None:
        raise ServiceError(f"« {path} » n'est pas une sauvegarde (ni SQLite, ni pg_dump au format custom).")
    if found != kind:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise ServiceError(f"« {path} » est une sauvegarde {names[found]}, mais la base configurée est {names[kind]}.")
    if kind == "sqlite":
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
                tables = {row[0] for row in connection.execute("select name from sqlite_master where type='table'")}
            connection.close()
        except sqlite3.DatabaseError as error:
            raise ServiceError(f"« {path} » est une base SQLite illisible : {error}.") from None
        if "alembic_version" not in tables:
            raise ServiceError(f"« {path} » est une base SQLite, mais pas une sauvegarde de ce service (pas de table alembic_version).")
    return kind


def restore(engine: Engine, path: str | Path) -> str:
    """Replace the whole database behind ``engine`` by the backup ``path``; returns the kind.

    This process's connection pool is disposed of before and after (see the module's note).
    """
    path = Path(path)
    kind = check_backup(engine, path)
    engine.dispose()
    try:
        if kind == "sqlite":
            _sqlite_restore(path, _sqlite_path(engine))
        else:
            _run(_pg_binary("pg_restore"),
                 ["--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges", str(path)],
                 engine)
    finally:
        engine.dispose()
    return kind


# ------------------------------------------------------------------ SQLite
def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise ServiceError("La base SQLite est en mémoire : il n'y a rien à sauvegarder ni à restaurer.")
    return Path(database)


def _sqlite_backup(source: Path, out: Path) -> None:
    if not source.is_file():
        raise ServiceError(f"Base SQLite introuvable : « {source} ».")
    if out.resolve() == source.resolve():
        raise ServiceError("Le fichier de sauvegarde ne peut pas être la base elle-même.")
    try:
        src = sqlite3.connect(source, timeout=30)  # read-write: a WAL file needs its -shm
        try:
            dest = sqlite3.connect(out)
            try:
                src.backup(dest)
            finally:
                dest.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise ServiceError(f"Sauvegarde SQLite impossible : {error}.") from None


def _sqlite_restore(backup_file: Path, live: Path) -> None:
    try:
        src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(live, timeout=30)
            try:
                src.backup(dest)
            finally:
                dest.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise ServiceError(f"Restauration SQLite impossible : {error}.") from None


# -------------------------------------------------------------- PostgreSQL
def _pg_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if candidates:
        return candidates[-1]
    raise ServiceError(f"Programme « {name} » introuvable (ni dans le PATH, ni dans /usr/lib/postgresql/*/bin) : "
                       "installez le client PostgreSQL (paquet postgresql-client).")


def _run(program: str, arguments: list[str], engine: Engine) -> None:
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    # libpq's connection URI, without the password and the driver name
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    command = [program, f"--dbname={conninfo}", *arguments]
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    except OSError as error:
        raise ServiceError(f"Impossible de lancer « {program} » : {error}.") from None
    except subprocess.TimeoutExpired:
        raise ServiceError(f"« {Path(program).name} » n'a pas fini en une heure : opération abandonnée.") from None
    if completed.returncode != 0:
        detail = " ".join(line.strip() for line in completed.stderr.strip().splitlines()[:3]) or f"code {completed.returncode}"
        raise ServiceError(f"Échec de « {Path(program).name} » : {detail}")
