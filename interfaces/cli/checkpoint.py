"""Where an import stopped, so that ``taskhex import --resume`` goes on from there.

A checkpoint (``FILE.import-state.json``), rewritten atomically after every
committed batch, records the file, the database (password masked) and the
workspace imported into, the line
and byte offset reached and the SHA-256 of the input up to it, so that a resume
can prove the part it skips is the part imported. It is a file, so it cannot
commit with the batch: a crash between the two imports that batch again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any

from interfaces.cli.errors import CliError, ExitCode

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Checkpoint:
    source: str
    database: str
    offset: int = 0
    line: int = 0
    imported: int = 0
    digest: str = hashlib.sha256().hexdigest()
    finished: bool = False
    workspace: str = "default"
    """By name; checkpoints written before workspaces were all of ``default``."""

    def after(self, *, offset: int, line: int, imported: int, digest: str) -> Checkpoint:
        return replace(self, offset=offset, line=line, imported=imported, digest=digest)

    def same_import(self, other: Checkpoint) -> bool:
        mine = (self.source, self.database, self.workspace)
        return mine == (other.source, other.database, other.workspace)


def state_path(source: Path, state: Path | None) -> Path:
    return state if state is not None else source.with_name(source.name + ".import-state.json")


def load(path: Path) -> Checkpoint | None:
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return Checkpoint(**data)
    except (ValueError, TypeError) as error:
        raise CliError(
            f"the checkpoint {path} is unreadable ({error}); delete it to start over",
            ExitCode.INVALID,
        ) from None


def save(path: Path, checkpoint: Checkpoint) -> None:
    """Replace the checkpoint atomically: a reader sees the old one or the new one."""
    partial = path.with_name(path.name + ".tmp")
    with partial.open("w", encoding="utf-8") as out:
        json.dump(asdict(checkpoint), out, indent=2)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


def start(
    previous: Checkpoint | None,
    fresh: Checkpoint,
    resume: bool,
    stream: IO[bytes],
    path: Path,
) -> tuple[Checkpoint, Any]:
    """Where to begin reading ``stream``, and the digest of what lies before it.

    Without ``resume``, an unfinished checkpoint of the same import is refused
    (running again would import its batches twice), and so is, either way, an
    unfinished import of the file into another workspace (its checkpoint would be
    overwritten). With ``resume``, the part already imported must be byte for
    byte what it was.
    """
    hasher = hashlib.sha256()
    if (
        previous is not None
        and not previous.finished
        and (previous.source, previous.database) == (fresh.source, fresh.database)
        and previous.workspace != fresh.workspace
    ):
        # Its checkpoint would be lost (one state file per input): the first import goes on.
        raise CliError(
            f"an import of this file into the workspace {previous.workspace!r} stopped after "
            f"line {previous.line}: finish it (--workspace {previous.workspace} --resume), or "
            "give this import a checkpoint of its own (--state FILE)",
            ExitCode.CONFLICT,
        )
    same = previous is not None and previous.same_import(fresh)
    if previous is None or not same:
        return fresh, hasher
    if not resume:
        if previous.finished:
            return fresh, hasher
        raise CliError(
            f"an import of this file into this database stopped after line {previous.line} "
            f"({previous.imported} task(s) imported): run it again with --resume to go on, "
            f"or delete {path} to start over",
            ExitCode.CONFLICT,
        )
    remaining = previous.offset
    while remaining:
        chunk = stream.read(min(_CHUNK, remaining))
        if not chunk:
            break
        hasher.update(chunk)
        remaining -= len(chunk)
    if remaining or hasher.hexdigest() != previous.digest:
        raise CliError(
            f"the file changed in lines 1-{previous.line}, which were already imported; "
            f"refusing to resume (delete {path} to start over)",
            ExitCode.CONFLICT,
        )
    return replace(previous, finished=False), hasher
