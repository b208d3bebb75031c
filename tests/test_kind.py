"""Contract or paper: the cheap literal pre-count never changes the verdict of the full count."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.analyze.kind import _CONTRACT, _PAPER, detect_kind, paper_signals_at_most
from pipeline.types import DocumentKind


def full_count_kind(text: str) -> DocumentKind:
    """The verdict from the exact counts alone (detect_kind without its shortcut)."""
    paper, contract = len(_PAPER.findall(text)), len(_CONTRACT.findall(text))
    return "paper" if paper * 4 > contract and paper >= 5 else "contract"


# Pieces of every scholarly signal, near misses (no word boundary, wrong case), contract words
# and separators, so generated texts sit on both sides of the 5-signal threshold.
PIECES = [
    "Abstract", "ABSTRACT", "References", "Bibliography", "Acknowledgements", "Acknowledgments",
    "et al.", "Bet al.", "arXiv", "xarXiv", "doi:", "Fig. 3", "Figure\n2", "Table 1", "Tables 1",
    "[1]", "[12, 3]", "[1,", "we propose", "we show", "we shown", "In this paper", "in this paper",
    "Agreement", "hereby", "Party", "shall pay", "terminated", "warranty",
    " ", "\n", "\n\n", "  \n", ".", "_", "x", "é",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_detect_kind_agrees_with_the_full_count(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert paper_signals_at_most(text) >= len(_PAPER.findall(text))
    assert detect_kind(text) == full_count_kind(text)


def test_a_paper_is_a_paper_and_a_contract_a_contract() -> None:
    paper = (
        "Abstract\n\nIn this paper we propose a method [1]. As Smith et al. show in Fig. 2 and "
        "Table 1, it works [2, 3].\n\nReferences\n\n[1] A. Smith. arXiv:2101.00001. doi:10.1/x\n"
    )
    contract = "This Agreement is made hereby between the Parties. Licensee shall pay the fees. " * 3
    assert detect_kind(paper) == "paper"
    assert detect_kind(contract) == "contract"
    # A contract citing a few tables and exhibits stays a contract.
    assert detect_kind(contract + "See Table 1 and Table 2 [1].") == "contract"
