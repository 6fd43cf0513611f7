"""``python -m interfaces.api.print_openapi``: the completed OpenAPI document as JSON on stdout.

``taskhex openapi`` runs it in a child process, so that the CLI never imports
FastAPI; nothing imports this module, which keeps ``app`` free of a cycle.
"""

from __future__ import annotations

import json
import sys

from interfaces.api.app import create_app


def main() -> None:
    json.dump(create_app().openapi(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":  # pragma: no cover - run as `python -m interfaces.api.print_openapi`
    main()
