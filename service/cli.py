"""The ``interests`` command: the local Neo4j, schema, imports, the server and the demo."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from embeddings import runs, training
from embeddings.policy_evaluation import Interval
from embeddings.training import MODELS, QUALITY_FLOOR, Trained, TrainingConfig
from graph.access import api_keys
from graph.ingest import importers
from graph.privacy import erasure, pseudonyms
from graph.store import Graph, local_server
from graph.store.config import LocalServer
from graph.store.config import local_server as local_settings
from graph.store.schema import SCHEMA_VERSION, apply_schema
from graph.text import relations
from service.cli_support import (
    OUTPUT,
    THREADS,
    WORKERS,
    command_graph,
    configure_output,
    failures,
    gunicorn_command,
    output_options,
    progress,
    schedule,
)

if TYPE_CHECKING:  # service.precomputed loads the ranking code: only the commands that rank do
    from service.precomputed import Shard

logger = logging.getLogger(__name__)

MOVIELENS_ENV = "INTERESTS_MOVIELENS"
MOVIELENS_NAME = "ml-latest-small"
MOVIELENS_SOURCE = "https://grouplens.org/datasets/movielens/"
MOVIELENS_ZIP = "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip"
DEMO_USER = "414"  # the MovieLens user with the most ratings
API_START_S = 180  # the demo's wait for the API's first answer to /health
TRAINING_NICENESS = 5  # the demo trains at a lower priority than it serves
#: What gunicorn's defaults (``gunicorn.glogging.CONFIG_DEFAULTS``) are updated with when the
#: demo runs without ``-v``: warnings only, and the policy's "catch-up skipped" not even those.
DEMO_WORKER_LOGGING = {
    "root": {"level": "WARNING", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": "WARNING", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["console"], "propagate": False},
        "apscheduler": {"level": "ERROR", "handlers": ["error_console"], "propagate": False},
    },
}
#: Where a MovieLens folder is looked for, relative to the current directory, when none is given.
MOVIELENS_PLACES = (
    Path("..", "shared", "data", "ml-latest-small"),
    Path("data", "ml-latest-small"),
)


@click.group()
@click.option("-v", "--verbose", count=True, help="More log: -v info, -vv debug (default: "
              "warnings only).")  # fmt: skip
@click.option("-q", "--quiet", is_flag=True, help="No progress bars; only errors in the log.")
def main(verbose: int, quiet: bool) -> None:
    """interest-graph: users' interests over time, in Neo4j."""
    configure_output(verbose=verbose, quiet=quiet, reset=True)


@main.group()
def neo4j() -> None:
    """The project's own Neo4j server (unused when NEO4J_URI is set)."""


@neo4j.command("install")
def neo4j_install() -> None:
    """Resolve the Neo4j jars from Maven Central."""
    with failures():
        click.echo(f"Neo4j jars in {local_server.install(quiet=False)}")


@neo4j.command("start")
@click.option("--timeout", default=180.0, show_default=True, help="Seconds to wait for Bolt.")
def neo4j_start(timeout: float) -> None:
    """Start the local server in the background (harmless when it runs already)."""
    with failures():
        server = _local_only()
        state = local_server.start(
            server, password=os.environ.get("NEO4J_PASSWORD"), timeout_s=timeout
        )
        click.echo(
            f"Neo4j running (pid {state.pid}): {state.bolt_uri}  browser {state.browser_url}"
        )
        click.echo(f"user neo4j, password in {server.password_file}")


@neo4j.command("stop")
def neo4j_stop() -> None:
    """Stop the local server."""
    with failures():
        stopped = local_server.stop(_local_only())
        click.echo("Neo4j stopped" if stopped else "Neo4j was not running")


@neo4j.command("status")
def neo4j_status() -> None:
    """Say whether the local server runs; exit 1 when it does not."""
    with failures():
        state = local_server.status(_local_only())
        if state.running:
            click.echo(f"running (pid {state.pid}) {state.bolt_uri}  browser {state.browser_url}")
        else:
            click.echo(f"not running (home {state.home})")
            sys.exit(1)


