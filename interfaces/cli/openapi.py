"""``taskhex openapi``: the HTTP API's schema, without importing the HTTP framework here.

The schema is FastAPI's to build. So that this CLI never imports FastAPI (an
import-linter contract), the command runs ``python -m interfaces.api.print_openapi``
in a child process and passes its output on.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from interfaces.cli.errors import CliError, ExitCode, exit_on_error

app = typer.Typer()


@app.command()
def openapi(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="Write to this file, not stdout."),
    ] = None,
) -> None:
    """Print the OpenAPI document (JSON) of the HTTP API."""
    with exit_on_error():
        built = subprocess.run(
            [sys.executable, "-m", "interfaces.api.print_openapi"],
            capture_output=True,
            check=False,
        )
        if built.returncode != 0:
            lines = built.stderr.decode(errors="replace").strip().splitlines() or ["no output"]
            raise CliError(f"could not build the schema: {lines[-1]}", ExitCode.UNEXPECTED)
        if output is None:
            sys.stdout.write(built.stdout.decode())
        else:
            output.write_bytes(built.stdout)
            typer.echo(f"wrote the OpenAPI document to {output}")
