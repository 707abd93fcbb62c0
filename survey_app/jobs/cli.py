"""``flask jobs consumer``: run the queue's consumer with the application."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

group = AppGroup("jobs", help="Traitements en arrière-plan (file huey).")


@group.command("consumer")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1, max=32), help="Traitements menés en parallèle.")
@click.option("--max-delay", "max_delay", default=1.0, show_default=True, type=click.FloatRange(min=0.1, max=60),
              help="Attente maximale, en secondes, entre deux regards sur une file vide (huey : 10 s par défaut).")
def consumer(workers: int, max_delay: float):
    """Run the jobs of the queue until interrupted (Ctrl-C finishes the running job first).

    An idle consumer looks at the queue less and less often, up to ``--max-delay``
    seconds: huey's default of 10 s kept a coordinator waiting up to 10 s before a job
    even started; 1 s costs one indexed read of the queue per second.
    """
    from ..extensions import db
    from .queue import current_queue
    from .runner import recover_stale_jobs

    queue = current_queue()
    if queue.immediate:
        raise click.ClickException("CLS_JOBS_IMMEDIATE est activé : les traitements tournent déjà dans le serveur web.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    recovered = recover_stale_jobs(db.session, queue)
    db.session.remove()
    where = "Redis" if current_app.config.get("CLS_REDIS_URL") else current_app.config["CLS_JOBS_FILE"]
    click.echo(f"Serveur de traitements : {workers} en parallèle, file {where}"
               + (f" ; {len(recovered)} traitement(s) interrompu(s) repris." if recovered else "."))
    queue.huey.create_consumer(workers=workers, worker_type="thread", max_delay=max_delay).run()
