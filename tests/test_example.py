"""The README's main job: the bundled long example analyzed offline, with its planted problems found."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "pipeline" / "examples" / "master-services-agreement.txt"


def test_readme_main_job_reports_exactly_the_planted_problems(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", "analyze", str(EXAMPLE), "--out", str(out)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={"PATH": "/usr/bin:/bin", "LONGDOC_STORAGE_DIR": str(tmp_path / "store"), "HOME": str(tmp_path)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report_md = out / "master-services-agreement.report.md"
    assert str(report_md) in proc.stdout  # it says where the report is
    report = json.loads((out / "master-services-agreement.report.json").read_text())
    text = EXAMPLE.read_text(encoding="utf-8")

    assert report["document"]["tokens"] > 150_000
    assert len(report["segments"]) >= 2 and all(s["status"] == "ok" for s in report["segments"])
    assert {r["label"] for r in report["references"] if r["status"] == "dangling"} == {
        "Section 21.4",
        "Exhibit K",
    }
    assert {(c["name"], tuple(c["values"])) for c in report["conflicts"]} == {
        ("governing_law", ("Delaware, US", "New York, US"))
    }
    assert {(i["issue"], i["term"]) for i in report["term_issues"]} == {
        ("unused", "Reference Site"),
        ("undefined", "Transition Assistance Period"),
    }
    # The Delaware clause sits past the first segment: the conflict was found across segments.
    delaware = [k for c in report["conflicts"] for k in c["occurrences"] if k["value"] == "Delaware, US"]
    assert delaware and delaware[0]["segment"] > 0
    for f in report["findings"]:
        assert text[f["start"] : f["end"]] == f["quote"]