@main.command("schema")
def schema() -> None:
    """Apply the graph schema (constraints and indexes); safe to repeat."""
    with failures(), command_graph() as graph:
        applied = apply_schema(graph)
        click.echo(f"schema version {SCHEMA_VERSION}: {len(applied)} statements applied")


@main.group("import")
def import_group() -> None:
    """Bulk import; a file with a bad record is rejected whole."""


@import_group.command("events")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--chunk-size",
    default=importers.IMPORT_CHUNK,
    show_default=True,
    help="Records per transaction.",
)
@click.option(
    "--writers",
    default=importers.IMPORT_WRITERS,
    show_default=True,
    help="Concurrent write transactions.",
)
def import_events(path: Path, chunk_size: int, writers: int) -> None:
    """Import events from a CSV or JSON Lines file."""
    with failures(), command_graph() as graph:
        report = importers.import_events(
            graph, path, pseudonyms.load(), chunk_size=chunk_size, writers=writers
        )
        click.echo(f"{report.records} events, {report.written} new, {report.per_second:,.0f}/s")


@import_group.command("items")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--chunk-size",
    default=importers.IMPORT_CHUNK,
    show_default=True,
    help="Records per transaction.",
)
@click.option(
    "--writers",
    default=importers.IMPORT_WRITERS,
    show_default=True,
    help="Concurrent write transactions.",
)
def import_items(path: Path, chunk_size: int, writers: int) -> None:
    """Import catalogue items from a CSV or JSON Lines file."""
    with failures(), command_graph() as graph:
        report = importers.import_items(graph, path, chunk_size=chunk_size, writers=writers)
        click.echo(f"{report.records} items upserted, {report.per_second:,.0f}/s")


@import_group.command("movielens")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--max-ratings", type=int, help="Import only the first N ratings.")
@output_options
def import_movielens(folder: Path | None, max_ratings: int | None) -> None:
    """Import MovieLens movies, ratings and tags from FOLDER (default: $INTERESTS_MOVIELENS, else
    ../shared/data/ml-latest-small or ./data/ml-latest-small)."""
    found = movielens_folder(folder, given_as="the FOLDER argument")
    with failures(), command_graph() as graph:
        _import_movielens(graph, found, max_ratings)


@import_group.command("texts")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_texts(path: Path) -> None:
    """Import user texts (user_id, text, timestamp, source, text_id, item_id) from CSV or JSONL."""
    from graph.text.extraction import default_extractor

    with failures(), command_graph() as graph:
        report = importers.import_texts(
            graph,
            default_extractor(),
            lambda: importers.read_file(path, importers.text_from_csv),
            pseudonyms.load(),
        )
        click.echo(f"{report.records} texts, {report.written} new, {report.per_second:,.0f}/s")


@main.command("relate")
@output_options
def relate() -> None:
    """Build knowledge relations: ABOUT from the catalogue, IN_CATEGORY, RELATED_TO."""
    with failures(), command_graph() as graph:
        _relate(graph)


@main.command("train")
@click.option("--model", default=TrainingConfig.model, show_default=True,
              type=click.Choice(MODELS))  # fmt: skip
@click.option("--epochs", default=TrainingConfig.epochs, show_default=True, help="At most.")
@click.option("--floor", default=QUALITY_FLOOR, show_default=True,
              help="Test MRR a run needs before it serves.")  # fmt: skip
@click.option("--schedule", "cron", envvar="INTERESTS_RETRAIN_CRON", default=None,
              help="A crontab expression (UTC): retrain on it until interrupted, e.g. '0 3 * * *'. "
                   "Also from INTERESTS_RETRAIN_CRON.")  # fmt: skip
@click.option("--choose-blend/--default-blend", default=True, show_default=True,
              help="Choose the sources' weights on a validation split of the graph (a sample "
                   "of users' latest interactions held out), else serve the defaults.")  # fmt: skip
