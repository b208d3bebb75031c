"""Generate longdoc's bundled long example: ``pipeline/examples/master-services-agreement.txt``.

The document is ORIGINAL text written for the longdoc project and released under CC0-1.0.
All parties, people, addresses and facts are fictional. Nothing is copied from third-party
contracts. The output is deterministic: the script uses no randomness (variant choices are
made by hashing fixed keys with sha256) and no clock, so every run writes a byte-identical file.

Standard library only. If the repository's ``chunking.tokenizer`` can be imported (run from
the repo root with the project venv active), the o200k_base token count is printed as well.

    python bench/make_example.py            # writes the file, prints tokens/chars/bytes/sha256
    python bench/make_example.py --check    # also fails if the file on disk differs

PLANTED FEATURES (tests may rely on these exact strings; the constants below hold them):

  Dangling cross-references -- exactly two; each string occurs exactly once and its target
  exists nowhere in the document (DANGLING_REFERENCES):
    1. "Section 21.4"  -- Section 16.7 (Transition Services), clause (e): "... described in the
                          exit plan in accordance with Section 21.4." The Agreement has
                          Articles I-XX only and no Exhibit/Schedule has a Section 21.x.
    2. "Exhibit K"     -- Schedule 3 (Security Requirements), paragraph 7.3: "... rules of
                          engagement set out in Exhibit K." The exhibits are A, B and C only.
    Every other Section/Article/clause/Exhibit/Schedule/Appendix reference resolves (clause
    references such as "clause 4(b) of Exhibit C" point at the numbered clauses of Exhibit C);
    the generator proves this itself (_check_references) and refuses to write otherwise.

  Conflict -- exactly one, beyond the first 150,000 tokens (CONFLICT_TEXT, checked at run time):
    STATEMENT OF WORK NO. 22 (the last Statement of Work in Exhibit A: cross-border trade
    compliance analytics, entered into by the Mexican Customer Affiliate), Section 12.3
    "Governing Law", says the SOW "shall be governed by the laws of the State of Delaware"
    (with Wilmington, Delaware courts), "Notwithstanding Section 18.1 of the Agreement".
    Section 18.1 of the Agreement chooses "the laws of the State of New York" (venue in
    Section 18.2: New York County / S.D.N.Y.). Every other governing-law statement names New
    York. The SOW does not meet the variation formalities of Section 1.3, so the Agreement's
    order of precedence arguably defeats it -- which is what makes it worth flagging. Notice
    periods are consistent throughout (30 days' written notice; 90 days for non-renewal).

  Defined but never used (UNUSED_DEFINED_TERM):
    "Reference Site" -- defined in Section 1.1 ("Reference Site" means a Customer facility
    that ...) and appearing nowhere else, in any letter case.

  Used as a defined term but never defined (UNDEFINED_TERM):
    "Transition Assistance Period" -- capitalised and used like a defined term (Sections 16.7
    and 16.8, Section 12.2 of many Statements of Work, Schedule 1 paragraph 6.1), but never
    defined: no "means" definition, no quoted parenthetical, no "as defined in".
    All other defined terms are used at least once outside their definition (checked).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "pipeline" / "examples" / "master-services-agreement.txt"

DANGLING_REFERENCES = ("Section 21.4", "Exhibit K")
CONFLICT_TEXT = "governed by the laws of the State of Delaware"
UNUSED_DEFINED_TERM = "Reference Site"
UNDEFINED_TERM = "Transition Assistance Period"
CONFLICT_MIN_TOKEN_OFFSET = 150_000
MAX_BYTES = 1_200_000


# ---- deterministic helpers -------------------------------------------------------------


def _h(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def pick(key: str, options: list[str] | tuple[str, ...]) -> str:
    """One of ``options``, chosen by hashing ``key`` (stable across Python versions)."""
    return options[_h(key) % len(options)]


def rotate(key: str, items: list) -> list:
    """``items`` rotated by a key-dependent amount (a deterministic, mild reordering)."""
    if not items:
        return items
    k = _h(key) % len(items)
    return items[k:] + items[:k]


def money(amount: int | float) -> str:
    if isinstance(amount, float) and not amount.is_integer():
        return f"${amount:,.2f}"
    return f"${int(amount):,}"


_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen"]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        t, o = divmod(n, 10)
        return _TENS[t] + ("-" + _ONES[o] if o else "")
    if n < 1000:
        h, r = divmod(n, 100)
        return _ONES[h] + " hundred" + (" " + words(r) if r else "")
    raise ValueError(n)


def wn(n: int) -> str:
    """'thirty (30)'."""
    return f"{words(n)} ({n})"


def fmt_date(d: dt.date) -> str:
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1])
    return dt.date(year, month, day)


def roman(n: int) -> str:
    vals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def paras(block: str) -> str:
    """Normalise a literal block: strip, collapse 3+ newlines, no trailing spaces."""
    lines = [ln.rstrip() for ln in block.strip("\n").splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# ---- the parties ------------------------------------------------------------------------

PROVIDER_NAME = "Talverra Data Systems, Inc."
CUSTOMER_NAME = "Greyhaven Harbor Logistics LLC"
EFFECTIVE_DATE = dt.date(2025, 3, 3)


# ---- main body --------------------------------------------------------------------------

TITLE_BLOCK = """
MASTER SERVICES AGREEMENT

by and between

TALVERRA DATA SYSTEMS, INC.

and

GREYHAVEN HARBOR LOGISTICS LLC

Dated as of March 3, 2025

This Master Services Agreement (the "Agreement") is entered into as of March 3, 2025 (the "Effective Date") by and between Talverra Data Systems, Inc., a Delaware corporation with its principal place of business at 88 Quarry Lane, Suite 400, Cambridge, Massachusetts 02139 ("Provider"), and Greyhaven Harbor Logistics LLC, a New York limited liability company with its principal place of business at 2150 Ferris Wharf Road, Brooklyn, New York 11231 ("Customer"). Provider and Customer are the parties to this Agreement (each, a "Party" and together, the "Parties").

RECITALS

WHEREAS, Customer operates a regional and cross-border freight logistics business comprising warehousing, drayage, less-than-truckload and full-truckload carriage, customs clearance support and last-mile delivery, and relies on timely, accurate operational data to plan, execute and bill that business;

WHEREAS, Provider develops and operates a cloud-hosted logistics analytics platform and provides related data engineering, data science, integration, managed analytics and consulting services to transportation and supply chain enterprises;

WHEREAS, Customer wishes to engage Provider, and Provider wishes to be engaged, to provide certain analytics, data management, optimisation and related professional and managed services to Customer and its Affiliates, as more particularly described in one or more Statements of Work entered into under this Agreement;

WHEREAS, the Parties intend that this Agreement establish the general terms and conditions that will govern every Statement of Work, so that each Statement of Work need only describe the particular services, deliverables, schedule, fees and service levels applicable to it; and

WHEREAS, the Parties have negotiated the allocation of risk, the pricing commitments and the restrictive covenants set out in this Agreement on the basis of a long-term relationship, and each Party acknowledges that the other would not have entered into this Agreement without them;

NOW, THEREFORE, in consideration of the mutual covenants and agreements set forth herein, and for other good and valuable consideration, the receipt and sufficiency of which are hereby acknowledged, the Parties, intending to be legally bound, agree as follows:
"""

ARTICLE_I = """
ARTICLE I
DEFINITIONS AND INTERPRETATION

1.1 Definitions. As used in this Agreement, including the Exhibits and Schedules, the following terms have the meanings set forth below. Other capitalised terms are defined in the body of this Agreement where they first appear.

"Acceptance" means Customer's written confirmation that a Deliverable conforms in all material respects to its Acceptance Criteria, or the deemed confirmation of such conformity, in each case in accordance with Section 2.9.

"Acceptance Criteria" means, for each Deliverable, the functional, technical, performance and documentation requirements set out or referenced in the applicable Statement of Work, together with any additional criteria agreed in writing by the Parties' project managers during the Acceptance testing period.

"Affiliate" means, with respect to a Party, any entity that directly or indirectly controls, is controlled by, or is under common control with that Party, for only so long as such control exists, where "control" means ownership of more than fifty percent (50%) of the voting equity of an entity or the power to direct its management and policies, whether by contract or otherwise.

"Aggregated Insights" means statistical, benchmarking and trend information that Provider derives from Customer Data combined with data of other Provider customers, in a form that does not identify Customer, any Customer Affiliate, any shipper, consignee or carrier, or any individual, and from which none of them can reasonably be identified.

"Applicable Law" means all federal, state, provincial, local and foreign laws, statutes, ordinances, regulations, rules, codes, orders, judgments and decrees of any governmental authority, including Data Protection Laws, export control and sanctions laws, anti-corruption laws and transportation and customs regulations, in each case as applicable to a Party, the Services or the Deliverables.

"Background IP" means all Intellectual Property Rights owned or controlled by a Party before the Effective Date, or developed or acquired by a Party after the Effective Date independently of this Agreement and without use of the other Party's Confidential Information.

"Business Day" means any day other than a Saturday, a Sunday or a day on which commercial banks in New York City are authorised or required by law to close.

"Change of Control" means, with respect to a Party, (a) the acquisition by any person or group of persons acting in concert, directly or indirectly, of beneficial ownership of more than fifty percent (50%) of the voting equity of that Party; (b) a merger, consolidation or reorganisation of that Party after which the holders of its voting equity immediately before the transaction hold less than fifty percent (50%) of the voting equity of the surviving entity; or (c) the sale or other transfer of all or substantially all of the assets of that Party or of the business unit that performs or receives the Services.

"Change Order" means a written document, executed by authorised representatives of both Parties in accordance with Section 2.4, that amends the scope, schedule, fees or other terms of a Statement of Work.

"Claim" means any claim, demand, suit, action, arbitration, investigation or other proceeding brought or threatened by a third party, including a governmental authority.

"Competitive Services" means route optimisation, fleet telematics analytics, freight audit analytics and customs brokerage analytics services of the kind provided to Customer under any Statement of Work in effect at the relevant time.

"Competitor" means any person, other than Customer and its Affiliates, whose principal business is the provision of third-party logistics, freight forwarding, freight brokerage or drayage services in the Restricted Territory, and any Affiliate of such person.

"Confidential Information" means all non-public information, in any form or medium, disclosed by or on behalf of a Party or its Affiliates to the other Party or its Affiliates in connection with this Agreement, that is marked or identified as confidential or that a reasonable person would understand to be confidential given its nature and the circumstances of disclosure. Customer Data is Customer's Confidential Information. The terms of this Agreement and of each Statement of Work are the Confidential Information of both Parties.

"Contract Year" means each successive period of twelve (12) months during the Term, the first of which begins on the Effective Date.

"Customer Data" means all data and information, including Personal Data, shipment, order, inventory, routing, telematics, customs, rate and billing data, that is provided by or on behalf of Customer or its Affiliates to Provider, that is collected, generated or processed by Provider on behalf of Customer in performing the Services, or that is derived from any of the foregoing, but excluding Aggregated Insights.

"Customer Materials" means all materials, systems, software, data models, specifications and other items that Customer or its Affiliates provide or make available to Provider for use in performing the Services, including Customer Data.

"Data Protection Laws" means all Applicable Law relating to privacy, data protection, data security or the processing of Personal Data, including, where applicable, the California Consumer Privacy Act as amended, the Canadian Personal Information Protection and Electronic Documents Act, the Mexican Federal Law on the Protection of Personal Data Held by Private Parties, the New York SHIELD Act and the European Union General Data Protection Regulation.

"Deliverables" means all reports, dashboards, data models, software, configurations, scripts, algorithms, documentation, analyses and other work product that Provider delivers or is required to deliver to Customer under a Statement of Work, whether alone or jointly with Customer.

"Developed IP" means all Intellectual Property Rights in the Deliverables, other than Provider Tools, Background IP and Third-Party Materials incorporated in them.

"Documentation" means the user guides, operating manuals, runbooks, data dictionaries, interface specifications and other technical and user documentation for the Platform and the Deliverables, as updated from time to time.

"Escrow Agent" means Stonebridge Escrow Services, Inc. or another independent, nationally recognised software escrow agent reasonably acceptable to Customer.

"Escrow Materials" means the Source Code of the Platform and of any Provider Tools embedded in a Deliverable, together with build scripts, third-party dependency manifests, deployment templates, database schemas and such other materials and instructions as would enable a reasonably skilled programmer to build, deploy, operate and maintain the relevant software without recourse to Provider.

"Fees" means the amounts payable by Customer to Provider for the Services, as set out in Schedule 1 and in the applicable Statement of Work.

"Force Majeure Event" has the meaning given in Section 19.1.

"Initial Term" shall have the meaning set forth in Section 3.1.

"Intellectual Property Rights" means all patents, patent applications, copyrights, database rights, trade secrets, know-how, trademarks, service marks, trade dress, design rights, moral rights, rights in software and all other intellectual property and proprietary rights, whether registered or unregistered, in any jurisdiction in the world, together with all applications, renewals, extensions and the right to sue for past, present and future infringement.

"Jointly Developed IP" means any invention, work of authorship or other subject matter that is jointly conceived, developed or reduced to practice by Personnel of Provider and personnel of Customer in the course of the Services and that is designated as jointly developed in the applicable Statement of Work or in a Change Order.

"Key Personnel" means the individuals identified as key personnel in Schedule 2 or in a Statement of Work, and any replacements approved by Customer in accordance with Section 6.2.

"Losses" means all losses, damages, liabilities, deficiencies, judgments, settlements, interest, awards, penalties, fines, costs and expenses, including reasonable attorneys' fees and the costs of enforcing any right to indemnification under this Agreement.

"Minimum Annual Commitment" means the minimum aggregate Fees that Customer commits to pay in each Contract Year, as set forth in Section 4.7.

"Net Revenue" means the gross amounts actually received by Provider or its Affiliates from third parties for products or services that incorporate or are derived from Aggregated Insights, less refunds, credits, sales and use taxes and third-party payment processing charges actually incurred, in each case attributable to those amounts.

"Personal Data" means any information relating to an identified or identifiable natural person, including drivers, warehouse workers, consignees and customer contacts, that is processed in connection with the Services, and any other information that constitutes personal information, personal data or an equivalent term under Data Protection Laws.

"Personnel" means the employees, agents and individual contractors of a Party or of its Subcontractors who are engaged in the performance of that Party's obligations under this Agreement.

"Platform" means Provider's proprietary cloud-hosted logistics analytics platform known as Talverra Lattice, including all modules, connectors, application programming interfaces, user interfaces and hosted environments made available to Customer under this Agreement, and all updates, upgrades and new versions of any of them.

"Provider Tools" means the software, libraries, templates, methodologies, accelerators, data transformation frameworks and other tools that Provider owns or licenses and uses generally in providing services to its customers, including the Platform, and any modifications or enhancements of them that are of general application and do not incorporate Customer Data or Customer Confidential Information.

"Reference Site" means a Customer facility that, with Customer's prior written consent in each instance, agrees to host visits by prospective Provider customers to observe the Platform in operation.

"Release Condition" means any of the events described in Section 8.9(c).

"Renewal Term" shall have the meaning set forth in Section 3.2.

"Restricted Territory" means the United States of America, Canada and the United Mexican States.

"Security Incident" means any actual or reasonably suspected unauthorised access to, or acquisition, use, disclosure, alteration, loss or destruction of, Customer Data, or any compromise of the systems used to process Customer Data, including by ransomware or other malicious code.

"Service Credits" means the amounts calculated in accordance with Exhibit B and the applicable Statement of Work that Provider credits to Customer when it fails to meet a Service Level.

"Service Levels" means the performance standards for the Services set forth in Exhibit B and in the applicable Statement of Work.

"Services" means the professional, managed, hosting, support, data and other services that Provider performs or is required to perform under this Agreement and any Statement of Work, including the Transition Services and any services, functions or responsibilities that are not specifically described but are an inherent, necessary or customary part of the described services.

"Source Code" means computer programming code in human-readable form, together with comments and programmer documentation sufficient to enable a reasonably skilled programmer to understand, maintain, modify and compile it.

"Statement of Work" means each statement of work entered into by the Parties, or by Provider and a Customer Affiliate, under this Agreement, substantially in the form of the Statements of Work set out in Exhibit A, together with any Change Orders to it.

"Subcontractor" means any third party, including an Affiliate of Provider, to which Provider delegates or subcontracts the performance of any part of the Services in accordance with Section 2.5.

"Term" shall have the meaning set forth in Section 3.2.

"Third-Party Materials" means software, data, content and other materials owned by a third party, including open-source software, that are incorporated in or provided with the Platform or a Deliverable.

"Transition Services" means the services described in Section 16.7, together with any additional transition services described in a Statement of Work.

1.2 Interpretation. In this Agreement, unless the context requires otherwise:

(a) headings are for convenience only and do not affect interpretation;

(b) the words "include", "includes" and "including" are deemed to be followed by "without limitation";

(c) references to Articles, Sections, Exhibits and Schedules are to articles and sections of, and exhibits and schedules to, this Agreement, and references to an Exhibit or a Schedule include every part of it;

(d) the singular includes the plural and vice versa, and a reference to any gender includes every gender;

(e) references to a statute or regulation are to that statute or regulation as amended, consolidated or replaced from time to time;

(f) references to "days" are to calendar days unless Business Days are specified, and a period of days that would end on a day that is not a Business Day is extended to the next Business Day; and

(g) no provision shall be construed against a Party by reason of that Party having drafted it, each Party having had the opportunity to review this Agreement with counsel of its choice.

1.3 Order of Precedence. In the event of any conflict or inconsistency among the documents that make up this Agreement, the following order of precedence applies, in descending order: (a) the body of this Agreement (Articles I through XX); (b) Exhibit C; (c) Exhibit B; (d) the Schedules; and (e) the Statements of Work. A Statement of Work may vary a provision of the body of this Agreement only if it identifies the specific Section being varied by number, states expressly that it is intended to prevail over that Section, and is signed by an officer of each Party at the level of vice president or above, and then only for the purposes of that Statement of Work.
"""

ARTICLE_II = """
ARTICLE II
SERVICES AND STATEMENTS OF WORK

2.1 Provision of Services. Beginning on the Effective Date, Provider shall provide the Services to Customer and its Affiliates in accordance with this Agreement, each applicable Statement of Work, the Documentation and Applicable Law. Provider shall perform the Services with the degree of skill, care, diligence and foresight that would reasonably be expected of a leading provider of logistics analytics services in the Restricted Territory, and shall furnish all Personnel, equipment, software and facilities required to perform them except to the extent a Statement of Work expressly assigns a responsibility to Customer.

2.2 Statements of Work. The Services will be described in one or more Statements of Work. Each Statement of Work shall reference this Agreement, shall be signed by authorised representatives of both Parties, and shall describe, as applicable:

(a) the Services to be performed and the Deliverables to be provided, together with their Acceptance Criteria;

(b) the project schedule, including milestones and any dates by which Deliverables are due;

(c) the Fees, the payment schedule and any reimbursable expenses, consistent with Schedule 1;

(d) the Service Levels and Service Credits applicable to the Services, which shall be no less favourable to Customer than those set forth in Exhibit B unless the Statement of Work expressly provides otherwise in accordance with Section 1.3; and

(e) the Key Personnel, the locations from which the Services will be performed, and any responsibilities of Customer on which Provider's performance depends.

Each Statement of Work is a separate contract that incorporates the terms of this Agreement. Termination or expiration of one Statement of Work does not affect any other Statement of Work. Neither Party is obliged to enter into any Statement of Work, and nothing in this Agreement obliges Customer to purchase any particular quantity of Services except as provided in Section 4.7.

2.3 Customer Affiliates. Any Affiliate of Customer may enter into a Statement of Work with Provider under this Agreement by executing a Statement of Work that references this Agreement. For the purposes of that Statement of Work, references in this Agreement to Customer are references to that Affiliate, and that Affiliate is solely responsible for the obligations of Customer under it; provided that Fees paid by any Customer Affiliate count towards the Minimum Annual Commitment and towards the volume tiers in Schedule 1.

2.4 Change Orders. Either Party may request a change to the scope, schedule or other terms of a Statement of Work.

(a) Provider shall, within ten (10) Business Days after receiving a change request from Customer, deliver a written proposal describing the effect of the change on the Services, the Deliverables, the schedule, the Service Levels and the Fees, priced in accordance with the rates in Schedule 1.

(b) No change is binding unless set out in a Change Order signed by both Parties. Provider shall not refuse or delay a reasonable change request, and shall not condition its agreement on any change that is not reasonably related to the request.

(c) Provider shall continue to perform the Services in accordance with the unchanged Statement of Work while a change request is being considered, and shall not suspend the Services because a Change Order has not been agreed. Disputes about a proposed Change Order are subject to Section 18.3.

2.5 Subcontractors. Provider shall not subcontract any part of the Services without Customer's prior written consent, except to the Subcontractors listed in Schedule 4. Provider remains responsible for the acts and omissions of its Subcontractors as if they were its own, shall flow down to each Subcontractor obligations at least as protective of Customer as those in Article IX, Article X and Schedule 3, and shall remain Customer's sole point of contact for the Services. Customer may require Provider to remove a Subcontractor on reasonable grounds relating to security, performance or compliance with Applicable Law.

2.6 Customer Responsibilities. Customer shall (a) provide Provider with timely access to Customer Materials, systems and personnel reasonably required for the Services and identified in the applicable Statement of Work; (b) make decisions and give approvals within the periods specified in the applicable Statement of Work or, where none is specified, within a reasonable period; and (c) ensure that the Customer Data it provides has been collected and may be disclosed to Provider in accordance with Data Protection Laws. Provider is excused from a failure to perform to the extent, and only for so long as, it is caused by Customer's failure to perform a responsibility identified in this Section 2.6 or in a Statement of Work, provided that Provider promptly notifies Customer in writing of the failure and its expected effect and uses commercially reasonable efforts to perform notwithstanding it.

2.7 Steering Committee. Within thirty (30) days after the Effective Date the Parties shall establish a joint committee (the "Steering Committee") composed of three (3) senior representatives of each Party. The Steering Committee shall meet at least quarterly to review the performance of the Services against the Service Levels, the status of each Statement of Work, the pipeline of proposed Statements of Work, security and compliance matters and any matters escalated to it under Section 18.3. Minutes of each meeting shall be prepared by Provider and approved by both Parties. The Steering Committee has no authority to amend this Agreement or any Statement of Work.

2.8 Right of First Refusal. During the Initial Term, before Customer engages any third party to provide analytics services for a new distribution center, cross-dock or port facility acquired or opened by Customer in the Restricted Territory, Customer shall first offer Provider the opportunity to provide those services by giving Provider a written description of the required scope. If Provider delivers a written proposal within twenty (20) Business Days that meets the scope and is priced no higher than the rates in Schedule 1, the Parties shall negotiate in good faith for a further thirty (30) days with a view to entering into a Statement of Work. If the Parties do not enter into a Statement of Work within that period, Customer may engage a third party on terms that, taken as a whole, are not materially more favourable to the third party than those last offered by Provider. This Section 2.8 does not apply to services that Customer performs with its own employees.

2.9 Acceptance of Deliverables. Unless a Statement of Work provides otherwise:

(a) Provider shall notify Customer in writing when a Deliverable is ready for Acceptance testing, and shall deliver with it the test evidence and Documentation specified in the Statement of Work.

(b) Customer shall test the Deliverable against its Acceptance Criteria within fifteen (15) Business Days after receipt of the notice under Section 2.9(a) and shall either confirm Acceptance in writing or deliver a written notice identifying each respect in which the Deliverable does not conform to its Acceptance Criteria.

(c) Provider shall correct each identified non-conformity and re-submit the Deliverable within ten (10) Business Days, at no additional charge, after which the procedure in Section 2.9(b) applies again. If a Deliverable fails Acceptance testing a third time, Customer may, at its option, (i) extend the correction period, (ii) accept the Deliverable subject to an equitable reduction in the Fees, or (iii) terminate the affected Statement of Work in whole or in part and recover all Fees paid for the non-conforming Deliverable and any Deliverables that depend on it.

(d) A Deliverable is deemed accepted if Customer uses it in live production operations for more than thirty (30) days without delivering a notice of non-conformity, but deemed Acceptance does not relieve Provider of its warranty obligations under Article XI.
"""

ARTICLE_III = """
ARTICLE III
TERM AND RENEWAL

3.1 Initial Term. This Agreement commences on the Effective Date and, unless terminated earlier in accordance with Article XVI, shall continue in full force and effect until March 2, 2028, being a period of three (3) years from the Effective Date (the "Initial Term").

3.2 Renewal. Upon expiration of the Initial Term, this Agreement shall automatically renew for successive one (1) year periods (each a "Renewal Term" and, together with the Initial Term, the "Term") unless either Party gives written notice of non-renewal to the other Party at least ninety (90) days before the expiration of the Initial Term or the then-current Renewal Term. Each Renewal Term is subject to the pricing provisions of Section 4.5.

3.3 Term of Statements of Work. Each Statement of Work commences on the date stated in it and continues until the completion of the Services described in it, unless terminated earlier in accordance with Article XVI. If this Agreement expires or is terminated while a Statement of Work remains in effect, this Agreement continues to govern that Statement of Work until the Statement of Work expires or is terminated, but no new Statement of Work may be entered into.

3.4 Renewal Discussions. No later than one hundred eighty (180) days before the expiration of the Initial Term, the Steering Committee shall meet to review the Services, the Service Levels and the pricing under Schedule 1, and each Party shall consider in good faith any proposals made by the other for the Renewal Term. Neither Party is obliged to agree to any such proposal, and the failure to agree does not affect the operation of Section 3.2.
"""

ARTICLE_IV = """
ARTICLE IV
FEES, PRICING AND PAYMENT

4.1 Fees. In consideration of the Services, Customer shall pay Provider the Fees set forth in Schedule 1 and in each Statement of Work. Except as expressly provided in this Agreement or in a Statement of Work, the Fees are the entire compensation payable for the Services, and Provider shall not charge for any service, function or resource not specified in Schedule 1 or in a Statement of Work.

4.2 Invoicing and Payment. Provider shall invoice Fees monthly in arrears, unless a Statement of Work provides for milestone invoicing, in which case Provider may invoice each milestone payment upon Acceptance of the related Deliverables. Each invoice shall identify the Statement of Work, the period or milestone invoiced, the Service Credits applied and, for time-and-materials Services, the Personnel, hours and rates charged. Customer shall pay each undisputed invoice within forty-five (45) days after receipt. Undisputed amounts not paid when due bear interest at the lesser of one percent (1%) per month and the maximum rate permitted by Applicable Law.

4.3 Disputed Amounts. Customer may withhold any invoiced amount that it disputes in good faith by notifying Provider of the amount and the basis of the dispute before the payment due date. The Parties shall seek to resolve the dispute in accordance with Section 18.3. Provider shall continue to perform the Services during any billing dispute, and the withholding of disputed amounts is not a breach of this Agreement.

4.4 Taxes. The Fees exclude sales, use, value-added, goods and services and similar taxes, which Customer shall pay where properly invoiced. Each Party is responsible for taxes on its own income, property and employees. Where Customer is required by Applicable Law to withhold tax from a payment, it may do so and shall provide Provider with evidence of payment to the relevant authority.

4.5 Price Restrictions. The rates and Fees in Schedule 1 are fixed for the Initial Term and may not be increased during it. Provider may increase rates with effect from the first day of a Renewal Term by giving Customer written notice at least one hundred twenty (120) days before that day, provided that no increase shall exceed the lesser of (a) three percent (3%) and (b) the percentage increase in the Consumer Price Index for All Urban Consumers published by the United States Bureau of Labor Statistics over the twelve (12) months ending three (3) months before the notice, and no rate may be increased more than once in any Contract Year. Provider shall not introduce any new category of charge, or reduce the scope of the Services included in a Fee, as a means of increasing the effective price.

4.6 Most Favored Customer. Provider represents and covenants that the rates and Fees charged to Customer under this Agreement are, and throughout the Term will remain, no less favourable than the rates and fees that Provider charges any other customer for substantially similar services in substantially similar volumes, taking into account all discounts, rebates, credits and other pricing concessions. If Provider offers more favourable pricing to any other customer, Provider shall notify Customer within thirty (30) days and shall offer the same pricing to Customer with effect from the date on which it was first offered to that other customer (the "MFN Adjustment"). Provider shall certify its compliance with this Section 4.6 in writing once each Contract Year, and the certification and its supporting records are subject to audit under Article XV. Any MFN Adjustment owed for past periods shall be paid as a credit against the next invoice.

4.7 Minimum Annual Commitment. Customer commits to pay Fees of not less than Four Million Eight Hundred Thousand Dollars ($4,800,000) in each Contract Year of the Initial Term, across all Statements of Work and including Fees paid by Customer Affiliates. If the Fees invoiced for a Contract Year, before the deduction of Service Credits, are less than the Minimum Annual Commitment, Provider may invoice the difference within sixty (60) days after the end of that Contract Year (the "Shortfall Payment"). The Minimum Annual Commitment for a Contract Year is reduced pro rata (a) for any period during which Provider is in material breach or the Services are suspended or excused under Article XIX, and (b) upon any termination of a Statement of Work by Customer under Section 16.2, Section 16.3 or Section 16.4. No Shortfall Payment is payable for any Contract Year in which Customer terminates this Agreement under Section 16.2.

4.8 Volume Restrictions. The Fees in Schedule 1 assume that Customer will submit no more than two million five hundred thousand (2,500,000) shipment records and no more than four hundred (400) connected vehicles per month for processing through the Platform. Customer shall not exceed those volumes in any calendar month without first entering into a Change Order, except for seasonal peaks in November and December not exceeding one hundred thirty percent (130%) of those volumes, which Provider shall accommodate without additional charge. Provider is not obliged to process volumes in excess of those limits in accordance with the Service Levels until a Change Order is agreed, but shall use commercially reasonable efforts to do so.

4.9 Revenue Sharing. Provider may create and commercialise products and services that incorporate Aggregated Insights, subject to Article IX and Exhibit C. In consideration of the rights granted in this Section 4.9, Provider shall pay Customer fifteen percent (15%) of the Net Revenue received in each calendar quarter (the "Revenue Share") within forty-five (45) days after the end of that quarter, together with a statement showing the calculation of the Revenue Share in reasonable detail. Provider shall keep complete and accurate records of Net Revenue, which are subject to audit under Article XV. The obligation to pay the Revenue Share survives for three (3) years after the end of the Term with respect to products and services that were first made available during the Term.

4.10 Expenses. Customer shall reimburse only those travel and out-of-pocket expenses that are expressly permitted by a Statement of Work, approved in advance in writing by Customer and incurred in accordance with Customer's travel and expense policy then in effect. Provider shall invoice reimbursable expenses at cost without mark-up, with receipts for each item exceeding Fifty Dollars ($50).

4.11 Set-Off. Customer may set off against any amount payable to Provider under this Agreement any Service Credits, MFN Adjustments, Revenue Share and other amounts owed by Provider to Customer under this Agreement.
"""

ARTICLE_V = """
ARTICLE V
SERVICE LEVELS AND SERVICE CREDITS

5.1 Service Levels. Provider shall perform the Services so as to meet or exceed the Service Levels set forth in Exhibit B and in each applicable Statement of Work. Where a Statement of Work specifies a Service Level for a metric also addressed in Exhibit B, the more demanding Service Level applies.

5.2 Measurement and Reporting. Provider shall measure its performance against each Service Level using the tools and methodologies described in Exhibit B, and shall deliver to Customer, within ten (10) Business Days after the end of each calendar month, a report showing its performance against each Service Level during that month, identifying each Service Level failure and its root cause, and calculating the Service Credits due. Provider shall retain the raw measurement data for at least twenty-four (24) months and shall make it available to Customer on request. If Provider fails to measure a Service Level, the Service Level is deemed missed for that month.

5.3 Service Credits. If Provider fails to meet a Service Level, Provider shall credit Customer the Service Credits calculated in accordance with Exhibit B and the applicable Statement of Work. The Parties agree that the damages Customer would suffer from Service Level failures are difficult to estimate, that the Service Credits represent a reasonable pre-estimate of those damages and constitute liquidated damages and not a penalty, and that Provider waives any defence to the contrary. Service Credits are Customer's sole monetary remedy for the Service Level failure that gives rise to them, but do not limit Customer's rights under Section 5.5, Section 16.2 or Section 16.3, or its right to recover damages for any breach that is not solely a Service Level failure.

5.4 Service Credit Limit. The total Service Credits payable for any calendar month shall not exceed fifteen percent (15%) of the recurring monthly Fees under the affected Statement of Work for that month (the "At-Risk Amount"). Service Credits do not count towards the Liability Cap.

5.5 Chronic Failure. A chronic failure occurs if Provider fails to meet (a) the same Critical Service Level in any three (3) months within a rolling period of six (6) months, or (b) any Critical Service Level in five (5) or more months within a rolling period of twelve (12) months. Upon a chronic failure, in addition to the Service Credits, Customer may require Provider to prepare and implement a remediation plan in accordance with Exhibit B and, if the failure is not remedied within sixty (60) days, may terminate the affected Statement of Work under Section 16.3. For the purposes of this Section 5.5, a Critical Service Level is a Service Level designated as critical in Exhibit B or in a Statement of Work (each, a "Critical Service Level").

5.6 Exceptions. Provider is not responsible for a failure to meet a Service Level to the extent the failure is caused by (a) a Force Majeure Event, subject to Article XIX; (b) Customer's failure to perform a responsibility described in Section 2.6; (c) scheduled maintenance performed within the maintenance windows set forth in Exhibit B; or (d) the failure of Customer systems or third-party networks that are not under Provider's control and for which Provider is not responsible under the applicable Statement of Work. Provider bears the burden of proving that an exception applies.

