"""The full pipeline on real CUAD contracts: verbatim quotes, right pages and sections, and
segmenting a long concatenation loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from chunking.tokenizer import count_tokens
from pipeline.config import Settings, StorageConfig
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobStore
from pipeline.report.model import Report
from storage.local import LocalStore
from tests.conftest import SHARED_DATA, needs_shared
from workers.local import LocalExecutor

CONTRACTS = SHARED_DATA / "cuad-dev" / "contracts"


class Runner:
    def __init__(self, root: Path) -> None:
        self.ctx = StageContext(settings=Settings(storage=StorageConfig(dir=root)), store=LocalStore(root))
        self.executor = LocalExecutor(self.ctx, workers=2)

    def analyze(self, data: bytes, name: str) -> Report:
        job = JobStore(self.ctx.store, "t").create(data, name, ext="txt")
        record, report = self.executor.run("t", job.job_id)
        assert report is not None, record.error
        return report


class Contracts:
    """Each CUAD contract's own report, analyzed once for the module's tests."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.reports: dict[str, Report] = {}

    def report(self, path: Path) -> Report:
        if path.name not in self.reports:
            self.reports[path.name] = self.runner.analyze(path.read_bytes(), path.name)
        return self.reports[path.name]


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    r = Runner(tmp_path_factory.mktemp("cuad"))
    yield r  # type: ignore[misc]
    r.executor.close()


@pytest.fixture(scope="module")
def contracts(runner: Runner) -> Contracts:
    # Module-scoped and not cheap: the module's tests run together on one test worker, and a
    # contract the verbatim check analyzed is not analyzed again for the 400K comparison.
    return Contracts(runner)


@needs_shared
@pytest.mark.slow
def test_every_quote_in_every_cuad_report_is_verbatim(contracts: Contracts) -> None:
    files = sorted(CONTRACTS.glob("*.txt"))
    assert len(files) >= 200
    checked = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        report = contracts.report(path)
        assert report.document.chars == len(text)
        spans = [*report.findings, *report.key_terms, *report.defined_terms, *report.references]
        spans += [sp for issue in report.term_issues for sp in issue.spans]
        for sp in spans:
            assert text[sp.start : sp.end] == sp.quote, (path.name, sp)
            assert sp.page == 1  # CUAD texts carry no page breaks
        checked += len(spans)
    assert checked > 10_000


# Checked by hand against the texts: the heading that opens the governing-law clause, the
# state it names, on page 1 (CUAD texts have no page breaks).
HAND_CHECKED = [
    ("ADIANUTRITION_INC_04_01_2005*", "6. > 6.7", "California"),
    ("AimmuneTherapeutics*Development*", "ARTICLE 15 > 15.13 > 15.13.1", "California"),
    ("AlliedEsports*Sponsorship*", "15. > 15.10", "California"),
    ("Apollo_Endosurgery*", "10. > 10.8", "Texas"),
]


@needs_shared
@pytest.mark.parametrize(("pattern", "section", "state"), HAND_CHECKED)
def test_pages_and_sections_match_a_hand_checked_sample(
    contracts: Contracts, pattern: str, section: str, state: str
) -> None:
    path = next(CONTRACTS.glob(pattern))
    report = contracts.report(path)
    law = [f for f in report.findings if f.category == "Governing Law"]
    assert law and all(f.page == 1 for f in law)
    assert any((f.section or "").endswith(section) for f in law), [f.section for f in law]
    terms = [k for k in report.key_terms if k.name == "governing_law"]
    assert [k.value for k in terms] == [f"{state}, US"]
    assert (terms[0].section or "").endswith(section)


def _concatenation(target_tokens: int) -> tuple[str, list[tuple[Path, int, int]]]:
    parts: list[str] = []
    spans: list[tuple[Path, int, int]] = []
    pos = tokens = 0
    sep = "\n\f\n"  # the page/document break an export of a master agreement would carry
    for path in sorted(CONTRACTS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        parts.append(text)
        spans.append((path, pos, pos + len(text)))
        pos += len(text) + len(sep)
        tokens += count_tokens(text)
        if tokens >= target_tokens:
            break
    return sep.join(parts), spans


@needs_shared
@pytest.mark.slow
def test_400k_concatenation_finds_what_each_contract_finds_alone(
    runner: Runner, contracts: Contracts
) -> None:
    text, spans = _concatenation(400_000)
    long_report = runner.analyze(text.encode(), "concatenated.txt")
    assert 4 <= len(long_report.segments) <= 6
    assert all(s.status == "ok" for s in long_report.segments)
    for path, start, end in spans:
        alone = contracts.report(path)
        expected = {(f.category, f.start + start, f.end + start) for f in alone.findings}
        got = {(f.category, f.start, f.end) for f in long_report.findings if start <= f.start < end}
        assert got == expected, path.name
