"""A small contract with planted defined-term, reference and key-term problems.

Everything the consolidation pass should report is listed in PLANTED; nothing else in the
text is a problem.
"""

from __future__ import annotations

FILLER = (
    "Provider shall perform the Services in a professional manner consistent with industry practice, "
    "and Customer shall cooperate with Provider as reasonably required for that purpose. "
)


def para(n: int) -> str:
    return "\n\n".join(FILLER * 3 for _ in range(n))


def planted_contract() -> str:
    parts = [
        "MASTER SERVICES AGREEMENT",
        'This Master Services Agreement (the "Agreement") is entered into as of March 3, 2025 (the "Effective Date") '
        'by and between Northwind Analytics, Inc., a Delaware corporation ("Provider"), and Harbor Point Logistics LLC, '
        'a New York limited liability company ("Customer").',
        "ARTICLE I\nDEFINITIONS",
        '1.1 "Confidential Information" means any non-public information disclosed by one party to the other under this Agreement.',
        '1.2 "Deliverables" means the reports and software that Provider delivers under a Statement of Work.',
        '1.3 "Service Credits" means the credits described in the service level terms.',
        '1.4 "Statement of Work" means a document describing Services that both parties sign.',
        '1.5 "Services" means the analytics services described in a Statement of Work.',
        para(4),
        "ARTICLE II\nSERVICES",
        "2.1 Scope. Provider shall provide the Services and Deliverables as set forth in Section 5.2 and Exhibit A. "
        "Each Statement of Work is governed by this Agreement.",
        "2.2 Transition. Provider shall prepare the Transition Plan within thirty days after the Effective Date.",
        para(5),
        "ARTICLE III\nCONFIDENTIALITY",
        "3.1 Obligations. Each party shall protect Confidential Information of the other party. "
        "Exceptions are described in Section 21.4.",
        para(5),
        "ARTICLE IV\nTERM",
        "4.1 Term. Either party may terminate this Agreement for convenience upon thirty (30) days' prior written notice.",
        para(5),
        "ARTICLE V\nFEES",
        "5.1 Fees. Customer shall pay the fees in Exhibit A.",
        "5.2 Invoices. Provider shall invoice monthly and shall update the Transition Plan with each invoice.",
        para(5),
        "ARTICLE VI\nGENERAL",
        "6.1 Governing Law. This Agreement shall be governed by the laws of the State of New York.",
        "6.2 Notices. Notices under Article II or clause 2.1 must be in writing. Security terms appear in Exhibit K.",
        para(4),
        "EXHIBIT A\nSTATEMENT OF WORK",
        '1. Deliverables. For this Statement of Work, "Deliverables" means the weekly route reports only.',
        "2. Law. This Statement of Work shall be governed by the laws of the State of Delaware.",
        para(3),
    ]
    return "\n\n".join(parts) + "\n"


PLANTED = {
    "term_issues": {
        ("unused", "Service Credits"),
        ("duplicate", "Deliverables"),
        ("undefined", "Transition Plan"),
    },
    "dangling": {"section:21.4", "exhibit:K"},
    "conflicts": {"governing_law": ["Delaware, US", "New York, US"]},
    # A reference in Article II to a section that lives in a later segment.
    "cross_segment": "section:5.2",
}