5.7 Continuous Improvement. At the start of each Contract Year after the first, the target for each Service Level shall be adjusted as described in Exhibit B so that it reflects the average of the three (3) highest monthly results achieved for that Service Level in the preceding Contract Year, provided that no target shall become more demanding by more than ten percent (10%) of the gap between the then-current target and one hundred percent (100%).
"""

ARTICLE_VI = """
ARTICLE VI
PERSONNEL AND NON-SOLICITATION

6.1 Provider Personnel. Provider shall assign to the Services Personnel who have the training, qualifications and experience appropriate to their roles, shall ensure that its Personnel comply with Customer's site, safety and information security policies when on Customer premises or using Customer systems, and shall promptly remove from the Services any Personnel whom Customer reasonably requests be removed for lawful reasons. Provider is solely responsible for the compensation, benefits, supervision and employment-related obligations of its Personnel.

6.2 Key Personnel. Provider shall assign the Key Personnel to the Services for the periods specified in Schedule 2 and in the applicable Statement of Work. Provider shall not remove or replace any Key Personnel without Customer's prior written consent, except in the case of death, disability, resignation, termination for cause or an approved leave of absence. Provider shall propose a replacement with equivalent or better qualifications within ten (10) Business Days after a Key Personnel vacancy arises, shall allow Customer to interview the proposed replacement, and shall provide an overlap period of at least ten (10) Business Days, at no charge to Customer, during which the outgoing and incoming individuals work together where practicable. Provider shall use commercially reasonable efforts to limit turnover of Personnel assigned to the Services to no more than fifteen percent (15%) per Contract Year.

6.3 Background Checks. Before assigning any Personnel who will have access to Customer Data or Customer facilities, Provider shall conduct the background screening described in Schedule 3, to the extent permitted by Applicable Law, and shall not assign any individual who does not satisfy those requirements.

6.4 Non-Solicitation of Employees. During the Term and for twelve (12) months after its end, neither Party shall, directly or through others, solicit for employment or engage any employee of the other Party who was materially involved in the Services during the preceding twelve (12) months, without the other Party's prior written consent. This Section 6.4 does not restrict (a) general solicitations, such as advertisements and job postings, that are not directed specifically at employees of the other Party, or hiring persons who respond to them; (b) soliciting or hiring any person whose employment with the other Party ended at least six (6) months earlier; or (c) hiring any person who first contacts the hiring Party on his or her own initiative. If a Party breaches this Section 6.4, it shall pay the other Party, as liquidated damages and not as a penalty, an amount equal to fifty percent (50%) of the annual base salary offered to the individual concerned.

6.5 Independent Contractor. Provider is an independent contractor. Nothing in this Agreement creates a partnership, joint venture, agency or employment relationship between the Parties, and Provider's Personnel are not employees of Customer for any purpose.
"""

ARTICLE_VII = """
ARTICLE VII
EXCLUSIVITY AND COMPETITIVE RESTRICTIONS

7.1 Exclusivity. During the Initial Term (the "Exclusivity Period"), Customer shall procure route optimisation and fleet telematics analytics services for its operations in the Restricted Territory exclusively from Provider, and shall not engage any third party to provide those services or develop substantially similar services for resale, provided that Provider is not then in material breach of this Agreement and has not suffered a chronic failure under Section 5.5 in respect of those services. The exclusivity in this Section 7.1 does not apply to (a) analytics functions embedded in transportation management, warehouse management or enterprise resource planning software licensed by Customer for other purposes; (b) services required by a shipper customer of Customer under the terms of its contract with Customer; or (c) any business or entity that Customer acquires during the Term, for twelve (12) months after the acquisition.

7.2 Non-Competition. During the Term and for twelve (12) months after its end (the "Restricted Period"), Provider shall not, and shall cause its Affiliates not to, provide Competitive Services to any Competitor in the Restricted Territory using any Deliverable, any Developed IP, any Jointly Developed IP or any model, configuration or rule set developed specifically for Customer under this Agreement. Provider acknowledges that Customer is sharing detailed operational and commercial information with Provider in reliance on this Section 7.2.

7.3 Exceptions to Competitive Restrictions. Section 7.2 does not prevent Provider or its Affiliates from (a) licensing the Platform in its standard, generally available form to any person, including a Competitor, provided that no Customer Data, Customer Confidential Information, Developed IP or Customer-specific configuration is used or disclosed in doing so; (b) acquiring, being acquired by or merging with any person that provides Competitive Services, provided that the acquired or acquiring business does not use any Customer Data or Developed IP, and Provider establishes and maintains information barriers reasonably satisfactory to Customer; (c) holding, as a passive investment, not more than five percent (5%) of the publicly traded securities of any Competitor; or (d) providing services to a Competitor that Customer has approved in writing in advance.

7.4 Non-Solicitation of Customers. During the Restricted Period, Provider shall not, and shall cause its Affiliates not to, use Customer Confidential Information or Customer Data to solicit, induce or encourage any shipper, consignee or other customer of Customer identified in Customer Data to terminate or reduce its business with Customer, or to purchase freight logistics services from a Competitor. This Section 7.4 does not restrict Provider from marketing the Platform to any person.

7.5 Non-Disparagement. During the Term and for two (2) years after its end, neither Party shall, and each Party shall instruct its executive officers not to, make any public statement that disparages the other Party, its Affiliates or their respective products, services, officers or employees. This Section 7.5 does not restrict truthful statements required by Applicable Law or legal process, statements made in any proceeding to enforce this Agreement, or ordinary competitive statements that compare products or services accurately.

7.6 Reasonableness. Each Party acknowledges that the restrictions in this Article VII are reasonable in scope, duration and territory and are necessary to protect the legitimate interests of the other Party. If a court of competent jurisdiction determines that any restriction is unenforceable as written, the court may reduce its scope, duration or territory to the extent necessary to make it enforceable, and the restriction shall be enforced as so reduced.
"""

ARTICLE_VIII = """
ARTICLE VIII
INTELLECTUAL PROPERTY

8.1 Background IP. Each Party retains all right, title and interest in and to its Background IP. Except as expressly set forth in this Agreement, nothing in this Agreement grants either Party any right, title or interest in the Background IP of the other Party, whether by implication, estoppel or otherwise.

8.2 Ownership of Developed IP; Assignment. As between the Parties, Customer owns all Developed IP upon its creation. Provider hereby irrevocably assigns, and shall cause its Personnel and Subcontractors to assign, to Customer all right, title and interest in and to the Developed IP, and waives, and shall cause its Personnel to waive, all moral rights in the Deliverables to the extent permitted by Applicable Law. The Deliverables other than the Provider Tools are works made for hire for Customer to the extent permitted by Applicable Law. Provider shall, at Customer's request and expense, execute such documents and take such further actions as are reasonably necessary to perfect, record or enforce Customer's rights in the Developed IP. If Provider fails to do so within fifteen (15) Business Days after Customer's request, Provider hereby appoints Customer as its attorney-in-fact for the limited purpose of executing those documents.

8.3 Provider Tools. As between the Parties, Provider retains all right, title and interest in and to the Provider Tools, including any improvements to them made in the course of the Services that are of general application. Provider shall identify in each Statement of Work any Provider Tools that it intends to incorporate in a Deliverable, and shall not incorporate any Provider Tools in a Deliverable that would prevent Customer from using the Deliverable as contemplated by the Statement of Work without a license under Section 8.4.

8.4 License to Provider Tools in Deliverables. Provider hereby grants to Customer and its Affiliates a non-exclusive, worldwide, perpetual, irrevocable, fully paid-up, royalty-free license to use, copy, modify and create derivative works of any Provider Tools incorporated in a Deliverable, solely as part of and in connection with that Deliverable and for the internal business purposes of Customer and its Affiliates. This license survives any expiration or termination of this Agreement. Customer may permit its contractors and outsourcers to exercise the license on its behalf, subject to written confidentiality obligations at least as protective as Article IX.

8.5 Jointly Developed IP. The Parties shall jointly own all Jointly Developed IP, each holding an equal and undivided interest. Each Party may use, license and otherwise exploit the Jointly Developed IP without the consent of, and without any duty to account to, the other Party, provided that (a) neither Party may grant an exclusive license to Jointly Developed IP without the prior written consent of the other Party; (b) Provider shall not use Jointly Developed IP to provide Competitive Services to a Competitor during the Restricted Period; and (c) the Parties shall agree in writing, before filing, which Party will prosecute any patent application claiming Jointly Developed IP and how the costs of prosecution will be shared. Each Party shall promptly disclose to the other any Jointly Developed IP of which it becomes aware.

8.6 Platform License. Subject to the terms of this Agreement, including payment of the applicable Fees, Provider hereby grants to Customer and its Affiliates, during the Term and any period of Transition Services, a non-exclusive, non-transferable (except as permitted under Article XVII), non-sublicensable right and license to access and use the Platform and the Documentation for their internal business purposes, including to provide services to their own shipper customers. The license is enterprise-wide: there is no limit on the number of named or concurrent users, sites, vehicles or environments, and Customer and its Affiliates may permit an unlimited number of their employees and contractors to use the Platform, subject only to the volume assumptions in Section 4.8. Customer shall not (a) reverse engineer, decompile or disassemble the Platform except to the extent that Applicable Law expressly permits it notwithstanding this restriction; (b) resell, rent or provide the Platform on a service bureau basis to unaffiliated third parties, other than through reports and outputs provided to shipper customers in the ordinary course of Customer's business; or (c) remove any proprietary notices from the Platform.

8.7 License from Customer. Customer hereby grants to Provider, its Affiliates and its approved Subcontractors a non-exclusive, non-transferable, royalty-free license during the Term to use the Customer Materials solely to the extent necessary to perform the Services for Customer. Customer further grants to Provider a non-exclusive, perpetual license to create and use Aggregated Insights in accordance with Section 4.9 and Exhibit C. All other rights in the Customer Materials are reserved to Customer.

8.8 Covenant Not to Sue. Provider, on behalf of itself and its Affiliates and their successors and assigns, covenants that it will not bring or maintain any action, suit or proceeding against Customer, its Affiliates or their respective customers, contractors or successors alleging that the use, modification or exploitation of the Deliverables or the Developed IP, in accordance with this Agreement, infringes any Intellectual Property Rights in the Provider Tools or in any Background IP of Provider. This covenant runs with the Deliverables and binds any person to whom Provider transfers any Intellectual Property Rights in the Provider Tools.

8.9 Source Code Escrow. Within sixty (60) days after the Effective Date, Provider shall enter into a three-party escrow agreement with the Escrow Agent and Customer on the Escrow Agent's standard terms, amended as necessary to conform to this Section 8.9 (the "Escrow Agreement").

(a) Provider shall deposit the Escrow Materials with the Escrow Agent within thirty (30) days after the Escrow Agreement is signed, shall update the deposit within thirty (30) days after each major release of the Platform and at least once each calendar quarter, and shall certify with each deposit that it is complete and current.

(b) Customer may, at its own expense and not more than once per Contract Year, require the Escrow Agent to perform a full verification of the deposit. If the verification reveals that the deposit is materially incomplete or cannot be built, Provider shall reimburse the cost of the verification and correct the deposit within fifteen (15) Business Days.

(c) Each of the following is a Release Condition: (i) Provider becomes insolvent, makes a general assignment for the benefit of creditors, or becomes the subject of any bankruptcy, receivership or similar proceeding that is not dismissed within sixty (60) days; (ii) Provider ceases to carry on business in the ordinary course or announces the end of life of the Platform without a functionally equivalent successor product offered to Customer on the same terms; (iii) Provider fails to provide support for the Platform in accordance with the Service Levels for a Critical Service Level in three (3) consecutive months; or (iv) Provider rejects or fails to perform this Agreement in any insolvency proceeding.

(d) Upon the occurrence of a Release Condition, the Escrow Agent shall release the Escrow Materials to Customer in accordance with the Escrow Agreement, and Customer shall have a non-exclusive, perpetual, irrevocable, royalty-free license to use, copy, modify and maintain the Escrow Materials solely to support its continued use of the Platform and the Deliverables for its internal business purposes and those of its Affiliates. Escrow fees shall be shared equally by the Parties.

(e) The Parties intend that the licenses granted under this Article VIII are licenses of intellectual property for the purposes of the United States Bankruptcy Code, and that Customer may fully exercise its rights and elections under that code.

8.10 Third-Party Materials. Provider shall identify in the Documentation all Third-Party Materials incorporated in the Platform or any Deliverable, together with the license terms applicable to them. Provider shall not incorporate any open-source software in a Deliverable under a license that would require the disclosure or licensing of any Customer software or Developed IP, or that would restrict Customer's right to charge for software that incorporates the Deliverable, without Customer's prior written consent. Provider shall procure for Customer all rights in Third-Party Materials necessary for Customer to use the Platform and the Deliverables as contemplated by this Agreement.
"""

ARTICLE_IX = """
ARTICLE IX
CONFIDENTIALITY

9.1 Obligations. Each Party receiving Confidential Information (the "Recipient") from the other (the "Discloser") shall (a) use it only to exercise its rights and perform its obligations under this Agreement; (b) not disclose it to any person other than its and its Affiliates' employees, officers, directors, professional advisers, auditors, insurers and, in the case of Provider, approved Subcontractors, who need to know it for those purposes and are bound by written or professional obligations of confidentiality at least as protective as this Article IX; and (c) protect it using at least the degree of care the Recipient uses to protect its own confidential information of a similar nature, and in no event less than reasonable care. The Recipient is responsible for any breach of this Article IX by any person to whom it discloses Confidential Information.

9.2 Exclusions. Confidential Information does not include information that the Recipient can demonstrate by written records:

(a) is or becomes generally available to the public other than through a breach of this Agreement;

(b) was lawfully known to the Recipient, without restriction, before its disclosure by the Discloser;

(c) is lawfully received by the Recipient from a third party that is not under an obligation of confidentiality with respect to it; or

(d) is independently developed by the Recipient without use of or reference to the Discloser's Confidential Information.

The exclusions in this Section 9.2 do not apply to Customer Data or Personal Data, which shall in all cases be protected in accordance with Article X and Exhibit C.

9.3 Compelled Disclosure. The Recipient may disclose Confidential Information to the extent required by Applicable Law, a court order or the rules of a securities exchange, provided that, where lawful, it gives the Discloser prompt written notice of the requirement, cooperates with any effort by the Discloser to obtain a protective order, and discloses only the portion of the Confidential Information that it is legally required to disclose.

9.4 Return or Destruction. Upon the Discloser's written request, and in any event upon the end of the Term and the completion of the Transition Services, the Recipient shall return or securely destroy all Confidential Information of the Discloser in its possession or control and certify the destruction in writing, except that the Recipient may retain copies (a) in automatic backup systems until they are overwritten in the ordinary course, and (b) to the extent required by Applicable Law, in each case subject to continuing confidentiality obligations under this Article IX. Customer Data shall be returned and deleted in accordance with Exhibit C.

9.5 Duration. The obligations in this Article IX continue during the Term and for five (5) years after its end, except that obligations with respect to trade secrets and Customer Data continue for so long as the information remains a trade secret or remains in the Recipient's possession, respectively.

9.6 Equitable Relief. Each Party acknowledges that a breach of this Article IX may cause the other Party irreparable harm for which damages would not be an adequate remedy, and that the other Party is entitled to seek injunctive and other equitable relief in accordance with Section 18.5, without the necessity of posting a bond or proving actual damages.
"""

ARTICLE_X = """
ARTICLE X
DATA PROTECTION AND SECURITY

10.1 Ownership of Customer Data. As between the Parties, Customer owns all Customer Data. Provider shall not use Customer Data for any purpose other than performing the Services and, subject to Section 4.9 and Exhibit C, creating Aggregated Insights, and shall not sell, rent or otherwise make Customer Data available to any third party except its approved Subcontractors. Provider shall not assert any lien or other right against Customer Data, including in any dispute about Fees.

10.2 Data Processing. To the extent Provider processes Personal Data on behalf of Customer, the Parties shall comply with Exhibit C, which forms part of this Agreement. In particular, Provider shall not engage any new sub-processor except in accordance with clause 4(b) of Exhibit C, and shall assist Customer with data subject requests in accordance with clause 6(a) of Exhibit C.

10.3 Security Requirements. Provider shall implement and maintain the administrative, physical and technical safeguards described in Schedule 3, which shall be no less rigorous than those required by Applicable Law and by the information security framework certified under Schedule 3. Provider shall maintain its certification against that framework throughout the Term, and shall deliver to Customer each year a copy of its independent service organisation controls report covering the Platform.

10.4 Security Incidents. Provider shall notify Customer of any Security Incident without undue delay and in any event within forty-eight (48) hours after becoming aware of it, and shall provide the information, cooperation and updates described in Schedule 3 and in clause 8 of Exhibit C. Provider shall, at its own cost where the Security Incident results from its breach of this Agreement, take all steps reasonably necessary to contain and remediate the Security Incident, and shall reimburse Customer for the reasonable costs of legally required notifications, call centres, credit monitoring and regulatory responses.

10.5 Data Location. Provider shall store and process Customer Data only in data centres located in the United States and Canada listed in Schedule 3, unless Customer consents in writing to another location. Remote access to Customer Data from outside those countries is permitted only for the support functions listed in Schedule 3 and only through the controls described there.

10.6 Business Continuity. Provider shall maintain, test at least annually and, upon the occurrence of a disaster, implement a business continuity and disaster recovery plan for the Platform and the Services meeting the recovery time and recovery point objectives in Exhibit B (the "Business Continuity Plan"). Provider shall provide Customer with a summary of the Business Continuity Plan and the results of each annual test, and shall remediate any material deficiencies identified by a test within sixty (60) days.
"""

ARTICLE_XI = """
ARTICLE XI
REPRESENTATIONS AND WARRANTIES

11.1 Mutual Representations. Each Party represents and warrants to the other that (a) it is duly organised, validly existing and in good standing under the laws of its jurisdiction of organisation; (b) it has full corporate or limited liability company power and authority to enter into and perform this Agreement; (c) this Agreement has been duly authorised, executed and delivered by it and constitutes its legal, valid and binding obligation; and (d) its execution and performance of this Agreement do not conflict with any agreement or order by which it is bound.

11.2 Services Warranty. Provider warrants that the Services will be performed in a professional and workmanlike manner, in accordance with the standard of care described in Section 2.1, the Documentation and the applicable Statement of Work, by Personnel having the required skills and experience.

11.3 Deliverables Warranty. Provider warrants that each Deliverable will conform in all material respects to its Acceptance Criteria and the applicable specifications for a period of ninety (90) days after its Acceptance (the "Warranty Period"). If a Deliverable does not so conform during the Warranty Period, Provider shall, at no charge to Customer and as Customer's first remedy, correct the non-conformity within ten (10) Business Days after notice or such longer period as Customer agrees. If Provider fails to do so, Customer may recover the Fees paid for the non-conforming Deliverable and may pursue its other remedies under this Agreement.

11.4 Platform Warranty. Provider warrants that during the Term (a) the Platform will perform in all material respects in accordance with the Documentation; (b) Provider will not materially reduce the functionality or security of the Platform as used by Customer; and (c) the Platform and the Deliverables will not contain any virus, ransomware, time bomb, back door or other code designed to disable, damage or permit unauthorised access to any system or data, other than license keys disclosed in the Documentation.

11.5 Non-Infringement. Provider warrants that the Platform, the Provider Tools and the Deliverables, and Customer's use of them in accordance with this Agreement, do not and will not infringe or misappropriate any Intellectual Property Rights of any third party.

11.6 Compliance. Each Party warrants that it will comply with all Applicable Law in performing this Agreement, including anti-corruption laws, export control and sanctions laws and employment laws. Provider warrants that neither it nor any of its Personnel is a person with whom Customer is prohibited from dealing under sanctions laws of the United States, Canada or Mexico.

11.7 Disclaimer. EXCEPT AS EXPRESSLY SET FORTH IN THIS AGREEMENT, NEITHER PARTY MAKES ANY WARRANTY, EXPRESS OR IMPLIED, INCLUDING ANY IMPLIED WARRANTY OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE OR NON-INFRINGEMENT, AND EACH PARTY DISCLAIMS ALL SUCH WARRANTIES TO THE EXTENT PERMITTED BY APPLICABLE LAW.
"""

ARTICLE_XII = """
ARTICLE XII
INDEMNIFICATION

12.1 Indemnification by Provider. Provider shall defend Customer, its Affiliates and their respective officers, directors, employees, agents, successors and permitted assigns against any Claim, and shall indemnify and hold them harmless from all Losses arising from any Claim, to the extent arising out of or relating to:

(a) any allegation that the Platform, the Provider Tools, the Deliverables or the Services, or Customer's use of any of them in accordance with this Agreement, infringes or misappropriates any Intellectual Property Rights of a third party;

(b) any Security Incident, or any breach by Provider or its Subcontractors of Article IX, Article X, Exhibit C or Schedule 3;

(c) bodily injury, death or damage to real or tangible personal property caused by the negligence or wilful misconduct of Provider or its Personnel;

(d) any failure by Provider or its Subcontractors to comply with Applicable Law; or

(e) any Claim by Provider's Personnel or Subcontractors, including any Claim that any of Provider's Personnel is an employee of Customer.

12.2 Indemnification by Customer. Customer shall defend Provider, its Affiliates and their respective officers, directors, employees and agents against any Claim, and shall indemnify and hold them harmless from all Losses arising from any Claim, to the extent arising out of or relating to (a) any allegation that Customer Materials, used by Provider in accordance with this Agreement, infringe or misappropriate any Intellectual Property Rights of a third party; or (b) Customer's failure to obtain any consent required under Data Protection Laws for the disclosure of Customer Data to Provider.

12.3 Procedure. The indemnified Party shall (a) notify the indemnifying Party promptly in writing of the Claim, provided that a delay in giving notice relieves the indemnifying Party of its obligations only to the extent it is materially prejudiced by the delay; (b) give the indemnifying Party sole control of the defence and settlement of the Claim, provided that the indemnifying Party shall not, without the indemnified Party's prior written consent, settle any Claim in a manner that admits fault on behalf of, or imposes any obligation other than the payment of money on, the indemnified Party; and (c) provide reasonable cooperation at the indemnifying Party's expense. The indemnified Party may participate in the defence with counsel of its own choosing at its own expense.

12.4 Infringement Remedies. If the Platform or a Deliverable becomes, or in Provider's reasonable opinion is likely to become, the subject of an infringement Claim, Provider shall at its own expense and at Customer's option (a) procure for Customer the right to continue using it; (b) modify it so that it is non-infringing without loss of material functionality or performance; or (c) replace it with a functionally equivalent non-infringing item. If none of these options is commercially reasonable, Provider may, after consultation with Customer, terminate the affected Services and refund all prepaid Fees for the affected Services and all Fees paid for the affected Deliverables, less straight-line depreciation over three (3) years. This Section 12.4 does not limit Provider's obligations under Section 12.1.
"""

ARTICLE_XIII = """
ARTICLE XIII
LIMITATION OF LIABILITY

13.1 Exclusion of Indirect Damages. Subject to Section 13.3, in no event shall either Party be liable to the other for any indirect, incidental, consequential, special, exemplary or punitive damages, or for any loss of profits, revenue, goodwill or anticipated savings, arising out of or relating to this Agreement, however caused and under any theory of liability, even if advised of the possibility of such damages.

13.2 Cap on Liability. Subject to Section 13.3, each Party's total aggregate liability arising out of or relating to this Agreement and all Statements of Work, whether in contract, tort (including negligence), breach of statutory duty or otherwise, shall not exceed the greater of (a) the total Fees paid and payable by Customer under this Agreement in the twelve (12) months preceding the event giving rise to the liability and (b) Five Million Dollars ($5,000,000) (the "Liability Cap"). The Liability Cap is an aggregate limit for the Term and not a limit per claim, and amounts paid under Section 4.7, Section 4.9 or as Service Credits do not reduce it.

13.3 Exclusions from Limitations. The exclusions and limitations in Section 13.1 and Section 13.2 do not apply to, and there shall be no cap on, a Party's liability for:

(a) its indemnification obligations under Article XII;

(b) its breach of Article IX, or, in the case of Provider, its breach of Article X, Exhibit C or Schedule 3, including liability for any Security Incident;

(c) its gross negligence, fraud or wilful misconduct, or, in the case of Provider, its wilful abandonment of the Services or wilful refusal to perform Transition Services;

(d) bodily injury or death caused by its negligence;

(e) Customer's obligation to pay undisputed Fees properly due; or

(f) any liability that cannot be limited or excluded under Applicable Law.

13.4 Direct Damages. The following are direct damages recoverable by Customer, subject to Section 13.2 where applicable, and are not excluded by Section 13.1: (a) the cost of procuring replacement services in excess of the Fees that would have been payable for the Services; (b) the cost of restoring, recreating or reloading lost or corrupted Customer Data; (c) amounts paid to third parties to implement workarounds for failures of the Services; and (d) fines and penalties imposed by governmental authorities as a result of Provider's breach.

13.5 Basis of the Bargain. Each Party acknowledges that the Fees reflect the allocation of risk in this Article XIII and that neither Party would have entered into this Agreement without these limitations.
"""

ARTICLE_XIV = """
ARTICLE XIV
INSURANCE

14.1 Required Coverage. Throughout the Term and for three (3) years after its end, Provider shall maintain, at its own expense and with insurers rated A- VII or better by A.M. Best, the following insurance:

(a) commercial general liability insurance with limits of not less than Two Million Dollars ($2,000,000) per occurrence and Four Million Dollars ($4,000,000) in the aggregate, covering bodily injury, property damage, products and completed operations, and contractual liability;

(b) technology errors and omissions liability insurance with limits of not less than Five Million Dollars ($5,000,000) per claim and in the aggregate, covering the Services and the Platform;

(c) cyber liability and network security insurance with limits of not less than Ten Million Dollars ($10,000,000) per claim and in the aggregate, covering Security Incidents, notification costs, regulatory fines where insurable, and extortion;

(d) workers' compensation insurance as required by Applicable Law and employer's liability insurance with limits of not less than One Million Dollars ($1,000,000) per accident;

(e) commercial automobile liability insurance with a combined single limit of not less than One Million Dollars ($1,000,000) per accident, covering owned, hired and non-owned vehicles; and

(f) umbrella liability insurance with limits of not less than Five Million Dollars ($5,000,000) per occurrence, in excess of the coverage in Section 14.1(a), Section 14.1(d) and Section 14.1(e).

14.2 Policy Requirements. The policies in Section 14.1(a), Section 14.1(e) and Section 14.1(f) shall name Customer and its Affiliates as additional insureds. Each policy shall be primary and non-contributory with respect to any insurance maintained by Customer and shall include a waiver of subrogation in favour of Customer, where commercially available. Provider shall give Customer at least thirty (30) days' prior written notice of any cancellation, non-renewal or material reduction of any required coverage.

14.3 Certificates. Provider shall deliver certificates of insurance evidencing the coverage required by Section 14.1 on the Effective Date and upon each renewal of a policy. The insurance required by this Article XIV does not limit Provider's liability under this Agreement.
"""

ARTICLE_XV = """
ARTICLE XV
AUDIT RIGHTS AND RECORDS

15.1 Records. Provider shall maintain complete and accurate books and records relating to the Services, the Fees, Service Level performance, Net Revenue, the MFN Adjustment and its compliance with Article IX, Article X and Schedule 3, in accordance with generally accepted accounting principles, during the Term and for seven (7) years after its end.

15.2 Audit Rights. Customer, its Affiliates and their internal and external auditors and regulators may audit Provider's records, facilities, systems and procedures relating to the Services to verify Provider's compliance with this Agreement, including the accuracy of the Fees, the Service Credits, the Revenue Share and the certification delivered under Section 4.6. Customer shall give Provider at least thirty (30) days' written notice of an audit, except where the audit follows a Security Incident or is required by a regulator, and shall conduct no more than one (1) routine audit per Contract Year. Audits shall be conducted during normal business hours, in a manner that does not unreasonably disrupt Provider's business, and by auditors bound by obligations of confidentiality. Provider shall provide the auditors with reasonable access, assistance and copies of records, and shall cause its Subcontractors to do the same.

15.3 Audit Results. If an audit reveals that Provider has overcharged Customer, Provider shall refund the overcharge with interest at the rate in Section 4.2 within thirty (30) days. If the overcharge exceeds five percent (5%) of the Fees for the audited period, or if the audit reveals a material breach of Article X or Schedule 3, Provider shall also reimburse Customer for the reasonable cost of the audit. If an audit reveals an underpayment of the Revenue Share, Provider shall pay the shortfall within thirty (30) days. Provider shall promptly remediate any other non-compliance identified by an audit in accordance with a remediation plan approved by the Steering Committee.

15.4 Regulatory Examinations. Provider shall cooperate fully with any examination, inquiry or audit of Customer or its Affiliates by a governmental authority with jurisdiction over them, to the extent it relates to the Services, including customs and transportation authorities, and shall provide access to Personnel, records and facilities as required by that authority.
"""

ARTICLE_XVI = """
ARTICLE XVI
TERMINATION

16.1 Termination for Convenience. Customer may terminate this Agreement or any Statement of Work, in whole or in part, for convenience and without cause upon thirty (30) days' prior written notice to Provider. Upon any such termination, Customer shall pay (a) the Fees for Services properly performed up to the effective date of termination; (b) the termination fee, if any, specified for the affected Statement of Work in Schedule 1 (the "Termination Fee"); and (c) the unamortised portion of any one-time implementation Fees identified as amortised in the applicable Statement of Work. Customer has no other liability to Provider on account of a termination under this Section 16.1, and no Shortfall Payment is payable for the Contract Year in which the termination of this Agreement takes effect.

16.2 Termination for Cause. Either Party may terminate this Agreement or any affected Statement of Work by written notice to the other Party if the other Party commits a material breach of this Agreement or that Statement of Work and fails to cure it within thirty (30) days after receiving written notice describing the breach in reasonable detail. A breach of Article IX, Article X or Exhibit C that results in a Security Incident affecting more than ten thousand (10,000) individuals is a material breach that is incapable of cure. Customer may terminate any Statement of Work under which Fees are not paid only in accordance with this Section 16.2, and Provider may not suspend the Services for non-payment unless undisputed Fees exceeding two (2) months of recurring Fees remain unpaid for more than thirty (30) days after Provider's written notice to Customer's chief financial officer.

16.3 Termination for Chronic Service Level Failure. Customer may terminate any Statement of Work, in whole or in part, by written notice to Provider if a chronic failure described in Section 5.5 occurs and is not remedied within the period described there. No Termination Fee is payable upon termination under this Section 16.3.

16.4 Change of Control. If Provider undergoes a Change of Control, or enters into a definitive agreement that would result in a Change of Control, Provider shall notify Customer in writing within ten (10) Business Days. Customer may terminate this Agreement or any Statement of Work upon thirty (30) days' written notice given within one hundred eighty (180) days after receiving that notice (or, if Provider fails to give it, after Customer becomes aware of the Change of Control), and no Termination Fee or Shortfall Payment is payable upon termination under this Section 16.4. Customer may exercise this right in particular where the Change of Control results in Provider or its business becoming controlled by a Competitor.

16.5 Insolvency. Either Party may terminate this Agreement by written notice with immediate effect if the other Party becomes insolvent, makes a general assignment for the benefit of creditors, has a receiver or trustee appointed for all or a substantial part of its assets, or becomes the subject of any voluntary or involuntary bankruptcy proceeding that, if involuntary, is not dismissed within sixty (60) days.

16.6 Effect of Termination. Upon any expiration or termination of this Agreement or a Statement of Work, (a) Provider shall deliver to Customer all completed Deliverables and all work in progress on Deliverables for which Customer has paid or pays; (b) Provider shall return Customer Data in accordance with Exhibit C; (c) each Party shall return or destroy the other Party's Confidential Information in accordance with Section 9.4; and (d) Customer shall pay all undisputed Fees for Services performed up to the effective date of termination, subject to its rights of set-off under Section 4.11.

16.7 Transition Services. Upon the expiration or any termination of this Agreement or a Statement of Work for any reason, including termination by Provider under Section 16.2, and at Customer's request, Provider shall provide the Transition Services for a period of up to twelve (12) months after the effective date of expiration or termination, so as to enable the orderly transfer of the Services to Customer or to a successor provider without interruption or degradation. The Transition Services include (a) continuing to provide the affected Services in accordance with this Agreement and the Service Levels; (b) providing copies of all Customer Data in the formats described in Exhibit C, together with data dictionaries and interface specifications; (c) providing knowledge transfer sessions and reasonable access to Key Personnel; (d) cooperating with Customer and any successor provider in migrating workloads, integrations and scheduled jobs; and (e) performing the other activities described in the exit plan in accordance with Section 21.4. During the Transition Assistance Period, the Fees for continuing Services shall be those in effect immediately before the expiration or termination, and additional Transition Services shall be charged at the rates in Schedule 1, except that no Fees are payable for Transition Services following a termination by Customer under Section 16.2 or Section 16.3 for the first three (3) months of the Transition Assistance Period. Provider shall not withhold Transition Services because of any dispute, including a dispute about Fees.

16.8 Survival. The following provisions survive the expiration or termination of this Agreement, together with any other provision that by its nature is intended to survive: Article I, Section 4.2 through Section 4.4 (as to amounts accrued), Section 4.9, Section 6.4, Article VII (for the periods stated in it), Article VIII, Article IX, Article X (for so long as Provider holds Customer Data), Article XII, Article XIII, Article XIV (for the period stated in it), Article XV, Section 16.6, Section 16.7 (for the Transition Assistance Period), this Section 16.8, Article XVIII and Article XX.
"""

ARTICLE_XVII = """
ARTICLE XVII
ASSIGNMENT AND CHANGE OF CONTROL

