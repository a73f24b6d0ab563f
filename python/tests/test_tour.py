"""examples/tour.py, the README's runnable tour, runs with the built module and prints
what the sample registry (examples/sample_registry.csv) holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TOUR = Path(__file__).resolve().parents[2] / "examples" / "tour.py"


def test_the_tour_runs_and_prints_the_sample_registry(tmp_path):
    done = subprocess.run(
        [sys.executable, str(TOUR)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    for line in [
        "Imported sample_registry.csv: 12 households, 30 residents, 0 errors",
        "  北坝一网格: 6 households (3 special, 1 floating), 15 residents",
        "  北坝社区: 12 households (5 special, 2 floating), 30 residents",
        "  张桂兰 head female 512021**********23 138****1004",
        "Ledger entry #1: 市政设施, registered",
        "Report 北坝社区 2024-03: households 12, residents 30, home visits 1, "
        "phone visits 1, entries received 1",
        "Audit chain intact: True (10 records)",
    ]:
        assert line in lines, f"the tour did not print {line!r}:\n{done.stdout}"
    assert any(line.startswith("Visits due in 北坝一网格 by 2024-03-31: ") for line in lines)
    # Shown masked, never whole: no full ID number of the sample leaves the tour.
    assert "51202119680312077X" not in done.stdout
    assert "13800001004" not in done.stdout