@output_options
def train(model: str, epochs: int, floor: float, cron: str | None, choose_blend: bool) -> None:
    """Train graph embeddings with PyKEEN and serve them if they pass the floor."""
    from embeddings import retraining

    config = TrainingConfig(model=model, epochs=epochs)

    def once() -> None:
        with command_graph() as graph:
            try:
                chooser = _blend_chooser() if choose_blend else None
                report = retraining.retrain(graph, config, quality_floor=floor,
                                            trainer=_trainer(), choose_blend=chooser)  # fmt: skip
            except runs.LeaseHeld as held:
                click.echo(f"skipped: {held}", err=True)
                return
            seconds = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
            click.echo(f"run {report.run_id}: {report.status} ({seconds})")
            click.echo(f"  {report.message or report.metrics}")
            if report.blend is not None:
                click.echo(f"  blend: {_blend_text(report.blend)}")
            if report.status == "finished":  # rankings made with the old run no longer hold
                _precompute(graph)

    with failures():
        schedule(cron, once, name="retraining")


def _trainer() -> Callable[..., Trained]:
    """PyKEEN training with the epoch bar as the command's output settings say."""
    return partial(training.train, progress=progress())


def _blend_chooser() -> Callable[..., dict[str, Any]]:
    from service import blend_tuning

    return blend_tuning.choose


def _blend_text(blend: dict[str, Any]) -> str:
    """A run's chosen blends in one line: the weights, and NDCG@10 against the defaults'; the
    text-only users' after the warm ones'."""
    history = blend.get("history") or {}
    walk = (f"; history half-life {history['half_life']:g}, floor {history['floor']:g}"
            if history else "")  # fmt: skip
    text_only = blend.get("text_only")
    alone = f"; text-only users: {_choice_text(text_only, '')}" if text_only else ""
    return _choice_text(blend, walk) + alone


def _choice_text(choice: dict[str, Any], walk: str) -> str:
    weights = " ".join(f"{source} {weight:g}" for source, weight in choice["weights"].items())
    return (f"{weights}{walk} (validation NDCG@10 {choice['ndcg']:.4f}, the defaults' "
            f"{choice['default_ndcg']:.4f}, {choice['users']} users)")  # fmt: skip


def _shard_spec(ctx: click.Context, param: click.Parameter, value: str | None) -> Shard | None:
    from service.precomputed import Shard

    try:
        return None if value is None else Shard.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None


@main.command("precompute")
@click.option("--schedule", "cron", envvar="INTERESTS_PRECOMPUTE_CRON", default=None,
              help="Crontab expression (UTC), e.g. '*/15 * * * *'; else run once.")  # fmt: skip
@click.option("--shard", envvar="INTERESTS_PRECOMPUTE_SHARD", default=None, metavar="I/N",
              callback=_shard_spec,
              help="Only the users of shard I of N (0 <= I < N, by a stable hash of the user), "
                   "so that N machines share the work. Also from "
                   "INTERESTS_PRECOMPUTE_SHARD.")  # fmt: skip
def precompute(cron: str | None, shard: Shard | None) -> None:
    """Rank ahead for every user whose precomputed recommendations no longer hold."""

    def once() -> None:
        with command_graph() as graph:
            _precompute(graph, shard=shard)

    with failures():
        schedule(cron, once, name="precompute")


def _precompute(graph: Graph, *, shard: Shard | None = None) -> None:
    from service import precomputed

    started = time.perf_counter()
    count = precomputed.refresh(graph, shard=shard, progress=progress())
    where = f" of shard {shard}" if shard is not None else ""
    click.echo(f"precomputed the recommendations of {count} users{where} "
               f"in {time.perf_counter() - started:.1f} s")  # fmt: skip