17.1 Anti-Assignment. Neither Party may assign, delegate or otherwise transfer this Agreement or any of its rights or obligations under it, whether voluntarily, by operation of law, by merger or otherwise, without the prior written consent of the other Party, which shall not be unreasonably withheld, conditioned or delayed, except as permitted by Section 17.3.

17.2 Change of Control as Assignment. A Change of Control of Provider is deemed an assignment of this Agreement by Provider for the purposes of Section 17.1, and Customer's rights upon such an event are those set forth in Section 16.4. A Change of Control of Customer is not an assignment, provided that the surviving or acquiring entity assumes Customer's obligations under this Agreement in writing.

17.3 Permitted Assignment. Customer may assign this Agreement or any Statement of Work, without Provider's consent, (a) to any of its Affiliates, or (b) to a successor to all or substantially all of the business or assets to which the Services relate, in each case upon written notice to Provider. Customer may also assign any Statement of Work to a person that acquires the facility or operation to which that Statement of Work relates.

17.4 Effect of Prohibited Assignment. Any purported assignment, delegation or transfer in violation of this Article XVII is null and void. Subject to this Article XVII, this Agreement binds and benefits the Parties and their respective successors and permitted assigns.
"""

ARTICLE_XVIII = """
ARTICLE XVIII
GOVERNING LAW AND DISPUTE RESOLUTION

18.1 Governing Law. This Agreement, each Statement of Work and all claims and disputes arising out of or relating to any of them, whether in contract, tort or otherwise, shall be governed by and construed in accordance with the laws of the State of New York, without giving effect to any choice or conflict of law provision or rule that would cause the application of the laws of any other jurisdiction, the Parties having chosen New York law in reliance on the New York General Obligations Law provisions that permit such a choice for commercial contracts of this size. The United Nations Convention on Contracts for the International Sale of Goods does not apply to this Agreement.

18.2 Venue. Each Party irrevocably submits to the exclusive jurisdiction of the state courts of the State of New York sitting in New York County and the United States District Court for the Southern District of New York, and any appellate court from any of them, in any action or proceeding arising out of or relating to this Agreement, and agrees that all claims in respect of any such action or proceeding shall be heard and determined only in those courts, except that a Party may seek to enforce a judgment, or may seek injunctive relief under Section 18.5, in any court of competent jurisdiction. Each Party waives any objection to venue in those courts, including any objection based on inconvenient forum.

18.3 Escalation. Before commencing any proceeding, other than a proceeding for injunctive relief under Section 18.5, a Party shall give the other Party written notice of any dispute arising out of or relating to this Agreement (a "Dispute"). The Parties' project executives shall meet within ten (10) Business Days after the notice to attempt to resolve the Dispute. If they fail to resolve it within a further ten (10) Business Days, the Dispute shall be referred to the Steering Committee, and if the Steering Committee fails to resolve it within fifteen (15) Business Days after referral, to the chief executive officer of Provider and the chief operating officer of Customer. If the Dispute is not resolved within thirty (30) days after referral to those officers, either Party may commence proceedings in accordance with Section 18.2.

18.4 Waiver of Jury Trial. EACH PARTY HEREBY IRREVOCABLY WAIVES, TO THE FULLEST EXTENT PERMITTED BY APPLICABLE LAW, ANY RIGHT IT MAY HAVE TO A TRIAL BY JURY IN ANY ACTION OR PROCEEDING ARISING OUT OF OR RELATING TO THIS AGREEMENT OR ANY STATEMENT OF WORK.

18.5 Equitable Relief. Nothing in this Article XVIII prevents a Party from seeking temporary, preliminary or permanent injunctive relief or specific performance from a court of competent jurisdiction to prevent or restrain a breach of Article VII, Article VIII, Article IX or Article X, or to compel the performance of Transition Services.

18.6 Continued Performance. Pending resolution of any Dispute, each Party shall continue to perform its obligations under this Agreement, and Customer shall continue to pay undisputed Fees, except where this Agreement has been terminated in accordance with Article XVI.
"""

ARTICLE_XIX = """
ARTICLE XIX
FORCE MAJEURE

19.1 Force Majeure Events. Neither Party is liable for any failure or delay in performing its obligations under this Agreement to the extent the failure or delay is caused by fire, flood, earthquake, hurricane, epidemic, war, terrorism, civil disturbance, embargo, act of a governmental authority, or failure of public utilities or of the internet backbone generally, in each case beyond its reasonable control and not caused by its fault or negligence (a "Force Majeure Event"). The following are not Force Majeure Events: (a) labour disputes involving the Personnel of the affected Party or its Subcontractors; (b) the failure of a Subcontractor, unless the failure is itself caused by a Force Majeure Event; (c) a Security Incident, unless caused by an act of war by a nation state against which reasonable safeguards consistent with Schedule 3 would not have been effective; and (d) any event whose effects would have been prevented by the implementation of the Business Continuity Plan.

19.2 Notice and Mitigation. A Party affected by a Force Majeure Event shall notify the other Party promptly, and in any event within two (2) Business Days, describing the event, its expected duration and the obligations affected, shall use all commercially reasonable efforts to mitigate its effects and to resume performance, and shall keep the other Party informed of its progress. Provider shall implement the Business Continuity Plan promptly upon the occurrence of a Force Majeure Event that affects the Services.

19.3 Prolonged Force Majeure. If a Force Majeure Event prevents Provider from performing any material part of the Services for more than fifteen (15) consecutive days, Customer may procure the affected Services from a third party for the duration of the event without liability under Section 7.1, and Customer's obligation to pay the Fees for the affected Services is suspended. If the Force Majeure Event continues for more than thirty (30) consecutive days, Customer may terminate the affected Statement of Work by written notice without payment of any Termination Fee, and the Minimum Annual Commitment shall be reduced pro rata.
"""

ARTICLE_XX = """
ARTICLE XX
GENERAL PROVISIONS

20.1 Notices. All notices, consents, waivers and other communications under this Agreement must be in writing and are deemed given (a) when delivered by hand with written confirmation of receipt; (b) one (1) Business Day after being sent by a nationally recognised overnight courier, with signature required; or (c) when sent by email with a PDF attachment, provided that a copy is also sent by one of the methods in clause (a) or (b) no later than the following Business Day. Notices must be sent to the addresses below or to such other address as a Party designates by giving thirty (30) days' written notice to the other Party. Except as otherwise specified in this Agreement, any notice that this Agreement requires to be given in advance of an action must be given at least thirty (30) days' written notice before the action is taken.

If to Provider: Talverra Data Systems, Inc., 88 Quarry Lane, Suite 400, Cambridge, Massachusetts 02139, Attention: General Counsel; email: legal-notices@talverra.example.

If to Customer: Greyhaven Harbor Logistics LLC, 2150 Ferris Wharf Road, Brooklyn, New York 11231, Attention: Chief Legal Officer; email: contracts@greyhaven-harbor.example; with a copy (which shall not constitute notice) to Customer's Vice President, Logistics Technology, at the same address.

20.2 Entire Agreement. This Agreement, including its Exhibits, Schedules and Appendix 1, and each Statement of Work, constitutes the entire agreement between the Parties with respect to its subject matter and supersedes all prior and contemporaneous agreements, proposals, negotiations and understandings, whether written or oral, including the mutual non-disclosure agreement between the Parties dated November 18, 2024, except that information disclosed under that agreement shall be treated as Confidential Information under this Agreement. No terms on any purchase order, invoice, click-through or shrink-wrap license shall have any effect.

20.3 Amendment and Waiver. No amendment of this Agreement is effective unless it is in writing and signed by authorised representatives of both Parties. No waiver is effective unless it is in writing and signed by the waiving Party, and no failure or delay in exercising any right operates as a waiver of it.

20.4 Severability. If any provision of this Agreement is held invalid or unenforceable, it shall be enforced to the maximum extent permissible, subject to Section 7.6 where applicable, and the remaining provisions shall continue in full force and effect.

20.5 No Third-Party Beneficiaries. This Agreement is for the sole benefit of the Parties and their respective successors and permitted assigns, and nothing in it, express or implied, confers on any other person any legal or equitable right, benefit or remedy, except that the persons indemnified under Article XII are intended third-party beneficiaries of that Article, and Customer Affiliates that enter into Statements of Work under Section 2.3 may enforce this Agreement as it applies to those Statements of Work.

20.6 Publicity. Neither Party shall issue any press release or public announcement concerning this Agreement, or use the other Party's name or marks, without the other Party's prior written consent, except that Provider may list Customer as a customer in investor presentations that are not publicly distributed.

20.7 Export Control. Each Party shall comply with all export control and sanctions laws applicable to the Platform, the Deliverables and the technical data exchanged under this Agreement, and Provider shall not export or permit access to Customer Data in violation of those laws.

20.8 Cumulative Remedies. Except as expressly provided in this Agreement, including Section 5.3, all rights and remedies under this Agreement are cumulative and in addition to any other rights and remedies available at law or in equity.

20.9 Counterparts and Electronic Signatures. This Agreement and any Statement of Work may be executed in counterparts, each of which is deemed an original and all of which together constitute one instrument. Signatures delivered by PDF or through a recognised electronic signature service are effective as original signatures.

20.10 Further Assurances. Each Party shall execute and deliver such further documents and take such further actions as the other Party reasonably requests to give full effect to this Agreement.

20.11 Headings and Language. Headings are for reference only. This Agreement is made in the English language, which governs any translation of it.

[Signature page follows.]

IN WITNESS WHEREOF, the Parties have caused this Agreement to be executed by their duly authorised representatives as of the Effective Date.

TALVERRA DATA SYSTEMS, INC.

By: /s/ Dana M. Okafor
Name: Dana M. Okafor
Title: Chief Executive Officer

GREYHAVEN HARBOR LOGISTICS LLC

