"""`longdoc eval cuad DIR` on any CUAD-format folder: counts, the last line, the in-sample note."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.cli.main import main
from tests.conftest import SHARED_DATA, needs_shared

LAST_LINE = re.compile(
    r"^micro_f1=\d\.\d{3} macro_f1=\d\.\d{3} overlap_precision=\d\.\d{3} docs_per_s=\d+\.\d$"
)

LAW = "This Agreement shall be governed by the laws of the State of New York."
ASSIGN = (
    "Neither party may assign this Agreement without the prior written consent of the other party, "
    "and any attempted assignment in violation of this Section shall be null and void."
)
WITH_LAW = f"SUPPLY AGREEMENT\n\n1. Supply. Acme shall supply the goods.\n\n2. Law. {LAW}\n\n3. Assignment. {ASSIGN}\n"
WITHOUT_LAW = (
    "SERVICE AGREEMENT\n\n1. Services. Beta shall provide the services.\n\n2. Fees. Acme pays monthly.\n"
)


def write_folder(root: Path, contracts: dict[str, tuple[str, dict[str, list[str]]]]) -> Path:
    """A CUAD-format folder: contracts/<slug>.txt and labels.jsonl with start offsets."""
    (root / "contracts").mkdir(parents=True)
    lines = []
    for slug, (text, answers) in contracts.items():
        (root / "contracts" / f"{slug}.txt").write_text(text, encoding="utf-8")
        spans = {
            cat: [{"start": text.index(a), "text": a} for a in quotes] for cat, quotes in answers.items()
        }
        lines.append(json.dumps({"slug": slug, "answers": spans}))
    (root / "labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def run_eval(folder: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    code = main(["eval", "cuad", str(folder), "--processes", "1"])
    assert code == 0
    return capsys.readouterr().out.strip().splitlines()


def row(lines: list[str], category: str) -> list[str]:
    return next(line for line in lines if line.startswith(category + " ")).split()[-3:]  # TP FP FN


def test_eval_counts_presence_on_any_cuad_format_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_folder(
        tmp_path / "mini",
        {
            "with-law": (WITH_LAW, {"Governing Law": [LAW], "Anti-Assignment": [ASSIGN]}),
            # Gold says Governing Law is present, but the text has none: a false negative.
            "without-law": (WITHOUT_LAW, {"Governing Law": ["Acme pays monthly."]}),
        },
    )
    lines = run_eval(folder, capsys)
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert row(lines, "Governing Law") == ["1", "0", "1"]
    assert row(lines, "Anti-Assignment") == ["1", "0", "0"]
    assert not any(line.startswith("note:") for line in lines)  # not CUAD training texts
    # Both predicted spans overlap their gold spans.
    assert float(lines[-1].split("overlap_precision=")[1].split()[0]) == 1.0


@needs_shared
@pytest.mark.shared_data
def test_eval_says_when_it_scores_the_model_on_its_own_training_texts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = SHARED_DATA / "cuad-dev"
    first = json.loads((source / "labels.jsonl").read_text(encoding="utf-8").splitlines()[0])
    folder = tmp_path / "one"
    (folder / "contracts").mkdir(parents=True)
    shutil.copy(source / "contracts" / f"{first['slug']}.txt", folder / "contracts")
    (folder / "labels.jsonl").write_text(json.dumps(first) + "\n", encoding="utf-8")
    lines = run_eval(folder, capsys)
    assert LAST_LINE.match(lines[-1])
    assert lines[-2].startswith("note: 1 of 1 contracts are in the clause model's training set")
