"""What the CLI commands share: a graph store per command, clear failures, schedules, how chatty
they are (log level, progress bars), and the gunicorn command line that serves the API (the
benchmarks start the same one)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeVar

import click
from tqdm import tqdm

from graph.ingest.records import BatchError
from graph.store import UNAVAILABLE_ERRORS, Graph, local_server
from graph.store.config import ConfigError, connection
from graph.store.config import local_server as local_settings
from service.gunicorn_config import MULTIPROC_ENV

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., object])
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# gunicorn: single-threaded workers, two per core (at most 8). Threads of one worker share its GIL
# and stretched the tail: 16 clients on 2 cores, precomputed recommendations, p99 148 ms with
# 2 workers × 4 threads against 51 ms with 4 × 1 (bench/recommend.py). Each worker loads the text
# models on its first text request (in the soak benchmark two such workers took 2.1 GB
# together): set fewer workers where memory is short.
WORKERS = min(8, 2 * (os.cpu_count() or 1))
THREADS = 1


def command_graph() -> Graph:
    """The store for one CLI command (use it in a ``with``); long jobs retry transient errors
    (deadlocks) for longer."""
    return Graph.connect(connection(), retry_time_s=30)


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


@dataclass
class Output:
    """How chatty the commands are: warnings only by default, ``-v`` info, ``-vv`` debug;
    progress bars on a terminal unless ``quiet`` (which also keeps only errors in the log)."""

    verbosity: int = 0
    quiet: bool = False

    @property
    def level(self) -> int:
        if self.verbosity >= 2:
            return logging.DEBUG
        if self.verbosity == 1:
            return logging.INFO
        return logging.ERROR if self.quiet else logging.WARNING

    @property
    def progress(self) -> bool | None:
        """tqdm's ``disable`` turned around: False (no bars) when quiet, else None, which lets
        tqdm show bars only when stderr is a terminal (never in a log file, a pipe or a test)."""
        return False if self.quiet else None


OUTPUT = Output()


class BarSafeHandler(logging.StreamHandler[TextIO]):
    """Log lines to stderr written above the progress bars (``tqdm.write``), not through them."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:  # logging must never raise: it reports instead
            self.handleError(record)


def configure_output(*, verbose: int = 0, quiet: bool = False, reset: bool = False) -> Output:
    """Apply ``-v`` (a count) and ``--quiet`` to ``OUTPUT`` and the root logger; the group's
    options ``reset`` what an earlier command in the same process set, a command's own add to
    the group's. Installs the log handler only where none is (as ``logging.basicConfig``), so
    that a host's logging (pytest's, an app's) is left alone."""
    if reset:
        OUTPUT.verbosity, OUTPUT.quiet = verbose, quiet
    else:
        OUTPUT.verbosity, OUTPUT.quiet = max(OUTPUT.verbosity, verbose), OUTPUT.quiet or quiet
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, BarSafeHandler)]
    if not root.handlers:
        handler = BarSafeHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
        ours.append(handler)
    for handler in ours:  # on the handler too: some libraries set their loggers' level (PyKEEN)
        handler.setLevel(OUTPUT.level)
    if ours:
        root.setLevel(OUTPUT.level)
    return OUTPUT


def progress() -> bool | None:
    """What the long steps pass as their ``progress`` (see ``Output.progress``)."""
    return OUTPUT.progress


def output_options(command: F) -> F:
    """``-v``/``--verbose`` and ``-q``/``--quiet`` on a command too (``interests demo -v``, as
    ``./scripts/demo.sh -v`` passes it), adding to the group's."""

    def verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
        if value:
            configure_output(verbose=value)

    def quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            configure_output(quiet=True)

    command = click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=quiet,
                           help="No progress bars; only errors in the log.")(command)  # fmt: skip
    return click.option("-v", "--verbose", count=True, expose_value=False, callback=verbose,
                        help="More log: -v info, -vv debug.")(command)  # fmt: skip


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


def gunicorn_command(
    host: str, port: int, *, workers: int = WORKERS, threads: int = THREADS, access_log: bool = True
) -> list[str]:
    """The command that serves ``service.app`` under gunicorn, with the workers' metrics meeting
    in ``metrics_folder(port)`` (``service/gunicorn_config.py`` empties it at start)."""
    logging_args = ["--access-logfile", "-"] if access_log else ["--log-level", "warning"]
    metrics = f"{MULTIPROC_ENV}={metrics_folder(port)}"
    return [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers",
            str(workers), "--threads", str(threads), *logging_args,
            "--config", "python:service.gunicorn_config", "--env", metrics,
            "service.app:create_app()"]  # fmt: skip


def metrics_folder(port: int) -> Path:
    """Where a server's workers write their metrics: ``$PROMETHEUS_MULTIPROC_DIR`` when set,
    else a folder of its own per port under the data folder (two servers never share one)."""
    given = os.environ.get(MULTIPROC_ENV)
    return Path(given) if given else local_settings().data_dir / "metrics" / f"gunicorn-{port}"