By: /s/ Luis R. Castellano
Name: Luis R. Castellano
Title: Chief Operating Officer
"""

MAIN_BODY = [TITLE_BLOCK, ARTICLE_I, ARTICLE_II, ARTICLE_III, ARTICLE_IV, ARTICLE_V, ARTICLE_VI,
             ARTICLE_VII, ARTICLE_VIII, ARTICLE_IX, ARTICLE_X, ARTICLE_XI, ARTICLE_XII, ARTICLE_XIII,
             ARTICLE_XIV, ARTICLE_XV, ARTICLE_XVI, ARTICLE_XVII, ARTICLE_XVIII, ARTICLE_XIX,
             ARTICLE_XX]  # fmt: skip


# ---- Statements of Work: the services -------------------------------------------------------
# Each entry is original descriptive text for one fictional engagement. The SOW template below
# combines it with parameterised boilerplate so no two Statements of Work read the same.

AFFILIATES = {
    "customs": (
        "Greyhaven Customs Services Inc.",
        "a New Jersey corporation and an Affiliate of Greyhaven Harbor Logistics LLC",
    ),
    "cold": (
        "Greyhaven Cold Chain LLC",
        "a New York limited liability company and an Affiliate of Greyhaven Harbor Logistics LLC",
    ),
    "canada": (
        "Greyhaven Logistics Canada ULC",
        "a British Columbia unlimited liability company and an Affiliate of Greyhaven Harbor Logistics LLC",
    ),
    "mexico": (
        "Greyhaven Harbor Logistica de Mexico, S. de R.L. de C.V.",
        "a Mexican limited liability company and an Affiliate of Greyhaven Harbor Logistics LLC",
    ),
}

SERVICES: list[dict] = [
    dict(
        key="DW",
        title="ENTERPRISE DATA WAREHOUSING SERVICES",
        name="enterprise data warehousing",
        party=None,
        system="Enterprise Data Warehouse",
        system_desc="a governed, cloud-hosted data warehouse built on the Platform that consolidates Customer's operational, commercial and financial data into a single analytical store",
        background="Customer currently maintains eleven separate reporting databases, most of them populated by nightly extracts written by different teams over a period of fifteen years. Shipment counts, revenue per lane and carrier cost figures differ between those databases by as much as four percent, and month-end reporting depends on manual reconciliation by Customer's finance team. Customer wishes to retire the legacy databases and replace them with one governed store with documented lineage.",
        objectives=[
            "establish a single, reconciled source of operational and financial truth for all Customer business units",
            "reduce month-end reporting effort by at least sixty percent",
            "give analysts governed self-service access to data with row-level security by business unit and customer account",
            "retire the legacy reporting databases within eighteen months",
        ],
        tasks=[
            "conduct a current-state assessment of the legacy reporting databases, their data flows, their users and the reports that depend on them",
            "design a layered data architecture comprising raw, conformed and presentation zones, with naming standards, partitioning and retention rules documented for each zone",
            "build and test ingestion pipelines for each source system listed in Section 2.5 of this Statement of Work, including change-data-capture where the source supports it",
            "design conformed dimensions for shipments, customers, carriers, lanes, facilities and calendar, and reconcile them against Customer's general ledger",
            "implement row-level security rules mapping each Customer user group to the business units and customer accounts it may see",
            "migrate the two hundred and forty (240) most-used legacy reports, prioritised with Customer's business owners",
            "operate the warehouse after go-live, including monitoring, capacity management, pipeline failure recovery and quarterly cost optimisation reviews",
            "decommission each legacy database after Customer confirms in writing that its replacement reports are accepted",
        ],
        out_of_scope=[
            "changes to the source systems themselves",
            "reports not included in the prioritised migration list, which may be added by Change Order",
            "data cleansing of historical records older than seven years",
            "licensing of third-party visualisation tools",
        ],
        deps=[
            "provide read access to each source system and a named technical contact for it",
            "appoint business owners for each subject area who can approve conformed definitions within five (5) Business Days",
            "provide the general ledger trial balances needed for financial reconciliation each month",
            "freeze changes to legacy report definitions once migration of a report begins",
        ],
        sites=[
            "Customer's operations centre at 2150 Ferris Wharf Road, Brooklyn, New York",
            "Provider's delivery centre in Cambridge, Massachusetts",
        ],
        feeds=[
            ("transportation management system shipment and order tables", "every 15 minutes"),
            ("warehouse management system inventory and task tables", "hourly"),
            ("accounts receivable and general ledger extracts", "daily"),
            ("carrier invoice files", "daily"),
            ("customer master and contract rate tables", "daily"),
            ("telematics event summaries", "hourly"),
        ],
        deliverables=[
            (
                "Current-State Assessment Report",
                "an inventory of legacy databases, data flows, report usage statistics and a decommissioning sequence",
                "covers every legacy database and identifies an owner for each report",
            ),
            (
                "Target Data Architecture",
                "the layered architecture, naming standards, security model and retention rules",
                "approved by Customer's enterprise architecture board",
            ),
            (
                "Ingestion Pipelines",
                "production pipelines for all sources in Section 2.5 of this Statement of Work with monitoring and alerting",
                "ten consecutive days of loads with no unrecovered failures",
            ),
            (
                "Conformed Data Model",
                "conformed dimensions and fact tables with a data dictionary",
                "monthly totals reconcile to the general ledger within one tenth of one percent",
            ),
            (
                "Migrated Report Suite",
                "the prioritised legacy reports rebuilt on the warehouse",
                "each report matches its legacy equivalent or differences are explained and approved",
            ),
            (
                "Operations Runbook",
                "procedures for monitoring, recovery, capacity planning and cost management",
                "walk-through completed with Customer's operations team",
            ),
        ],
        slas=[
            (
                "Data freshness of shipment tables (end of source transaction to availability in the presentation zone)",
                "99.0% within 30 minutes",
                "measured per load cycle",
                True,
                5,
            ),
            (
                "Daily batch completion by 05:00 Eastern Time",
                "98.5% of Business Days",
                "measured monthly",
                True,
                5,
            ),
            (
                "Reconciliation accuracy of monthly revenue against the general ledger",
                "99.9%",
                "measured at each month-end close",
                False,
                3,
            ),
            (
                "Query performance for certified dashboards (95th percentile under 8 seconds)",
                "97.0%",
                "measured weekly from query logs",
                False,
                2,
            ),
            ("Warehouse availability during business hours", "99.8%", "measured monthly", True, 5),
        ],
        roles=["Engagement Lead", "Data Architect", "Lead Data Engineer", "Data Governance Analyst"],
        impl=1_450_000,
        monthly=118_000,
        unit=("terabyte of managed storage above the included 40 terabytes", [210, 185, 160]),
        months=30,
        personal="limited",
        assumptions=[
            "source systems remain on their current versions during the build phase",
            "the volume of data at go-live does not exceed 60 terabytes",
            "Customer's identity provider supports group-based provisioning",
            "no more than three business units require separate security domains",
        ],
    ),
    dict(
        key="RO",
        title="ROUTE OPTIMISATION SERVICES",
        name="route optimisation",
        party=None,
        system="Routing Engine",
        system_desc="a configured instance of the Platform's routing module that builds daily pickup and delivery routes for Customer's regional truck fleet and its contracted carriers",
        background="Customer dispatches approximately eighteen hundred routes each weekday from nine terminals in New York, New Jersey and Connecticut. Routes are currently planned by dispatchers using static zones and spreadsheets, and Customer estimates that its empty and out-of-route miles exceed industry benchmarks by nine to twelve percent. Customer wishes to plan routes algorithmically with dispatcher oversight, and to do so within the Exclusivity Period using Provider as its exclusive provider of route optimisation services in accordance with Section 7.1 of the Agreement.",
        objectives=[
            "reduce total planned miles per stop by at least eight percent against the baseline agreed during discovery",
            "increase on-time delivery within customer time windows to at least ninety-six percent",
            "reduce dispatcher planning time per terminal by half",
            "support same-day re-planning when orders are added or vehicles break down",
        ],
        tasks=[
            "establish a baseline of miles, stops, time-window compliance and driver hours for each terminal using twelve weeks of historical data",
            "configure the Routing Engine with Customer's vehicle types, driver shift rules, hours-of-service constraints, dock hours and customer time windows",
            "integrate the Routing Engine with Customer's transportation management system so that planned routes are returned for dispatch without re-keying",
            "pilot the Routing Engine at the Secaucus and Elizabeth terminals for eight weeks, with daily comparison of planned and executed routes",
            "roll the Routing Engine out to the remaining terminals in three waves, training dispatchers at each terminal before go-live",
            "provide a dynamic re-planning capability that re-sequences stops within five minutes of a disruption event",
            "tune routing parameters monthly based on executed-route variance and driver feedback",
            "report monthly on realised mileage savings against the baseline using the methodology in Section 6.3 of this Statement of Work",
        ],
        out_of_scope=[
            "routing for linehaul moves between regions",
            "driver payroll calculations",
            "hardware procurement for in-cab devices",
            "routing for carriers that do not accept electronic tenders",
        ],
        deps=[
            "supply accurate geocodes for customer delivery locations, or approve Provider's geocoding corrections within three (3) Business Days",
            "keep vehicle and driver master data current in the transportation management system",
            "make dispatchers available for training in accordance with the rollout plan",
            "communicate changed customer time windows to Provider at least one (1) Business Day in advance",
        ],
        sites=[
            "Customer's terminals in Secaucus and Elizabeth, New Jersey",
            "Customer's terminals in Bronx, Maspeth and Hauppauge, New York",
            "Customer's terminals in New Haven and Hartford, Connecticut",
            "Customer's terminals in Newburgh and Edison",
        ],
        feeds=[
            ("order and stop files from the transportation management system", "every 5 minutes"),
            ("vehicle and driver master data", "hourly"),
            ("GPS breadcrumbs from in-cab devices", "every 60 seconds"),
            ("traffic and road closure feeds licensed by Provider", "continuous"),
            ("customer time window tables", "daily"),
        ],
        deliverables=[
            (
                "Routing Baseline Report",
                "the baseline of miles, stops, time-window compliance and driver hours by terminal",
                "baseline methodology approved by Customer's director of transportation",
            ),
            (
                "Configured Routing Engine",
                "the Routing Engine configured with all constraints and integrated with the transportation management system",
                "routes for a full test week generated without constraint violations",
            ),
            (
                "Pilot Results Report",
                "results of the eight-week pilot with recommendations",
                "demonstrates at least five percent mileage reduction at pilot terminals",
            ),
            (
                "Terminal Rollout Packages",
                "training materials, cut-over plans and go-live checklists for each wave",
                "each wave completes go-live with no Severity 1 Incidents open",
            ),
            (
                "Dynamic Re-planning Module",
                "the capability described in Section 2.1(f) of this Statement of Work",
                "re-plans completed within five minutes in ninety-five percent of test cases",
            ),
            (
                "Savings Reporting Dashboard",
                "monthly savings reporting against the baseline",
                "reconciles to executed-route data for two consecutive months",
            ),
        ],
        slas=[
            (
                "Daily route plans published to dispatch by 04:30 local time",
                "99.5% of operating days",
                "measured per terminal per day",
                True,
                6,
            ),
            (
                "Dynamic re-plan response time under 5 minutes",
                "97.0% of re-plan requests",
                "measured monthly",
                True,
                4,
            ),
            ("Routing Engine availability 03:00-22:00 local time", "99.9%", "measured monthly", True, 5),
            (
                "Planned routes with zero hard-constraint violations",
                "99.8% of routes",
                "measured weekly",
                False,
                3,
            ),
            (
                "Realised mileage reduction against baseline (rolling 3 months)",
                "at least 8.0%",
                "measured quarterly",
                False,
                2,
            ),
        ],
        roles=["Engagement Lead", "Optimisation Scientist", "Integration Lead", "Deployment Manager"],
        impl=980_000,
        monthly=96_500,
        unit=("route planned in excess of 45,000 routes per month", [1.35, 1.10, 0.90]),
        months=36,
        personal="drivers",
        assumptions=[
            "the transportation management system exposes the order and dispatch interfaces described during discovery",
            "in-cab devices report GPS positions at least every sixty seconds",
            "no more than four vehicle types require distinct routing profiles",
            "Customer's terminals operate no more than two shifts per day",
        ],
    ),
    dict(
        key="FT",
        title="FLEET TELEMATICS ANALYTICS SERVICES",
        name="fleet telematics analytics",
        party=None,
        system="Telematics Hub",
        system_desc="a Platform workspace that ingests, normalises and analyses engine, location, driver behaviour and fuel data from Customer's owned and leased tractors and straight trucks",
        background="Customer operates approximately three hundred and sixty power units fitted with telematics devices from three different manufacturers, each with its own portal and data format. Safety, maintenance and fuel teams each download data separately, and there is no consolidated view of fuel economy, idling, harsh events or fault codes across the fleet.",
        objectives=[
            "consolidate telematics data from all device manufacturers into one normalised model",
            "reduce idle time across the fleet by at least fifteen percent within twelve months",
            "give safety managers a weekly driver scorecard based on consistent event definitions",
            "feed fault codes to maintenance planning within fifteen minutes of occurrence",
        ],
        tasks=[
            "inventory all telematics devices, firmware versions and data subscriptions, and confirm data access rights with each manufacturer",
            "build connectors for each manufacturer's data interface and normalise events, positions and engine parameters into the Telematics Hub data model",
            "define harsh braking, harsh acceleration, speeding, idling and seat-belt events consistently across manufacturers and document the thresholds",
            "build driver scorecards, fuel economy analysis by vehicle, route and driver, and idle-reduction reporting",
            "deliver fault code alerts to Customer's maintenance system with severity classification and recommended actions",
            "provide geofence management for terminals, customer sites and restricted areas",
            "analyse fuel card transactions against vehicle location to flag possible fuel fraud",
            "conduct quarterly fleet performance reviews with Customer's fleet, safety and maintenance leaders",
        ],
        out_of_scope=[
            "installation or replacement of in-cab devices",
            "disciplinary decisions concerning drivers, which remain solely Customer's",
            "video telematics analytics, which may be added by Change Order",
            "telematics for trailers and refrigeration units, which are addressed in a separate Statement of Work",
        ],
        deps=[
            "procure and maintain data subscriptions with each device manufacturer",
            "provide fuel card transaction files daily",
            "agree event thresholds with its safety committee within the period set out in the project plan",
            "ensure that driver notices required by Applicable Law have been given before driver-level reporting begins",
        ],
        sites=[
            "Customer's fleet maintenance facility in Kearny, New Jersey",
            "Customer's safety department in Brooklyn, New York",
        ],
        feeds=[
            ("device manufacturer event and position streams", "continuous"),
            ("engine diagnostic and fault code messages", "continuous"),
            ("fuel card transaction files", "daily"),
            ("vehicle master and assignment data", "daily"),
            ("driver roster from Customer's human resources system", "daily"),
        ],
        deliverables=[
            (
                "Device and Data Inventory",
                "an inventory of devices, firmware, subscriptions and data rights",
                "complete for one hundred percent of active power units",
            ),
            (
                "Manufacturer Connectors",
                "production connectors for all device manufacturers",
                "fourteen consecutive days of ingestion with completeness above ninety-nine percent",
            ),
            (
                "Event Definition Standard",
                "documented, manufacturer-neutral event definitions and thresholds",
                "approved by Customer's safety committee",
            ),
            (
                "Driver Scorecards and Fuel Reports",
                "scorecards and fuel economy reports",
                "validated against a manual sample of fifty drivers",
            ),
            (
                "Fault Code Alerting Integration",
                "alerts to Customer's maintenance system",
                "end-to-end latency under fifteen minutes in test",
            ),
            (
                "Quarterly Fleet Review Pack",
                "the template and first edition of the quarterly review",
                "accepted by Customer's vice president of fleet operations",
            ),
        ],
        slas=[
            (
                "Telematics event ingestion completeness",
                "99.5% of expected events",
                "measured daily, reported monthly",
                True,
                5,
            ),
            ("Fault code alert latency under 15 minutes", "98.0% of alerts", "measured monthly", True, 5),
            (
                "Driver scorecards published by 08:00 each Monday",
                "100% of weeks, with one exception allowed per quarter",
                "measured weekly",
                False,
                2,
            ),
            ("Telematics Hub availability", "99.7%", "measured monthly", True, 4),
            ("Fuel anomaly review turnaround within 2 Business Days", "95.0%", "measured monthly", False, 2),
        ],
        roles=[
            "Engagement Lead",
            "Telematics Integration Architect",
            "Fleet Data Analyst",
            "Customer Success Manager",
        ],
        impl=640_000,
        monthly=71_000,
        unit=("connected vehicle above 400 vehicles", [21, 18, 15]),
        months=36,
        personal="drivers",
        assumptions=[
            "all device manufacturers provide documented data interfaces",
            "the fleet does not exceed four hundred connected vehicles during the initial year",
            "Customer's maintenance system accepts inbound alerts through its standard interface",
            "event thresholds are agreed within six weeks of project start",
        ],
    ),
    dict(
        key="CB",
        title="CUSTOMS BROKERAGE ANALYTICS SERVICES",
        name="customs brokerage analytics",
        party="customs",
        system="Customs Analytics Workbench",
        system_desc="a Platform workspace that analyses Customer's customs entry, classification, duty and release data for imports into the United States and Canada",
        background="Customer files approximately forty thousand customs entries per year on behalf of its importer clients through its licensed customs broker operations. Classification decisions, duty payments and release times are recorded in the brokerage system but are not analysed systematically, and Customer wishes to identify classification inconsistencies, duty recovery opportunities and causes of release delay before its importer clients or regulators do.",
        objectives=[
            "identify inconsistent tariff classifications of the same product across entries and importers",
            "quantify potential duty drawback and free trade agreement savings for importer clients",
            "reduce average time from arrival to release by at least ten percent",
            "support Customer's compliance programme with documented, repeatable analytics",
        ],
        tasks=[
            "load five years of entry summary, line item, classification and payment data from the brokerage system into the Customs Analytics Workbench",
            "build a product identity model that links line items for the same product across entries using descriptions, part numbers and supplier identifiers",
            "flag classification inconsistencies and present them to Customer's licensed brokers for review, without making any classification decision",
            "estimate duty drawback and free trade agreement eligibility for each importer client based on documented rules and data supplied by Customer",
            "analyse release time by port, mode, importer, commodity and filer, and identify the drivers of delay",
            "prepare monthly compliance metrics for Customer's compliance committee",
            "maintain the rules library as tariff schedules and trade agreement rules change",
            "provide ad hoc analyses requested by Customer's compliance team up to forty (40) hours per month",
        ],
        out_of_scope=[
            "filing entries or acting as a customs broker for any person",
            "legal advice on classification, valuation or origin",
            "communications with customs authorities, which Customer shall make itself",
            "analysis of exports, which may be added by Change Order",
        ],
        deps=[
            "provide extracts of the brokerage system data described in Section 2.5 of this Statement of Work",
            "ensure its licensed brokers review and decide every flagged item",
            "obtain any importer client consents required to use their data for the Services",
            "provide tariff and trade agreement reference data it licenses from third parties",
        ],
        sites=[
            "Customer's brokerage office in Newark, New Jersey",
            "Customer's brokerage office in Buffalo, New York",
        ],
        feeds=[
            ("entry summary and line item data", "daily"),
            ("classification history and broker notes", "daily"),
            ("duty and fee payment records", "daily"),
            ("port arrival and release events", "hourly"),
            ("tariff schedule and trade agreement reference tables", "as published"),
        ],
        deliverables=[
            (
                "Customs Data Foundation",
                "five years of historical data loaded, profiled and reconciled",
                "record counts reconcile to the brokerage system within one hundredth of one percent",
            ),
            (
                "Product Identity Model",
                "the linking model and its documentation",
                "precision of at least ninety-five percent on a sample of one thousand linked items reviewed by Customer",
            ),
            (
                "Classification Consistency Report",
                "the first full report of inconsistencies for broker review",
                "delivered in the agreed format and reviewed by Customer's compliance manager",
            ),
            (
                "Duty Recovery Assessment",
                "estimated drawback and trade agreement savings by importer client",
                "methodology approved by Customer's director of trade compliance",
            ),
            (
                "Release Time Analytics",
                "dashboards and a driver analysis of release delays",
                "covers all ports with more than one hundred entries per year",
            ),
            (
                "Compliance Metrics Pack",
                "monthly compliance metrics and their definitions",
                "approved by Customer's compliance committee",
            ),
        ],
        slas=[
            (
                "Daily data refresh completed by 07:00 Eastern Time",
                "99.0% of Business Days",
                "measured monthly",
                True,
                5,
            ),
            (
                "Classification flag delivery within 1 Business Day of entry filing",
                "97.5%",
                "measured monthly",
                True,
                4,
            ),
            (
                "Rules library updated within 10 Business Days of a published tariff change",
                "100%",
                "measured per change",
                True,
                5,
            ),
            (
                "Ad hoc analysis turnaround within 5 Business Days",
                "90.0% of requests",
                "measured quarterly",
                False,
                2,
            ),
            ("Workbench availability during business hours", "99.5%", "measured monthly", False, 3),
        ],
        roles=["Engagement Lead", "Trade Data Architect", "Senior Trade Analyst", "Data Engineer"],
        impl=520_000,
        monthly=58_000,
        unit=("entry processed in excess of 4,000 entries per month", [4.10, 3.60, 3.20]),
        months=30,
        personal="limited",
        assumptions=[
            "the brokerage system supports bulk extraction of historical data",
            "Customer's importer clients have consented to analysis of their data where required",
            "tariff reference data licensed by Customer may be loaded into the Workbench",
            "no more than two customs jurisdictions are in scope",
        ],
    ),
    dict(
        key="DF",
        title="DEMAND AND VOLUME FORECASTING SERVICES",
        name="demand and volume forecasting",
        party=None,
        system="Forecasting Service",
        system_desc="a set of statistical and machine learning models operated on the Platform that forecast inbound and outbound volumes by facility, customer and day",
        background="Customer plans labour, dock capacity and carrier procurement using volume forecasts prepared by each facility manager in spreadsheets. Forecast accuracy is not measured consistently, and Customer's peak-season staffing has repeatedly been too high in some facilities and too low in others.",
        objectives=[
            "produce daily volume forecasts by facility and customer for a rolling horizon of thirteen weeks",
            "reduce weighted mean absolute percentage error by at least twenty-five percent against the current spreadsheet forecasts",
            "give planners the ability to apply documented overrides with an audit trail",
            "feed forecasts automatically into labour planning and carrier procurement",
        ],
        tasks=[
            "measure the accuracy of current forecasts for the preceding two years to establish a baseline",
            "engineer features from order history, customer promotions, seasonality, holidays, weather and macroeconomic indicators",
            "develop, back-test and select forecasting models for each facility and customer segment",
            "build a planner interface for reviewing forecasts, entering overrides and recording reasons",
            "integrate forecasts with Customer's labour management and carrier procurement processes",
            "monitor forecast accuracy weekly and retrain models on the schedule agreed in the model governance plan",
            "document each model, its features, its validation results and its limitations",
            "run a peak-season readiness exercise each September",
        ],
        out_of_scope=[
            "forecasting of Customer's financial results",
            "labour scheduling itself, which is addressed in a separate Statement of Work",
            "procurement of external macroeconomic data beyond the sources agreed during discovery",
            "forecasts for facilities opened after the start of this Statement of Work, which require a Change Order",
        ],
        deps=[
            "provide customer promotion calendars where Customer receives them",
            "nominate a planner at each facility to review forecasts weekly",
            "approve the model governance plan within ten (10) Business Days of delivery",
            "notify Provider of customer wins and losses expected to change volumes materially",
        ],
        sites=[
            "Customer's planning office in Brooklyn, New York",
            "each of Customer's distribution centers listed in Schedule 1",
        ],
        feeds=[
            ("historical order and shipment volumes", "daily"),
            ("customer promotion calendars", "weekly"),
            ("weather forecasts licensed by Provider", "every 6 hours"),
            ("public holiday and event calendars", "monthly"),
            ("planner overrides", "continuous"),
        ],
        deliverables=[
            (
                "Forecast Accuracy Baseline",
                "baseline accuracy of existing forecasts",
                "methodology approved by Customer's director of planning",
            ),
            (
                "Model Development Report",
                "model candidates, back-test results and selection rationale",
                "selected models beat the baseline by the objective in Section 1.2 of this Statement of Work in back-testing",
            ),
            (
                "Planner Interface",
                "the review and override interface",
                "user acceptance testing passed by planners at three facilities",
            ),
            (
                "Forecast Integrations",
                "automated feeds to labour planning and carrier procurement",
                "five consecutive days of successful delivery",
            ),
            (
                "Model Governance Plan",
                "monitoring, retraining, approval and documentation procedures",
                "approved by Customer's analytics governance board",
            ),
            (
                "Peak Readiness Report",
                "the first annual peak-season readiness assessment",
                "delivered by September 30 of the relevant year",
            ),
        ],
        slas=[
            (
                "Daily forecast publication by 06:00 Eastern Time",
                "99.5% of days",
                "measured monthly",
                True,
                5,
            ),
            (
                "Weighted MAPE at facility level (13-week horizon)",
                "not more than 12.0%",
                "measured monthly on a rolling basis",
                True,
                4,
            ),
            (
                "Model retraining completed on schedule",
                "100% of scheduled retrains",
                "measured quarterly",
                False,
                2,
            ),
            ("Planner interface availability", "99.5%", "measured monthly", False, 3),
            ("Override audit trail completeness", "100%", "measured monthly", False, 2),
        ],
        roles=[
            "Engagement Lead",
            "Principal Data Scientist",
            "Machine Learning Engineer",
            "Planning Solutions Consultant",
        ],
        impl=560_000,
        monthly=52_000,
        unit=("additional forecast series above 2,500 series", [3.00, 2.60, 2.20]),
        months=30,
        personal="none",
        assumptions=[
            "at least three years of clean order history exist for established facilities",
            "weather data licensed by Provider may be used for Customer's forecasts",
            "planner overrides are entered through the interface and not in spreadsheets",
            "Customer's labour planning process can consume daily forecast files",
        ],
    ),
    dict(
        key="WS",
        title="WAREHOUSE SLOTTING OPTIMISATION SERVICES",
        name="warehouse slotting optimisation",
        party=None,
        system="Slotting Optimiser",
        system_desc="a Platform module that recommends the storage location of each item in Customer's distribution centers to minimise picker travel and replenishment effort while respecting physical and safety constraints",
        background="Customer's five largest distribution centers handle approximately sixty-two thousand active items for its retail and industrial clients. Slotting is reviewed manually once or twice a year, and fast-moving items are frequently stored in upper or remote locations, increasing travel time and the risk of injury.",
        objectives=[
            "reduce picker travel distance per line by at least fifteen percent",
            "reduce replenishment moves per thousand lines picked",
            "keep heavy and hazardous items in locations that meet Customer's ergonomic and safety rules",
            "move from annual to monthly re-slotting cycles",
        ],
        tasks=[
            "capture the physical layout, location dimensions, weight limits and equipment constraints of each distribution center in the Slotting Optimiser",
            "profile item velocity, cube, weight, affinity and seasonality from pick history",
            "configure slotting rules, including ergonomic zones, hazardous materials segregation and client-specific requirements",
            "generate monthly re-slotting recommendations ranked by expected benefit and move effort",
            "produce move lists compatible with the warehouse management system's task interface",
            "measure realised travel and replenishment benefits after each re-slotting cycle",
            "train Customer's inventory control staff to review and approve recommendations",
            "conduct a semi-annual review of slotting rules with each site's general manager",
        ],
        out_of_scope=[
            "physical moves of inventory, which Customer's staff perform",
            "redesign of racking or material handling equipment",
            "slotting for facilities not listed in Section 2.4 of this Statement of Work",
            "labour standards development",
        ],
        deps=[
            "provide accurate location master data and update it when racking changes",
            "provide item dimensions and weights, or allow Provider to estimate missing values",
            "schedule re-slotting moves within two weeks of approving a recommendation",
            "maintain hazardous materials classifications in the warehouse management system",
        ],
        sites=[
            "Customer's distribution centers in Carteret and Cranbury, New Jersey",
            "Customer's distribution centers in Newburgh and Hauppauge, New York",
            "Customer's distribution center in Allentown, Pennsylvania",
        ],
        feeds=[
            ("pick and replenishment task history", "hourly"),
            ("item master with dimensions and weights", "daily"),
            ("location master and capacity data", "daily"),
            ("inventory snapshots", "every 4 hours"),
            ("inbound advance shipping notices", "hourly"),
        ],
        deliverables=[
            (
                "Facility Digital Layouts",
                "layouts and constraints for each facility",
                "verified against physical walk-throughs at each facility",
            ),
            (
                "Item Profiling Report",
                "velocity, cube, affinity and seasonality profiles",
                "covers all items with activity in the preceding twelve months",
            ),
            (
                "Slotting Rule Set",
                "documented rules configured in the Slotting Optimiser",
                "approved by each site's general manager and Customer's safety officer",
            ),
            (
                "First Re-slotting Plan",
                "the first ranked set of recommendations and move lists",
                "move lists load into the warehouse management system without errors",
            ),
            (
                "Benefit Measurement Method",
                "the method for measuring realised travel and replenishment benefits",
                "approved by Customer's director of operations excellence",
            ),
            (
                "Training Completion Record",
                "training of inventory control staff at each facility",
                "at least two trained staff per facility",
            ),
        ],
        slas=[
            (
                "Monthly re-slotting plan delivered by the 5th Business Day",
                "100% of months, with one exception allowed per year",
                "measured monthly",
                True,
                4,
            ),
            ("Move list load success rate", "99.5% of move lines", "measured per cycle", True, 4),
            (
                "Hazardous segregation rule compliance of recommendations",
                "100%",
                "measured per cycle",
                True,
                6,
            ),
            ("Slotting Optimiser availability", "99.5%", "measured monthly", False, 3),
            (
                "Realised travel reduction versus plan (rolling 6 months)",
                "at least 80% of planned benefit",
                "measured semi-annually",
                False,
                2,
            ),
        ],
        roles=[
            "Engagement Lead",
            "Industrial Engineer",
            "Optimisation Analyst",
            "Warehouse Systems Integrator",
        ],
        impl=430_000,
        monthly=39_500,
        unit=("active item slotted above 70,000 items", [0.42, 0.36, 0.30]),
        months=24,
        personal="none",
        assumptions=[
            "each facility's warehouse management system supports bulk move task import",
            "location master data is at least ninety percent accurate at project start",
            "no facility undergoes a racking redesign during the first six months",
            "item dimensions are available for at least eighty percent of active items",
        ],
    ),
]

SERVICES += [
    dict(
        key="CR",
        title="CARRIER RATE BENCHMARKING SERVICES",
        name="carrier rate benchmarking",
        party=None,
        system="Rate Benchmark",
        system_desc="a Platform service that compares the rates Customer pays its contracted and spot-market carriers with anonymised market rates derived in part from Aggregated Insights",
        background="Customer procures purchased transportation worth more than three hundred million dollars each year from approximately nine hundred carriers. Procurement teams negotiate lane rates annually but lack an objective view of where Customer's rates sit against the market between negotiations, particularly for spot moves.",
        objectives=[
            "benchmark every active lane against market rates for the same equipment, distance band and season",
            "identify lanes where Customer pays more than the market by a configurable threshold",
            "support annual carrier bid events with lane-level target rates",
            "quantify the value of Aggregated Insights products that incorporate Customer's data, for the purposes of the Revenue Share",
        ],
        tasks=[
            "normalise Customer's contracted and spot rates, accessorial charges and fuel surcharges into comparable all-in rates per mile and per load",
            "map Customer's lanes to the market lane taxonomy used by the Rate Benchmark",
            "produce monthly benchmark reports by lane, carrier, equipment type and region",
            "alert procurement managers when a spot rate exceeds the benchmark by more than the agreed threshold",
            "prepare target rates and lane packages for Customer's annual bid events",
            "explain the construction of benchmark indices, including minimum sample sizes and anonymisation rules",
            "report quarterly on Aggregated Insights products that incorporate Customer Data and the Net Revenue attributable to them",
            "support Customer's audit of the Revenue Share calculation under Article XV of the Agreement",
        ],
        out_of_scope=[
            "negotiating with carriers on Customer's behalf",
            "tendering loads",
            "benchmarking of ocean and air freight",
            "disclosure of any other customer's identifiable rates, which is prohibited",
        ],
        deps=[
            "provide rate tables, accessorial schedules and paid freight invoices",
            "define the alert thresholds for each region",
            "share bid event timetables at least sixty (60) days in advance",
            "review the lane mapping and approve it within ten (10) Business Days",
        ],
        sites=[
            "Customer's procurement office in Brooklyn, New York",
            "Provider's market data team in Toronto, Ontario",
        ],
        feeds=[
            ("contracted rate tables", "weekly"),
            ("paid freight invoices", "daily"),
            ("spot tender and award history", "hourly"),
            ("fuel price indices", "weekly"),
            ("market rate indices derived by Provider", "daily"),
        ],
        deliverables=[
            (
                "Rate Normalisation Model",
                "the method for computing comparable all-in rates",
                "approved by Customer's vice president of procurement",
            ),
            (
                "Lane Mapping",
                "mapping of Customer lanes to the market taxonomy",
                "covers at least ninety-eight percent of spend",
            ),
            (
                "Monthly Benchmark Report",
                "the first monthly report in the agreed format",
                "reviewed by Customer's procurement managers",
            ),
            (
                "Spot Rate Alerting",
                "the alerting integration",
                "alerts delivered within ten minutes of tender award in test",
            ),
            (
                "Bid Event Package",
                "target rates and lane packages for the next annual bid",
                "delivered sixty days before the bid opens",
            ),
            (
                "Revenue Share Statement Template",
                "the quarterly statement format for the Revenue Share",
                "agreed by both Parties' finance leads",
            ),
        ],
        slas=[
            (
                "Monthly benchmark report delivered by the 7th Business Day",
                "100% of months",
                "measured monthly",
                True,
                4,
            ),
            ("Spot rate alert latency under 10 minutes", "98.0% of alerts", "measured monthly", False, 3),
            ("Lane mapping coverage of monthly spend", "at least 98.0%", "measured monthly", True, 4),
            (
                "Benchmark index minimum sample size compliance",
                "100% of published indices",
                "measured monthly",
                True,
                5,
            ),
            (
                "Revenue Share statement delivered within 45 days of quarter end",
                "100%",
                "measured quarterly",
                False,
                2,
            ),
        ],
        roles=[
            "Engagement Lead",
            "Market Data Scientist",
            "Procurement Analytics Consultant",
            "Data Engineer",
        ],
        impl=310_000,
        monthly=34_000,
        unit=("active lane benchmarked above 12,000 lanes", [0.95, 0.80, 0.70]),
        months=36,
        personal="none",
        revshare=True,
        assumptions=[
            "paid invoices identify lane origin and destination at least to five-digit postal code",
            "Customer's carrier contracts permit rate benchmarking",
            "market indices are published only where the anonymisation rules are satisfied",
            "bid events occur no more than twice per Contract Year",
        ],
    ),
    dict(
        key="CC",
        title="COLD CHAIN MONITORING SERVICES",
        name="cold chain monitoring",
        party="cold",
        system="Cold Chain Monitor",
        system_desc="a Platform service that collects and analyses temperature, humidity, door and location readings from refrigerated trailers, reefer units and cold storage rooms",
        background="Customer's cold chain business handles pharmaceutical, dairy and fresh produce shipments for clients that require documented temperature control. Temperature excursions are currently discovered only after delivery when data loggers are downloaded, and Customer has paid claims for product losses that might have been avoided with earlier intervention.",
        objectives=[
            "detect temperature excursions in transit and in storage in near real time",
            "reduce product loss claims attributable to temperature excursions by at least forty percent",
            "provide clients with shipment temperature records suitable for their quality systems",
            "support good distribution practice audits with complete, tamper-evident records",
        ],
        tasks=[
            "integrate reefer unit telemetry and cold room sensors with the Cold Chain Monitor",
            "configure product temperature profiles, alarm thresholds and escalation paths for each client",
            "monitor excursions around the clock and notify Customer's cold chain desk of each alarm according to its severity",
            "produce shipment temperature certificates for delivery with proof of delivery documents",
            "maintain tamper-evident audit trails of readings, alarms, acknowledgements and corrective actions",
            "analyse excursion root causes monthly by lane, equipment, facility and handling step",
            "support validation of the Cold Chain Monitor as a computerised system under Customer's quality procedures",
            "support client and regulatory audits with records and explanations",
        ],
        out_of_scope=[
            "physical intervention in excursions, which Customer's drivers and facility staff perform",
            "calibration of sensors, which Customer arranges with its calibration vendor",
            "decisions on the disposition of product, which belong to the product owner",
            "monitoring of third-party carriers' equipment not equipped with compatible telemetry",
        ],
        deps=[
            "maintain calibration certificates for all sensors and provide them to Provider",
            "staff the cold chain desk around the clock to acknowledge alarms",
            "provide client temperature profiles and quality requirements",
            "make its quality assurance team available for validation activities",
        ],
        sites=[
            "Customer's cold storage facility in Hunts Point, Bronx, New York",
            "Customer's cold storage facility in Vineland, New Jersey",
            "Customer's refrigerated trailer pool",
        ],
        feeds=[
            ("reefer unit telemetry", "every 2 minutes"),
            ("cold room sensor readings", "every minute"),
            ("door open and close events", "continuous"),
            ("shipment and client profile assignments", "every 15 minutes"),
            ("calibration certificates", "as issued"),
        ],
        deliverables=[
            (
                "Sensor Integration Set",
                "integrations for reefer telemetry and cold room sensors",
                "ninety-nine and one half percent reading completeness over fourteen days",
            ),
            (
                "Client Profile Library",
                "temperature profiles, thresholds and escalation paths",
                "approved by Customer's quality assurance manager",
            ),
            (
                "Alarm Monitoring Procedure",
                "the procedure for monitoring and escalating alarms",
                "tested in a live simulation with the cold chain desk",
            ),
            (
                "Temperature Certificate Service",
                "automatic shipment temperature certificates",
                "certificates match raw readings for a sample of one hundred shipments",
            ),
            (
                "Validation Package",
                "validation documentation for the Cold Chain Monitor",
                "approved by Customer's quality assurance team",
            ),
            (
                "Excursion Analytics Report",
                "the first monthly root cause analysis",
                "delivered in the agreed format",
            ),
        ],
        slas=[
            (
                "Critical temperature alarm notification to the cold chain desk within 3 minutes",
                "99.5% of alarms",
                "measured monthly",
                True,
                8,
            ),
            ("Reading completeness for monitored assets", "99.5%", "measured monthly", True, 5),
            (
                "Temperature certificate available within 1 hour of delivery",
                "98.0%",
                "measured monthly",
                False,
                3,
            ),
            ("Audit trail integrity checks passed", "100%", "measured daily", True, 6),
            ("Cold Chain Monitor availability", "99.95%", "measured monthly", True, 5),
        ],
        roles=[
            "Engagement Lead",
            "IoT Integration Architect",
            "Quality Systems Specialist",
            "Monitoring Operations Manager",
        ],
        impl=720_000,
        monthly=83_000,
        unit=("monitored asset above 650 assets", [38, 33, 29]),
        months=36,
        personal="limited",
        assumptions=[
            "reefer units support two-way telemetry",
            "cold rooms are equipped with networked sensors before integration begins",
            "client temperature profiles are provided in writing",
            "validation follows Customer's existing computerised system validation procedure",
        ],
    ),
    dict(
        key="YM",
        title="YARD MANAGEMENT ANALYTICS SERVICES",
        name="yard management analytics",
        party=None,
        system="Yard Visibility Service",
        system_desc="a Platform service that tracks trailers, containers and chassis in Customer's yards and analyses dwell, moves and gate activity",
        background="Customer's larger facilities hold between two hundred and six hundred trailers and containers in their yards at any time. Yard checks are performed by walking the yard twice per shift, and trailers are regularly lost, detained beyond free time or moved more than necessary.",
        objectives=[
            "know the location and status of every trailer and container in each yard",
            "reduce detention and demurrage charges by at least thirty percent",
            "reduce unproductive yard truck moves",
            "shorten gate processing time for inbound drivers",
        ],
        tasks=[
            "integrate gate systems, yard truck tablets and trailer tracking devices with the Yard Visibility Service",
            "maintain a live yard map showing each unit, its load status, its owner and its free-time expiry",
            "alert yard managers before free time expires on detained equipment",
            "optimise the sequence of yard truck moves against dock schedules",
            "analyse dwell time, move counts and gate times by carrier, client and shift",
            "reconcile carrier detention invoices against yard records",
            "provide monthly yard performance reviews for each facility",
            "support physical yard audits with variance reporting",
        ],
        out_of_scope=[
            "installation of gate hardware and cameras",
            "employment or scheduling of yard truck drivers",
            "negotiation of detention disputes with carriers",
            "yards at facilities not listed in Section 2.4 of this Statement of Work",
        ],
        deps=[
            "equip yard trucks with tablets and maintain connectivity in the yard",
            "record free-time terms for each carrier and ocean line",
            "ensure gate staff record arrivals and departures in the gate system",
            "provide detention invoices for reconciliation",
        ],
        sites=[
            "Customer's yards in Carteret and Elizabeth, New Jersey",
            "Customer's yard in Maspeth, New York",
            "Customer's yard at the Port Newark container terminal approach",
        ],
        feeds=[
            ("gate transactions", "continuous"),
            ("yard truck move confirmations", "continuous"),
            ("trailer tracking device positions", "every 5 minutes"),
            ("dock appointment schedules", "every 15 minutes"),
            ("carrier free-time tables", "weekly"),
        ],
        deliverables=[
            (
                "Yard Integration Set",
                "integrations with gate systems, tablets and trackers",
                "live yard map accuracy of ninety-eight percent against a physical check",
            ),
            (
                "Free-Time Alerting",
                "alerts before free-time expiry",
                "alerts issued at least twenty-four hours before expiry in test",
            ),
            (
                "Move Sequencing Module",
                "optimised move sequencing",
                "reduces moves per door turn in a four-week trial",
            ),
            (
                "Detention Reconciliation Service",
                "reconciliation of detention invoices",
                "identifies all invoice lines without yard support",
            ),
            (
                "Yard Performance Dashboard",
                "dwell, moves and gate analytics",
                "accepted by facility general managers",
            ),
            (
                "Yard Audit Procedure",
                "procedure and tooling for physical yard audits",
                "first audit completed at each facility",
            ),
        ],
        slas=[
            ("Yard map location accuracy (physical audit)", "98.0%", "measured monthly", True, 5),
            (
                "Free-time expiry alerts issued at least 24 hours in advance",
                "99.0%",
                "measured monthly",
                True,
                4,
            ),
            ("Gate transaction posting latency under 2 minutes", "99.0%", "measured monthly", False, 3),
            ("Yard Visibility Service availability", "99.8%", "measured monthly", True, 5),
            (
                "Detention reconciliation completed within 10 Business Days of invoice receipt",
                "95.0%",
                "measured monthly",
                False,
                2,
            ),
        ],
        roles=[
            "Engagement Lead",
            "Yard Solutions Architect",
            "Operations Research Analyst",
            "Field Deployment Lead",
        ],
        impl=390_000,
        monthly=44_000,
        unit=("yard slot tracked above 2,400 slots", [6.50, 5.75, 5.00]),
        months=30,
        personal="drivers",
        assumptions=[
            "gate systems expose transaction data through a documented interface",
            "cellular coverage is adequate across all yards",
            "trackers are fitted to Customer-owned trailers before go-live",
            "ocean line free-time terms are available electronically",
        ],
    ),
    dict(
        key="LM",
        title="LAST-MILE DELIVERY VISIBILITY SERVICES",
        name="last-mile delivery visibility",
        party=None,
        system="Delivery Visibility Portal",
        system_desc="a Platform service that provides shippers and consignees with live delivery tracking, estimated arrival windows and electronic proof of delivery for Customer's last-mile operations",
        background="Customer performs home and business deliveries of furniture, appliances and bulky retail goods in the New York metropolitan area for its retail clients. Consignees receive a four-hour delivery window the day before delivery, call centre volumes are high, and failed first-attempt deliveries cost Customer and its clients significant re-delivery charges.",
        objectives=[
            "give consignees a narrowed, reliable arrival window on the day of delivery",
            "reduce failed first-attempt deliveries by at least twenty percent",
            "reduce inbound where-is-my-order calls to Customer's call centre by at least thirty percent",
            "provide retail clients with electronic proof of delivery, photos and exception codes",
        ],
        tasks=[
            "configure consignee notifications by text message and email in English and Spanish, with opt-out handling",
            "calculate and update estimated arrival windows using live vehicle positions and stop progress",
            "provide a consignee self-service page for tracking, rescheduling and delivery instructions",
            "capture electronic proof of delivery, photos, signatures and exception codes through the driver application",
            "deliver proof of delivery and exception data to retail clients through interfaces or daily files",
            "analyse failed deliveries by reason, area, client and time window",
            "measure and report estimated arrival accuracy and notification delivery rates",
            "support Customer's call centre with a lookup tool and scripted answers",
        ],
        out_of_scope=[
            "routing, which is addressed in the Statement of Work for route optimisation services",
            "payment collection from consignees",
            "white-glove installation scheduling beyond delivery windows",
            "marketing communications to consignees",
        ],
        deps=[
            "obtain consignee contact details and any consents required for notifications from its retail clients",
            "equip drivers with supported mobile devices",
            "provide retail client interface specifications for proof of delivery data",
            "define exception codes with its retail clients",
        ],
        sites=[
            "Customer's last-mile hubs in Bronx and Staten Island, New York",
            "Customer's last-mile hub in Secaucus, New Jersey",
            "Customer's call centre in Yonkers, New York",
        ],
        feeds=[
            ("delivery manifests and stop lists", "every 15 minutes"),
            ("driver application events", "continuous"),
            ("vehicle positions", "every 30 seconds"),
            ("consignee responses and reschedule requests", "continuous"),
            ("retail client order references", "hourly"),
        ],
        deliverables=[
            (
                "Notification Configuration",
                "templates, languages, opt-out handling and schedules",
                "approved by Customer and two pilot retail clients",
            ),
            (
                "Arrival Window Engine",
                "estimated arrival calculation and updates",
                "eighty-five percent of deliveries arrive within the notified window in pilot",
            ),
            (
                "Consignee Self-Service Page",
                "tracking and rescheduling page",
                "accessibility review passed and pilot feedback addressed",
            ),
            (
                "Proof of Delivery Integration",
                "delivery of proof of delivery data to retail clients",
                "data received without error by each live client for five consecutive days",
            ),
            (
                "Failed Delivery Analytics",
                "analysis of failed deliveries",
                "delivered monthly in the agreed format",
            ),
            ("Call Centre Lookup Tool", "lookup tool and scripts", "call centre supervisors trained"),
        ],
        slas=[
            (
                "Consignee notifications sent on schedule",
                "99.5%",
                "measured daily, reported monthly",
                True,
                5,
            ),
            ("Deliveries arriving within the notified window", "at least 90.0%", "measured monthly", True, 5),
            (
                "Proof of delivery available to retail clients within 30 minutes of delivery",
                "98.5%",
                "measured monthly",
                True,
                4,
            ),
            ("Delivery Visibility Portal availability 06:00-23:00", "99.9%", "measured monthly", True, 5),
            (
                "Personal data opt-out requests actioned within 1 Business Day",
                "100%",
                "measured monthly",
                False,
                3,
            ),
        ],
        roles=[
            "Engagement Lead",
            "Product Manager",
            "Mobile Integration Engineer",
            "Customer Experience Analyst",
        ],
        impl=460_000,
        monthly=47_000,
        unit=("delivery tracked above 95,000 deliveries per month", [0.22, 0.19, 0.16]),
        months=30,
        personal="consignees",
        assumptions=[
            "retail clients provide consignee contact details with each order",
            "driver devices run a supported operating system version",
            "notification volumes do not exceed four messages per delivery on average",
            "Spanish translations are approved by Customer",
        ],
    ),
    dict(
        key="FA",
        title="FREIGHT AUDIT AND PAYMENT ANALYTICS SERVICES",
        name="freight audit and payment analytics",
        party=None,
        system="Freight Audit Ledger",
        system_desc="a Platform service that audits carrier invoices against contracted rates, shipment records and accessorial rules before Customer pays them, and analyses freight spend",
        background="Customer receives more than forty thousand carrier invoices per month in electronic and paper form. Invoices are matched to shipments using a legacy rules engine with a high exception rate, and overcharges for accessorials, fuel surcharges and duplicate billing are often discovered only after payment.",
        objectives=[
            "audit every carrier invoice before payment",
            "reduce unrecovered overcharges by at least seventy-five percent",
            "reduce manual exception handling by at least half",
            "provide cost-to-serve analytics by customer, lane and facility",
        ],
        tasks=[
            "ingest electronic and scanned carrier invoices and extract line-level charges",
            "match invoices to shipments, tenders and proofs of delivery",
            "rate each invoice against the applicable contract, tariff and accessorial schedule",
            "detect duplicates, unsupported accessorials, incorrect fuel surcharges and rate errors",
            "route exceptions to Customer's freight payables team with suggested resolutions",
            "prepare approved invoices for payment in Customer's accounts payable system",
            "allocate freight cost to customers, lanes and facilities for cost-to-serve analysis",
            "report monthly on audit savings, exception ageing and carrier compliance",
        ],
        out_of_scope=[
            "making payments to carriers, which Customer performs",
            "carrier disputes beyond providing supporting evidence",
            "audit of ocean and air freight invoices",
            "tax advice on freight charges",
        ],
        deps=[
            "provide contracted rates, tariffs and accessorial schedules and keep them current",
            "resolve routed exceptions within the periods agreed with Provider",
            "grant Provider access to proof of delivery images",
            "approve the cost allocation rules within ten (10) Business Days",
        ],
        sites=[
            "Customer's finance shared service centre in Albany, New York",
            "Provider's document processing centre in Halifax, Nova Scotia",
        ],
        feeds=[
            ("electronic carrier invoices", "continuous"),
            ("scanned paper invoices", "daily"),
            ("shipment and tender records", "hourly"),
            ("contract rates and accessorial schedules", "weekly"),
            ("accounts payable payment confirmations", "daily"),
        ],
        deliverables=[
            (
                "Invoice Ingestion Service",
                "ingestion and extraction of carrier invoices",
                "line-level extraction accuracy of ninety-nine percent on a test set",
            ),
            (
                "Rating and Matching Rules",
                "configured rating, matching and detection rules",
                "reproduces correct results for a test set of two thousand invoices",
            ),
            (
                "Exception Workflow",
                "exception routing and resolution workflow",
                "accepted by Customer's freight payables manager",
            ),
            (
                "Payment File Integration",
                "interface to Customer's accounts payable system",
                "three consecutive payment cycles without error",
            ),
            (
                "Cost-to-Serve Model",
                "allocation rules and analytics",
                "allocations reconcile to total freight spend",
            ),
            (
                "Audit Savings Report",
                "monthly savings and compliance report",
                "delivered in the agreed format",
            ),
        ],
        slas=[
            ("Invoices audited within 2 Business Days of receipt", "98.0%", "measured monthly", True, 5),
            ("Audit accuracy (post-payment sample)", "99.5%", "measured quarterly", True, 6),
            ("Duplicate invoice detection rate", "100% of exact duplicates", "measured monthly", True, 5),
            ("Payment file delivered by the agreed cut-off", "99.5% of cycles", "measured monthly", True, 4),
            ("Exception routing within 4 business hours", "97.0%", "measured monthly", False, 2),
        ],
        roles=[
            "Engagement Lead",
            "Freight Audit Manager",
            "Rating Rules Analyst",
            "Finance Systems Integrator",
        ],
        impl=350_000,
        monthly=0,
        unit=("invoice audited", [0.85, 0.72, 0.61]),
        months=36,
        personal="limited",
        assumptions=[
            "at least seventy percent of invoices are received electronically",
            "contract rates are maintained in a structured format",
            "Customer's accounts payable system accepts payment files in its standard format",
            "invoice volumes do not exceed sixty thousand per month",
        ],
    ),
    dict(
        key="IO",
        title="INVENTORY OPTIMISATION SERVICES",
        name="inventory optimisation",
        party=None,
        system="Inventory Policy Engine",
        system_desc="a Platform module that calculates safety stock, reorder points and replenishment quantities for inventory that Customer manages on behalf of its vendor-managed inventory clients",
        background="Under vendor-managed inventory arrangements, Customer manages stock levels of maintenance, repair and operating supplies for eighteen industrial clients at their sites and at Customer's facilities. Replenishment parameters were set when each arrangement began and are rarely revised, leading to stockouts of critical spares and excess stock of slow movers.",
        objectives=[
            "meet each client's contracted fill rate with less inventory",
            "reduce stockouts of items flagged as critical by clients",
            "identify excess and obsolete stock for disposition decisions by clients",
            "review replenishment parameters monthly rather than at contract start",
        ],
        tasks=[
            "classify items by demand pattern, criticality, lead time variability and value",
            "calculate safety stocks and reorder points using service-level targets set by each client",
            "recommend replenishment orders and present them for approval by Customer's inventory planners",
            "identify excess and obsolete items and estimate their carrying cost",
            "simulate the effect of policy changes before they are applied",
            "monitor fill rate, stockouts and inventory value by client and site",
            "review policies monthly and document changes",
            "prepare quarterly business reviews for each vendor-managed inventory client",
        ],
        out_of_scope=[
            "purchasing decisions, which remain with Customer and its clients",
            "disposal of excess and obsolete stock",
            "inventory held for clients not listed in the client schedule to this Statement of Work",
            "physical cycle counting",
        ],
        deps=[
            "provide demand, receipt and on-hand history for each client",
            "obtain client approval of service-level targets",
            "approve or reject recommended orders daily",
            "inform Provider of supplier lead time changes",
        ],
        sites=[
            "Customer's facilities in Cranbury, New Jersey and Newburgh, New York",
            "vendor-managed inventory stores at client sites in New York, New Jersey and Pennsylvania",
        ],
        feeds=[
            ("issue and demand history", "daily"),
            ("on-hand and in-transit balances", "every 4 hours"),
            ("purchase orders and receipts", "hourly"),
            ("supplier lead times", "weekly"),
            ("client criticality flags", "as changed"),
        ],
        deliverables=[
            (
                "Item Classification",
                "classification of all active items",
                "covers all active items for each client",
            ),
            (
                "Initial Policy Set",
                "safety stocks and reorder points",
                "simulated fill rate meets each client's target",
            ),
            (
                "Replenishment Recommendation Service",
                "daily order recommendations",
                "accepted by inventory planners after two-week parallel run",
            ),
            (
                "Excess and Obsolete Report",
                "report of excess and obsolete items",
                "reviewed with each client",
            ),
            (
                "Policy Simulation Tool",
                "tool for simulating policy changes",
                "validated against historical outcomes",
            ),
            (
                "Client Business Review Template",
                "quarterly review template",
                "approved by Customer's account managers",
            ),
        ],
        slas=[
            (
                "Replenishment recommendations published by 06:00 local time",
                "99.5% of Business Days",
                "measured monthly",
                True,
                5,
            ),
            (
                "Fill rate for critical items (where recommendations were followed)",
                "at least 98.5%",
                "measured monthly",
                True,
                5,
            ),
            ("Policy review completed monthly", "100%", "measured monthly", False, 2),
            ("Inventory Policy Engine availability", "99.5%", "measured monthly", False, 3),
            ("Data load completeness", "99.8%", "measured daily, reported monthly", True, 4),
        ],
        roles=["Engagement Lead", "Inventory Scientist", "Supply Chain Consultant", "Data Engineer"],
        impl=380_000,
        monthly=36_000,
        unit=("item-location managed above 150,000 item-locations", [0.12, 0.10, 0.08]),
        months=30,
        personal="none",
        assumptions=[
            "clients agree in writing to the use of their inventory data for the Services",
            "supplier lead time data is available for at least eighty percent of items",
            "no more than twenty vendor-managed inventory clients are in scope",
            "Customer's planners approve orders within one Business Day",
        ],
    ),
    dict(
        key="DS",
        title="DOCK APPOINTMENT SCHEDULING SERVICES",
        name="dock appointment scheduling",
        party=None,
        system="Dock Scheduler",
        system_desc="a Platform service through which carriers book inbound and outbound dock appointments at Customer's facilities and through which Customer manages dock capacity",
        background="Carriers currently book dock appointments by telephone and email, and facilities receive more trucks at peak hours than their docks can serve. Drivers wait, carriers bill detention, and labour at the docks is idle at other times of day.",
        objectives=[
            "move all appointment booking to a self-service tool",
            "smooth dock arrivals across the day",
            "reduce average driver wait time to under forty-five minutes",
            "link appointments to labour planning",
        ],
        tasks=[
            "configure door capabilities, operating hours, appointment durations and capacity rules for each facility",
            "provide a carrier booking portal and booking interfaces for large carriers",
            "apply booking rules such as load type, client priority and lead time",
            "send booking confirmations, reminders and rescheduling notices",
            "record arrival, door assignment, start and completion times",
            "analyse wait time, dwell, no-shows and late arrivals by carrier and facility",
            "feed appointment volumes to labour planning",
            "onboard carriers and provide them with user support",
        ],
        out_of_scope=[
            "gate hardware",
            "enforcement actions against carriers",
            "facilities not listed in Section 2.4 of this Statement of Work",
            "labour scheduling",
        ],
        deps=[
            "maintain dock door master data",
            "communicate the booking requirement to its carriers",
            "record arrivals and departures at the gate and dock",
            "nominate a scheduling administrator at each facility",
        ],
        sites=[
            "Customer's distribution centers in Carteret and Cranbury, New Jersey",
            "Customer's distribution centers in Newburgh and Hauppauge, New York",
        ],
        feeds=[
            ("purchase order and inbound advance shipping notice data", "hourly"),
            ("outbound load plans", "hourly"),
            ("gate arrival and departure events", "continuous"),
            ("door status events", "continuous"),
            ("carrier master data", "daily"),
        ],
        deliverables=[
            (
                "Facility Scheduling Configuration",
                "door, hours and capacity configuration",
                "validated with each facility's scheduling administrator",
            ),
            (
                "Carrier Booking Portal",
                "the booking portal and interfaces",
                "pilot carriers book successfully for two weeks",
            ),
            (
                "Notification Service",
                "confirmations, reminders and rescheduling notices",
                "delivery rate of ninety-nine percent in pilot",
            ),
            (
                "Dock Analytics Dashboard",
                "wait, dwell and compliance analytics",
                "accepted by facility managers",
            ),
            (
                "Labour Planning Feed",
                "appointment volumes to labour planning",
                "five consecutive days of successful delivery",
            ),
            (
                "Carrier Onboarding Kit",
                "guides and training for carriers",
                "used to onboard the top fifty carriers by volume",
            ),
        ],
        slas=[
            ("Dock Scheduler availability", "99.9%", "measured monthly", True, 5),
            ("Booking confirmation within 1 minute", "99.5%", "measured monthly", False, 3),
            ("Reminder notices sent on schedule", "99.0%", "measured monthly", False, 2),
            (
                "Carrier support tickets answered within 4 business hours",
                "95.0%",
                "measured monthly",
                False,
                2,
            ),
            ("Labour planning feed delivered by 18:00 daily", "99.5%", "measured monthly", True, 4),
        ],
        roles=[
            "Engagement Lead",
            "Solutions Consultant",
            "Integration Developer",
            "Carrier Onboarding Coordinator",
        ],
        impl=240_000,
        monthly=27_500,
        unit=("appointment booked above 30,000 appointments per month", [0.30, 0.26, 0.22]),
        months=24,
        personal="drivers",
        assumptions=[
            "carriers have internet access to use the booking portal",
            "the warehouse management system provides inbound advance shipping notice data",
            "no facility has more than ninety dock doors",
            "booking rules are agreed within four weeks of project start",
        ],
    ),
    dict(
        key="EM",
        title="SUSTAINABILITY AND EMISSIONS REPORTING SERVICES",
        name="sustainability and emissions reporting",
        party=None,
        system="Emissions Ledger",
        system_desc="a Platform service that calculates and reports greenhouse gas emissions for Customer's transportation and facility operations and for shipments it handles for clients",
        background="Customer's clients increasingly request shipment-level emissions data, and Customer wishes to publish an annual sustainability report with emissions figures that can withstand independent assurance. Emissions are currently estimated once a year from fuel purchases and utility bills, without shipment-level allocation.",
        objectives=[
            "calculate emissions for owned fleet, purchased transportation and facilities on a consistent methodology",
            "provide shipment-level emissions data to clients",
            "support limited assurance of reported emissions by an independent assurance provider",
            "identify and track reduction initiatives",
        ],
        tasks=[
            "document the calculation methodology, emission factors, boundaries and allocation rules",
            "collect activity data for fuel, electricity, refrigerants and purchased transportation",
            "calculate emissions monthly by scope, business unit, facility, lane and client",
            "allocate transportation emissions to shipments and deliver shipment-level data to clients",
            "maintain an evidence trail sufficient for assurance",
            "model the effect of reduction initiatives such as alternative fuels and electrification",
            "prepare the emissions sections of Customer's annual sustainability report",
            "support the independent assurance provider's procedures",
        ],
        out_of_scope=[
            "independent assurance itself",
            "purchase of carbon credits or offsets",
            "legal advice on disclosure obligations",
            "emissions of client-owned equipment",
        ],
        deps=[
            "provide fuel, utility and refrigerant records",
            "obtain emissions data from carriers where available",
            "engage the independent assurance provider",
            "approve the methodology before the first monthly calculation",
        ],
        sites=[
            "Customer's sustainability office in Brooklyn, New York",
            "all Customer facilities for activity data collection",
        ],
        feeds=[
            ("fuel card and bulk fuel records", "daily"),
            ("utility bills and meter data", "monthly"),
            ("purchased transportation shipment records", "daily"),
            ("refrigerant service logs", "monthly"),
            ("carrier-reported emissions data", "quarterly"),
        ],
        deliverables=[
            (
                "Methodology Document",
                "calculation methodology, factors, boundaries and allocation rules",
                "approved by Customer's sustainability committee",
            ),
            (
                "Activity Data Pipelines",
                "collection of activity data",
                "ninety-five percent of activity data collected for a full month",
            ),
            (
                "Monthly Emissions Report",
                "emissions by scope and dimension",
                "reconciles to activity data totals",
            ),
            (
                "Shipment Emissions Feed",
                "shipment-level emissions for clients",
                "accepted by two pilot clients",
            ),
            (
                "Reduction Scenario Model",
                "model of reduction initiatives",
                "reviewed by Customer's sustainability committee",
            ),
            (
                "Assurance Evidence Pack",
                "evidence for assurance procedures",
                "no material findings attributable to the pack",
            ),
        ],
        slas=[
            (
                "Monthly emissions report delivered by the 15th Business Day",
                "100% of months",
                "measured monthly",
                True,
                4,
            ),
            ("Shipment emissions feed completeness", "99.0%", "measured monthly", True, 4),
            (
                "Emission factor updates applied within 30 days of publication",
                "100%",
                "measured per update",
                False,
                2,
            ),
            ("Emissions Ledger availability", "99.5%", "measured monthly", False, 2),
            (
                "Evidence requests answered within 3 Business Days during assurance",
                "95.0%",
                "measured per assurance cycle",
                False,
                3,
            ),
        ],
        roles=["Engagement Lead", "Carbon Accounting Lead", "Data Engineer", "Sustainability Analyst"],
        impl=270_000,
        monthly=24_000,
        unit=("client receiving shipment-level emissions data above 40 clients", [450, 400, 350]),
        months=36,
        personal="none",
        assumptions=[
            "fuel records identify the vehicle or facility",
            "published emission factors are used unless Customer approves others",
            "the assurance provider is engaged at least four months before publication",
            "carrier-reported data is used only when it meets the methodology's quality criteria",
        ],
    ),
    dict(
        key="PD",
        title="PORT AND DRAYAGE ANALYTICS SERVICES",
        name="port and drayage analytics",
        party=None,
        system="Port Drayage Dashboard",
        system_desc="a Platform service that combines vessel, terminal, container and drayage data to forecast container availability and plan drayage capacity at the Port of New York and New Jersey",
        background="Customer's drayage division moves approximately nine thousand import and export containers per month between marine terminals, rail ramps and client facilities. Container availability, terminal appointment slots and chassis supply change daily, and dispatchers spend much of their time checking terminal websites rather than planning.",
        objectives=[
            "predict container availability and last free day for each import container",
            "increase the share of containers picked up before last free day",
            "improve utilisation of drayage trucks and terminal appointments",
            "give clients visibility of their containers from vessel arrival to delivery",
        ],
        tasks=[
            "collect vessel schedules, terminal availability, holds and last free day data for Customer's containers",
            "predict container availability using vessel progress and terminal performance history",
            "recommend daily pickup plans that respect terminal appointments, chassis supply and client delivery windows",
            "alert dispatchers and clients of holds, changed last free days and demurrage risk",
            "analyse terminal turn times, dual transactions and street turn opportunities",
            "track demurrage and per diem exposure and charges",
            "provide client-facing container visibility",
            "report monthly on drayage productivity and charges avoided",
        ],
        out_of_scope=[
            "terminal appointment booking, which dispatchers perform",
            "chassis pool management",
            "rail drayage outside the port region",
            "customs holds resolution, which is performed by Customer's customs brokerage operations",
        ],
        deps=[
            "provide container lists and client delivery windows",
            "maintain credentials for terminal data services",
            "record chassis availability at its yards",
            "confirm executed moves in the dispatch system",
        ],
        sites=[
            "Customer's drayage office in Elizabeth, New Jersey",
            "marine terminals in the Port of New York and New Jersey served by Customer",
        ],
        feeds=[
            ("vessel schedules and arrival events", "hourly"),
            ("terminal availability and holds", "every 30 minutes"),
            ("container lists from the dispatch system", "every 15 minutes"),
            ("chassis availability", "every 2 hours"),
            ("demurrage and per diem invoices", "daily"),
        ],
        deliverables=[
            (
                "Port Data Integration",
                "integration of vessel, terminal and container data",
                "ninety-eight percent of active containers tracked",
            ),
            (
                "Availability Prediction Model",
                "model predicting container availability",
                "accuracy within six hours for eighty percent of containers in back-testing",
            ),
            (
                "Daily Pickup Planner",
                "daily pickup plan recommendations",
                "accepted by dispatch supervisors after a four-week pilot",
            ),
            (
                "Risk Alerting",
                "alerts for holds and demurrage risk",
                "alerts delivered within thirty minutes of status change",
            ),
            ("Client Container Visibility", "client-facing visibility", "accepted by two pilot clients"),
            (
                "Drayage Productivity Report",
                "monthly productivity and charges report",
                "delivered in the agreed format",
            ),
        ],
        slas=[
            ("Container status refresh every 30 minutes", "99.0% of cycles", "measured monthly", True, 4),
            ("Risk alert latency under 30 minutes", "98.0%", "measured monthly", True, 5),
            ("Daily pickup plan published by 05:00", "99.5% of operating days", "measured monthly", True, 5),
            ("Port Drayage Dashboard availability", "99.8%", "measured monthly", False, 3),
            ("Last free day prediction accuracy", "at least 95.0%", "measured monthly", False, 3),
        ],
        roles=["Engagement Lead", "Port Data Specialist", "Data Scientist", "Dispatch Solutions Consultant"],
        impl=410_000,
        monthly=42_000,
        unit=("container tracked above 10,000 containers per month", [2.40, 2.10, 1.85]),
        months=30,
        personal="drivers",
        assumptions=[
            "terminal data services remain available on their current terms",
            "Customer holds valid credentials for each terminal's data service",
            "container volumes do not exceed twelve thousand per month",
            "dispatch confirms executed moves within one hour",
        ],
    ),
]

SERVICES += [
    dict(
        key="LB",
        title="LABOR MANAGEMENT ANALYTICS SERVICES",
        name="labor management analytics",
        party=None,
        system="Labor Analytics Workspace",
        system_desc="a Platform workspace that measures warehouse labour productivity against engineered standards and supports shift planning",
        background="Customer employs approximately two thousand four hundred warehouse associates across its distribution centers, with labour representing its largest controllable cost in those facilities. Productivity is measured as units per hour without regard to the difficulty of each task, so comparisons between associates, shifts and facilities are unreliable.",
        objectives=[
            "measure performance against engineered labour standards for each task type",
            "plan shift staffing from forecast workload",
            "reduce overtime hours by at least fifteen percent",
            "give supervisors daily, fair and explainable performance information",
        ],
        tasks=[
            "document task types and the elements of each task with Customer's industrial engineers",
            "configure engineered labour standards in the Labor Analytics Workspace",
            "calculate earned hours, actual hours and performance for each associate, team and shift",
            "produce supervisor dashboards and coaching lists",
            "plan shift staffing from workload forecasts and labour standards",
            "analyse overtime, indirect time and absenteeism",
            "maintain standards when processes or equipment change",
            "report monthly to Customer's operations leadership",
        ],
        out_of_scope=[
            "development of engineered labour standards, which Customer's industrial engineers own",
            "pay, incentive or disciplinary decisions",
            "time and attendance system replacement",
            "negotiation with any employee representative body",
        ],
        deps=[
            "provide engineered labour standards and update them when processes change",
            "provide time and attendance and task data",
            "ensure that employee notices and consultations required by Applicable Law have occurred",
            "nominate a supervisor champion at each facility",
        ],
        sites=[
            "Customer's distribution centers listed in Schedule 1",
            "Customer's industrial engineering office in Cranbury, New Jersey",
        ],
        feeds=[
            ("warehouse management system task history", "hourly"),
            ("time and attendance punches", "hourly"),
            ("engineered labour standards", "as changed"),
            ("workload forecasts", "daily"),
            ("associate roster and team assignments", "daily"),
        ],
        deliverables=[
            (
                "Task and Standards Configuration",
                "configured task types and standards",
                "validated against time studies at two facilities",
            ),
            (
                "Performance Calculation Service",
                "earned and actual hours calculation",
                "reconciles to time and attendance totals",
            ),
            (
                "Supervisor Dashboards",
                "daily dashboards and coaching lists",
                "accepted by supervisors at pilot facilities",
            ),
            (
                "Shift Planning Tool",
                "staffing plans from workload forecasts",
                "plans within five percent of actual need in pilot",
            ),
            (
                "Overtime Analytics Report",
                "analysis of overtime and indirect time",
                "delivered in the agreed format",
            ),
            (
                "Standards Maintenance Procedure",
                "procedure for maintaining standards",
                "approved by Customer's industrial engineering manager",
            ),
        ],
        slas=[
            (
                "Performance data available by 07:00 for the prior shift",
                "99.0% of shifts",
                "measured monthly",
                True,
                5,
            ),
            ("Time and attendance reconciliation variance", "not more than 0.5%", "measured weekly", True, 4),
            ("Shift plans published 48 hours in advance", "98.0%", "measured monthly", False, 3),
            ("Labor Analytics Workspace availability", "99.5%", "measured monthly", False, 3),
            ("Standards changes applied within 5 Business Days", "95.0%", "measured monthly", False, 2),
        ],
        roles=[
            "Engagement Lead",
            "Labor Standards Consultant",
            "Analytics Developer",
            "Change Management Lead",
        ],
        impl=330_000,
        monthly=31_000,
        unit=("associate measured above 2,600 associates", [9.50, 8.25, 7.00]),
        months=30,
        personal="employees",
        assumptions=[
            "engineered labour standards exist for the principal task types",
            "the time and attendance system provides punch data hourly",
            "the warehouse management system records task start and end times",
            "supervisors have access to desktop or tablet devices",
        ],
    ),
    dict(
        key="RL",
        title="RETURNS AND REVERSE LOGISTICS ANALYTICS SERVICES",
        name="returns and reverse logistics analytics",
        party=None,
        system="Returns Insight Service",
        system_desc="a Platform service that tracks and analyses product returns received and processed by Customer on behalf of its retail and e-commerce clients",
        background="Customer processes approximately one hundred and ten thousand returned units per month at its returns center, inspecting, grading and routing each unit to restock, refurbishment, liquidation or recycling. Clients receive little insight into return reasons, condition grades or recovery values, and processing times are not measured consistently.",
        objectives=[
            "measure returns processing time from receipt to disposition",
            "improve recovery value through better disposition routing",
            "give clients analytics on return reasons, conditions and recovery",
            "identify products and suppliers with abnormal return rates",
        ],
        tasks=[
            "integrate returns receiving, inspection and disposition data",
            "standardise return reason codes and condition grades across clients",
            "measure processing time and backlog by stage",
            "recommend disposition routes based on condition, recovery value and client rules",
            "provide client dashboards on return reasons, conditions and recovery values",
            "detect abnormal return rates by product, supplier and channel",
            "report monthly to Customer and to each client",
            "support client business reviews with returns analyses",
        ],
        out_of_scope=[
            "physical returns processing",
            "sale of liquidated goods",
            "refund processing for consumers",
            "fraud investigation beyond flagging anomalies",
        ],
        deps=[
            "provide returns receiving and inspection data",
            "agree reason code and grading standards with its clients",
            "configure client disposition rules with Provider",
            "provide recovery value data from liquidation channels",
        ],
        sites=["Customer's returns center in Allentown, Pennsylvania"],
        feeds=[
            ("return authorisations from clients", "hourly"),
            ("receiving scans", "continuous"),
            ("inspection and grading records", "continuous"),
            ("disposition outcomes", "daily"),
            ("liquidation recovery values", "weekly"),
        ],
        deliverables=[
            (
                "Returns Data Integration",
                "integration of returns data",
                "ninety-nine percent of received units tracked",
            ),
            (
                "Reason and Grade Standard",
                "standardised codes and grades",
                "approved by Customer and three pilot clients",
            ),
            (
                "Processing Time Dashboard",
                "measurement of processing time and backlog",
                "accepted by the returns center manager",
            ),
            (
                "Disposition Recommendation Service",
                "disposition recommendations",
                "improves recovery value in a four-week pilot",
            ),
            ("Client Returns Dashboards", "client-facing analytics", "accepted by each pilot client"),
            ("Anomaly Detection Report", "abnormal return rate detection", "delivered monthly"),
        ],
        slas=[
            ("Returns data refresh every hour", "99.0%", "measured monthly", True, 4),
            ("Disposition recommendations available at inspection", "99.5%", "measured monthly", True, 5),
            ("Client dashboards refreshed by 08:00 daily", "99.0%", "measured monthly", False, 3),
            ("Returns Insight Service availability", "99.5%", "measured monthly", False, 3),
            (
                "Monthly client reports delivered by the 5th Business Day",
                "100%",
                "measured monthly",
                False,
                2,
            ),
        ],
        roles=[
            "Engagement Lead",
            "Reverse Logistics Consultant",
            "Data Engineer",
            "Client Analytics Manager",
        ],
        impl=260_000,
        monthly=26_000,
        unit=("returned unit tracked above 120,000 units per month", [0.06, 0.05, 0.045]),
        months=24,
        personal="consignees",
        assumptions=[
            "clients provide return authorisations electronically",
            "inspection staff record grades in the returns system",
            "no more than twenty-five clients use the returns center",
            "recovery values are reported weekly by liquidation channels",
        ],
    ),
    dict(
        key="MD",
        title="MASTER DATA MANAGEMENT SERVICES",
        name="master data management",
        party=None,
        system="Master Data Hub",
        system_desc="a Platform service that maintains golden records for customers, locations, carriers, items and facilities and distributes them to Customer's operational systems",
        background="Customer maintains customer, location, carrier and item master data separately in its transportation, warehouse, billing and customs systems. Duplicate and conflicting records cause billing errors, failed deliveries and inaccurate reporting, and no one is accountable for master data quality.",
        objectives=[
            "establish golden records for the principal master data domains",
            "reduce duplicate customer and location records by at least ninety percent",
            "establish data stewardship roles and workflows",
            "distribute approved master data to operational systems automatically",
        ],
        tasks=[
            "profile master data in each source system and measure duplication and completeness",
            "define data standards, match rules and survivorship rules for each domain",
            "consolidate records into golden records in the Master Data Hub",
            "configure stewardship workflows for creating, changing and retiring records",
            "distribute golden records to subscribing systems",
            "measure and report master data quality monthly",
            "train data stewards nominated by Customer",
            "support the data cleansing needed for the enterprise data warehousing Statement of Work",
        ],
        out_of_scope=[
            "changes to subscribing systems beyond their standard interfaces",
            "master data for human resources and payroll",
            "data stewardship decisions, which Customer's stewards make",
            "historical transaction correction",
        ],
        deps=[
            "nominate data stewards for each domain",
            "approve data standards and survivorship rules",
            "grant access to source systems",
            "decide the cut-over date for each subscribing system",
        ],
        sites=[
            "Customer's operations centre in Brooklyn, New York",
            "Provider's delivery centre in Cambridge, Massachusetts",
        ],
        feeds=[
            ("customer and location masters", "hourly"),
            ("carrier master", "daily"),
            ("item master", "hourly"),
            ("facility master", "weekly"),
            ("stewardship decisions", "continuous"),
        ],
        deliverables=[
            (
                "Master Data Profiling Report",
                "profiling of each domain",
                "covers all source systems in scope",
            ),
            (
                "Data Standards and Rules",
                "standards, match and survivorship rules",
                "approved by Customer's data governance council",
            ),
            (
                "Golden Record Load",
                "initial consolidation into golden records",
                "duplicate rate below the objective in Section 1.2 of this Statement of Work",
            ),
            (
                "Stewardship Workflows",
                "create, change and retire workflows",
                "tested by stewards in each domain",
            ),
            (
                "Distribution Interfaces",
                "distribution to subscribing systems",
                "five consecutive days of successful distribution",
            ),
            ("Data Quality Scorecard", "monthly quality measurement", "delivered in the agreed format"),
        ],
        slas=[
            ("Golden record distribution latency under 15 minutes", "99.0%", "measured monthly", True, 5),
            ("Match rule precision (steward-sampled)", "at least 99.0%", "measured quarterly", True, 4),
            ("Stewardship task routing within 1 hour", "98.0%", "measured monthly", False, 2),
            ("Master Data Hub availability", "99.9%", "measured monthly", True, 5),
            (
                "Data Quality Scorecard delivered by the 5th Business Day",
                "100%",
                "measured monthly",
                False,
                2,
            ),
        ],
        roles=["Engagement Lead", "Master Data Architect", "Data Quality Engineer", "Stewardship Coach"],
        impl=520_000,
        monthly=29_000,
        unit=("golden record above 3,000,000 records", [0.010, 0.008, 0.007]),
        months=30,
        personal="limited",
        assumptions=[
            "source systems allow read access to master data tables",
            "stewards are available for at least four hours per week",
            "no more than six subscribing systems receive golden records",
            "survivorship rules are agreed within eight weeks",
        ],
    ),
    dict(
        key="PM",
        title="PREDICTIVE MAINTENANCE SERVICES FOR MATERIAL HANDLING EQUIPMENT",
        name="predictive maintenance",
        party=None,
        system="Equipment Health Monitor",
        system_desc="a Platform service that analyses sensor and maintenance data from conveyors, sorters, forklifts and automated storage equipment to predict failures",
        background="Unplanned downtime of sortation and conveyor systems at Customer's two automated distribution centers has caused missed carrier cut-offs during peak periods. Maintenance is performed on fixed schedules regardless of equipment condition, and failure history is recorded inconsistently.",
        objectives=[
            "predict failures of critical material handling equipment early enough to act",
            "reduce unplanned downtime of sortation systems by at least thirty percent",
            "shift maintenance from fixed schedules to condition-based plans",
            "improve the quality of failure records",
        ],
        tasks=[
            "inventory critical equipment and available sensor data",
            "connect equipment controllers and sensors to the Equipment Health Monitor",
            "standardise failure codes with Customer's maintenance team",
            "develop failure prediction models for the principal failure modes",
            "deliver alerts and recommended work orders to Customer's maintenance system",
            "measure alert precision and downtime avoided",
            "recommend changes to preventive maintenance intervals",
            "review equipment health monthly with each facility's maintenance manager",
        ],
        out_of_scope=[
            "performing maintenance",
            "installation of new sensors",
            "safety certification of equipment",
            "equipment under manufacturer service contracts that prohibit third-party monitoring",
        ],
        deps=[
            "provide access to equipment controllers through a segregated network",
            "record failures and repairs in the maintenance system using agreed codes",
            "act on alerts in accordance with its maintenance procedures",
            "obtain manufacturer consents where required",
        ],
        sites=["Customer's automated distribution centers in Carteret, New Jersey and Newburgh, New York"],
        feeds=[
            ("controller and sensor readings", "every 10 seconds"),
            ("equipment fault logs", "continuous"),
            ("maintenance work orders", "hourly"),
            ("throughput and run-time data", "every 5 minutes"),
            ("spare parts usage", "daily"),
        ],
        deliverables=[
            (
                "Critical Equipment Register",
                "inventory of critical equipment and data",
                "approved by each facility's maintenance manager",
            ),
            (
                "Equipment Connectivity",
                "connection of controllers and sensors",
                "ninety-eight percent data completeness for fourteen days",
            ),
            (
                "Failure Code Standard",
                "standard failure codes",
                "approved by Customer's maintenance director",
            ),
            (
                "Failure Prediction Models",
                "models for principal failure modes",
                "precision of at least seventy percent at agreed lead times in back-testing",
            ),
            (
                "Work Order Integration",
                "alerts and work orders to the maintenance system",
                "end-to-end test passed",
            ),
            (
                "Maintenance Interval Recommendations",
                "recommended changes to preventive intervals",
                "reviewed with maintenance managers",
            ),
        ],
        slas=[
            ("Sensor data completeness", "98.0%", "measured monthly", True, 4),
            ("Alert delivery within 5 minutes of detection", "99.0%", "measured monthly", True, 5),
            ("Alert precision (confirmed issues)", "at least 70.0%", "measured quarterly", False, 3),
            ("Equipment Health Monitor availability", "99.8%", "measured monthly", True, 5),
            ("Monthly health review held", "100%", "measured monthly", False, 2),
        ],
        roles=["Engagement Lead", "Reliability Engineer", "Industrial IoT Engineer", "Data Scientist"],
        impl=590_000,
        monthly=48_000,
        unit=("monitored equipment asset above 1,200 assets", [14, 12, 10]),
        months=36,
        personal="none",
        assumptions=[
            "equipment controllers support read-only data access",
            "a segregated network is available at each facility",
            "at least two years of maintenance history exists",
            "manufacturers do not object to monitoring",
        ],
    ),
    dict(
        key="NW",
        title="NETWORK DESIGN MODELLING SERVICES",
        name="network design modelling",
        party=None,
        system="Network Model",
        system_desc="a strategic model of Customer's facilities, flows, costs and service levels built on the Platform's network design module",
        background="Customer has grown by acquisition and now operates facilities whose locations reflect the history of the businesses it acquired rather than the current distribution of its clients' demand. Customer wishes to evaluate consolidation, relocation and new-facility options for the next five years.",
        objectives=[
            "model the current network's cost and service performance",
            "evaluate consolidation, relocation and expansion scenarios",
            "quantify transport, facility, labour and inventory trade-offs",
            "equip Customer's strategy team to rerun scenarios themselves",
        ],
        tasks=[
            "collect flows, costs, capacities and service requirements for the baseline year",
            "build and validate the baseline Network Model",
            "define scenarios with Customer's strategy team",
            "run and analyse scenarios, including sensitivity to demand, fuel and labour costs",
            "estimate one-time transition costs and risks for preferred scenarios",
            "present findings to Customer's executive leadership",
            "train Customer's strategy analysts in running the Network Model",
            "update the Network Model annually at Customer's request",
        ],
        out_of_scope=[
            "real estate brokerage or site negotiations",
            "detailed facility design",
            "implementation of network changes",
            "legal or tax structuring",
        ],
        deps=[
            "provide facility costs, leases and capacities",
            "make executives available for scenario workshops",
            "validate the baseline Network Model",
            "nominate analysts for training",
        ],
        sites=["Customer's headquarters in Brooklyn, New York"],
        feeds=[
            ("annual shipment history", "one-time and annual refresh"),
            ("facility cost and capacity data", "one-time and annual refresh"),
            ("carrier rate data", "one-time and annual refresh"),
            ("client demand projections", "as provided"),
            ("labour cost data by location", "one-time and annual refresh"),
        ],
        deliverables=[
            (
                "Baseline Network Model",
                "validated model of the current network",
                "cost within two percent of actual baseline costs",
            ),
            ("Scenario Definitions", "agreed scenarios", "approved by Customer's chief strategy officer"),
            ("Scenario Analysis Report", "results and sensitivities", "reviewed by Customer's strategy team"),
            (
                "Transition Assessment",
                "transition costs and risks for preferred scenarios",
                "accepted by Customer's chief strategy officer",
            ),
            (
                "Executive Presentation",
                "findings for executive leadership",
                "presented at the executive meeting",
            ),
            ("Analyst Training", "training of strategy analysts", "analysts rerun a scenario independently"),
        ],
        slas=[
            (
                "Scenario run turnaround within 3 Business Days",
                "95.0% of requests",
                "measured quarterly",
                False,
                3,
            ),
            ("Network Model availability", "99.0%", "measured monthly", False, 2),
            ("Milestone deliveries on schedule", "100%", "measured per milestone", True, 5),
            ("Baseline validation variance", "not more than 2.0%", "measured once", True, 5),
            ("Support requests answered within 1 Business Day", "95.0%", "measured quarterly", False, 2),
        ],
        roles=["Engagement Lead", "Network Strategy Principal", "Supply Chain Modeller", "Data Analyst"],
        impl=450_000,
        monthly=9_500,
        unit=("additional scenario beyond 24 scenarios", [6_500, 6_000, 5_500]),
        months=18,
        personal="none",
        assumptions=[
            "baseline data is available for a full year",
            "no more than twenty-four scenarios are analysed in the first phase",
            "demand projections are provided by Customer",
            "executive workshops are scheduled within the agreed timetable",
        ],
    ),
    dict(
        key="BI",
        title="EXECUTIVE BUSINESS INTELLIGENCE MANAGED SERVICES",
        name="executive business intelligence",
        party=None,
        system="Executive Insight Suite",
        system_desc="a managed set of executive dashboards and reports built on the Enterprise Data Warehouse and operated by Provider",
        background="Customer's executive team reviews performance weekly using slide decks assembled manually from several reports. The figures in those decks are not always consistent with the reports used by operations and finance.",
        objectives=[
            "give executives one consistent set of key performance indicators",
            "eliminate manual assembly of weekly executive packs",
            "provide drill-down from executive indicators to operational detail",
            "manage changes to executive reporting through a controlled process",
        ],
        tasks=[
            "define key performance indicators with Customer's executive team and document their calculation",
            "build executive dashboards and a weekly executive pack",
            "provide drill-down into operational reports",
            "operate, monitor and support the Executive Insight Suite",
            "manage a backlog of enhancement requests through a monthly prioritisation meeting",
            "certify each indicator's data lineage",
            "train executives and their staff",
            "review adoption and usefulness quarterly",
        ],
        out_of_scope=[
            "operational reporting outside the executive suite",
            "financial statements",
            "board materials other than indicators drawn from the suite",
            "data sources not already in the Enterprise Data Warehouse",
        ],
        deps=[
            "make executives available to define indicators",
            "prioritise the enhancement backlog monthly",
            "nominate an executive sponsor",
            "ensure that data sources are loaded in the Enterprise Data Warehouse",
        ],
        sites=[
            "Customer's headquarters in Brooklyn, New York",
            "Provider's delivery centre in Cambridge, Massachusetts",
        ],
        feeds=[
            ("conformed data from the Enterprise Data Warehouse", "daily"),
            ("financial plan and forecast figures", "monthly"),
            ("safety incident summaries", "weekly"),
            ("client satisfaction survey results", "quarterly"),
            ("enhancement requests", "continuous"),
        ],
        deliverables=[
            (
                "Indicator Catalogue",
                "definitions and calculations of key performance indicators",
                "approved by the executive sponsor",
            ),
            ("Executive Dashboards", "dashboards with drill-down", "accepted by the executive team"),
            (
                "Weekly Executive Pack",
                "automated weekly pack",
                "produced without manual assembly for four consecutive weeks",
            ),
            (
                "Lineage Certification",
                "lineage for each indicator",
                "certified by Customer's data governance council",
            ),
            (
                "Support Model",
                "operating and support procedures",
                "accepted by Customer's business intelligence manager",
            ),
            ("Adoption Review", "quarterly adoption review", "delivered in the agreed format"),
        ],
        slas=[
            ("Weekly executive pack available by 07:00 Monday", "100% of weeks", "measured weekly", True, 6),
            ("Dashboard refresh completed by 06:30 daily", "99.0%", "measured monthly", True, 4),
            ("Executive Insight Suite availability", "99.8%", "measured monthly", True, 5),
            ("Priority 1 support requests resolved within 4 hours", "95.0%", "measured monthly", False, 3),
            ("Enhancement delivery against agreed monthly plan", "90.0%", "measured quarterly", False, 2),
        ],
        roles=[
            "Engagement Lead",
            "Business Intelligence Architect",
            "Report Developer",
            "Service Delivery Manager",
        ],
        impl=210_000,
        monthly=33_000,
        unit=("additional dashboard beyond 40 dashboards", [1_200, 1_050, 900]),
        months=30,
        personal="none",
        assumptions=[
            "the Enterprise Data Warehouse is in production before dashboards are built",
            "no more than forty dashboards are in the initial scope",
            "executives use the supported browsers and mobile devices",
            "the executive sponsor attends monthly prioritisation meetings",
        ],
    ),
    dict(
        key="TC",
        title="CROSS-BORDER TRADE COMPLIANCE ANALYTICS SERVICES",
        name="cross-border trade compliance analytics",
        party="mexico",
        system="Trade Compliance Monitor",
        system_desc="a Platform service that screens parties and shipments for cross-border moves between the United States, Mexico and Canada and analyses compliance with trade programme requirements",
        background="Customer's Mexican Affiliate coordinates northbound and southbound truck shipments through the Laredo, Otay Mesa and Nogales crossings for manufacturers operating under Mexican temporary import programmes. Screening of parties against restricted party lists is performed manually and documentation errors at the border cause delays and penalties.",
        objectives=[
            "screen every party to every cross-border shipment against restricted party lists",
            "reduce documentation errors that delay crossings",
            "track compliance with temporary import programme requirements for clients",
            "reduce average crossing delay attributable to documentation by at least twenty percent",
        ],
        tasks=[
            "screen shippers, consignees, carriers and intermediaries against restricted party lists, with adjudication workflows for potential matches",
            "validate shipment documentation data before crossing against programme and regulatory requirements",
            "track temporary import balances and deadlines for participating clients",
            "analyse crossing times and delays by crossing, carrier, client and cause",
            "alert Customer's compliance staff to documentation risks before dispatch",
            "maintain screening lists and validation rules as they change",
            "report monthly to Customer's trade compliance committee",
            "support Customer's responses to audits by trade authorities",
        ],
        out_of_scope=[
            "acting as a customs broker or filing any declaration",
            "legal advice on trade programmes",
            "adjudication decisions on potential matches, which Customer's compliance staff make",
            "southbound rail shipments",
        ],
        deps=[
            "provide party and shipment data before dispatch",
            "adjudicate potential matches within four business hours",
            "provide temporary import programme records for participating clients",
            "obtain client consents needed for the Services",
        ],
        sites=[
            "Customer's Mexican Affiliate's office in Nuevo Laredo, Tamaulipas",
            "Customer's office in Laredo, Texas",
        ],
        feeds=[
            ("party master and shipment parties", "every 15 minutes"),
            ("shipment documentation data", "every 15 minutes"),
            ("restricted party lists", "daily"),
            ("crossing events", "hourly"),
            ("temporary import programme records", "weekly"),
        ],
        deliverables=[
            (
                "Screening Configuration",
                "screening lists, thresholds and adjudication workflow",
                "validated against a test set of known matches",
            ),
            (
                "Documentation Validation Rules",
                "pre-crossing validation rules",
                "detects seeded errors in a test set of five hundred shipments",
            ),
            (
                "Programme Balance Tracker",
                "tracking of temporary import balances and deadlines",
                "reconciles to client records for three pilot clients",
            ),
            (
                "Crossing Delay Analytics",
                "analysis of crossing times and causes",
                "accepted by Customer's border operations manager",
            ),
            ("Compliance Committee Pack", "monthly reporting", "delivered in the agreed format"),
            (
                "Audit Support Procedure",
                "procedure for supporting trade audits",
                "approved by Customer's trade compliance director",
            ),
        ],
        slas=[
            ("Party screening completed before dispatch", "99.9% of shipments", "measured monthly", True, 8),
            (
                "Restricted party lists updated within 24 hours of publication",
                "100%",
                "measured per update",
                True,
                6,
            ),
            (
                "Documentation validation results within 10 minutes of data receipt",
                "99.0%",
                "measured monthly",
                True,
                4,
            ),
            ("Trade Compliance Monitor availability", "99.9%", "measured monthly", True, 5),
            (
                "Monthly compliance pack delivered by the 5th Business Day",
                "100%",
                "measured monthly",
                False,
                2,
            ),
        ],
        roles=["Engagement Lead", "Trade Compliance Architect", "Screening Operations Lead", "Data Engineer"],
        impl=370_000,
        monthly=41_000,
        unit=("shipment screened above 25,000 shipments per month", [0.55, 0.48, 0.42]),
        months=30,
        personal="limited",
        assumptions=[
            "shipment data is available before dispatch",
            "restricted party lists are licensed by Provider",
            "no more than three crossings are in scope",
            "clients consent to the use of their programme records",
        ],
    ),
]


# ---- Statement of Work template ----------------------------------------------------------------

FIRST_NAMES = ["Amara", "Bennett", "Chiara", "Desmond", "Elif", "Farid", "Greta", "Hollis", "Ines", "Jonah",
               "Kalani", "Leona", "Mateo", "Nadia", "Oren", "Priya", "Quinn", "Rosalind", "Soren", "Tamsin",
               "Ulric", "Vera", "Wendell", "Ximena", "Yusuf", "Zelda", "Anselm", "Bettina", "Cormac", "Delphine"]  # fmt: skip
LAST_NAMES = ["Abernathy", "Brightwater", "Castellanos", "Dunmore", "Eskildsen", "Fairbanks", "Galloway",
              "Hargreave", "Ibarra", "Jessup", "Kowalczyk", "Lindqvist", "Marchetti", "Nakamura", "Okonkwo",
              "Pemberton", "Quillen", "Ravensworth", "Szabo", "Thorne", "Underhill", "Valdivia", "Whitcombe",
              "Yamada", "Zielinski", "Achterberg", "Belmonte", "Coutinho", "Drummond", "Ferreira"]  # fmt: skip
CUSTOMER_CONTACTS = ["Vice President, Logistics Technology", "Director of Transportation", "Director of Warehouse Operations",
                     "Director of Trade Compliance", "Director of Planning", "Director of Finance Operations",
                     "Vice President, Fleet Operations", "Director of Cold Chain Quality"]  # fmt: skip

CONTACT_BY_SERVICE = {
    "RO": "Director of Transportation",
    "FT": "Vice President, Fleet Operations",
    "CB": "Director of Trade Compliance",
    "TC": "Director of Trade Compliance",
    "DF": "Director of Planning",
    "FA": "Director of Finance Operations",
    "CC": "Director of Cold Chain Quality",
    "WS": "Director of Warehouse Operations",
    "LB": "Director of Warehouse Operations",
    "YM": "Director of Warehouse Operations",
    "DS": "Director of Warehouse Operations",
}

_used_names: set[str] = set()


def person(key: str) -> str:
    """A fictional name, unique within the document."""
    i = 0
    while True:
        h = _h(f"{key}/{i}")
        name = f"{FIRST_NAMES[h % len(FIRST_NAMES)]} {LAST_NAMES[(h // 97) % len(LAST_NAMES)]}"
        if name not in _used_names:
            _used_names.add(name)
            return name
        i += 1


def letters(i: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[i]


def sub_list(items: list[str], *, last_join: str = "and") -> list[str]:
    """'(a) item;' lines, the penultimate ending '; and'."""
    out = []
    for i, it in enumerate(items):
        end = "." if i == len(items) - 1 else (f"; {last_join}" if i == len(items) - 2 else ";")
        out.append(f"({letters(i)}) {it}{end}")
    return out


# Records gathered while building the SOWs, used by the Schedules and Exhibit B.
SOW_RECORDS: list[dict] = []


def build_sow(n: int, s: dict, dated: dt.date, *, conflict: bool) -> str:
    k = f"sow{n}"
    sys_term = s["system"]
    party_name, party_desc = (
        (CUSTOMER_NAME, "a New York limited liability company")
        if s["party"] is None
        else AFFILIATES[s["party"]]
    )
    cust_ref = "Customer" if s["party"] is None else "the Customer Affiliate"
    Cust_ref = cust_ref[0].upper() + cust_ref[1:]
    start = add_months(dt.date(dated.year, dated.month, 1), 1)
    end = add_months(start, s["months"]) - dt.timedelta(days=1)
    mile_offsets = [0, 2, 5, 7, 9, 11] if s["months"] >= 24 else [0, 1, 3, 5, 7, 9]
    mile_dates = [add_months(start, m) + dt.timedelta(days=14) for m in mile_offsets]
    pct_patterns = [
        [10, 15, 20, 20, 25, 10],
        [15, 15, 20, 15, 25, 10],
        [10, 20, 20, 20, 20, 10],
        [10, 15, 25, 15, 25, 10],
    ]
    pcts = pct_patterns[_h(k + "pct") % len(pct_patterns)]
    go_live = mile_dates[4]
    L: list[str] = []
    add = L.append

    add(f"STATEMENT OF WORK NO. {n}")
    add(s["title"])
    opener = pick(
        k + "open",
        [
            f'This Statement of Work No. {n} is dated {fmt_date(dated)} and is entered into by {PROVIDER_NAME} ("Provider") and {party_name}, {party_desc}, under the Master Services Agreement between {PROVIDER_NAME} and {CUSTOMER_NAME} dated as of March 3, 2025 (as amended, the "Agreement").',
            f'{PROVIDER_NAME} ("Provider") and {party_name}, {party_desc}, enter into this Statement of Work No. {n}, dated {fmt_date(dated)}, under and subject to the Master Services Agreement between {PROVIDER_NAME} and {CUSTOMER_NAME} dated as of March 3, 2025 (as amended, the "Agreement").',
            f'This Statement of Work No. {n}, dated {fmt_date(dated)}, is made between {PROVIDER_NAME} ("Provider") and {party_name}, {party_desc}, pursuant to the Master Services Agreement between {PROVIDER_NAME} and {CUSTOMER_NAME} dated as of March 3, 2025 (as amended, the "Agreement").',
        ],
    )
    if s["party"] is not None:
        opener += f' {party_name} enters into this Statement of Work as a Customer Affiliate in accordance with Section 2.3 of the Agreement (the "Customer Affiliate"), and references in the Agreement to Customer shall be read, for the purposes of this Statement of Work, as references to the Customer Affiliate.'
    opener += " Capitalised terms used but not defined in this Statement of Work have the meanings given in the Agreement."
    add(opener)

    # 1
    add("1. BACKGROUND AND OBJECTIVES")
    add(f"1.1 Background. {s['background']}")
    add(
        f"1.2 Objectives. {pick(k + 'obj', ['The objectives of the Services described in this Statement of Work are to:', f'{cust_ref} has engaged Provider under this Statement of Work in order to:', 'Through the Services, the Parties intend to:'])}"
    )
    L.extend(sub_list(s["objectives"]))
    add(
        "The objectives describe the purpose of the Services and inform the interpretation of this Statement of Work, but are not themselves warranties, except to the extent they are expressed as Service Levels in Section 6.1 of this Statement of Work or as Acceptance Criteria in Section 3.3 of this Statement of Work."
    )
    add(
        "1.3 Relationship to the Agreement. "
        + pick(
            k + "rel",
            [
                "This Statement of Work is governed by the Agreement. Nothing in this Statement of Work varies any provision of the body of the Agreement, and in the event of any conflict the order of precedence in Section 1.3 of the Agreement applies.",
                "This Statement of Work incorporates the Agreement by reference. The Parties do not intend this Statement of Work to vary the body of the Agreement, and Section 1.3 of the Agreement determines which document prevails in the event of any inconsistency.",
                "The Agreement applies to this Statement of Work as if set out in full in it. Any conflict between this Statement of Work and the body of the Agreement shall be resolved in accordance with Section 1.3 of the Agreement.",
            ],
        )
    )

    # 2
    add("2. SCOPE OF SERVICES")
    add(
        f'2.1 Services. Provider shall establish and operate {s["system_desc"]} (the "{sys_term}"), and shall perform the following Services:'
    )
    L.extend(sub_list(s["tasks"]))
    add(
        pick(
            k + "svc",
            [
                "Provider shall perform the Services in accordance with the project plan approved under Section 4.1 of this Statement of Work and the standards of performance set out in Section 2.1 of the Agreement.",
                "The Services include all activities reasonably necessary to deliver the Deliverables in Section 3.1 of this Statement of Work and to meet the Service Levels in Section 6.1 of this Statement of Work, whether or not expressly listed above.",
                f"Provider shall provide all Personnel, tooling and Platform capacity needed to perform the Services, subject only to the responsibilities of {cust_ref} described in Section 2.3 of this Statement of Work.",
            ],
        )
    )
    add(
        "2.2 Out of Scope. The following are outside the scope of this Statement of Work and may be added only by a Change Order under Section 10.1 of this Statement of Work:"
    )
    L.extend(sub_list(s["out_of_scope"]))
    add(
        f"2.3 {'Customer' if s['party'] is None else 'Customer Affiliate'} Responsibilities. In addition to its responsibilities under Section 2.6 of the Agreement, {cust_ref} shall:"
    )
    L.extend(sub_list(s["deps"]))
    add(
        pick(
            k + "dep",
            [
                f"If {cust_ref} does not perform a responsibility listed in this Section 2.3, Provider shall notify {cust_ref} in writing within two (2) Business Days and the consequences shall be determined in accordance with Section 2.6 of the Agreement and Section 4.2 of this Statement of Work.",
                f"Provider's relief for any failure by {cust_ref} to perform these responsibilities is limited to that described in Section 2.6 of the Agreement, and Provider shall use commercially reasonable efforts to mitigate the effect of any such failure.",
            ],
        )
    )
    add(
        "2.4 Locations. The Services will be performed at or for the following locations, and remotely from Provider's facilities in the United States and Canada listed in Schedule 3:"
    )
    L.extend(sub_list(s["sites"]))
    add(
        "2.5 Data Sources. The Services use the following data sources, which Provider shall ingest at the frequencies indicated. Data sources may be added or removed only by Change Order."
    )
    for i, (feed, freq) in enumerate(s["feeds"], 1):
        add(f"Source DS-{n}.{i:02d}: {feed}; refresh frequency: {freq}.")

    add(
        "2.6 Implementation Approach. Provider shall perform the implementation in the following phases. Each phase ends when its exit criteria are met and the related milestone in Section 4.1 of this Statement of Work is achieved."
    )
    t = s["tasks"]
    phases = [
        (
            "Discovery",
            [t[0]],
            "approval of the project plan and confirmation of access to every data source in Section 2.5 of this Statement of Work",
        ),
        (
            "Design",
            [t[1]],
            f"approval by {cust_ref} of the design and configuration specifications for the {sys_term}",
        ),
        (
            "Build",
            [t[2], t[3]],
            f"completion of unit and integration testing of the {sys_term} with no open defects of Severity 1 or Severity 2",
        ),
        ("Pilot and Testing", [t[4]], "Acceptance of the Deliverables due at Milestone M4"),
        (
            "Deployment",
            [t[5]],
            f"production go-live of the {sys_term} and Acceptance of the Deliverables due at Milestone M5",
        ),
        (
            "Operation",
            [t[6], t[7]],
            "completion of hypercare and written confirmation by "
            + cust_ref
            + " that steady-state operation has been reached",
        ),
    ]
    for i, (ph, acts, exitc) in enumerate(phases):
        a_start = start if i == 0 else mile_dates[i - 1] + dt.timedelta(days=1)
        add(
            f"Phase {i + 1} ({ph}), {fmt_date(a_start)} to {fmt_date(mile_dates[i])}. Principal activities: "
            + "; ".join(acts)
            + f". Exit criteria: {exitc}."
        )
    add(
        pick(
            k + "phase",
            [
                "Phases may overlap where the project plan so provides, but no phase may be treated as complete until its exit criteria are met.",
                f"Provider shall not begin the Deployment phase at any location until {cust_ref} has confirmed in writing that the location is ready for go-live.",
                "Provider shall hold a phase review with Customer at the end of each phase to confirm that the exit criteria have been met and to agree any actions carried forward.",
            ],
        )
    )

    # 3
    add("3. DELIVERABLES")
    add(
        "3.1 Deliverables. Provider shall deliver the following Deliverables by the due dates shown. Each due date is tied to the milestone in Section 4.1 of this Statement of Work shown against it."
    )
    add("Deliverable ID | Deliverable | Description | Milestone | Due Date")
    dmil = (
        [1, 1, 2, 2, 4, 5]
        if len(s["deliverables"]) == 6
        else [min(i, 5) for i in range(len(s["deliverables"]))]
    )
    for i, (dname, desc, _acc) in enumerate(s["deliverables"]):
        m = dmil[i]
        add(
            f"D-{n}.{i + 1:02d} | {dname} | {desc[0].upper() + desc[1:]} | M{m + 1} | {fmt_date(mile_dates[m])}"
        )
    add(
        "3.2 Documentation. "
        + pick(
            k + "doc",
            [
                "Each Deliverable shall be accompanied by Documentation sufficient to enable a reasonably skilled member of Customer's staff to understand, operate and support it, including, where applicable, data dictionaries, interface specifications, runbooks and release notes. Documentation forms part of the Deliverable to which it relates for the purposes of Acceptance.",
                "Provider shall deliver Documentation with each Deliverable, in English and in editable electronic form, covering its design, configuration, operation and support. A Deliverable delivered without its Documentation is not ready for Acceptance testing.",
                "The Documentation for each Deliverable shall be maintained by Provider in the shared repository designated by Customer, kept current throughout the term of this Statement of Work, and delivered in final form as a condition of Acceptance.",
            ],
        )
    )
    add(
        "3.3 Acceptance Criteria. In addition to any criteria agreed under Section 2.9 of the Agreement, the Acceptance Criteria for each Deliverable include the following:"
    )
    for i, (dname, _desc, acc) in enumerate(s["deliverables"]):
        add(f"D-{n}.{i + 1:02d} {dname}: {acc}.")

    add(
        "3.4 Acceptance Test Scenarios. Without limiting Section 3.3 of this Statement of Work, Acceptance testing of each Deliverable shall include at least the following scenarios, which Provider shall expand into detailed test scripts:"
    )
    for i, (dname, _desc, acc) in enumerate(s["deliverables"]):
        did = f"D-{n}.{i + 1:02d}"
        low = dname.lower()
        last = dname.split()[-1]
        plural = last.endswith("s") and last not in ("Analytics", "Process", "Status")

        def vb(sing: str, plu: str, plural: bool = plural) -> str:
            return plu if plural else sing

        if any(
            w in low
            for w in (
                "report",
                "assessment",
                "baseline",
                "inventory",
                "register",
                "review",
                "analysis",
                "pack",
                "statement",
                "record",
            )
        ):
            t2 = f"confirm that every figure in the {dname} can be traced to its source data or working papers, and that the method used is stated"
            t3 = f"confirm that the {dname} {vb('has', 'have')} been reviewed by the Customer stakeholders named in the project plan and that their comments have been addressed or formally closed"
        elif any(
            w in low for w in ("pipeline", "integration", "connector", "feed", "interface", "service", "set")
        ):
            t2 = f"inject malformed, late and duplicate records and confirm that the {dname} {vb('rejects', 'reject')}, {vb('delays', 'delay')} or {vb('de-duplicates', 'de-duplicate')} them as specified, with alerts raised to the support team"
            t3 = f"interrupt the {dname} during processing and confirm that {vb('it recovers', 'they recover')} without data loss or duplication within the Resolution Time for a Severity 2 Incident"
        elif any(
            w in low
            for w in (
                "model",
                "engine",
                "module",
                "optimiser",
                "planner",
                "tool",
                "tracker",
                "alerting",
                "recommendation",
            )
        ):
            t2 = f"run the {dname} against a hold-out data set agreed with {cust_ref} and confirm that results meet the stated accuracy or performance standard"
            t3 = f"confirm that users can see the main inputs and reasons behind each output of the {dname} sufficiently to explain it to a colleague"
        else:
            t2 = f"confirm with representative users from at least two locations that the {dname} {vb('supports', 'support')} their day-to-day tasks without workarounds"
            t3 = f"confirm that access to the {dname} respects the roles and permissions agreed with {cust_ref}, including the denial of access to unauthorised users"
        add(
            f"{did}-T1: demonstrate that Deliverable {did} ({dname}) meets the Acceptance Criteria stated for it in Section 3.3 of this Statement of Work, that is: {acc}."
        )
        add(f"{did}-T2: {t2}.")
        add(f"{did}-T3: {t3}.")

    # 4
    add("4. PROJECT SCHEDULE AND MILESTONES")
    add(
        f"4.1 Milestones. Provider shall deliver a detailed project plan within ten (10) Business Days after {fmt_date(start)} for approval by {cust_ref}, consistent with the following milestones:"
    )
    add("Milestone | Description | Target Date | Payment (% of Implementation Fee)")
    mdesc = [
        "Project mobilisation and approval of the project plan",
        "Approval of design and configuration specifications",
        f"Build of the {sys_term} complete and ready for testing",
        "Completion of pilot or parallel run",
        f"Production go-live of the {sys_term}",
        "Completion of hypercare and handover to steady-state operations",
    ]
    for i, (desc, d, p) in enumerate(zip(mdesc, mile_dates, pcts, strict=False)):
        add(f"M{i + 1} | {desc} | {fmt_date(d)} | {p}%")
    add(
        "4.2 Delays. "
        + pick(
            k + "delay",
            [
                f"Provider shall notify {cust_ref} promptly if it anticipates that any milestone will be missed, with the cause and a recovery plan. Where a delay is caused by {cust_ref}'s failure to perform a responsibility under Section 2.3 of this Statement of Work, the affected dates shall be extended by the period of the delay; otherwise Provider shall implement the recovery plan at its own cost.",
                f"A milestone date may be moved only by Change Order, except that it is extended automatically by the duration of any delay caused by {cust_ref}'s failure to perform its responsibilities, provided Provider has given the notice required by Section 2.6 of the Agreement. Provider shall add resources at its own cost to recover from delays for which it is responsible.",
                f"If Milestone M5 is not achieved within thirty (30) days after its target date for reasons attributable to Provider, {cust_ref} may withhold ten percent (10%) of each subsequent recurring Fee under this Statement of Work until Milestone M5 is achieved, and the withheld amounts shall be released without interest upon its achievement.",
            ],
        )
    )
    add(
        "4.3 Hypercare. "
        + pick(
            k + "hyper",
            [
                f"For sixty (60) days after go-live of the {sys_term}, Provider shall provide enhanced support, including daily status meetings, on-call coverage by the Key Personnel and priority defect resolution, at no additional charge.",
                f"Following Milestone M5, Provider shall provide a hypercare period ending on the date of Milestone M6, during which Severity 1 and Severity 2 Incidents affecting the {sys_term} are handled by the project team rather than the standard support organisation.",
                f"Provider shall staff a hypercare team from go-live until Milestone M6, shall hold a daily review of open defects with {cust_ref}, and shall not reduce the project team until {cust_ref} confirms in writing that steady-state operation has been reached.",
            ],
        )
    )

    sessions = 4 + _h(k + "train") % 9
    add(
        f"4.4 Training. Provider shall deliver {wn(sessions)} instructor-led training sessions, each of up to three (3) hours, for users and administrators of the {sys_term} nominated by {cust_ref}, before the date of Milestone M5. "
        + pick(
            k + "trn",
            [
                "Provider shall also provide recorded versions of each session and quick-reference guides, and shall train up to three (3) of Customer's trainers to deliver refresher training.",
                "Training materials shall be delivered at least five (5) Business Days before each session and become Deliverables owned by Customer in accordance with Section 8.2 of the Agreement.",
                "Provider shall measure the effectiveness of training by a short assessment at the end of each session and shall offer a further session to any group in which fewer than eighty percent (80%) of participants pass.",
            ],
        )
    )

    # 5
    impl, monthly = s["impl"], s["monthly"]
    unit_name, tiers = s["unit"]
    add("5. FEES AND INVOICING")
    if monthly:
        add(
            f'5.1 Fee Structure. The Fees for this Statement of Work consist of (a) a one-time implementation fee of {money(impl)} (the "Implementation Fee"), payable by milestone in accordance with Section 5.2 of this Statement of Work; (b) a recurring monthly fee of {money(monthly)} beginning on the date of Milestone M5; and (c) the variable fees in Section 5.3 of this Statement of Work. The Fees are calculated using the rates in Schedule 1, which are fixed in accordance with Section 4.5 of the Agreement.'
        )
    else:
        add(
            f'5.1 Fee Structure. The Fees for this Statement of Work consist of (a) a one-time implementation fee of {money(impl)} (the "Implementation Fee"), payable by milestone in accordance with Section 5.2 of this Statement of Work; and (b) the transaction fees in Section 5.3 of this Statement of Work, which are the only recurring Fees under this Statement of Work. The Fees are calculated using the rates in Schedule 1, which are fixed in accordance with Section 4.5 of the Agreement.'
        )
    add(
        "5.2 Milestone Payments. Provider may invoice each milestone payment upon achievement of the milestone and Acceptance of the Deliverables due at it:"
    )
    for i, p in enumerate(pcts):
        add(f"M{i + 1}: {p}% of the Implementation Fee = {money(round(impl * p / 100))}")
    t1, t2, t3 = tiers

    def fmt_rate(r):
        return (
            f"${r:,.3f}" if r < 0.1 else (f"${r:,.2f}" if r < 100 and not float(r).is_integer() else money(r))
        )

    add(
        f"5.3 Variable Fees. The variable Fees are charged per {unit_name} at the following tiered rates, applied to the volume in each calendar month:"
    )
    add(
        f"Tier 1 (first band of volume): {fmt_rate(t1)}; Tier 2 (second band): {fmt_rate(t2)}; Tier 3 (all volume above the second band): {fmt_rate(t3)}. The band boundaries are those set out for this Statement of Work in Schedule 1."
    )
    add(
        "5.4 Expenses. "
        + pick(
            k + "exp",
            [
                "No expenses are reimbursable under this Statement of Work except travel to Customer sites outside the New York metropolitan area that Customer requests in writing, which shall be reimbursed in accordance with Section 4.10 of the Agreement.",
                "Expenses are reimbursable only in accordance with Section 4.10 of the Agreement and only if approved in advance by the Customer project manager named in Section 8.1 of this Statement of Work.",
                "Provider shall bear all expenses of performing the Services, including travel between Provider's facilities and the locations in Section 2.4 of this Statement of Work, except expenses approved in advance in writing under Section 4.10 of the Agreement.",
            ],
        )
    )
    add(
        f"5.5 Commitment Credit. All Fees invoiced under this Statement of Work count towards the Minimum Annual Commitment under Section 4.7 of the Agreement{', notwithstanding that this Statement of Work is entered into by a Customer Affiliate' if s['party'] else ''}. "
        + pick(
            k + "commit",
            [
                "Volumes under this Statement of Work count towards the volume assumptions in Section 4.8 of the Agreement.",
                "Service Credits under this Statement of Work do not reduce the amount counted towards the Minimum Annual Commitment.",
                "Fees for Change Orders under this Statement of Work also count towards the Minimum Annual Commitment.",
            ],
        )
    )
    if s.get("revshare"):
        add(
            "5.6 Revenue Share. Aggregated Insights derived in part from Customer Data processed under this Statement of Work may be used in Provider's market rate indices only in accordance with Section 4.9 of the Agreement and clause 12 of Exhibit C, and the Net Revenue from any product incorporating those indices is subject to the Revenue Share. Provider shall include in each quarterly Revenue Share statement a separate line for each such product."
        )
    else:
        add(
            "5.6 Termination Fee. "
            + pick(
                k + "tf",
                [
                    "If Customer terminates this Statement of Work under Section 16.1 of the Agreement, the Termination Fee is the amount set out for this Statement of Work in Schedule 1.",
                    "The Termination Fee payable on a termination for convenience of this Statement of Work under Section 16.1 of the Agreement is calculated in accordance with Schedule 1, and no other amount is payable on account of that termination.",
                ],
            )
        )

    add(
        "5.7 Indicative Invoicing Schedule. For planning purposes only, the Parties expect the following Fees to be invoiced under this Statement of Work in the first twelve (12) months after the date of Milestone M5, excluding variable Fees and expenses:"
    )
    for j in range(12):
        month_end = add_months(dt.date(go_live.year, go_live.month, 1), j + 1) - dt.timedelta(days=1)
        items = []
        if monthly:
            first_month = j == 0
            amt = (
                round(monthly * ((month_end.day - go_live.day + 1) / month_end.day))
                if first_month
                else monthly
            )
            items.append(f"recurring Fee {money(amt)}{' (pro rata)' if first_month else ''}")
        else:
            items.append("transaction fees for actual volumes")
        if mile_dates[5] <= month_end and mile_dates[5] > month_end - dt.timedelta(days=month_end.day):
            items.append(f"milestone payment M6 {money(round(impl * pcts[5] / 100))}")
        add(f"Invoice for the month ending {fmt_date(month_end)}: " + "; ".join(items) + ".")

    # 6
    add("6. SERVICE LEVELS")
    add(
        "6.1 Service Levels. Provider shall meet the following Service Levels for the Services under this Statement of Work, in addition to the platform Service Levels in Exhibit B. Service Levels marked as critical are Critical Service Levels for the purposes of Section 5.5 of the Agreement. Measurement begins on the date of Milestone M5."
    )
    add("SL ID | Service Level | Target | Measurement | Critical | Service Credit (% of monthly Fees)")
    for i, (metric, target, meas, crit, credit) in enumerate(s["slas"], 1):
        add(f"SL-{n}.{i} | {metric} | {target} | {meas} | {'Yes' if crit else 'No'} | {credit}%")
    add(
        "6.2 Service Credits. "
        + pick(
            k + "sc",
            [
                "If Provider fails to meet a Service Level in a month, Provider shall credit the percentage of the monthly Fees shown against that Service Level in Section 6.1 of this Statement of Work, subject to the At-Risk Amount. Service Credits are liquidated damages in accordance with Section 5.3 of the Agreement.",
                "Service Credits for failures under this Statement of Work are calculated as the percentage of the monthly Fees shown in Section 6.1 of this Statement of Work, are applied to the invoice for the month following the failure, and are subject to the At-Risk Amount and to Section 5.3 of the Agreement.",
                "Each Service Level failure gives rise to the Service Credit shown in Section 6.1 of this Statement of Work. The Parties confirm that those Service Credits are a genuine pre-estimate of loss within the meaning of Section 5.3 of the Agreement, and the total for any month is capped at the At-Risk Amount.",
            ],
        )
    )
    if not monthly:
        add(
            "Because this Statement of Work has no fixed monthly fee, the monthly Fees for the purposes of this Section 6.2 are the transaction fees invoiced for the month in which the failure occurs."
        )
    add(
        "6.3 Measurement and Reporting. "
        + pick(
            k + "rep",
            [
                "Provider shall report performance against each Service Level monthly in the report required by Section 5.2 of the Agreement, with a separate section for this Statement of Work that shows the raw measurements, the result, any exception claimed under Section 5.6 of the Agreement and the Service Credit due.",
                "The monthly Service Level report for this Statement of Work shall show, for each Service Level, the measurement method, the result for the month, the trend over the preceding six months and the root cause of any failure, and shall be delivered within the period required by Section 5.2 of the Agreement.",
                "Provider shall make performance data for each Service Level available to Customer through a dashboard on the Platform, updated at least daily, and shall deliver the formal monthly report in accordance with Section 5.2 of the Agreement.",
            ],
        )
    )
    add(
        "6.4 Earnback. "
        + pick(
            k + "eb",
            [
                "If Provider meets a Service Level in each of the three (3) months following a month in which it failed that Service Level, Customer shall refund fifty percent (50%) of the Service Credit paid for the failure, except in the case of a Critical Service Level.",
                "There is no earnback of Service Credits under this Statement of Work.",
                "Provider may earn back a Service Credit for a Service Level that is not a Critical Service Level by exceeding its target in each of the following two (2) months, provided no other Service Level is failed in those months.",
            ],
        )
    )

    add(
        "6.5 Measurement Details. The Service Levels in Section 6.1 of this Statement of Work are measured as follows:"
    )
    feeds = s["feeds"]
    for i, (metric, _target, meas, crit, _credit) in enumerate(s["slas"], 1):
        src = feeds[(i - 1) % len(feeds)][0]
        if "availability" in metric.lower():
            calc = f"Availability is calculated in accordance with Section 3.2 of Exhibit B for the components of the {sys_term} used by {cust_ref}"
        elif any(
            w in metric.lower()
            for w in ("within", "under", "latency", "by ", "turnaround", "published", "delivered")
        ):
            calc = "The result is the number of events in the measurement period that met the time standard stated in the Service Level divided by the total number of such events, expressed as a percentage to one decimal place"
        elif "%" in target and "not more than" in target:
            calc = "The result is the measured error or variance for the measurement period, calculated using the formula documented in the Service Level measurement plan approved at Milestone M2"
        else:
            calc = "The result is calculated using the formula documented in the Service Level measurement plan approved at Milestone M2, applied to all qualifying records in the measurement period"
        excl = pick(
            f"{k}excl{i}",
            [
                "records received from a data source after its scheduled delivery time by reason of a failure of the source system",
                f"periods during which {cust_ref} has instructed Provider in writing to suspend processing",
                "events caused by changes to source systems that were not notified to Provider at least five (5) Business Days in advance",
                "test transactions and records flagged as test data",
            ],
        )
        add(
            f"SL-{n}.{i} ({metric}): {calc}. Primary data source: {src}. Measurement frequency: {meas}. Excluded from measurement: {excl}. {'Failure of this Service Level counts towards the chronic failure thresholds in Section 5.5 of the Agreement.' if crit else 'This Service Level is not a Critical Service Level.'}"
        )

    # 7
    add("7. ACCEPTANCE AND WARRANTY")
    add(
        "7.1 Acceptance Testing. "
        + pick(
            k + "acc",
            [
                f"Each Deliverable is subject to Acceptance in accordance with Section 2.9 of the Agreement. {Cust_ref} shall perform Acceptance testing within the period specified in Section 2.9(b) of the Agreement, and Provider shall support the testing with Personnel familiar with the Deliverable.",
                f"Acceptance of each Deliverable shall follow Section 2.9 of the Agreement, using test scripts prepared by Provider and approved by {cust_ref} at least ten (10) Business Days before testing begins. Provider shall record and track every defect identified during testing.",
                "The Acceptance procedure in Section 2.9 of the Agreement applies. For Deliverables that are data pipelines or integrations, Acceptance testing shall include a period of operation with production data of at least the duration stated in the Acceptance Criteria in Section 3.3 of this Statement of Work.",
            ],
        )
    )
    add(
        "7.2 Test Environments. "
        + pick(
            k + "env",
            [
                f"Provider shall provide and maintain a non-production environment of the {sys_term} that mirrors production for Acceptance testing and for testing of changes throughout the term of this Statement of Work.",
                f"Provider shall provision separate development, test and production environments of the {sys_term}. Customer Data may be used in the test environment only if masked in accordance with Schedule 3.",
            ],
        )
    )
    add(
        "7.3 Warranty. Each Deliverable under this Statement of Work is subject to the warranty in Section 11.3 of the Agreement for the Warranty Period of ninety (90) days after its Acceptance. "
        + pick(
            k + "war",
            [
                "Defects reported during the Warranty Period shall be corrected at no charge in accordance with Section 11.3 of the Agreement.",
                "Correction of defects during the Warranty Period shall be prioritised according to the severity definitions in Exhibit B.",
                "Any Deliverable corrected during the Warranty Period receives a fresh Warranty Period for the corrected portion.",
            ],
        )
    )

    # 8
    add("8. KEY PERSONNEL AND GOVERNANCE")
    add(
        "8.1 Key Personnel. The following individuals are Key Personnel for this Statement of Work and shall be assigned for at least the allocation shown until Milestone M6 and thereafter as required for steady-state operations:"
    )
    kp = []
    for i, role in enumerate(s["roles"]):
        nm = person(f"{k}/{role}")
        alloc = [100, 100, 75, 50][i] if i < 4 else 50
        kp.append((nm, role, alloc))
        add(f"{role}: {nm} ({alloc}% allocation)")
    c_role = CONTACT_BY_SERVICE.get(s["key"], CUSTOMER_CONTACTS[_h(k + "cc") % len(CUSTOMER_CONTACTS)])
    c_name = person(f"{k}/customer-pm")
    add(
        f"{Cust_ref}'s project manager for this Statement of Work is {c_name}, reporting to {cust_ref}'s {c_role}."
    )
    add(
        "8.2 Replacement of Key Personnel. "
        + pick(
            k + "kp",
            [
                "Key Personnel may be replaced only in accordance with Section 6.2 of the Agreement, and any replacement shall be added to Schedule 2.",
                "Section 6.2 of the Agreement governs the removal and replacement of Key Personnel. In addition, Provider shall not assign any of the Key Personnel to another customer engagement in a way that reduces the allocation shown in Section 8.1 of this Statement of Work.",
                "The Key Personnel listed above are also listed in Schedule 2. Provider shall comply with Section 6.2 of the Agreement before making any change, and shall notify the Steering Committee of each approved change.",
            ],
        )
    )
    add(
        "8.3 Governance. "
        + pick(
            k + "gov",
            [
                "The project managers of the Parties shall meet weekly during implementation and monthly during steady-state operations. Matters that they cannot resolve shall be escalated to the Steering Committee and, if necessary, resolved in accordance with Section 18.3 of the Agreement.",
                "Provider shall hold a weekly status meeting with Customer until Milestone M6 and a monthly service review thereafter, and shall present the status of this Statement of Work at each meeting of the Steering Committee.",
                "Governance of this Statement of Work follows the structure established under Section 2.7 of the Agreement, supplemented by a fortnightly working group of the Parties' project managers and technical leads.",
            ],
        )
    )
    add(
        "8.4 Status Reporting. "
        + pick(
            k + "sr",
            [
                "Provider shall deliver a written status report each week until Milestone M6, covering progress against the milestones in Section 4.1 of this Statement of Work, risks, issues, decisions required and upcoming activities.",
                "Until Milestone M6, Provider shall maintain a risk and issue log, a decision log and a milestone tracker, accessible to Customer at all times, and shall summarise them in a weekly written report.",
            ],
        )
    )

    add(
        "8.5 Responsibility Matrix. The allocation of responsibility for each activity in Section 2.1 of this Statement of Work is as follows (R: responsible; A: accountable; C: consulted; I: informed):"
    )
    patterns = [("R, A", "C"), ("R, A", "I"), ("R", "A, C"), ("R, A", "C, I")]
    for i, task in enumerate(s["tasks"]):
        pr, cu = patterns[_h(f"{k}raci{i}") % len(patterns)]
        add(f"Activity 2.1({letters(i)}) ({task}): Provider {pr}; {cust_ref} {cu}.")

    # 9
    add("9. DATA AND SECURITY")
    add(
        f"9.1 Customer Data. The Customer Data processed under this Statement of Work comprises the data received from the data sources in Section 2.5 of this Statement of Work and all data derived from it within the {sys_term}."
    )
    pd_text = {
        "none": "No Personal Data is expected to be processed under this Statement of Work other than business contact information of Customer personnel. If Provider becomes aware that any data source contains other Personal Data, it shall notify Customer and the Parties shall update the details of processing in clause 13 of Exhibit C.",
        "limited": "Personal Data processed under this Statement of Work is limited to business contact information and names of individuals appearing in shipment, party and user records. The details of processing are as described in clause 13 of Exhibit C.",
        "drivers": "Personal Data processed under this Statement of Work includes driver identifiers, names and location data associated with vehicles. Provider shall process that data only as described in clause 13 of Exhibit C, shall not use location data to track drivers outside working hours, and shall support Customer in meeting its notice obligations to drivers under Data Protection Laws.",
        "consignees": "Personal Data processed under this Statement of Work includes names, addresses, telephone numbers and email addresses of consignees and delivery photographs. Provider shall process that data only as described in clause 13 of Exhibit C, shall honour opt-out requests within one (1) Business Day, and shall delete delivery photographs after the retention period agreed with Customer.",
        "employees": "Personal Data processed under this Statement of Work includes employee identifiers, names, shift and performance data of Customer's warehouse associates. Provider shall process that data only as described in clause 13 of Exhibit C and shall restrict access to individual performance data to supervisors and managers designated by Customer.",
    }[s["personal"]]
    add("9.2 Personal Data. " + pd_text)
    add(
        "9.3 Security. "
        + pick(
            k + "sec",
            [
                f"Provider shall operate the {sys_term} in accordance with Schedule 3 and Article X of the Agreement.",
                f"The {sys_term} is subject to the security requirements in Schedule 3, including the encryption, access control and logging requirements, and to the Security Incident procedures in Section 10.4 of the Agreement.",
                f"All environments of the {sys_term} shall comply with Schedule 3, and any exception shall be approved in writing by Customer's chief information security officer.",
            ],
        )
    )

    add(
        f"9.4 Data Retention. Unless {cust_ref} instructs otherwise in writing, Provider shall retain data in the {sys_term} for the following periods, after which it shall be deleted in accordance with clause 10 of Exhibit C:"
    )
    for i, (feed, _freq) in enumerate(s["feeds"], 1):
        ret = pick(
            f"{k}ret{i}",
            [
                "thirteen (13) months",
                "twenty-five (25) months",
                "thirty-seven (37) months",
                "the term of this Statement of Work",
                "ninety (90) days in detailed form and thirty-seven (37) months in aggregated form",
            ],
        )
        add(f"DS-{n}.{i:02d} ({feed}): {ret}.")

    # 10
    add("10. CHANGE ORDERS")
    add(
        "10.1 Change Requests. Changes to this Statement of Work are subject to Section 2.4 of the Agreement. "
        + pick(
            k + "cr",
            [
                "Each change request shall be numbered sequentially and logged by Provider, and each Change Order shall state its effect on the milestones in Section 4.1 of this Statement of Work and on the Fees in Section 5.1 of this Statement of Work.",
                "Provider shall price each change request using the rates in Schedule 1 and shall show the estimated hours by role, and no change shall be implemented before the Change Order is signed.",
                "Change requests may be raised by either project manager. Provider shall assess each request within the period in Section 2.4(a) of the Agreement and shall identify any effect on the Service Levels.",
            ],
        )
    )
    add(
        "10.2 Pre-Approved Changes. "
        + pick(
            k + "pre",
            [
                f"Provider may make minor configuration changes to the {sys_term} requested by {cust_ref}'s project manager in writing without a Change Order, provided that each change requires no more than sixteen (16) hours of effort and the total such effort does not exceed eighty (80) hours in any calendar quarter.",
                f"Changes to reports, thresholds and parameters of the {sys_term} that do not alter the scope of the Services may be made through the standard service request process without a Change Order, up to forty (40) hours per calendar month.",
            ],
        )
    )
    add(
        "10.3 Change Order Pricing. "
        + pick(
            k + "cop",
            [
                "Change Orders are priced on a time-and-materials basis at the rates in Schedule 1 unless the Parties agree a fixed price. Fixed-price Change Orders shall include the assumptions on which the price is based.",
                "Change Orders shall be priced at or below the rates in Schedule 1, and any Change Order exceeding ten percent (10%) of the Implementation Fee requires approval by the Steering Committee.",
            ],
        )
    )

    # 11
    add("11. ASSUMPTIONS")
    add(
        "11.1 Assumptions. The Fees and milestones in this Statement of Work are based on the following assumptions. If an assumption proves incorrect, either Party may request a Change Order under Section 10.1 of this Statement of Work, but no change to the Fees shall be made unless the incorrect assumption has a material effect on Provider's cost of performance:"
    )
    L.extend(sub_list(s["assumptions"]))
    add(
        "11.2 General Assumptions. "
        + pick(
            k + "ga",
            [
                f"{Cust_ref} will provide Provider's Personnel with remote access to the systems in Section 2.5 of this Statement of Work through Customer's standard secure access service. Provider's Personnel will work remotely except for the on-site activities described in the project plan.",
                "Provider's Personnel will have access to Customer facilities during normal business hours and, where the Services require it, during night shifts and weekends with reasonable advance notice. Remote access will be provided in accordance with Schedule 3.",
                "Customer will make available a single point of contact for each data source. Provider will comply with the site rules of each location in Section 2.4 of this Statement of Work.",
            ],
        )
    )

    add(
        "11.3 Principal Risks. The Parties have identified the following principal risks to the Services, which Provider shall track in the risk log described in Section 8.4 of this Statement of Work:"
    )
    for i, dep in enumerate(s["deps"], 1):
        impact = pick(
            f"{k}imp{i}",
            [
                "delay to the Build phase and to the Pilot and Testing phase",
                "reduced accuracy of outputs during the first months of operation",
                "additional effort for Provider's Personnel and possible Change Orders",
                "delay to Milestone M5 at one or more locations",
            ],
        )
        mit = pick(
            f"{k}mit{i}",
            [
                "agree named owners and target dates in the project plan and review them weekly",
                "escalate any slippage of more than five (5) Business Days to the Steering Committee",
                "prepare a workaround in advance so that dependent activities can continue at reduced scope",
                "schedule the dependency early in the relevant phase so that slippage can be absorbed",
            ],
        )
        add(f"Risk R-{n}.{i}: {cust_ref} may be unable to {dep}. Impact: {impact}. Mitigation: {mit}.")

    # 12
    add("12. TERM AND GENERAL")
    add(
        f"12.1 Term. The Services under this Statement of Work commence on {fmt_date(start)} and are scheduled for completion by {fmt_date(end)}, subject to earlier termination under Article XVI of the Agreement. "
        + pick(
            k + "term",
            [
                "Customer may extend the period of performance by up to twelve (12) months by written notice given before the scheduled completion date, on the same terms.",
                "The period of performance may be extended only by Change Order.",
                "If the Agreement expires before the scheduled completion date, this Statement of Work continues in accordance with Section 3.3 of the Agreement.",
            ],
        )
    )
    add(
        "12.2 Transition. "
        + pick(
            k + "tr",
            [
                f"Upon the expiry or termination of this Statement of Work, Provider shall provide Transition Services under Section 16.7 of the Agreement for the Transition Assistance Period requested by {cust_ref}, including the export of all data held in the {sys_term} in the formats described in clause 10 of Exhibit C.",
                f"Section 16.7 of the Agreement applies to this Statement of Work. During the Transition Assistance Period, Provider shall continue to operate the {sys_term} and shall provide knowledge transfer sessions for each Deliverable to {cust_ref} or its successor provider.",
                f"Provider shall maintain, and update quarterly, an exit plan for the {sys_term} describing how the Services would be transferred to {cust_ref} or a successor provider, and shall perform that plan as part of the Transition Services under Section 16.7 of the Agreement.",
            ],
        )
    )
    if conflict:
        add(
            "12.3 Governing Law. Notwithstanding Section 18.1 of the Agreement, this Statement of Work, the Services performed under it and any claim or dispute arising out of or relating to it shall be governed by the laws of the State of Delaware, without regard to its conflict of laws principles, and the Parties submit to the jurisdiction of the state and federal courts located in Wilmington, Delaware for the resolution of any such claim or dispute."
        )
    else:
        add(
            "12.3 Governing Law and Disputes. "
            + pick(
                k + "gl",
                [
                    "This Statement of Work is subject to Article XVIII of the Agreement, which applies without modification, including the choice of New York law in Section 18.1 of the Agreement.",
                    "Section 18.1 and Section 18.2 of the Agreement apply to this Statement of Work. For the avoidance of doubt, this Statement of Work is governed by the laws of the State of New York.",
                    "Disputes under this Statement of Work shall be resolved in accordance with Article XVIII of the Agreement, and nothing in this Statement of Work alters the governing law or venue provisions of the Agreement.",
                ],
            )
        )
    add(
        "12.4 Counterparts. This Statement of Work may be executed in counterparts and by electronic signature in accordance with Section 20.9 of the Agreement."
    )
    add(
        "IN WITNESS WHEREOF, the parties have executed this Statement of Work by their authorised representatives."
    )
    p_sig = person(f"{k}/provider-signatory")
    c_sig = person(f"{k}/customer-signatory")
    add(
        f"TALVERRA DATA SYSTEMS, INC.\nBy: /s/ {p_sig}\nName: {p_sig}\nTitle: {pick(k + 'pt', ['Senior Vice President, Client Delivery', 'Vice President, Logistics Solutions', 'Chief Revenue Officer'])}"
    )
    add(
        f"{party_name.upper()}\nBy: /s/ {c_sig}\nName: {c_sig}\nTitle: {pick(k + 'ct', ['Vice President, Logistics Technology', 'Chief Financial Officer', 'Senior Vice President, Operations', 'General Manager'])}"
    )

    SOW_RECORDS.append(
        dict(
            n=n,
            s=s,
            party=party_name,
            dated=dated,
            start=start,
            end=end,
            go_live=go_live,
            impl=impl,
            monthly=monthly,
            kp=kp,
            pm=(c_name, c_role),
        )
    )
    return "\n\n".join(L)


# ---- Exhibit A wrapper ------------------------------------------------------------------------


def exhibit_a(sow_texts: list[str]) -> str:
    head = [
        "EXHIBIT A – STATEMENTS OF WORK",
        "This Exhibit A sets out the Statements of Work entered into under the Agreement. Each Statement of Work is a separate contract that incorporates the terms of the Agreement in accordance with Section 2.2 of the Agreement, and the order of precedence in Section 1.3 of the Agreement applies to each of them. Statements of Work entered into after the date of the last Statement of Work below shall be appended to this Exhibit A in numerical order.",
        "Index of Statements of Work:",
    ]
    for r in SOW_RECORDS:
        head.append(
            f"Statement of Work No. {r['n']}: {r['s']['title'].title().replace('And', 'and').replace('For', 'for')}; dated {fmt_date(r['dated'])}; {r['party']}".rstrip(
                "."
            )
            + "."
        )
    return "\n\n".join(head + sow_texts)


# ---- Exhibit B: Service Level Agreement ---------------------------------------------------------

PLATFORM_SLS = [
    (
        "PL-1",
        "Platform Availability (production environments, measured 24x7 excluding the Scheduled Maintenance Window)",
        "99.9%",
        True,
        5,
    ),
    (
        "PL-2",
        "Platform Availability of user interfaces during Customer business hours (06:00-22:00 Eastern Time, Monday to Saturday)",
        "99.95%",
        True,
        5,
    ),
    ("PL-3", "Response Time for Severity 1 Incidents", "15 minutes in 99% of Incidents", True, 4),
    ("PL-4", "Resolution Time for Severity 1 Incidents", "4 hours in 95% of Incidents", True, 6),
    ("PL-5", "Response Time for Severity 2 Incidents", "30 minutes in 98% of Incidents", False, 2),
    ("PL-6", "Resolution Time for Severity 2 Incidents", "8 hours in 95% of Incidents", False, 3),
    (
        "PL-7",
        "Application programming interface success rate (non-5xx responses)",
        "99.95% of calls",
        True,
        4,
    ),
    (
        "PL-8",
        "Root cause analysis reports for Severity 1 Incidents delivered within 5 Business Days",
        "100%",
        False,
        2,
    ),
    ("PL-9", "Service desk telephone calls answered within 60 seconds", "90% of calls", False, 1),
    (
        "PL-10",
        "Customer satisfaction score in the quarterly survey of Platform users",
        "at least 4.0 out of 5.0",
        False,
        1,
    ),
]

SEVERITIES = [
    (
        "Severity 1",
        "The Platform or a production Service is unavailable or materially degraded for all or a substantial group of users, Customer Data is at risk, or a critical operational process (such as dispatch, dock scheduling, cold chain alarms or party screening) cannot be performed and no workaround exists.",
        "15 minutes",
        "every 30 minutes",
        "4 hours",
    ),
    (
        "Severity 2",
        "A production Service is materially degraded or a significant function is unavailable, but a workaround exists or the impact is limited to a single facility or business unit.",
        "30 minutes",
        "every 2 hours",
        "8 hours",
    ),
    (
        "Severity 3",
        "A non-critical function is impaired, or a critical function is impaired with a reasonable workaround that does not materially affect operations.",
        "4 business hours",
        "daily",
        "5 Business Days",
    ),
    (
        "Severity 4",
        "A cosmetic defect, documentation error or request for information with no operational impact.",
        "1 Business Day",
        "weekly",
        "next scheduled release or 30 days, whichever is earlier",
    ),
]


def exhibit_b() -> str:
    L = ["EXHIBIT B – SERVICE LEVEL AGREEMENT"]
    add = L.append
    add(
        "This Exhibit B forms part of the Agreement and sets out the platform Service Levels, the Incident management process, the method for calculating Service Credits and the related remedies referred to in Article V of the Agreement. It applies to every Statement of Work, in addition to the Service Levels specified in the Statement of Work itself."
    )
    add("1. GENERAL")
    add(
        "1.1 Purpose. This Exhibit B describes how Provider's performance of the Services is measured and what happens when Provider fails to meet a Service Level. It is intended to give Customer predictable, objectively measured service and to give Provider a clear statement of the performance expected of it."
    )
    add(
        "1.2 Measurement Period. Unless a Service Level states otherwise, each Service Level is measured over a calendar month. Service Levels measured quarterly or semi-annually are assessed in the month in which the measurement period ends."
    )
    add(
        "1.3 Relationship to Statements of Work. Where a Statement of Work specifies a Service Level for a metric also addressed in this Exhibit B, the more demanding Service Level applies, in accordance with Section 5.1 of the Agreement. The register in Section 10.1 of this Exhibit B lists the Service Levels specified in the Statements of Work in Exhibit A as at their respective dates."
    )
    add("2. DEFINITIONS")
    add("2.1 Definitions. In this Exhibit B:")
    add(
        '"Availability" means, for a measurement period, the total minutes in the period less the minutes of unavailability, divided by the total minutes in the period, excluding minutes within the Scheduled Maintenance Window, expressed as a percentage.'
    )
    add(
        '"Incident" means any event that is not part of the standard operation of the Platform or a Service and that causes, or may cause, an interruption to, or a reduction in the quality of, the Platform or that Service.'
    )
    add(
        "\"Response Time\" means the time from the earlier of Customer's report of an Incident and Provider's detection of it to the time a qualified member of Provider's support staff acknowledges the Incident to Customer and begins work on it."
    )
    add(
        "\"Resolution Time\" means the time from the earlier of Customer's report of an Incident and Provider's detection of it to the time the Incident is resolved or a workaround acceptable to Customer is implemented, excluding any period during which Provider is waiting for information from Customer that it has requested in writing."
    )
    add(
        '"Scheduled Maintenance Window" means the period from 01:00 to 05:00 Eastern Time each Sunday, or such other period as the Parties agree in writing.'
    )
    add("3. PLATFORM SERVICE LEVELS")
    add(
        "3.1 Platform Service Levels. Provider shall meet the following Service Levels for the Platform across all Statements of Work. Each Service Level marked as critical is a Critical Service Level for the purposes of Section 5.5 of the Agreement."
    )
    add("SL ID | Service Level | Target | Critical | Service Credit (% of monthly platform Fees)")
    for sid, desc, tgt, crit, cr in PLATFORM_SLS:
        add(f"{sid} | {desc} | {tgt} | {'Yes' if crit else 'No'} | {cr}%")
    add(
        "3.2 Availability Calculation. Availability is calculated from synthetic transactions executed at least every sixty (60) seconds from at least two (2) locations outside Provider's hosting environment. A minute is a minute of unavailability if at least two (2) consecutive synthetic transactions fail or if a production Service cannot process transactions for reasons within Provider's control. Availability is expressed to two decimal places and is not rounded up."
    )
    add(
        "3.3 Scheduled Maintenance. Provider may perform scheduled maintenance only within the Scheduled Maintenance Window, for no more than eight (8) hours in any calendar month, and only after giving Customer at least five (5) Business Days' notice describing the maintenance and its expected effect. Provider shall not schedule maintenance during the peak periods of November and December or during any other blackout period that Customer notifies at least thirty (30) days in advance. Emergency maintenance outside the Scheduled Maintenance Window counts as unavailability unless Customer approves it in advance."
    )
    add("4. INCIDENT MANAGEMENT")
    add(
        "4.1 Severity Levels. Provider shall assign a severity level to each Incident in accordance with the following definitions. Customer may require Provider to re-classify an Incident where, in Customer's reasonable opinion, the operational impact justifies a higher severity level."
    )
    for name, desc, *_targets in SEVERITIES:
        add(f"{name}: {desc}")
    add("4.2 Response, Update and Resolution Targets.")
    add("Severity | Response Time | Status Updates | Resolution Time")
    for name, _desc, resp, upd, res in SEVERITIES:
        add(f"{name} | {resp} | {upd} | {res}")
    add(
        "4.3 Root Cause Analysis. For each Severity 1 Incident, and for each Severity 2 Incident that recurs within thirty (30) days, Provider shall deliver within five (5) Business Days after resolution a written root cause analysis identifying the cause, the corrective actions taken, the preventive actions planned and the date by which each will be completed. Provider shall track each preventive action to completion and report its status to the Steering Committee."
    )
    add(
        "4.4 Service Desk. Provider shall maintain a service desk available twenty-four (24) hours a day, seven (7) days a week, by telephone, email and a web portal, staffed by English-speaking personnel and, for Services provided to the Customer Affiliate in Mexico, Spanish-speaking personnel."
    )
    add("5. SERVICE CREDITS")
    add(
        "5.1 Calculation. For each Service Level failure, the Service Credit is the percentage shown against the Service Level multiplied by the monthly Fees under the affected Statement of Work or, for platform Service Levels in Section 3.1 of this Exhibit B, the monthly platform Fees under Schedule 1, for the month in which the failure occurs."
    )
    add(
        "5.2 At-Risk Amount. The total Service Credits for any month shall not exceed the At-Risk Amount described in Section 5.4 of the Agreement. Where the Service Credits calculated for a month would exceed the At-Risk Amount, they are reduced to the At-Risk Amount, and the excess is not carried forward."
    )
    add(
        "5.3 Multiple Failures. If a single Incident causes the failure of more than one Service Level, Customer may elect which Service Level failures give rise to Service Credits, up to the At-Risk Amount. A failure of the same Service Level in consecutive months gives rise to a Service Credit of one and one half times the percentage shown for the second consecutive month and twice the percentage shown for the third and each further consecutive month."
    )
    ex_fee = 96_500
    add(
        f"5.4 Example. By way of illustration only: if the monthly Fees under a Statement of Work are {money(ex_fee)} and Provider fails a Service Level carrying a Service Credit of six percent (6%) in a month, the Service Credit is {money(round(ex_fee * 0.06))}. If Provider fails the same Service Level in the following month, the Service Credit for that month is {money(round(ex_fee * 0.09))}. If Provider also fails a second Service Level carrying a Service Credit of five percent (5%) in that month, the total of {money(round(ex_fee * 0.14))} is within the At-Risk Amount of {money(round(ex_fee * 0.15))} and is payable in full."
    )
    add(
        "5.5 Application. Service Credits shall be shown on the invoice for the month following the month of the failure. Service Credits owing at the end of the Term, or at the end of a Statement of Work, shall be paid to Customer within thirty (30) days."
    )
    add("6. CHRONIC FAILURE AND REMEDIATION")
    add(
        "6.1 Remediation Plans. Upon a chronic failure under Section 5.5 of the Agreement, or upon Customer's request following any Critical Service Level failure, Provider shall deliver a remediation plan within ten (10) Business Days. The remediation plan shall:"
    )
    L.extend(
        sub_list(
            [
                "identify the root cause of each failure",
                "describe the corrective actions, the resources to be applied and the Personnel responsible",
                "set out measurable interim targets and the date by which the Service Level will be consistently met",
                "identify any assistance required from Customer",
                "be approved by Customer, acting reasonably, before implementation",
            ]
        )
    )
    add(
        "6.2 Failure of Remediation. If Provider fails to deliver an acceptable remediation plan, or fails to meet the interim targets in an approved remediation plan, Customer may exercise its rights under Section 16.3 of the Agreement without waiting for the end of the period described in Section 5.5 of the Agreement."
    )
    add("7. BUSINESS CONTINUITY OBJECTIVES")
    add(
        "7.1 Recovery Objectives. The Business Continuity Plan shall meet a recovery time objective of four (4) hours and a recovery point objective of fifteen (15) minutes for each Service that is subject to a Critical Service Level, and a recovery time objective of twenty-four (24) hours and a recovery point objective of four (4) hours for all other Services."
    )
    add(
        "7.2 Testing. Provider shall test the Business Continuity Plan at least once each Contract Year in accordance with Section 10.6 of the Agreement, including a failover of production workloads to the secondary data centre listed in Schedule 3, and shall invite Customer to observe the test."
    )
    add("8. CONTINUOUS IMPROVEMENT")
    add(
        "8.1 Annual Adjustment. The targets for the Service Levels in Section 3.1 of this Exhibit B and in each Statement of Work shall be adjusted at the start of each Contract Year in accordance with Section 5.7 of the Agreement. Provider shall deliver the calculation of the adjusted targets to the Steering Committee at least thirty (30) days before the start of the Contract Year."
    )
    add(
        "8.2 New Service Levels. Customer may, not more than twice in each Contract Year, add new Service Levels or re-allocate the Service Credit percentages among existing Service Levels by giving Provider at least ninety (90) days' written notice, provided that the total of the Service Credit percentages for a Statement of Work does not increase."
    )
    add("9. REPORTING")
    add(
        "9.1 Monthly Report. The monthly report required by Section 5.2 of the Agreement shall include, for each Service Level in Section 3.1 of this Exhibit B and in each Statement of Work, the target, the result, the trend over the preceding twelve (12) months, each failure and its root cause, any exception claimed and the Service Credits due."
    )
    add(
        "9.2 Measurement Tools. Provider shall use automated measurement tools wherever practicable and shall give Customer read-only access to those tools. Changes to measurement tools or methods require Customer's prior written approval."
    )
    add("10. REGISTER OF STATEMENT OF WORK SERVICE LEVELS")
    add(
        "10.1 Register. The following register lists the Service Levels specified in each Statement of Work in Exhibit A. If the register and a Statement of Work differ, the Statement of Work prevails."
    )
    add("SOW | SL ID | Service Level | Target | Critical | Service Credit")
    for r in SOW_RECORDS:
        for i, (metric, target, _meas, crit, credit) in enumerate(r["s"]["slas"], 1):
            add(
                f"SOW No. {r['n']} | SL-{r['n']}.{i} | {metric} | {target} | {'Yes' if crit else 'No'} | {credit}%"
            )
    return "\n\n".join(L)


# ---- Exhibit C: Data Processing Addendum --------------------------------------------------------

PD_DETAILS = {
    "none": (
        "Customer personnel who use the Services",
        "business contact information and user account data",
        "user administration and support",
    ),
    "limited": (
        "Customer personnel; individual contacts of shippers, consignees, carriers and importer clients",
        "names, business contact information, user account data and names appearing in shipment and party records",
        "performance of the Services described in the Statement of Work",
    ),
    "drivers": (
        "drivers employed or engaged by Customer or its carriers; Customer personnel",
        "driver identifiers, names, vehicle assignments, location data and driving event data",
        "route planning, visibility, safety and performance analytics described in the Statement of Work",
    ),
    "consignees": (
        "consignees and recipients of deliveries; Customer personnel",
        "names, delivery addresses, telephone numbers, email addresses, delivery instructions, signatures and delivery photographs",
        "delivery notifications, tracking, proof of delivery and returns analytics described in the Statement of Work",
    ),
    "employees": (
        "Customer's warehouse associates, supervisors and managers",
        "employee identifiers, names, shift, task and performance data, and time and attendance records",
        "labour productivity measurement and shift planning described in the Statement of Work",
    ),
}


def exhibit_c() -> str:
    L = ["EXHIBIT C – DATA PROCESSING ADDENDUM"]
    add = L.append
    add(
        "This Data Processing Addendum forms part of the Agreement and applies whenever Provider processes Personal Data on behalf of Customer or a Customer Affiliate in connection with the Services. The clauses of this Exhibit C are referred to as clauses. In the event of any conflict between this Exhibit C and any Statement of Work, this Exhibit C prevails in accordance with Section 1.3 of the Agreement."
    )
    clauses: list[tuple[str, str, list[str], str]] = [
        (
            "1",
            "Scope and Definitions",
            [
                "This Exhibit C applies to all Personal Data processed by Provider, its Affiliates and its Sub-processors on behalf of Customer and each Customer Affiliate.",
                'In this Exhibit C, "Data Subject" means the identified or identifiable natural person to whom Personal Data relates; "Sub-processor" means any person engaged by Provider or its Affiliates to process Personal Data on behalf of Customer; and "Documented Instructions" means the instructions set out in the Agreement, this Exhibit C and each Statement of Work, and any further written instructions given by Customer.',
                "Capitalised terms not defined in this Exhibit C have the meanings given in the Agreement.",
            ],
            "",
        ),
        (
            "2",
            "Roles and Instructions",
            [
                "Customer, or the relevant Customer Affiliate, is the controller or business in respect of the Personal Data, and Provider is its processor or service provider.",
                "Provider shall process Personal Data only on Documented Instructions, including with regard to transfers, unless required to do otherwise by Applicable Law, in which case Provider shall inform Customer of that legal requirement before processing unless the law prohibits it.",
                "Provider shall not sell or share Personal Data, retain, use or disclose it for any purpose other than the business purposes specified in the Documented Instructions, or combine it with personal information that Provider receives from any other person, except as permitted by Data Protection Laws for service providers.",
                "Provider shall immediately inform Customer if, in its opinion, an instruction infringes Data Protection Laws.",
            ],
            "",
        ),
        (
            "3",
            "Provider Personnel",
            [
                "Provider shall ensure that its Personnel authorised to process Personal Data are bound by written obligations of confidentiality and have received training on data protection appropriate to their roles.",
                "Provider shall limit access to Personal Data to those Personnel who need it to perform the Services, and shall review that access at least quarterly in accordance with Schedule 3.",
            ],
            "",
        ),
        (
            "4",
            "Sub-processors",
            [
                "Customer authorises the engagement of the Sub-processors listed in Schedule 4 for the processing described there.",
                "Provider shall give Customer at least thirty (30) days' prior written notice of any intended addition or replacement of a Sub-processor, describing the processing to be performed and the location. Customer may object on reasonable data protection grounds within that period, in which case Provider shall not engage the Sub-processor for Customer's Personal Data and, if the Parties cannot agree an alternative, Customer may terminate the affected Services under Section 16.1 of the Agreement without payment of any Termination Fee.",
                "Provider shall impose on each Sub-processor, by written contract, data protection obligations at least as protective as those in this Exhibit C and Schedule 3.",
                "Provider remains fully liable to Customer for the performance of each Sub-processor's obligations.",
            ],
            "",
        ),
        (
            "5",
            "Security",
            [
                "Provider shall implement the technical and organisational measures described in Schedule 3 to protect Personal Data against Security Incidents, taking into account the state of the art, the costs of implementation and the nature, scope, context and purposes of processing and the risks to Data Subjects.",
                "Provider shall regularly test, assess and evaluate the effectiveness of those measures and shall not materially decrease the overall level of security during the Term.",
            ],
            "",
        ),
        (
            "6",
            "Data Subject Requests",
            [
                "Provider shall notify Customer within five (5) Business Days after receiving any request from a Data Subject to exercise rights under Data Protection Laws, and shall assist Customer by appropriate technical and organisational measures in responding to such requests, including by providing search, export, correction and deletion functions in the Platform.",
                "Provider shall not respond directly to a Data Subject request except to acknowledge it and refer the Data Subject to Customer, unless Customer instructs otherwise in writing.",
            ],
            "",
        ),
        (
            "7",
            "Assessments and Consultations",
            [
                "Provider shall provide reasonable assistance to Customer with any data protection impact assessment or risk assessment that Customer is required to perform in relation to the Services, and with any related consultation with a supervisory authority.",
                "Provider shall make available to Customer the information reasonably necessary to demonstrate its compliance with this Exhibit C.",
            ],
            "",
        ),
        (
            "8",
            "Security Incident Notification",
            [
                "Provider shall notify Customer of any Security Incident affecting Personal Data without undue delay and in any event within forty-eight (48) hours after becoming aware of it, in accordance with Section 10.4 of the Agreement.",
                "The notification shall describe, to the extent known, the nature of the Security Incident, the categories and approximate numbers of Data Subjects and records concerned, the likely consequences and the measures taken or proposed, and shall identify a contact point; Provider shall supplement the notification as further information becomes available.",
                "Provider shall cooperate with Customer's investigation and shall preserve all relevant logs and evidence.",
                "Provider shall not notify any Data Subject, regulator or other third party of a Security Incident affecting Customer's Personal Data without Customer's prior written approval, except where Applicable Law requires it to do so.",
            ],
            "",
        ),
        (
            "9",
            "Data Location and Transfers",
            [
                "Provider shall store Personal Data only in the data centres in the United States and Canada listed in Schedule 3, in accordance with Section 10.5 of the Agreement.",
                "Provider's Affiliate in Monterrey, Mexico, may access Personal Data remotely only for the monitoring and first-line support functions listed in Schedule 3, through Provider's virtual desktop environment, without storing Personal Data locally.",
                "Where Data Protection Laws require a transfer mechanism or a transfer impact assessment for any access or transfer permitted by this clause 9, Provider shall implement that mechanism and cooperate with that assessment before the access or transfer occurs.",
            ],
            "",
        ),
        (
            "10",
            "Return and Deletion",
            [
                "Upon the end of the Services under a Statement of Work, and at any time on Customer's request, Provider shall return all Personal Data and other Customer Data processed under that Statement of Work to Customer in a structured, commonly used and machine-readable format, including delimited text files, columnar data files and database exports with schema definitions, together with a data dictionary.",
                "Provider shall delete all remaining copies of that data within sixty (60) days after the end of the Transition Services, including from backups no later than the end of the backup retention cycle described in Schedule 3, unless Applicable Law requires its retention.",
                "Provider shall certify the deletion in writing, signed by an officer of Provider.",
            ],
            "",
        ),
        (
            "11",
            "Audits",
            [
                "Customer may audit Provider's compliance with this Exhibit C in accordance with Article XV of the Agreement.",
                "Provider shall provide its independent service organisation controls report and its certification under Schedule 3 annually, and Customer shall consider those documents before deciding whether an on-site audit is necessary, without prejudice to its rights under Article XV of the Agreement.",
            ],
            "",
        ),
        (
            "12",
            "Aggregated Insights",
            [
                "Provider may create Aggregated Insights only from Customer Data that has been de-identified so that no Data Subject, Customer, Customer Affiliate, shipper, consignee or carrier can reasonably be identified, using the techniques described in the Documentation and reviewed annually by Customer.",
                "Provider shall not attempt to re-identify any person from Aggregated Insights, shall contractually prohibit recipients of Aggregated Insights from doing so, and shall notify Customer promptly if it becomes aware of any re-identification.",
                "Provider shall not publish or license any Aggregated Insight that is derived from fewer than five (5) unaffiliated customers of Provider or in which Customer Data accounts for more than twenty-five percent (25%) of the underlying records.",
                "Net Revenue from Aggregated Insights is subject to the Revenue Share under Section 4.9 of the Agreement.",
            ],
            "",
        ),
    ]
    for num, title, subs, _ in clauses:
        add(f"{num}. {title}")
        L.extend(f"({letters(i)}) {t}" for i, t in enumerate(subs))
    add("13. Details of Processing")
    add(
        "(a) The subject matter, nature and purpose of processing, the categories of Data Subjects and of Personal Data, and the duration of processing under each Statement of Work are as follows:"
    )
    for r in SOW_RECORDS:
        subj, cats, purpose = PD_DETAILS[r["s"]["personal"]]
        add(
            f"Statement of Work No. {r['n']} ({r['s']['name']}): Data Subjects: {subj}. Categories of Personal Data: {cats}. Purpose: {purpose}. Duration: from {fmt_date(r['start'])} until the end of the Transition Services for that Statement of Work. Special categories of data: none."
        )
    add(
        "(b) Provider shall update the details in clause 13(a) by Change Order whenever a Statement of Work is entered into or changes the processing of Personal Data."
    )
    return "\n\n".join(L)


# ---- Schedules and Appendix -----------------------------------------------------------------------

RATE_CARD = [
    ("Client Partner", 395), ("Engagement Lead", 325), ("Solution or Data Architect", 290), ("Principal Data Scientist", 310),
    ("Data Scientist", 240), ("Optimisation Scientist", 265), ("Lead Data Engineer", 245), ("Data Engineer", 195),
    ("Integration Developer", 185), ("Machine Learning Engineer", 230), ("Business Intelligence Developer", 175),
    ("Industrial or Reliability Engineer", 215), ("Subject Matter Consultant (trade, cold chain, procurement, labour)", 235),
    ("Project Manager", 205), ("Quality Systems Specialist", 210), ("Change Management Lead", 190),
    ("Service Delivery Manager", 180), ("Support Analyst", 120), ("Technical Writer", 125),
]  # fmt: skip


def _bands(r: dict) -> tuple[str, int, int]:
    """Band boundaries for a SOW's variable fee, derived from its unit description."""
    unit_name = r["s"]["unit"][0]
    m = re.search(r"(\d[\d,]*)", unit_name)
    base = int(m.group(1).replace(",", "")) if m else 0
    first = max(base // 2, 10) if base else 5_000
    return unit_name, first, first * 3


def schedule_1() -> str:
    L = ["SCHEDULE 1 – FEES"]
    add = L.append
    add(
        "This Schedule 1 sets out the rates and Fees for the Services. All amounts are in United States dollars and exclude the taxes described in Section 4.4 of the Agreement."
    )
    add("1. GENERAL")
    add(
        "1.1 Fixed Rates. The rates in this Schedule 1 are fixed for the Initial Term in accordance with Section 4.5 of the Agreement and are subject to the most favoured customer commitment in Section 4.6 of the Agreement."
    )
    add(
        "1.2 Time and Materials. Time-and-materials Services are charged in units of fifteen (15) minutes. A day rate is eight (8) hours. No premium applies to work outside normal business hours unless Customer requests it in writing for a non-emergency activity, in which case a premium of twenty-five percent (25%) applies."
    )
    add("2. RATE CARD")
    add(
        "2.1 Hourly and Daily Rates. The following rates apply to Change Orders, time-and-materials Services and Transition Services:"
    )
    add("Role | Hourly Rate | Day Rate")
    for role, rate in RATE_CARD:
        add(f"{role} | {money(rate)} | {money(rate * 8)}")
    add(
        "2.2 Blended Rate. Where a Statement of Work specifies a blended rate, it shall not exceed Two Hundred Twenty Dollars ($220) per hour."
    )
    add("3. PLATFORM FEES")
    add(
        "3.1 Platform Subscription. The monthly platform Fee is Sixty-Five Thousand Dollars ($65,000), covering the enterprise-wide license in Section 8.6 of the Agreement, hosting, support under Exhibit B and the volumes described in Section 4.8 of the Agreement. The platform Fee is payable from the Effective Date."
    )
    add(
        "3.2 Volume Tiers. Fees paid by Customer and its Affiliates in each Contract Year attract the following discounts on the platform Fee for the following Contract Year: Fees of at least $6,000,000: five percent (5%); at least $8,000,000: eight percent (8%); at least $10,000,000: twelve percent (12%)."
    )
    add("4. STATEMENT OF WORK FEE SUMMARY")
    add(
        "4.1 Summary. The Fees under each Statement of Work in Exhibit A are summarised below. If this summary and a Statement of Work differ, the Statement of Work prevails."
    )
    add("SOW | Services | Implementation Fee | Monthly Fee | Services Start | Scheduled Completion")
    for r in SOW_RECORDS:
        mf = money(r["monthly"]) if r["monthly"] else "transaction fees only"
        add(
            f"SOW No. {r['n']} | {r['s']['name']} | {money(r['impl'])} | {mf} | {fmt_date(r['start'])} | {fmt_date(r['end'])}"
        )
    add(
        "4.2 Variable Fee Bands. The band boundaries for the variable Fees in Section 5.3 of each Statement of Work are as follows, measured per calendar month:"
    )
    for r in SOW_RECORDS:
        unit_name, b1, b2 = _bands(r)
        add(
            f"SOW No. {r['n']}: unit: {unit_name}; Tier 1 applies to the first {b1:,} units; Tier 2 to the next {b2 - b1:,} units; Tier 3 to all units above {b2:,}."
        )
    add("5. TERMINATION FEES")
    add(
        "5.1 Calculation. The Termination Fee for a Statement of Work terminated under Section 16.1 of the Agreement is the percentage shown below of the recurring monthly Fees that would have been payable for the remainder of the scheduled period of performance, plus the unpaid portion of the Implementation Fee for milestones achieved before the effective date of termination:"
    )
    add("Months elapsed since Services start | Percentage of remaining recurring Fees")
    for band, pct in [("0 to 12", 25), ("13 to 24", 15), ("25 or more", 5)]:
        add(f"{band} | {pct}%")
    add(
        "5.2 Maximum Termination Fees. The Termination Fee for each Statement of Work shall not exceed the following amounts:"
    )
    for r in SOW_RECORDS:
        months = r["s"]["months"]
        monthly = r["monthly"] or round(r["impl"] * 0.06)
        cap = round(monthly * months * 0.25 / 1000) * 1000
        add(f"SOW No. {r['n']}: {money(cap)}.")
    add(
        "5.3 No Termination Fee. No Termination Fee is payable upon a termination under Section 16.2, Section 16.3, Section 16.4 or Section 19.3 of the Agreement, or under clause 4(b) of Exhibit C."
    )
    add("6. TRANSITION SERVICES")
    add(
        "6.1 Transition Fees. During the Transition Assistance Period, continuing Services are charged at the Fees in effect immediately before the expiration or termination, and additional Transition Services are charged at the rates in Section 2.1 of this Schedule 1, subject to the fee waiver in Section 16.7 of the Agreement."
    )
    add(
        "6.2 Estimate. Provider shall provide a non-binding estimate of the Fees for the Transition Services within ten (10) Business Days after Customer's request, based on the exit plan for each affected Statement of Work."
    )
    add("7. MINIMUM ANNUAL COMMITMENT")
    add(
        "7.1 Amount. The Minimum Annual Commitment is Four Million Eight Hundred Thousand Dollars ($4,800,000) for each Contract Year of the Initial Term, as set forth in Section 4.7 of the Agreement."
    )
    add(
        "7.2 Tracking. Provider shall report cumulative Fees against the Minimum Annual Commitment in each monthly invoice. For planning purposes only, the Parties estimate the recurring Fees (excluding variable Fees and the platform Fee) under the Statements of Work in Exhibit A as follows:"
    )
    for cy in range(3):
        cy_start = add_months(EFFECTIVE_DATE, 12 * cy)
        cy_end = add_months(EFFECTIVE_DATE, 12 * (cy + 1)) - dt.timedelta(days=1)
        total = 0
        for r in SOW_RECORDS:
            if not r["monthly"]:
                continue
            a, b = max(cy_start, r["go_live"]), min(cy_end, r["end"])
            if a <= b:
                months = (b.year - a.year) * 12 + (b.month - a.month) + 1
                total += months * r["monthly"]
        add(
            f"Contract Year {cy + 1} ({fmt_date(cy_start)} to {fmt_date(cy_end)}): estimated recurring Fees of {money(total)}."
        )
    add("8. INVOICING")
    add(
        "8.1 Invoice Requirements. Invoices shall be submitted electronically to Customer's accounts payable portal, shall identify the Customer entity, the Statement of Work, the purchase order number issued by Customer and the items in Section 4.2 of the Agreement, and shall be addressed to the Customer entity that entered into the Statement of Work."
    )
    add(
        "8.2 Customer Affiliates. Invoices under Statements of Work entered into by a Customer Affiliate shall be issued to that Customer Affiliate, in United States dollars unless the Statement of Work provides otherwise."
    )
    return "\n\n".join(L)


def schedule_2() -> str:
    L = ["SCHEDULE 2 – KEY PERSONNEL"]
    add = L.append
    add(
        "This Schedule 2 identifies the Key Personnel for the purposes of Section 6.2 of the Agreement. Key Personnel identified in a Statement of Work are also listed here for convenience; if this Schedule 2 and a Statement of Work differ, the Statement of Work prevails."
    )
    add("1. ACCOUNT-LEVEL KEY PERSONNEL")
    add(
        "1.1 Provider Account Team. The following Provider Personnel are Key Personnel for the Agreement as a whole and shall be assigned for the Initial Term:"
    )
    for role, alloc in [
        ("Client Partner", 50),
        ("Delivery Director", 100),
        ("Security and Compliance Lead", 50),
        ("Service Delivery Manager", 100),
        ("Commercial Manager", 25),
    ]:
        add(f"{role}: {person('account/' + role)} ({alloc}% allocation)")
    add(
        "1.2 Customer Relationship Team. Customer's relationship manager for the Agreement is its Vice President, Logistics Technology, supported by its Director of Vendor Management."
    )
    add("2. STATEMENT OF WORK KEY PERSONNEL")
    add("2.1 Register. The Key Personnel for each Statement of Work are:")
    add("SOW | Role | Name | Allocation")
    for r in SOW_RECORDS:
        for nm, role, alloc in r["kp"]:
            add(f"SOW No. {r['n']} | {role} | {nm} | {alloc}%")
    add("2.2 Customer Project Managers. Customer's project managers for the Statements of Work are:")
    for r in SOW_RECORDS:
        add(f"SOW No. {r['n']}: {r['pm'][0]}, reporting to the {r['pm'][1]}.")
    add("3. CONTINUITY")
    add(
        "3.1 Minimum Tenure. Provider shall not voluntarily reassign any individual listed in Section 2.1 of this Schedule 2 within twelve (12) months after the start of the Services under the relevant Statement of Work, except in accordance with Section 6.2 of the Agreement."
    )
    add(
        "3.2 Succession. Provider shall maintain and share with Customer a succession plan that identifies, for each individual listed in Section 1.1 of this Schedule 2, at least one potential successor familiar with the Services."
    )
    return "\n\n".join(L)


SCHEDULE_3 = """
SCHEDULE 3 – SECURITY REQUIREMENTS

This Schedule 3 sets out the minimum security requirements that Provider shall meet in performing the Services, in accordance with Section 10.3 of the Agreement. These requirements apply to Provider, its Affiliates and its Subcontractors, and to every environment in which Customer Data is stored or processed.

1. SECURITY PROGRAMME

1.1 Framework and Certification. Provider shall maintain an information security management system certified against ISO/IEC 27001 by an accredited certification body, with a scope that includes the Platform, the hosting environments listed in Section 5.1 of this Schedule 3 and the delivery centres from which the Services are performed.

1.2 Independent Reports. Provider shall obtain, at least annually, an independent service organisation controls report of type 2 covering security, availability and confidentiality for the Platform, and shall deliver it to Customer within thirty (30) days after issue together with a description of the remediation of any exceptions.

1.3 Security Officer. Provider shall appoint a named security officer with responsibility for the Services who shall be Customer's point of contact for security matters and shall attend the Steering Committee at least twice each Contract Year.

2. PERSONNEL SECURITY

2.1 Background Screening. Before granting any individual access to Customer Data or Customer facilities, Provider shall, to the extent permitted by Applicable Law, verify the individual's identity and right to work, verify employment history for the preceding five (5) years, conduct a criminal records check covering the preceding seven (7) years in each jurisdiction of residence, and screen the individual against applicable sanctions lists, in accordance with Section 6.3 of the Agreement.

2.2 Training. Provider shall ensure that all Personnel with access to Customer Data complete security and privacy awareness training on joining and at least annually, and that Personnel with administrative access complete additional role-specific training.

2.3 Departures. Provider shall revoke all access of departing Personnel within twenty-four (24) hours after their departure from the Services, and immediately upon any termination for cause.

3. ACCESS CONTROL

3.1 Least Privilege. Access to Customer Data shall be granted on the basis of least privilege and need to know, through named accounts only. Shared and generic accounts are prohibited except for system accounts that cannot be used for interactive login.

3.2 Authentication. Multi-factor authentication is required for all remote access, all administrative access and all access to production environments. The Platform shall support single sign-on with Customer's identity provider.

3.3 Access Reviews. Provider shall review all access to Customer Data at least quarterly, and privileged access monthly, and shall remove any access that is no longer required within five (5) Business Days after the review.

4. ENCRYPTION AND KEY MANAGEMENT

4.1 Encryption. Customer Data shall be encrypted at rest using AES with 256-bit keys or a stronger algorithm, and in transit over public networks using TLS version 1.2 or later with strong cipher suites.

4.2 Keys. Encryption keys shall be managed in a hardware-backed key management service, rotated at least annually, and segregated from the data they protect. At Customer's request, Provider shall support customer-managed keys for the Enterprise Data Warehouse.

5. DATA CENTRES AND LOCATIONS

5.1 Hosting Locations. Customer Data shall be stored and processed only in the following locations, in accordance with Section 10.5 of the Agreement:

(a) primary production region: Ashburn, Virginia, United States;

(b) secondary production region and disaster recovery site: Columbus, Ohio, United States; and

(c) backup storage region: Montreal, Quebec, Canada.

5.2 Delivery Centres. The Services may be performed from Provider's delivery centres in Cambridge, Massachusetts; Toronto, Ontario; and Halifax, Nova Scotia.

5.3 Remote Support Functions. Provider's Affiliate in Monterrey, Mexico, may perform only the following functions, through Provider's virtual desktop environment and without storing Customer Data locally: (a) around-the-clock monitoring of the Platform; (b) first-line service desk support in English and Spanish; and (c) Spanish-language support for the Customer Affiliate in Mexico.

6. VULNERABILITY AND PATCH MANAGEMENT

6.1 Scanning. Provider shall scan all systems that store or process Customer Data for vulnerabilities at least weekly, and all internet-facing systems continuously.

6.2 Remediation Periods. Provider shall remediate vulnerabilities within the following periods after identification: critical, seventy-two (72) hours; high, fourteen (14) days; medium, sixty (60) days; low, at the next scheduled release. Provider shall notify Customer of any critical vulnerability that it cannot remediate within the applicable period, together with compensating controls.

7. PENETRATION TESTING

7.1 Annual Testing. Provider shall engage an independent, qualified firm to perform penetration testing of the Platform and its hosting environments at least once each Contract Year and after each major change to the Platform's architecture.

7.2 Results. Provider shall share an executive summary of each penetration test with Customer within thirty (30) days after it is completed, and shall remediate findings within the periods in Section 6.2 of this Schedule 3.

7.3 Customer Testing. Customer may, once each Contract Year and at its own cost, perform or commission its own penetration test of the Customer-facing components of the Platform, in accordance with the penetration testing rules of engagement set out in Exhibit K. Provider shall cooperate with the test and shall remediate any findings in accordance with Section 6.2 of this Schedule 3.

8. LOGGING AND MONITORING

8.1 Logging. Provider shall log all access to Customer Data, all administrative actions and all security events, protect logs against tampering, and retain them for at least one (1) year, of which at least ninety (90) days shall be immediately searchable.

8.2 Monitoring. Provider shall monitor logs continuously using automated tools and a staffed security operations function, and shall investigate alerts in accordance with documented procedures.

9. SECURE DEVELOPMENT

9.1 Development Lifecycle. Provider shall follow a documented secure development lifecycle, including threat modelling for significant changes, peer code review, static and dynamic application security testing, and software composition analysis of Third-Party Materials.

9.2 Separation of Environments. Development, test and production environments shall be logically separated, and changes shall be promoted to production only through an approved change management process.

10. INCIDENT RESPONSE

10.1 Plan. Provider shall maintain and test at least annually an incident response plan that meets the notification requirements of Section 10.4 of the Agreement and clause 8 of Exhibit C.

10.2 Updates. During a Security Incident, Provider shall provide Customer with updates at least every twenty-four (24) hours, or more frequently if Customer reasonably requests, until the Security Incident is contained, and shall deliver a final report within ten (10) Business Days after containment.

11. TEST DATA AND BACKUPS

11.1 Masking. Customer Data shall not be used in non-production environments unless it has been masked or de-identified using techniques approved by Customer.

11.2 Backups. Provider shall back up Customer Data at least daily, encrypt backups in accordance with Section 4.1 of this Schedule 3, retain them for thirty-five (35) days, and test restoration at least quarterly.

12. SUBCONTRACTOR SECURITY

12.1 Flow-Down. Provider shall ensure that each Subcontractor listed in Schedule 4 that has access to Customer Data is bound by security requirements at least as protective as this Schedule 3, and shall assess each such Subcontractor's security at least annually.
"""

SUBCONTRACTORS = [
    (
        "Halden Document Capture Ltd.",
        "Halifax, Nova Scotia, Canada",
        "scanning and data extraction of paper carrier invoices under the Statement of Work for freight audit and payment analytics",
        "carrier invoice images and extracted invoice data",
    ),
    (
        "Talverra Data Systems Mexico, S. de R.L. de C.V. (an Affiliate of Provider)",
        "Monterrey, Nuevo Leon, Mexico",
        "monitoring and first-line support functions listed in Section 5.3 of Schedule 3",
        "remote, view-only access through the virtual desktop environment",
    ),
    (
        "Brightline Geodata Inc.",
        "Denver, Colorado, United States",
        "address validation and geocoding for route optimisation and last-mile delivery visibility",
        "delivery addresses without names or contact details",
    ),
    (
        "Corvid Weather Analytics LLC",
        "Boulder, Colorado, United States",
        "weather forecast data supplied to the forecasting models",
        "none; data flows only from the Subcontractor to Provider",
    ),
    (
        "Quillmark Translation Services Inc.",
        "Toronto, Ontario, Canada",
        "translation of consignee notification templates and Documentation into Spanish and French",
        "templates and Documentation only; no Customer Data",
    ),
    (
        "Ridgeline Managed Security Corp.",
        "Reston, Virginia, United States",
        "security operations monitoring support under Section 8.2 of Schedule 3",
        "security logs, which may contain user identifiers",
    ),
]


def schedule_4() -> str:
    L = ["SCHEDULE 4 – APPROVED SUBCONTRACTORS"]
    add = L.append
    add(
        "This Schedule 4 lists the Subcontractors approved by Customer under Section 2.5 of the Agreement and the Sub-processors authorised under clause 4(a) of Exhibit C. Additions and replacements are subject to Section 2.5 of the Agreement and clause 4(b) of Exhibit C."
    )
    add("1. APPROVED SUBCONTRACTORS")
    for i, (nm, loc, svc, data) in enumerate(SUBCONTRACTORS, 1):
        add(f"1.{i} {nm.rstrip('.')}. Location: {loc}. Services: {svc}. Access to Customer Data: {data}.")
    add("2. CONDITIONS")
    add(
        "2.1 Conditions of Approval. Each approval is conditional on the Subcontractor remaining bound by the obligations required by Section 2.5 of the Agreement and Section 12.1 of Schedule 3, and may be withdrawn by Customer on reasonable grounds in accordance with Section 2.5 of the Agreement."
    )
    return "\n\n".join(L)


GLOSSARY = [
    ("ASN", "advance shipping notice; an electronic notice of goods to be delivered, sent before arrival"),
    ("CDC", "change data capture; a technique for copying only changed records from a source database"),
    ("Chassis", "the wheeled frame on which an intermodal container is carried by road"),
    ("Cross-dock", "a facility at which goods are transferred between vehicles with little or no storage"),
    (
        "Demurrage",
        "a charge levied by a terminal or ocean carrier for containers left at the terminal beyond free time",
    ),
    (
        "Detention",
        "a charge levied by a carrier for holding its equipment or driver beyond an agreed free period",
    ),
    (
        "Drayage",
        "the short-distance road movement of containers, typically between ports, rail ramps and nearby facilities",
    ),
    ("Dwell time", "the time a trailer, container or shipment remains at a location"),
    ("EDI", "electronic data interchange; structured messages exchanged between trading partners"),
    ("ELD", "electronic logging device; in-cab equipment recording drivers' hours of service"),
    ("FTL", "full truckload; a shipment that uses the whole capacity of a trailer"),
    ("Geofence", "a virtual boundary around a location used to detect the arrival and departure of vehicles"),
    ("Hours of service", "regulations limiting the driving and on-duty time of commercial drivers"),
    ("Last free day", "the last day on which a container may be collected from a terminal without demurrage"),
    ("LTL", "less-than-truckload; a shipment that shares trailer capacity with other shipments"),
    ("MAPE", "mean absolute percentage error; a measure of forecast accuracy"),
    ("MRO", "maintenance, repair and operating supplies"),
    (
        "Per diem",
        "a daily charge for the use of an ocean carrier's container outside the terminal beyond free time",
    ),
    ("POD", "proof of delivery; evidence that a shipment was delivered, such as a signature or photograph"),
    ("Reefer", "a refrigerated trailer or container and its refrigeration unit"),
    ("RPO", "recovery point objective; the maximum tolerated period of data loss after a disaster"),
    ("RTO", "recovery time objective; the maximum tolerated time to restore a service after a disaster"),
    ("Slotting", "the assignment of items to storage locations in a warehouse"),
    ("Spot rate", "a price for a single load agreed at the time of tender rather than under a contract rate"),
    (
        "Street turn",
        "the reuse of an empty import container for an export load without returning it to the terminal",
    ),
    ("TMS", "transportation management system"),
    (
        "VMI",
        "vendor-managed inventory; an arrangement in which a supplier or logistics provider manages a customer's stock levels",
    ),
    ("WMS", "warehouse management system"),
    (
        "Yard truck",
        "a tractor used to move trailers and containers within a yard; also called a hostler or spotter",
    ),
]


def appendix_1() -> str:
    L = ["APPENDIX 1 – GLOSSARY"]
    add = L.append
    add(
        "This Appendix 1 explains industry terms and abbreviations used in the Statements of Work, Exhibit B and the Schedules. It is provided for convenience only. The explanations are not definitions for the purposes of Section 1.1 of the Agreement and do not limit or extend the meaning of any term in the Agreement."
    )
    for term, text in GLOSSARY:
        add(f"{term}: {text}.")
    add("[End of Agreement]")
    return "\n\n".join(L)


# ---- assembly ---------------------------------------------------------------------------------------

SOW_SPACING_DAYS = 28


def build_document(n_sows: int | None = None) -> str:
    SOW_RECORDS.clear()
    _used_names.clear()
    services = SERVICES if n_sows is None else SERVICES[:n_sows]
    sows = []
    for i, s in enumerate(services):
        dated = EFFECTIVE_DATE + dt.timedelta(days=SOW_SPACING_DAYS * i)
        sows.append(build_sow(i + 1, s, dated, conflict=(i == len(services) - 1)))
    parts = [paras(p) for p in MAIN_BODY]
    parts += [
        exhibit_a(sows),
        exhibit_b(),
        exhibit_c(),
        schedule_1(),
        schedule_2(),
        paras(SCHEDULE_3),
        schedule_4(),
        appendix_1(),
    ]
    text = "\n\n".join(p.strip() for p in parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


# ---- self-checks -------------------------------------------------------------------------------------
# A stdlib copy of the contract reference grammar in pipeline/analyzers/references.py, used to prove
# that every reference except the two planted ones points at something that exists.

_NUM = r"\d{1,3}(?:\.\d{1,3}){0,4}[a-z]?(?:\s?\([a-zA-Z0-9]{1,5}\)){0,3}"
_LIST_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|through|to)\s+)"
_REFS = re.compile(
    rf"\b(?P<kw>Sections?|SECTIONS?|Sec\.|§§?|[Cc]lauses?|CLAUSES?|[Pp]aragraphs?|PARAGRAPHS?)\s*(?P<nums>{_NUM}(?:{_LIST_SEP}{_NUM})*)"
    r"|\b(?P<akw>Articles?|ARTICLES?)\s+(?P<anum>[IVXLC]{1,7}\b|\d{1,3}\b)"
    r"|\b(?P<xkw>Exhibits?|EXHIBITS?|Schedules?|SCHEDULES?|Annex(?:es)?|ANNEX(?:ES)?|Appendix|Appendices|APPENDIX|Attachments?|ATTACHMENTS?)\s+(?P<xnum>[A-Z]{1,2}(?:-\d{1,2})?\b|\d{1,3}(?:\.\d{1,2})?\b)"
)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman_to_int(s: str) -> int:
    total = 0
    for i, c in enumerate(s):
        v = _ROMAN[c]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total


