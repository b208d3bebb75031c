"""The web page in a real browser: key, upload, live status, report with a cited Governing Law finding.

Python Playwright drives Debian's chromium (``apt-get install chromium``); no browser is
downloaded. Skipped, with the reason, when either is missing. The screenshot path is printed
(``LONGDOC_SCREENSHOT_DIR`` chooses the folder; default: the test's tmp folder).
"""

from __future__ import annotations

import io
import json
import os
import re
import urllib.request
from pathlib import Path

import openpyxl
import pytest

from storage import keys
from storage.local import LocalStore
from tests.api_helpers import KEYS, contract, live_server, make_settings, require_rules_model
from tests.waiting import wait_for

CHROMIUM = Path("/usr/bin/chromium")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install -y chromium)"
)

XSS = '<img src=x onerror="window.__xss=1">'


def launch(pw: sync_api.Playwright) -> sync_api.Browser:
    """Debian's chromium, headless; no background networking (this machine has no internet)."""
    return pw.chromium.launch(
        executable_path=str(CHROMIUM),
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )


def choose(page: sync_api.Page, url: str, name: str, mime: str, data: bytes) -> None:
    """Sign in with acme's key and put one file in the upload form (options stay to be set)."""
    page.goto(url + "/")
    page.get_by_label("Your API key").fill(KEYS["acme"])
    page.get_by_role("button", name="Use key").click()
    page.locator("#file-input").set_input_files([{"name": name, "mimeType": mime, "buffer": data}])


def analyzed(page: sync_api.Page, status: str = "succeeded") -> sync_api.Locator:
    """Submit the form; the job's row once it reached ``status``."""
    page.get_by_role("button", name="Analyze").click()
    row = page.locator(f'#jobs tbody tr[data-status="{status}"]').first
    row.wait_for(timeout=60_000)
    return row


def upload(page: sync_api.Page, url: str, name: str, mime: str, data: bytes) -> sync_api.Locator:
    """Sign in with acme's key, upload one file, and return its job row once it succeeded."""
    choose(page, url, name, mime, data)
    return analyzed(page)