@main.command("runs")
@click.option("--limit", default=10, show_default=True)
def list_runs(limit: int) -> None:
    """The latest embedding runs and which one serves."""
    with failures(), command_graph() as graph:
        current = runs.serving(graph)
        for run in runs.recent(graph, limit=limit):
            mark = "*" if current and run["id"] == current.run_id else " "
            detail = run.get("metrics") or run.get("message") or ""
            click.echo(f"{mark} {run['id']} {run['status']:<9} {run['model']:<8} "
                       f"{run['started_at']} {detail}")  # fmt: skip
            if run.get("blend"):
                click.echo(f"    blend: {_blend_text(run['blend'])}")


@main.group("keys")
def keys() -> None:
    """API keys: create, list, revoke."""


@keys.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, default=["read"], show_default=True,
              type=click.Choice(api_keys.SCOPES), help="Repeat for several.")  # fmt: skip
def keys_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a key; its token is shown once (only a hash is stored)."""
    with failures(), command_graph() as graph:
        key, token = api_keys.create(graph, name, scopes)
        click.echo(f"key {key.id} ({', '.join(key.scopes)}): {token}")


@keys.command("list")
def keys_list() -> None:
    """Every key: id, name, scopes, created, revoked."""
    with failures(), command_graph() as graph:
        for key in api_keys.list_keys(graph):
            revoked = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            click.echo(f"{key.id}  {key.name:<20} {','.join(key.scopes):<16} "
                       f"created {key.created_at:%Y-%m-%d %H:%M}  {revoked}")  # fmt: skip


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke a key (servers stop accepting it within AUTH_CACHE_SECONDS)."""
    with failures(), command_graph() as graph:
        if api_keys.revoke(graph, key_id) is None:
            raise click.ClickException(f"no API key with id {key_id!r}")
        click.echo(f"key {key_id} revoked")


@main.command("retention")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    envvar="INTERESTS_RETENTION_DAYS",
    required=True,
    help="Keep events, expressions and texts this many days.",
)
@click.option("--schedule", "cron", envvar="INTERESTS_RETENTION_CRON", default=None,
              help="Crontab expression (UTC), e.g. '30 3 * * *'; else run once.")  # fmt: skip
def retention(days: int, cron: str | None) -> None:
    """Delete events, expressions, raw texts and logged recommendations older than the retention
    window."""

    def once() -> None:
        before = datetime.now(UTC) - timedelta(days=days)
        with command_graph() as graph:
            expired = erasure.expire(graph, before)
        click.echo(f"before {before:%Y-%m-%d %H:%M} UTC: {expired.events} events, "
                   f"{expired.expressions} expressions, {expired.texts} texts, "
                   f"{expired.recommendations} recommendations removed")  # fmt: skip

    with failures():
        schedule(cron, once, name="retention")


@main.command("evaluate-policy")
@click.option(
    "--policy",
    "logged_by",
    default="bandit",
    show_default=True,
    help="The policy whose logs are read.",
)
@click.option("--days", default=30, show_default=True, help="Logs of the last this many days.")
def evaluate_policy(logged_by: str, days: int) -> None:
    """Estimate from the logs what the current ranking and a random list would have earned."""
    from service.evaluate_policy import evaluate_logged

    since = datetime.now(UTC) - timedelta(days=days)
    with failures(), command_graph() as graph:
        found = evaluate_logged(graph, policy=logged_by, since=since)
    click.echo(f"value per answer, from the logs of {logged_by!r} since {since:%Y-%m-%d} "
               "(95% bootstrap intervals)")  # fmt: skip
    for target, e in found.items():
        sample = f"effective sample {e.effective_sample_size:.0f} items"
        click.echo(f"  {target:8} IPS {_interval(e.ips)}  SNIPS {_interval(e.snips)}  "
                   f"DR {_interval(e.dr)}  ({e.recommendations} answers, {sample}, "
                   f"largest weight {e.max_weight:.1f})")  # fmt: skip


def _interval(i: Interval) -> str:
    return f"{i.value:.4f} [{i.low:.4f}, {i.high:.4f}]"