def _targets(text: str) -> set[str]:
    keys: set[str] = set()
    current: str | None = None
    for line in text.split("\n"):
        if m := re.match(r"^ARTICLE ([IVXL]+)$", line):
            n = _roman_to_int(m.group(1))
            keys |= {f"article:{n}", f"section:{n}"}
            current = None
            continue
        if m := re.match(r"^(EXHIBIT|SCHEDULE|APPENDIX) ([A-Z0-9]+) –", line):
            keys.add(f"{m.group(1).lower()}:{m.group(2)}")
            current = None
            continue
        if (m := re.match(r"^(\d{1,2}\.\d{1,2}) ", line)) or (m := re.match(r"^(\d{1,2})\. \S", line)):
            current = m.group(1)
        elif not line.strip() or line.startswith("STATEMENT OF WORK NO."):
            if line.startswith("STATEMENT OF WORK NO."):
                current = None
            continue
        if current is None:
            continue
        keys.add(f"section:{current}")
        for sub in re.finditer(r"\(([a-z]{1,4})\)", line):
            keys.add(f"section:{current}({sub.group(1)})")
    return keys


def _find_refs(text: str):
    for m in _REFS.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not text[line_start : m.start()].strip():
            continue  # a heading, not a reference
        if m.group("nums"):
            for n in re.finditer(_NUM, m.group("nums")):
                num = re.sub(r"\s+", "", n.group()).rstrip(".")
                yield f"section:{num}", m.start(), text[m.start() : m.start("nums") + n.end()]
        elif m.group("akw"):
            raw = m.group("anum")
            yield f"article:{int(raw) if raw.isdigit() else _roman_to_int(raw)}", m.start(), m.group()
        else:
            kw = m.group("xkw").lower().rstrip("s")
            kind = (
                "appendix"
                if kw.startswith("append")
                else ("exhibit" if kw.startswith("exhibit") else "schedule")
            )
            yield f"{kind}:{m.group('xnum').upper()}", m.start(), m.group()