def test_upload_and_read_the_report(tmp_path: Path) -> None:
    require_rules_model()
    shots = Path(os.environ.get("LONGDOC_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    doc = contract(party_a=f"Northwind {XSS} Traders Inc.")
    with live_server(make_settings(tmp_path)) as url, sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            row = upload(page, url, "northwind-msa.txt", "text/plain", doc)
            assert page.title().startswith("longdoc")
            assert "northwind-msa.txt" in row.inner_text()
            row.get_by_role("button", name="View report").click()
            report = page.locator("#report")
            report.wait_for(state="visible")
            assert page.locator("#digest").is_hidden()  # a contract has no paper digest

            finding = page.locator('#findings section[data-category="Governing Law"]')
            if finding.count():  # preferred: the clause finding with its citation
                text = finding.inner_text()
                assert "New York" in text and re.search(r"\bL\d+", text)  # a text file cites lines
            else:  # the clause model artifact is absent: the key term still cites its page
                term = page.locator('#key-terms .cite[data-term="governing_law"]').first
                assert re.match(r"L\d+", term.inner_text())
            assert "New York" in page.locator("#key-terms").inner_text()
            # Document text is shown as text, never as markup.
            assert page.evaluate("window.__xss") is None
            assert report.locator("img").count() == 0
            assert (
                XSS in page.locator("#report").inner_text()
                or "Northwind" in page.locator("#jobs").inner_text()
            )
            for label in ("Download JSON", "Download Markdown", "Download Word memo"):
                assert page.get_by_role("button", name=label).is_visible()
            with page.expect_download() as dl:
                page.get_by_role("button", name="Download Word memo").click()
            assert dl.value.suggested_filename == "northwind-msa.report.docx"

            shot = shots / "longdoc-web-report.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot: {shot}")
            assert not errors, errors
        finally:
            browser.close()


def test_many_files_make_a_batch_with_tables(tmp_path: Path) -> None:
    with live_server(make_settings(tmp_path)) as url, sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            page.goto(url + "/")
            page.get_by_label("Your API key").fill(KEYS["acme"])
            page.get_by_role("button", name="Use key").click()
            files = [{"name": f"c{i}.txt", "mimeType": "text/plain", "buffer": contract(law=law)}
                     for i, law in enumerate(("Texas", "Delaware"))]  # fmt: skip
            files.append({"name": "blank.txt", "mimeType": "text/plain", "buffer": b"   \n"})
            page.locator("#file-input").set_input_files(files)
            page.get_by_role("button", name="Analyze").click()
            batch = page.locator('#batches li[data-status="partially_succeeded"]')
            batch.wait_for(timeout=60_000)
            # The rejected file is listed with its coded error, the others are not.
            rejected = batch.get_by_role("list", name="files not analyzed")
            assert " ".join(rejected.inner_text().split()).startswith("blank.txt — empty_document:")
            assert rejected.locator("li").count() == 1
            # The offline rules model is free, and the table says so.
            page.locator('#jobs tbody tr[data-status="succeeded"]').first.wait_for(timeout=60_000)
            assert (
                "offline (no charge)"
                in page.locator('#jobs tbody tr[data-status="succeeded"]').first.inner_text()
            )
            with page.expect_download() as dl:
                page.get_by_role("button", name="Table (Excel)").click()
            assert dl.value.suggested_filename.endswith(".xlsx")
        finally:
            browser.close()


def test_delete_from_the_report_page(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with live_server(settings) as url, sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            dialogs: list[str] = []

            def accept(dialog: sync_api.Dialog) -> None:
                dialogs.append(dialog.message)
                dialog.accept()

            page.on("dialog", accept)
            page.goto(url + "/")
            page.get_by_label("Your API key").fill(KEYS["acme"])
            page.get_by_role("button", name="Use key").click()
            page.locator("#file-input").set_input_files(
                [{"name": "to-delete.txt", "mimeType": "text/plain", "buffer": contract()}]
            )
            page.get_by_role("button", name="Analyze").click()
            row = page.locator('#jobs tbody tr[data-status="succeeded"]').first
            row.wait_for(timeout=60_000)
            job_id = row.get_attribute("data-job-id")
            assert job_id
            row.get_by_role("button", name="View report").click()
            page.locator("#report").wait_for(state="visible")
            page.locator("#report").get_by_role("button", name="Delete").click()
            page.locator(f'#jobs tbody tr[data-job-id="{job_id}"]').wait_for(state="detached", timeout=10_000)
            assert page.locator("#report").is_hidden()
            assert len(dialogs) == 1 and "to-delete.txt" in dialogs[0]
            assert not errors, errors
        finally:
            browser.close()
    store = LocalStore(settings.storage.dir)
    assert list(store.list(keys.job_prefix("acme", job_id))) == [keys.tombstone("acme", job_id)]


def test_api_docs_render_offline(tmp_path: Path) -> None:
    # The machine has no internet: Swagger UI and ReDoc render only if their assets come from
    # the server itself (the fastapi-offline wheel), never from a CDN.
    with live_server(make_settings(tmp_path)) as url, sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            outside: list[str] = []
            page.on(
                "request",
                lambda r: None if r.url.startswith((url, "blob:", "data:")) else outside.append(r.url),
            )
            page.goto(url + "/docs")
            title = page.locator(".swagger-ui .info .title")
            title.wait_for(timeout=30_000)
            assert title.inner_text().startswith("longdoc")
            assert page.locator(".opblock-summary-path", has_text="/v1/audit").count() >= 1
            page.goto(url + "/redoc")
            page.locator("h1", has_text="longdoc").wait_for(timeout=30_000)
            # Only ReDoc's "API docs by Redocly" logo is asked of a CDN; offline it is just missing.
            assert [u for u in outside if u != "https://cdn.redoc.ly/redoc/logo-mini.svg"] == []
        finally:
            browser.close()


def _get_json(url: str, tenant: str = "acme") -> dict[str, object]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {KEYS[tenant]}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        body: dict[str, object] = json.loads(resp.read())
    return body


def _no_horizontal_overflow(page: sync_api.Page) -> None:
    sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert sizes[0] <= sizes[1], f"the page overflows horizontally: scrollWidth {sizes[0]} > {sizes[1]}"


def test_review_viewer_highlights_evidence_and_keeps_decisions(tmp_path: Path) -> None:
    """Upload → report → click a `deviates` item → its evidence is highlighted in view → decide →
    reload → the decision is still there; screenshots at 1280 and 390 px without horizontal overflow."""
    require_rules_model()
    shots = Path(os.environ.get("LONGDOC_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    # Texas law is outside the default playbook's list: the governing-law item deviates. The
    # filler before it pushes the clause far down, so showing it means scrolling the document pane.
    filler = "\n".join(
        f"3.{k} Filler clause {k}: the Parties shall cooperate in good faith." for k in range(1, 90)
    )
    doc = contract(law="Texas").replace(b"4. Governing Law.", filler.encode() + b"\n\n4. Governing Law.")
    with live_server(make_settings(tmp_path)) as url, sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            row = upload(page, url, "texas-msa.txt", "text/plain", doc)
            job_id = row.get_attribute("data-job-id")
            row.get_by_role("button", name="View report").click()
            page.locator("#review").wait_for(state="visible")
            page.locator("#doc-pane .page-text").first.wait_for()

            report = _get_json(f"{url}/v1/jobs/{job_id}/report")
            items = report["review"]["items"]  # type: ignore[index]
            deviates = [i for i in items if i["status"] == "deviates" and i["evidence"]]
            assert deviates, [(i["rule"], i["status"]) for i in items]
            target = deviates[0]
            assert page.locator("#doc-pane mark").count() == 0
            scrolled = "document.getElementById('doc-pane').scrollTop"
            assert page.evaluate(scrolled) == 0
            page.locator(f'#review-items li[data-rule="{target["rule"]}"] .reason').click()
            mark = page.locator("#doc-pane mark")
            mark.wait_for()
            assert mark.count() == 1
            assert mark.text_content() == target["evidence"][0]["quote"]
            # Scrolled into view: the mark lies inside the document pane's and the window's viewport.
            wait_for(lambda: page.evaluate(_IN_VIEW), 5, "the highlighted evidence to scroll into view")
            assert page.evaluate(scrolled) > 0  # the pane scrolled to get there
            assert page.evaluate("location.hash") == f"#job={job_id}&item={target['rule']}"

            # Keyboard: j moves to the next item, k back; each highlights its own first citation.
            rules = [i["rule"] for i in items]
            at = rules.index(target["rule"])
            assert at + 1 < len(rules)
            page.locator(f'#review-items li[data-rule="{target["rule"]}"]').focus()
            page.keyboard.press("j")
            assert page.locator("#review-items li.current").get_attribute("data-rule") == rules[at + 1]
            after = items[at + 1]["evidence"]
            assert page.locator("#doc-pane mark").count() == (1 if after else 0)
            page.keyboard.press("k")
            assert page.locator("#review-items li.current").get_attribute("data-rule") == target["rule"]
            assert page.locator("#doc-pane mark").text_content() == target["evidence"][0]["quote"]

            # Filters: only the deviating items stay visible.
            page.locator("#f-status").select_option("deviates")
            shown = page.locator("#review-items > li:visible")
            assert {shown.nth(n).get_attribute("data-status") for n in range(shown.count())} == {"deviates"}
            page.locator("#f-status").select_option("")

            signoff = page.locator("#signoff")
            open_before = int(signoff.inner_text().split(": ")[1].split(" ")[0])
            item = page.locator(f'#review-items li[data-rule="{target["rule"]}"]')
            item.get_by_label("action").select_option("edit")
            item.get_by_label("corrected answer").fill("Delaware")
            item.get_by_label("corrected status").select_option("meets")
            item.get_by_label("comment").fill("Agreed Delaware in the side letter.")
            item.get_by_role("button", name="Save decision").click()
            decided = page.locator(f'#review-items li[data-rule="{target["rule"]}"] .decision')
            decided.wait_for()
            assert "Edited (status meets, value “Delaware”)" in decided.inner_text()
            needed = target["severity"] == "high"
            assert f"needs sign-off: {open_before - needed} open" in signoff.inner_text()
            # The review grid downloaded from the page carries the decision in the document's row.
            with page.expect_download() as dl:
                page.get_by_role("button", name="Review grid (Excel)").click()
            ws = openpyxl.load_workbook(io.BytesIO(dl.value.path().read_bytes())).active
            assert ws is not None
            head = [c.value for c in ws[1]]
            row = [c.value for c in ws[2]]
            status = str(row[head.index(f"{target['rule']}: status")])
            answer = ws.cell(row=2, column=head.index(f"{target['rule']}: answer") + 1)
            assert "meets" in status and "edited by" in status, status
            assert "Delaware" in str(answer.value) and answer.hyperlink is not None
            assert f"#job={job_id}&item={target['rule']}" in str(answer.hyperlink.target)

            page.reload()  # the key stays in the tab; the URL fragment reopens the job at the item
            decided = page.locator(f'#review-items li[data-rule="{target["rule"]}"] .decision')
            decided.wait_for(timeout=30_000)
            text = decided.inner_text()
            assert "Edited (status meets, value “Delaware”)" in text
            assert "Agreed Delaware in the side letter." in text
            page.locator("#doc-pane mark").wait_for()
            assert page.locator("#doc-pane mark").text_content() == target["evidence"][0]["quote"]

            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.locator(f'#review-items li[data-rule="{target["rule"]}"] .reason').click()
                wait_for(lambda: page.evaluate(_IN_VIEW), 5, f"the evidence in view at {width} px")
                shot = shots / f"longdoc-viewer-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
                page.locator("#review").screenshot(path=str(shot.with_suffix(".review.png")))
                print(f"\nscreenshots: {shot}, {shot.with_suffix('.review.png')}")
                _no_horizontal_overflow(page)
            assert not errors, errors
        finally:
            browser.close()


# The mark is visible: inside the document pane's box and inside the window.
_IN_VIEW = """() => {
  const m = document.querySelector('#doc-pane mark');
  if (!m) return false;
  const r = m.getBoundingClientRect(), p = document.getElementById('doc-pane').getBoundingClientRect();
  return r.bottom > p.top && r.top < p.bottom && r.bottom > 0 && r.top < window.innerHeight;
}"""


def test_a_high_stakes_upload_waits_for_sign_off_on_the_page(tmp_path: Path) -> None:
    """Issue 19: an error cost at the $1,000 line entered on the page holds the job in
    awaiting_review; deciding its high-severity items on the page makes the report final."""
    require_rules_model()
    with live_server(make_settings(tmp_path)) as url, sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            choose(page, url, "msa.txt", "text/plain", contract())
            page.get_by_label("Error cost (USD)").fill("1000")
            row = analyzed(page, "awaiting_review")
            job_id = row.get_attribute("data-job-id")
            row.get_by_role("button", name="View report").click()
            page.locator("#review").wait_for(state="visible")
            signoff = page.locator("#signoff")
            assert "held for sign-off: the report is not final yet" in signoff.inner_text()
            job = _get_json(f"{url}/v1/jobs/{job_id}")
            open_items = job["review"]["signoff_open"]  # type: ignore[index]
            assert job["status"] == "awaiting_review" and open_items > 0
            high = page.locator('#review-items > li[data-severity="high"]')
            assert high.count() == open_items
            for n in range(open_items):
                item = high.nth(n)
                item.get_by_label("action").select_option("accept")
                item.get_by_role("button", name="Save decision").click()
                item.locator(".decision").wait_for()
            wait_for(
                lambda: "all decided: the report is final" in signoff.inner_text(), 10, "the sign-off line"
            )
            assert _get_json(f"{url}/v1/jobs/{job_id}")["status"] == "succeeded"
            final = _get_json(f"{url}/v1/jobs/{job_id}/report")["review"]
            assert final["final"] is True and final["awaiting_signoff"] == 0  # type: ignore[index]
            assert not errors, errors
        finally:
            browser.close()


def test_a_partly_scanned_pdf_shows_its_warning_on_the_page(tmp_path: Path) -> None:
    """Pages left unread (no OCR here) are said in the job list, not only in the Markdown."""
    from tests.test_api_scanned import PARTLY

    settings = make_settings(tmp_path, limits={"ocr": {"enabled": False}})
    with live_server(settings) as url, sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            row = upload(page, url, "partly-scanned.pdf", "application/pdf", PARTLY)
            warning = row.locator(".warning")
            warning.first.wait_for()
            assert "no_text_layer" in warning.first.inner_text() and "4" in warning.first.inner_text()
        finally:
            browser.close()


PAPER = """Sparse Retrieval for Long Documents

Ada Lovelace and Alan Turing

Abstract
We propose a sparse retrieval method for long documents. Our experiments show that it improves recall on three benchmarks.

1 Introduction
Long documents are hard to search [1]. Prior work used dense encoders (Smith et al., 2020). In this paper, we introduce SparseLD, a retrieval model that scales to long inputs [2].

2 Method
SparseLD indexes every passage with learned term weights, as described in Section 3 and shown in Figure 1.

Figure 1: The SparseLD pipeline.

3 Experiments
On the MS MARCO dataset, SparseLD reaches an MRR@10 of 39.2, compared with 36.1 for BM25 [3]. Table 1 lists the results.

Table 1: Results on MS MARCO.

4 Limitations
Our method is limited to English text.

References
[1] J. Smith and K. Lee. 2020. Dense retrieval at scale. In Proceedings of ACL.
[2] A. Brown. 2019. Term weighting for search. In Proceedings of SIGIR.
[3] S. Robertson. 2009. The probabilistic relevance framework: BM25 and beyond. Foundations and Trends in IR.
"""


def test_a_paper_report_opens_with_its_digest(tmp_path: Path) -> None:
    """Issue 18: the digest comes first for a paper, each item a quote of the paper with where it is."""
    with live_server(make_settings(tmp_path)) as url, sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            row = upload(page, url, "sparse-retrieval.txt", "text/plain", PAPER.encode())
            row.get_by_role("button", name="View report").click()
            digest = page.locator("#digest")
            digest.wait_for(state="visible")
            assert "Sparse Retrieval for Long Documents" in digest.inner_text()
            contributions = page.locator('#digest ul[data-part="contributions"] blockquote')
            assert contributions.count() >= 1
            for n in range(contributions.count()):
                assert contributions.nth(n).text_content() in PAPER  # verbatim
            assert "39.2" in page.locator('#digest ul[data-part="results"]').inner_text()
            # The digest sits above the key terms and findings.
            box = digest.bounding_box()
            terms = page.locator("#key-terms").bounding_box()
            assert box is not None and terms is not None and box["y"] < terms["y"]
        finally:
            browser.close()


def test_a_paper_read_by_the_routers_models_shows_their_digest_on_the_page(
    tmp_path: Path, keys_env: None
) -> None:
    """Issue 18 item 4 on the page: model 'auto' over the simulator; each LLM digest item shows
    its verified quotes, above the offline digest."""
    from pipeline.simulate.server import SimulatorConfig, running_simulator
    from tests.llm_helpers import SMALL
    from tests.paper_helpers import CLAIM, RESULT, planted_paper

    paper = planted_paper()
    with running_simulator(SimulatorConfig(time_scale=0.0)) as sim:
        settings = make_settings(
            tmp_path, segment=SMALL, routing={"llm_base_url": sim, "llm_backoff_base_s": 0.01}
        )
        with live_server(settings) as url, sync_api.sync_playwright() as pw:
            browser = launch(pw)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                choose(page, url, "tabparse.txt", "text/plain", paper.encode())
                page.locator("#opt-model").select_option("auto")
                row = analyzed(page)
                row.get_by_role("button", name="View report").click()
                page.locator("#digest").wait_for(state="visible")
                heading = page.locator("#digest h4").first
                assert heading.inner_text().startswith("Digest by ")
                results = page.locator('#digest ul[data-part="llm-results"]')
                assert "91.2" in results.inner_text()
                quotes = page.locator('#digest ul[data-part^="llm-"] blockquote')
                assert quotes.count() >= 2
                for n in range(quotes.count()):
                    assert quotes.nth(n).text_content() in paper  # verbatim
                assert CLAIM in page.locator('#digest ul[data-part="llm-contributions"]').inner_text()
                assert RESULT[:20] in results.inner_text()
                llm_box = results.bounding_box()
                offline = page.locator('#digest ul[data-part="contributions"]').bounding_box()
                assert llm_box is not None and offline is not None and llm_box["y"] < offline["y"]
            finally:
                browser.close()
