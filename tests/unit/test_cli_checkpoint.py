"""Where a resumable import starts, decided from its checkpoint and its file."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from pathlib import Path

import pytest

from interfaces.cli.checkpoint import Checkpoint, load, save, start, state_path
from interfaces.cli.errors import CliError, ExitCode

FILE = b'{"title": "a"}\n{"title": "b"}\n'
STATE = Path("tasks.jsonl.import-state.json")


def done_to(offset: int, *, finished: bool = False) -> Checkpoint:
    digest = hashlib.sha256(FILE[:offset]).hexdigest()
    return Checkpoint("/data/tasks.jsonl", "sqlite:///x.db", offset, 1, 1, digest, finished)


FRESH = Checkpoint("/data/tasks.jsonl", "sqlite:///x.db")


def test_the_checkpoint_sits_next_to_its_file_unless_told_otherwise(tmp_path: Path) -> None:
    assert state_path(tmp_path / "t.jsonl", None) == tmp_path / "t.jsonl.import-state.json"
    assert state_path(tmp_path / "t.jsonl", tmp_path / "s.json") == tmp_path / "s.json"


def test_a_checkpoint_survives_a_save_and_a_load(tmp_path: Path) -> None:
    save(tmp_path / "state.json", done_to(15))
    assert load(tmp_path / "state.json") == done_to(15)
    assert load(tmp_path / "missing.json") is None
    assert not list(tmp_path.glob("*.tmp"))


def test_a_resume_starts_after_the_imported_part_when_it_is_unchanged() -> None:
    stream = io.BytesIO(FILE)
    reached, hasher = start(done_to(15), FRESH, True, stream, STATE)
    assert reached == done_to(15)
    assert stream.tell() == 15
    assert hasher.hexdigest() == done_to(15).digest


def test_a_finished_import_starts_over_when_not_resumed() -> None:
    reached, _ = start(done_to(15, finished=True), FRESH, False, io.BytesIO(FILE), STATE)
    assert reached == FRESH


def test_a_checkpoint_of_another_file_or_database_is_ignored() -> None:
    other = Checkpoint("/data/other.jsonl", "sqlite:///x.db", 15, 1, 1, "x")
    assert start(other, FRESH, True, io.BytesIO(FILE), STATE)[0] == FRESH


def test_an_unfinished_import_into_another_workspace_is_neither_resumed_nor_overwritten() -> None:
    into_acme = replace(done_to(15), workspace="acme")
    for resume in (True, False):
        with pytest.raises(CliError, match="into the workspace 'acme' stopped") as refused:
            start(into_acme, FRESH, resume, io.BytesIO(FILE), STATE)
        assert refused.value.code is ExitCode.CONFLICT
    finished = replace(into_acme, finished=True)
    assert start(finished, FRESH, True, io.BytesIO(FILE), STATE)[0] == FRESH


def test_an_unfinished_import_is_not_started_again_without_resume() -> None:
    with pytest.raises(CliError) as refused:
        start(done_to(15), FRESH, False, io.BytesIO(FILE), STATE)
    assert refused.value.code is ExitCode.CONFLICT


@pytest.mark.parametrize("content", [FILE[:10], b'{"title": "A"}\n{"title": "b"}\n'])
def test_a_file_shorter_or_changed_before_the_checkpoint_is_refused(content: bytes) -> None:
    with pytest.raises(CliError, match="changed in lines 1-1"):
        start(done_to(15), FRESH, True, io.BytesIO(content), STATE)