def _check_references(text: str) -> list[str]:
    keys = _targets(text)
    dangling = []
    for target, _pos, label in _find_refs(text):
        if target not in keys:
            dangling.append(label)
    return dangling


def _defined_terms(text: str) -> set[str]:
    terms = set(
        re.findall(
            r"\"([A-Z][A-Za-z0-9\-' ]{1,60})\"\s*,?\s*(?:means|shall have the meaning|has the meaning)", text
        )
    )
    for body in re.findall(r"\(([^()\n]{0,200})\)", text):
        if re.match(r"^\s*(?:the|a|an|each|as amended, the|and together)?[^\"]{0,40}\"[A-Z]", body):
            terms |= set(re.findall(r"\"([A-Z][A-Za-z0-9\-' ]{1,60})\"", body))
    return terms


def self_check(text: str) -> dict:
    problems = []
    dangling = _check_references(text)
    if sorted(dangling) != sorted(DANGLING_REFERENCES):
        problems.append(f"dangling references {dangling!r} != planted {DANGLING_REFERENCES!r}")
    for planted in DANGLING_REFERENCES:
        if text.count(planted) != 1:
            problems.append(f"{planted!r} occurs {text.count(planted)} times")
    if text.count(CONFLICT_TEXT) != 1:
        problems.append("conflict text must occur exactly once")
    laws = re.findall(
        r"governed by(?: and construed in accordance with)? the laws of the State of ([A-Z][a-z]+(?: [A-Z][a-z]+)?)",
        text,
    )
    if sorted(set(laws)) != ["Delaware", "New York"] or laws.count("Delaware") != 1:
        problems.append(f"governing-law statements: {laws!r}")
    if text.lower().count(UNUSED_DEFINED_TERM.lower()) != 1:
        problems.append(f"{UNUSED_DEFINED_TERM!r} must appear once (its definition)")
    if f'"{UNDEFINED_TERM}"' in text or text.count(UNDEFINED_TERM) < 3:
        problems.append(f"{UNDEFINED_TERM!r} must be used at least 3 times and never defined")
    terms = _defined_terms(text)
    unused = []
    for t in sorted(terms):
        total = len(re.findall(rf"(?<![A-Za-z]){re.escape(t)}(?![a-z])", text))
        quoted = text.count(f'"{t}"')
        if total - quoted < 1:
            unused.append(t)
    if unused != [UNUSED_DEFINED_TERM]:
        problems.append(f"defined but unused terms: {unused!r}")
    if problems:
        raise SystemExit("self-check failed:\n  " + "\n  ".join(problems))
    return {"defined_terms": len(terms), "references": sum(1 for _ in _find_refs(text))}


