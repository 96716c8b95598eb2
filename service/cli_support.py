"""What the CLI commands share: a driver per command and clear failures."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from neo4j import Driver

from graph import local_server
from graph.config import ConfigError, connection
from graph.db import UNAVAILABLE_ERRORS, open_driver
from graph.records import BatchError

logger = logging.getLogger(__name__)


@contextmanager
def command_driver() -> Iterator[Driver]:
    """A driver for one CLI command; long jobs retry transient errors (deadlocks) for longer."""
    driver = open_driver(connection(), retry_time_s=30)
    try:
        yield driver
    finally:
        driver.close()


@contextmanager
def failures() -> Iterator[None]:
    """Turn the project's expected errors into a clear message and exit code 1."""
    try:
        yield
    except BatchError as error:
        for e in error.errors:
            where = f"record {e.index}" if e.index is not None else "input"
            click.echo(f"{where}: {e.field + ': ' if e.field else ''}{e.reason}", err=True)
        raise click.ClickException("rejected; nothing was written") from None
    except (ConfigError, local_server.ServerError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    except UNAVAILABLE_ERRORS as error:
        raise click.ClickException(f"Neo4j is not reachable ({error}); is it started?") from None


def schedule(cron: str | None, job: Callable[[], object], *, name: str) -> None:
    """Run ``job`` once when ``cron`` is None, else on the crontab expression ``cron`` (UTC) with
    APScheduler until interrupted; never two at once, a missed run (the machine slept) runs once
    when it wakes."""
    if cron is None:
        job()
        return
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(job, CronTrigger.from_crontab(cron, timezone="UTC"), id=name,
                      max_instances=1, coalesce=True, misfire_grace_time=3600)  # fmt: skip
    logger.info("%s on the schedule %r (UTC)", name, cron)
    scheduler.start()