@main.group("policy")
def policy_group() -> None:
    """The recommendation policy's learnt model."""


@policy_group.command("checkpoint")
@click.option("--schedule", "cron", envvar="INTERESTS_POLICY_CHECKPOINT_CRON", default=None,
              help="Crontab expression (UTC), e.g. '*/15 * * * *'; else run once.")  # fmt: skip
def policy_checkpoint(cron: str | None) -> None:
    """Learn from every outcome logged so far and save the model as a new version (workers
    start from the newest and replay only what came after)."""

    def once() -> None:
        from embeddings.bandit import Learner

        with command_graph() as graph:
            learner = Learner(graph)
            version = learner.checkpoint()
        learnt = learner.base_examples + learner.bandit.examples
        click.echo(f"policy snapshot {version} saved ({learnt} outcomes learnt)")

    with failures():
        schedule(cron, once, name="policy-checkpoint")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=WORKERS, show_default=True, help="gunicorn worker processes.")
@click.option("--threads", default=THREADS, show_default=True, help="Threads per worker.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the API with gunicorn (in the foreground)."""
    sys.exit(subprocess.call(gunicorn_command(host, port, workers=workers, threads=threads)))


@main.command("demo")
@click.option(
    "--data",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"MovieLens folder [default: ${MOVIELENS_ENV}, else ../shared/data/ml-latest-small "
    "or ./data/ml-latest-small].",
)
@click.option("--port", default=8000, show_default=True)
@output_options
def demo(folder: Path | None, port: int) -> None:
    """Start Neo4j, import MovieLens, build relations, serve the API and print the URLs. The
    first time, the graph embeddings train while the API serves: answers fall back to each
    user's profile and popularity until the run switches in."""
    folder = movielens_folder(folder, given_as="--data")
    external = bool(os.environ.get("NEO4J_URI"))
    server = local_settings()
    began = time.monotonic()
    with failures():
        if not external:
            click.echo("Neo4j: starting (the first time, a minute or so)")
            state = local_server.start(server, password=os.environ.get("NEO4J_PASSWORD"))
            click.echo(f"Neo4j: running (pid {state.pid}) on {state.bolt_uri}")
        with command_graph() as graph:
            apply_schema(graph)
            _import_movielens(graph, folder, None)
            _relate(graph)
            key_file = _demo_key(graph, server.data_dir)
            current = runs.serving(graph)
    api = f"http://127.0.0.1:{port}"
    command = gunicorn_command("127.0.0.1", port, access_log=OUTPUT.verbosity > 0)
    if OUTPUT.verbosity == 0:
        command = _quiet_workers(command, server.data_dir)
    gunicorn = subprocess.Popen(command)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # so that gunicorn is stopped with us
    try:
        _await_api(api, port, gunicorn)
        _print_urls(api, key_file, server, external)
        click.echo(f"The API answers: {time.monotonic() - began:.0f} s after the start.")
        with failures(), command_graph() as graph:
            if current is None:
                _train_while_serving(graph, began)
            else:
                click.echo(f"Embeddings: run {current.run_id} serves (`interests train` retrains).")
                _precompute(graph)
        click.echo("Serving until Ctrl-C; `interests neo4j stop` stops Neo4j.")
        sys.exit(gunicorn.wait())
    finally:
        _stop(gunicorn)


def _print_urls(api: str, key_file: Path, server: LocalServer, external: bool) -> None:
    """What the demo serves, in the order a visitor needs it."""
    click.echo(f"UI:            {api}/ui/  (sign in with the API key below; docs/ui.md)")
    click.echo(f"API key:       in {key_file} (scopes read, write); send it as a header:")
    click.echo(f'               curl -H "Authorization: Bearer $(cat {key_file})" {api}/v1/items/1')
    click.echo(f"API:           {api}/health  {api}/v1/items/1  {api}/v1/users/1/events?limit=5")
    click.echo(f"               {api}/v1/interests/sci-fi")
    user = f"{api}/v1/users/{DEMO_USER}"
    click.echo(f"Evolution:     {user}/interests?horizon=short  {user}/shifts")
    click.echo(f"               {user}/interests/forecast")
    click.echo(f"               {user}/interests/timeline.svg?from=2016-01-01T00:00:00Z")
    click.echo(f"Recommend:     {user}/recommendations?explain=true  {api}/v1/items/1/similar")
    if external:
        click.echo(f"Neo4j:         {os.environ['NEO4J_URI']}")
    else:
        click.echo(f"Neo4j Browser: {server.browser_url}")
        click.echo(f"               user neo4j, password in {server.password_file}")
    click.echo("Stop with Ctrl-C; `interests neo4j stop` stops Neo4j.")


def _quiet_workers(command: list[str], data_dir: Path) -> list[str]:
    """``command`` with gunicorn's logging configured (``--log-config-json``) so that its workers
    log warnings only: the app logs at info level where nothing else configured logging, and
    the policy's catch-up warns whenever a busy machine delays it. The demo's ``-v`` omits it."""
    path = data_dir / "demo-gunicorn-logging.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(DEMO_WORKER_LOGGING), encoding="utf-8")
    return [*command[:-1], "--log-config-json", str(path), command[-1]]  # the app stays last


def _await_api(api: str, port: int, gunicorn: subprocess.Popen[bytes]) -> None:
    """Wait until ``/health`` answers 200; a clear failure when gunicorn exits first."""
    deadline = time.monotonic() + API_START_S
    while time.monotonic() < deadline:
        if gunicorn.poll() is not None:
            raise click.ClickException(
                f"the API did not start (gunicorn exited with {gunicorn.returncode}); if port "
                f"{port} is in use, choose another with --port"
            )
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:  # refused while the workers boot; 503 until Neo4j answers
            pass
        time.sleep(0.5)
    raise click.ClickException(f"the API did not answer {api}/health within {API_START_S} s")


def _train_while_serving(graph: Graph, began: float) -> None:
    """The first embedding run, trained while the API serves, switched in when it passes the
    floor; then the rankings ahead that use it."""
    from embeddings import retraining

    click.echo(
        "Embeddings: none serve yet. The API serves now while the first run trains here (about "
        "20 minutes on 2 CPU cores);\n  until it switches in, recommendations fall back to each "
        'user\'s profile and popularity ("embedding_run": null in the answers).'
    )
    _yield_cpu_to_serving()
    try:
        report = retraining.retrain(graph, trainer=_trainer(), choose_blend=_blend_chooser())
    except runs.LeaseHeld as held:
        click.echo(f"Embeddings: not trained here, {held}; answers use the profile and "
                   "popularity until that run switches in (`interests runs`).")  # fmt: skip
        return
    if report.status != "finished":
        click.echo(
            f"Embeddings: run {report.run_id} {report.status} ({report.message});\n"
            "  answers stay on the profile and popularity. `interests train` tries again."
        )
        return
    minutes = (time.monotonic() - began) / 60
    click.echo(
        f"Embeddings: run {report.run_id} switched in at {datetime.now():%H:%M:%S}, {minutes:.0f} "
        f"min after the start (test MRR {report.metrics.get('mrr', 0.0):.3f}, "
        f"{report.metrics.get('epochs', 0):.0f} epochs);\n  recommendations and similar items "
        "use it from now on."
    )
    if report.blend is not None:
        click.echo(f"  its blend, chosen on the graph's latest interactions: "
                   f"{_blend_text(report.blend)}")  # fmt: skip
    _precompute(graph)


def _yield_cpu_to_serving() -> None:
    """Lower this process's priority (nice +5) before it trains, so that training, which takes
    every core it gets, leaves the API's workers and Neo4j what they need to answer meanwhile.
    Linux keeps a priority per thread, and torch's threads exist already: each is lowered."""
    try:
        threads = [int(task) for task in os.listdir("/proc/self/task")]
    except OSError:
        threads = [0]  # elsewhere: the calling thread, and those it starts from now on
    for thread in threads:
        with suppress(OSError):
            niceness = os.getpriority(os.PRIO_PROCESS, thread)
            os.setpriority(os.PRIO_PROCESS, thread, niceness + TRAINING_NICENESS)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a child server: SIGTERM (gunicorn finishes the requests in flight), then SIGKILL."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _demo_key(graph: Graph, data_dir: Path) -> Path:
    """The demo's API key, kept in the data folder (mode 0600); a new one if it was revoked."""
    path = data_dir / "demo-api-key"
    if path.exists():
        known = api_keys.verify(graph, path.read_text(encoding="utf-8").strip())
        if known is not None and known.revoked_at is None:
            return path
    _, token = api_keys.create(graph, "demo", ["read", "write"])
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return path


def movielens_folder(given: Path | None, *, given_as: str) -> Path:
    """The MovieLens folder to import: ``given``, else ``$INTERESTS_MOVIELENS``, else the first
    of ``MOVIELENS_PLACES`` that exists; a clear failure when there is none (the data set is not
    part of the package): the folders looked at, how to name another, where to get it."""
    if given is None and os.environ.get(MOVIELENS_ENV):
        given, given_as = Path(os.environ[MOVIELENS_ENV]), MOVIELENS_ENV
    if given is None:
        found = next((place for place in MOVIELENS_PLACES if place.is_dir()), None)
        if found is None:
            looked = " nor ".join(str(place.resolve()) for place in MOVIELENS_PLACES)
            raise click.ClickException(
                f"no MovieLens folder: none was given, and neither {looked} exists.\n"
                + _movielens_help()
            )
        given, given_as = found, "the default"
    if not (given / "ratings.csv").is_file():
        problem = "has no ratings.csv" if given.is_dir() else "does not exist"
        raise click.ClickException(
            f"the MovieLens folder {given.resolve()} (from {given_as}) {problem}.\n"
            + _movielens_help()
        )
    return given.resolve()


def _movielens_help() -> str:
    """Where the data set comes from and how to name its folder."""
    return (
        f"  MovieLens {MOVIELENS_NAME} is not part of the repository. Get it from GroupLens,\n"
        f"    {MOVIELENS_SOURCE}\n"
        f"    ({MOVIELENS_ZIP};\n"
        "    for research use: see the licence in its README.txt),\n"
        "  unzip it and name its folder with --data FOLDER (./scripts/demo.sh, interests demo),\n"
        f"  the FOLDER argument (interests import movielens) or the {MOVIELENS_ENV} environment "
        "variable."
    )


def _import_movielens(graph: Graph, folder: Path, max_ratings: int | None) -> None:
    from graph.text.extraction import default_extractor

    movies, ratings, tags = importers.import_movielens(
        graph, folder, pseudonyms.load(), max_ratings=max_ratings, extractor=default_extractor(),
        progress=progress(),
    )  # fmt: skip
    click.echo(
        f"{movies.records} movies as items; {ratings.records} ratings as events "
        f"({ratings.written} new) at {ratings.per_second:,.0f}/s"
    )
    if tags is not None:
        click.echo(
            f"{tags.records} tags as user texts ({tags.written} new) at {tags.per_second:,.0f}/s"
        )


def _relate(graph: Graph) -> None:
    from graph.text.encoder import encode
    from graph.text.extraction import default_extractor

    started = time.perf_counter()
    report = relations.build_relations(graph, default_extractor(), encode, progress=progress())
    click.echo(
        f"relations: {report.items_analysed} items analysed for ABOUT, "
        f"{report.category_links} interest categories, {report.related_pairs} related pairs "
        f"in {time.perf_counter() - started:.0f} s"
    )


def _local_only() -> LocalServer:
    if os.environ.get("NEO4J_URI"):
        raise click.ClickException("NEO4J_URI is set: the project's own Neo4j is not used")
    return local_settings()


if __name__ == "__main__":
    main()
