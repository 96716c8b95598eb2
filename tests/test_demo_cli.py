"""The demo's command line without a server: the message when MovieLens is missing, how chatty
the commands are (progress bars on a terminal only, ``-q`` and ``-v``), the demo's wait for and
stop of its API process, and the validation of its tags (text ids are per user)."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from embeddings.training import TrainingConfig, train
from embeddings.training_progress import VALIDATION_MRR, EpochProgress
from graph.ingest import importers
from graph.ingest.records import BatchError
from service import cli, cli_support
from service.cli import main
from service.cli_support import BarSafeHandler, configure_output, output_options, progress
from tests.support import PSEUDONYMS

SOURCE = "https://grouplens.org/datasets/movielens/"


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr is when a person runs the command."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def fresh_output() -> Iterator[None]:
    """Each test starts from the defaults and leaves them so."""
    configure_output(reset=True)
    yield
    configure_output(reset=True)


@pytest.fixture
def no_default_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working directory where none of the default MovieLens folders exists; starting Neo4j
    or connecting to it fails the test (a missing folder must be found before either)."""
    monkeypatch.delenv(cli.MOVIELENS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("reached Neo4j before checking the MovieLens folder")

    monkeypatch.setattr(cli.local_server, "start", forbidden)
    monkeypatch.setattr(cli, "command_graph", forbidden)
    return tmp_path


def says_where_to_get_it(output: str) -> None:
    assert SOURCE in output and "ml-latest-small" in output and "licence" in output
    assert "--data FOLDER" in output and cli.MOVIELENS_ENV in output


@pytest.mark.parametrize(
    "args",
    [["demo", "--data", "{folder}"], ["import", "movielens", "{folder}"]],
    ids=["demo", "import"],
)
def test_a_missing_folder_is_named_with_where_to_get_the_data(
    no_default_folder: Path, args: list[str]
) -> None:
    missing = no_default_folder / "ml-latest-small"
    result = CliRunner().invoke(main, [a.format(folder=missing) for a in args])
    assert result.exit_code == 1
    assert f"the MovieLens folder {missing} (from " in result.output
    assert "does not exist" in result.output
    says_where_to_get_it(result.output)


def test_without_a_folder_the_default_places_are_named(no_default_folder: Path) -> None:
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 1
    for place in cli.MOVIELENS_PLACES:
        assert str((no_default_folder / place).resolve()) in result.output
    assert "none was given" in result.output
    says_where_to_get_it(result.output)


def test_the_environment_variable_is_named_as_the_source(
    no_default_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = no_default_folder / "empty"
    empty.mkdir()
    monkeypatch.setenv(cli.MOVIELENS_ENV, str(empty))
    result = CliRunner().invoke(main, ["import", "movielens"])
    assert result.exit_code == 1
    assert f"{empty} (from {cli.MOVIELENS_ENV}) has no ratings.csv" in result.output
    says_where_to_get_it(result.output)


def test_a_found_folder_is_returned_whole(no_default_folder: Path) -> None:
    folder = no_default_folder / "data" / "ml-latest-small"
    folder.mkdir(parents=True)
    (folder / "ratings.csv").write_text("userId,movieId,rating,timestamp\n", encoding="utf-8")
    assert cli.movielens_folder(None, given_as="--data") == folder.resolve()


@click.command()
@output_options
def chatty() -> None:
    """What a command sees of the output settings."""
    click.echo(f"progress={progress()} verbosity={cli_support.OUTPUT.verbosity}")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "progress=None verbosity=0"),
        (["-q"], "progress=False verbosity=0"),
        (["-vv"], "progress=None verbosity=2"),
    ],
)
def test_the_command_options_set_the_output(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(chatty, args)
    assert result.exit_code == 0 and result.output.strip() == expected


def test_the_log_level_follows_the_options() -> None:
    assert configure_output(reset=True).level == logging.WARNING  # quiet logs by default
    assert configure_output(verbose=1).level == logging.INFO
    assert configure_output(verbose=2).level == logging.DEBUG
    assert configure_output(quiet=True, reset=True).level == logging.ERROR
    assert configure_output(verbose=1, quiet=True, reset=True).progress is False


def feed(bar: EpochProgress) -> None:
    """What PyKEEN tells its trackers over 12 epochs with a check every 5: the best MRR is the
    first, the second check is worse, then training ends early."""
    for epoch in range(1, 13):
        bar.log_metrics({"loss": 1.0 / epoch}, step=epoch)
        if epoch % 5 == 0:
            mrr = 0.25 if epoch == 5 else 0.2
            bar.log_metrics({VALIDATION_MRR: mrr, "both.realistic.hits_at_10": 0.5},
                            step=epoch, prefix="validation")  # fmt: skip
    bar.log_metrics({"total_training": 3.0}, step=12, prefix="times")


def test_the_epoch_bar_shows_the_best_validation_mrr_on_a_terminal() -> None:
    terminal = Terminal()
    bar = EpochProgress(40, desc="training RotatE", file=terminal)
    feed(bar)
    shown = terminal.getvalue()
    assert "training RotatE" in shown and "val MRR=0.2500 (epoch 5)" in shown
    assert "val MRR=0.2000" not in shown  # the best so far, not the last
    assert "stopped early" in shown and "12/12" in shown
    assert bar.checks == 2


@pytest.mark.parametrize(
    ("stream", "disable"), [(io.StringIO(), None), (Terminal(), True)], ids=["pipe", "quiet"]
)
def test_the_epoch_bar_is_silent_off_a_terminal_or_when_quiet(
    stream: io.StringIO, disable: bool | None
) -> None:
    bar = EpochProgress(40, desc="training RotatE", disable=disable, file=stream)
    feed(bar)
    assert stream.getvalue() == "" and bar.best_mrr == 0.25


@pytest.mark.slow
def test_pykeen_training_draws_the_bar_with_its_validation_mrr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Real PyKEEN: its trackers get the validation MRR under the name the bar reads."""
    rng = np.random.default_rng(0)
    triples = np.array(
        [[f"u:{u}", "interacted", f"i:{i}"] for u in range(30)
         for i in rng.choice(40, 8, replace=False)], dtype=str,
    )  # fmt: skip
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    config = TrainingConfig(model="TransE", epochs=10, batch_size=64, check_every=5, negatives=4)
    trained = train(triples, config, where="cpu", progress=None)
    monkeypatch.undo()
    shown = terminal.getvalue()
    assert trained.epochs >= 5
    assert "training TransE" in shown and "val MRR=" in shown and "loss=" in shown


def test_log_lines_go_above_the_bars(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    handler = BarSafeHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.emit(logging.LogRecord("x", logging.WARNING, __file__, 1, "careful", None, None))
    assert terminal.getvalue() == "WARNING careful\n"


def test_the_demo_names_the_port_when_its_api_does_not_start() -> None:
    failed = subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"])
    with pytest.raises(click.ClickException, match="exited with 3.*port 8123.*--port"):
        cli._await_api("http://127.0.0.1:9", 8123, failed)


def test_the_demo_stops_its_api_process() -> None:
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    cli._stop(running)
    assert running.returncode is not None


def tag(user: object, at: int, text: str = "atmospheric") -> dict[str, object]:
    """A MovieLens tag as the demo imports it: its text id says movie and tag, not the user."""
    return {"user_id": user, "item_id": "1", "text": text, "timestamp": at, "source": "tag",
            "text_id": "ml-tag:1:abc"}  # fmt: skip


def test_two_users_may_tag_a_movie_alike() -> None:
    """Text ids are per user: the demo's tags import stopped at the first shared tag."""
    chunk = [tag("1", 1_000), tag("2", 2_000), tag("1", 1_000)]  # the third repeats the first
    found = importers.text_entries(chunk, 0, PSEUDONYMS, chunk_size=10)
    assert [(user, text.timestamp.timestamp()) for user, text in found] == [
        (PSEUDONYMS.user("1"), 1_000.0),
        (PSEUDONYMS.user("2"), 2_000.0),
    ]


def test_one_user_may_not_send_other_content_under_a_text_id() -> None:
    chunk = [tag("1", 1_000), tag("2", 2_000), tag(" ", 3_000), tag("1", 1_000, "eerie")]
    with pytest.raises(BatchError) as raised:
        importers.text_entries(chunk, 500, PSEUDONYMS, chunk_size=10)
    assert [(e.index, e.field, e.reason) for e in raised.value.errors] == [
        (502, "user_id", "a non-empty user_id is required"),
        (503, "text_id", "repeats the text_id of record 500 with other content"),
    ]


def test_quiet_logs_hold_for_libraries_that_set_their_own_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PyKEEN sets its logger to INFO; by default its INFO lines must not reach the terminal."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(logging.root, "handlers", [])  # as in a fresh `interests` process
    monkeypatch.setattr(logging.root, "level", logging.WARNING)
    configure_output(reset=True)
    chatty_library = logging.getLogger("test_demo_cli.library")
    monkeypatch.setattr(chatty_library, "level", logging.INFO)
    chatty_library.info("Inferred unique=False")
    chatty_library.warning("worth knowing")
    assert "Inferred" not in terminal.getvalue() and "worth knowing" in terminal.getvalue()
    configure_output(verbose=1)
    chatty_library.info("now shown")
    assert "now shown" in terminal.getvalue()


def test_the_demo_quiets_its_workers_unless_verbose(tmp_path: Path) -> None:
    command = cli.gunicorn_command("127.0.0.1", 8123, access_log=False)
    quiet = cli._quiet_workers(command, tmp_path)
    assert quiet[-1] == command[-1] == "service.app:create_app()"
    path = Path(quiet[quiet.index("--log-config-json") + 1])
    settings = json.loads(path.read_text(encoding="utf-8"))
    assert settings["root"]["level"] == "WARNING"
    assert settings["loggers"]["gunicorn.access"]["level"] == "WARNING"