def _token_counter():
    sys.path.insert(0, str(ROOT))
    try:
        from chunking.tokenizer import count_tokens  # type: ignore[import-not-found]
    except Exception:  # noqa: BLE001 - optional: the generator itself is stdlib-only
        return None
    return count_tokens


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--check", action="store_true", help="fail if the file on disk differs from the generated text"
    )
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    text = build_document()
    stats = self_check(text)
    data = text.encode("utf-8")
    if len(data) >= MAX_BYTES:
        raise SystemExit(f"output is {len(data):,} bytes, limit {MAX_BYTES:,}")
    count = _token_counter()
    tokens = None
    if count is not None:
        tokens = count(text)
        conflict_at = count(text[: text.index(CONFLICT_TEXT)])
        if conflict_at < CONFLICT_MIN_TOKEN_OFFSET:
            raise SystemExit(
                f"conflict starts at token {conflict_at:,}, must be beyond {CONFLICT_MIN_TOKEN_OFFSET:,}"
            )
        if not 170_000 <= tokens <= 220_000:
            raise SystemExit(f"{tokens:,} tokens, outside 170,000-220,000")
    if args.check:
        if not args.out.exists() or args.out.read_bytes() != data:
            print(f"{args.out} is out of date; run python bench/make_example.py", file=sys.stderr)
            return 1
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
    print(f"file: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    print(
        f"tokens (o200k_base): {tokens:,}"
        if tokens is not None
        else "tokens (o200k_base): n/a (chunking.tokenizer not importable)"
    )
    if tokens is not None:
        print(f"conflict at token: {conflict_at:,}")
    print(f"characters: {len(text):,}")
    print(f"bytes: {len(data):,}")
    print(f"sha256: {hashlib.sha256(data).hexdigest()}")
    print(
        f"statements of work: {len(SOW_RECORDS)}; defined terms: {stats['defined_terms']}; references: {stats['references']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
