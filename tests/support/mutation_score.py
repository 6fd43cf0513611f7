"""`make mutation`'s verdict: the share of mutants the unit tests kill, and the survivors.

Reads what ``mutmut export-cicd-stats`` wrote and ``mutmut results`` lists, prints
the score as mutmut counts it (killed and timed out over all mutants tested; a
mutant no test reaches counts as survived) and exits non-zero below the bar.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BAR = 90.0


def main() -> int:
    stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text())
    tested = stats["total"] - stats["skipped"]
    killed = stats["killed"] + stats["timeout"]
    score = 100 * killed / tested if tested else 0.0
    listing = subprocess.run(
        [sys.executable, "-m", "mutmut", "results"], capture_output=True, text=True, check=True
    ).stdout
    survivors = [line.strip() for line in listing.splitlines() if line.strip()]
    print("\n".join(survivors))
    print(
        f"mutants: {stats['total']}, killed {killed}, survived {stats['survived']},"
        f" reached by no test {stats['no_tests']}: score {score:.1f}% (bar {BAR:.0f}%)"
    )
    return 0 if score >= BAR else 1


if __name__ == "__main__":
    sys.exit(main())
