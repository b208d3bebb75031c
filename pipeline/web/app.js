// longdoc web page: plain JavaScript against the /v1 API.
// Document text only ever reaches the page through textContent (never innerHTML).
"use strict";

const KEY_STORE = "longdoc.apiKey";
const BATCH_STORE = "longdoc.batches";
const TERMINAL = new Set(["awaiting_review", "succeeded", "failed", "canceled"]);
const KEY_TERM_TITLES = {
  party: "Parties", agreement_date: "Agreement date", effective_date: "Effective date",
  expiration_date: "Expiration date", governing_law: "Governing law", renewal_term: "Renewal term",
  renewal_notice: "Notice to stop renewal", termination_notice: "Termination notice",
  notice_period: "Notice period", liability_cap: "Liability cap",
};

const $ = (id) => document.getElementById(id);
let pollTimer = null;
let chosenFiles = [];

// el("p", {class: "x"}, "text", child) — strings become text nodes.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function say(text, isError) {
  const m = $("message");
  m.textContent = text;
  m.classList.toggle("error", Boolean(isError));
}

function apiKey() { return sessionStorage.getItem(KEY_STORE) || ""; }

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {}, { Authorization: "Bearer " + apiKey() });
  const resp = await fetch(path, Object.assign({}, options, { headers }));
  if (!resp.ok) {
    let detail = resp.status + " " + resp.statusText;
    try {
      const p = await resp.json();
      detail = (p.code ? p.code + ": " : "") + (p.detail || p.title || detail);
    } catch (_e) { /* not problem+json */ }
    const err = new Error(detail);
    err.status = resp.status;
    throw err;
  }
  return resp;
}

function cite(span) {
  // consolidation's "where" names lines for text files and the section first for DOCX
  return span.where || "p. " + span.page + (span.section ? ", § " + span.section : "");
}

function money(usd) {
  return usd === null || usd === undefined ? "—" : "$" + Number(usd).toFixed(usd < 1 ? 4 : 2);
}

// The offline rules model is free: say so instead of "$0.0000".
const OFFLINE = "offline (no charge)";
function jobCost(job) {
  return job.options && job.options.model === "rules" && !job.cost.actual_usd ? OFFLINE : money(job.cost.actual_usd);
}
function reportCost(report) {
  const offline = report.segments.length && report.segments.every((g) => g.model === "rules");
  return offline && !report.summary.cost_usd ? OFFLINE : money(report.summary.cost_usd);
}

// ---------------------------------------------------------------- key
function initKey() {
  $("api-key").value = apiKey();
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY_STORE, $("api-key").value.trim());
    say("Key saved for this tab.");
    refreshJobs();
    openFromHash();
  });
  $("forget-key").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORE);
    $("api-key").value = "";
    $("jobs").querySelector("tbody").replaceChildren();
    say("Key forgotten.");
  });
}

// ---------------------------------------------------------------- upload
function setChosen(files) {
  chosenFiles = Array.from(files || []);
  $("chosen").textContent = chosenFiles.length
    ? chosenFiles.length + " file(s): " + chosenFiles.map((f) => f.name).join(", ")
    : "";
}

function initUpload() {
  const zone = $("drop-zone");
  const input = $("file-input");
  input.addEventListener("change", () => setChosen(input.files));
  zone.addEventListener("click", () => input.click());
  zone.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); }
  });
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    setChosen(e.dataTransfer.files);
  });
  $("upload-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!apiKey()) { say("Enter your API key first.", true); $("api-key").focus(); return; }
    if (!chosenFiles.length) { say("Choose or drop at least one file.", true); return; }
    const form = new FormData();
    const single = chosenFiles.length === 1;
    for (const f of chosenFiles) form.append(single ? "file" : "files", f, f.name);
    form.append("model", $("opt-model").value);
    form.append("profile", $("opt-profile").value);
    if ($("opt-budget").value) form.append("budget_usd", $("opt-budget").value);
    if ($("opt-error-cost").value) form.append("error_cost_usd", $("opt-error-cost").value);
    $("submit").disabled = true;
    try {
      const resp = await api(single ? "/v1/jobs" : "/v1/batches", { method: "POST", body: form });
      const body = await resp.json();
      if (single) {
        say("Submitted " + body.name + ".");
      } else {
        rememberBatch(body.id);
        say("Submitted a batch of " + body.total + " document(s).");
      }
      setChosen([]);
      $("file-input").value = "";
      refreshJobs();
      refreshBatches();
    } catch (err) {
      say("Upload failed: " + err.message, true);
    } finally {
      $("submit").disabled = false;
    }
  });
}

// ---------------------------------------------------------------- jobs
function jobRow(job) {
  const p = job.progress;
  const progress = el("progress", { max: 100, value: p.percent, "aria-label": "progress of " + job.name });
  const detail = p.segments_total ? p.segments_done + "/" + p.segments_total + " segments" : "";
  const actions = el("td", {});
  if (job.links.report) {
    actions.append(el("button", { type: "button", class: "view", onclick: () => showReport(job) }, "View report"));
  }
  if (!TERMINAL.has(job.status)) {
    actions.append(el("button", { type: "button", class: "secondary", onclick: () => cancelJob(job) }, "Cancel"));
  }
  const status = el("span", { class: "status status-" + job.status }, job.status);
  const error = job.error ? el("div", { class: "hint" }, job.error.code + ": " + job.error.message) : null;
  // Pages left unread (scanned, no OCR) or read by OCR: the findings depend on it.
  const warnings = (job.warnings || []).map((w) => el("div", { class: "hint warning" }, "⚠ " + w));
  return el("tr", { dataset: { jobId: job.id, status: job.status } },
    el("td", {}, job.name),
    el("td", {}, status, error, ...warnings),
    el("td", {}, progress, " ", detail),
    el("td", {}, jobCost(job)),
    el("td", {}, new Date(job.created_at).toLocaleString()),
    actions);
}

async function refreshJobs() {
  clearTimeout(pollTimer);
  if (!apiKey()) return;
  let delay = 10000;
  try {
    const resp = await api("/v1/jobs?limit=50");
    const list = await resp.json();
    $("jobs").querySelector("tbody").replaceChildren(...list.data.map(jobRow));
    $("jobs-empty").hidden = list.data.length > 0;
    if (list.data.some((j) => !TERMINAL.has(j.status))) delay = 1000;
  } catch (err) {
    say("Could not list jobs: " + err.message, true);
  }
  pollTimer = setTimeout(() => { refreshJobs(); refreshBatches(); }, delay);
}

async function cancelJob(job) {
  try {
    await api(job.links.cancel, { method: "POST" });
    say("Cancel requested for " + job.name + ".");
    refreshJobs();
  } catch (err) {
    say("Cancel failed: " + err.message, true);
  }
}

// Erases the job for good (document, results, reports, cached answers); only a tombstone stays.
async function deleteJob(job) {
  if (!confirm("Delete " + job.name + " and everything longdoc stored for it? This cannot be undone.")) return;
  try {
    await api(job.links.self, { method: "DELETE" });
    $("report").hidden = true;
    say("Deleted " + job.name + ".");
    refreshJobs();
  } catch (err) {
    say("Delete failed: " + err.message, true);
  }
}

// ---------------------------------------------------------------- batches
function batchIds() {
  try { return JSON.parse(sessionStorage.getItem(BATCH_STORE) || "[]"); } catch (_e) { return []; }
}

function rememberBatch(id) {
  const ids = batchIds().filter((x) => x !== id);
  ids.unshift(id);
  sessionStorage.setItem(BATCH_STORE, JSON.stringify(ids.slice(0, 20)));
}

async function refreshBatches() {
  const ids = batchIds();
  $("batches-section").hidden = ids.length === 0;
  const items = [];
  for (const id of ids) {
    try {
      const b = await (await api("/v1/batches/" + encodeURIComponent(id))).json();
      const counts = Object.entries(b.counts).map(([s, n]) => n + " " + s).join(", ");
      items.push(el("li", { dataset: { batchId: b.id, status: b.status } },
        el("strong", {}, "Batch " + b.id), " — ", el("span", { class: "status status-" + b.status }, b.status),
        " (" + counts + ") ",
        el("button", { type: "button", onclick: () => download(b.links.table_csv, "batch-" + b.id + ".csv") }, "Table (CSV)"),
        " ",
        el("button", { type: "button", onclick: () => download(b.links.table_xlsx, "batch-" + b.id + ".xlsx") }, "Table (Excel)"),
        " ",
        el("button", { type: "button", onclick: () => download(b.links.review_xlsx, "batch-" + b.id + ".review.xlsx") }, "Review grid (Excel)"),
        rejected(b)));
    } catch (_err) { /* a batch of another key: not shown */ }
  }
  $("batches").replaceChildren(...items);
}

// The batch's files that could not be analyzed, each with its coded error (textContent only).
function rejected(b) {
  const bad = b.entries.filter((e) => e.status === "failed" && e.error);
  if (!bad.length) return "";
  return el("ul", { class: "rejected", "aria-label": "files not analyzed" },
    ...bad.map((e) => el("li", {}, el("span", { class: "name" }, e.name), " — ",
      el("code", {}, e.error.code), ": " + e.error.message)));
}

// A paper's digest comes first: each item is a verbatim quote with where it is (issue 18).
const DIGEST_PARTS = [
  ["contributions", "Contributions"], ["results", "Results"], ["datasets", "Data sets"],
  ["availability", "Code and data"], ["limitations", "Limitations"], ["central", "Key sentences by section"],
];

function digestItem(d) {
  const facts = [d.metric, d.value, d.dataset, d.compared ? "vs " + d.compared : null].filter(Boolean).join(" · ");
  return el("li", { class: "digest-item" }, quote(d.quote), el("span", { class: "cite" }, cite(d) + (facts ? " — " + facts : "")));
}

const LLM_PARTS = [
  ["contributions", "Contributions"], ["methods", "Methods"], ["datasets", "Data sets"], ["results", "Results"],
  ["limitations", "Limitations"], ["open_questions", "Open questions"],
];

function llmItem(it) {
  const facts = [it.dataset, it.baseline ? "vs " + it.baseline : null, it.delta ? "Δ " + it.delta : null].filter(Boolean).join(" · ");
  return el("li", { class: "digest-item" }, el("span", {}, it.text + (facts ? " (" + facts + ")" : "")),
    ...it.evidence.map((e) => el("span", { class: "cite" }, quote(e.quote), " " + cite(e))));
}

function showDigest(paper) {
  $("digest").hidden = !paper;
  if (!paper) {
    $("digest-body").replaceChildren();
    return;
  }
  const parts = [];
  if (paper.title) parts.push(el("p", { class: "paper-title" }, el("strong", {}, paper.title)));
  if (paper.authors && paper.authors.length) parts.push(el("p", { class: "hint" }, paper.authors.join(", ")));
  parts.push(el("p", { class: "hint" }, paper.sections.length + " sections · " + paper.figures.length + " figures · " +
    paper.tables.length + " tables · " + paper.bibliography.length + " references"));
  const llm = paper.digest.llm;
  if (llm) {  // what the router's models read: each item with its verified quotes
    parts.push(el("h4", {}, "Digest by " + llm.models.join(", ")));
    for (const [key, title] of LLM_PARTS) {
      const items = llm[key] || [];
      if (items.length) parts.push(el("h5", {}, title), el("ul", { dataset: { part: "llm-" + key } }, items.map(llmItem)));
    }
  }
  for (const [key, title] of DIGEST_PARTS) {
    const items = paper.digest[key] || [];
    if (items.length) parts.push(el("h4", {}, title), el("ul", { dataset: { part: key } }, items.map(digestItem)));
  }
  $("digest-body").replaceChildren(...parts);
}

// Downloads need the Authorization header, so fetch → blob → a temporary link.
async function download(path, filename) {
  try {
    const blob = await (await api(path)).blob();
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    say("Download failed: " + err.message, true);
  }
}

// ---------------------------------------------------------------- report
function table(headers, rows) {
  return el("div", { class: "scroll-x" }, el("table", {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c)))))));
}

function quote(text) { return el("blockquote", { class: "quote" }, text); }

async function showReport(job, item) {
  let report;
  try {
    report = await (await api(job.links.report)).json();
  } catch (err) {
    say("Could not load the report: " + err.message, true);
    return;
  }
  const d = report.document;
  const s = report.summary;
  $("report-heading").textContent = "Report: " + d.name;
  $("report-summary").textContent =
    d.kind + " · " + d.pages + " page(s) · " + d.tokens.toLocaleString() + " tokens · " + s.segments +
    " segment(s) · " + s.findings + " findings in " + s.categories_found.length + " categories · cost " + reportCost(report);
  const stem = d.name.replace(/\.[^.]+$/, "");
  $("report-downloads").replaceChildren(
    el("button", { type: "button", onclick: () => download(job.links.report, stem + ".report.json") }, "Download JSON"),
    el("button", { type: "button", onclick: () => download(job.links.report_md, stem + ".report.md") }, "Download Markdown"),
    el("button", { type: "button", onclick: () => download(job.links.report_docx, stem + ".report.docx") }, "Download Word memo"),
    el("button", { type: "button", onclick: () => download(job.links.review_xlsx, stem + ".review.xlsx") }, "Review grid (Excel)"),
    el("button", { type: "button", class: "danger", onclick: () => deleteJob(job) }, "Delete"));
  showReview(job, report, item);  // not awaited: the text loads while the rest renders
  showDigest(report.paper);
  $("report-synthesis").replaceChildren(...(report.synthesis
    ? [...report.synthesis.executive_summary.split(/\n\s*\n/).map((para) => el("p", {}, para)), el("ul", {}, report.synthesis.observations.map((o) => el("li", {}, o)))]
    : []));

  $("key-terms").replaceChildren(report.key_terms.length
    ? table(["Term", "Value", "Where", "Quote"], report.key_terms.map((k) => [
      KEY_TERM_TITLES[k.name] || k.name, k.value, el("span", { class: "cite", dataset: { term: k.name } }, cite(k)), quote(k.quote)]))
    : el("p", {}, "No key terms found."));

  const byCat = new Map();
  for (const f of report.findings) {
    if (!byCat.has(f.category)) byCat.set(f.category, []);
    byCat.get(f.category).push(f);
  }
  $("findings").replaceChildren(...(byCat.size ? Array.from(byCat, ([cat, items]) =>
    el("section", { class: "category", dataset: { category: cat } },
      el("h4", {}, cat + " (" + items.length + ")"),
      el("ul", { class: "plain" }, items.map((f) => el("li", { class: "finding" },
        quote(f.quote),
        el("p", { class: "cite" }, cite(f) + " · confidence " + f.confidence.toFixed(2) + " · " + f.model))))))
    : [el("p", {}, "No clause findings.")]));

  const dangling = report.references.filter((r) => r.status === "dangling");
  const cross = report.references.filter((r) => r.status === "resolved" && r.cross_segment);
  $("references").replaceChildren(
    el("p", {}, report.references.length + " references: " + (report.references.length - dangling.length) +
      " resolved (" + cross.length + " across segments), " + dangling.length + " dangling."),
    ...(dangling.length ? [table(["Reference", "Where", "Problem"],
      dangling.map((r) => [r.label, cite(r), "target " + r.target + " not found"]))] : []));

  $("term-issues").replaceChildren(report.term_issues.length
    ? table(["Term", "Issue", "Detail", "Where"], report.term_issues.map((t) =>
      [t.term, t.issue, t.detail, t.spans.slice(0, 3).map(cite).join("; ")]))
    : el("p", {}, "No defined-term issues."));

  $("conflicts").replaceChildren(report.conflicts.length
    ? el("ul", {}, report.conflicts.map((c) => el("li", {},
      el("strong", {}, (KEY_TERM_TITLES[c.name] || c.name) + ": "), c.values.join(" vs "),
      el("ul", {}, c.occurrences.map((k) => el("li", {}, k.value + " — " + cite(k) + ": ", quote(k.quote)))))))
    : el("p", {}, "None found."));

  const routes = report.routes.length
    ? table(["Segment", "Model", "Why", "Est. USD", "Fallback"],
      report.routes.map((r) => [String(r.segment), r.model, r.reasons.join("; "), money(r.estimated_usd), r.fallback.join(", ")]))
    : el("p", {}, "All segments were read by the offline rules model.");
  $("routing").replaceChildren(routes,
    el("p", {}, "Actual cost " + reportCost(report) + "; estimated " + money(job.cost.estimated_usd) + "."),
    table(["Segment", "Pages", "Model", "Status", "Findings"], report.segments.map((g) => [
      String(g.index), g.page_first === g.page_last ? String(g.page_first) : g.page_first + "–" + g.page_last,
      g.model, g.status + (g.error ? " (" + g.error.code + ")" : ""), String(g.findings)])));

  const section = $("report");
  section.hidden = false;
  if (!item) section.focus();
}

// ---------------------------------------------------------------- review viewer
// The report's review items beside the document text. Offsets in the report count Unicode code
// points (Python); JavaScript strings count UTF-16 units, so text beyond the BMP shifts them.
const SEV_RANK = { high: 3, medium: 2, low: 1 };
const ACTIONS = { accept: "Accepted", reject: "Rejected", edit: "Edited" };
const V = { job: null, items: [], text: "", pages: [], astral: [], marked: [], current: -1, cite: 0, threshold: "high" };

function astralPositions(text) {
  const out = [];
  if (!/[\uD800-\uDBFF]/.test(text)) return out;
  let cp = 0;
  for (let i = 0; i < text.length; i++, cp++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) { out.push(cp); i++; }
  }
  return out;
}

function toIndex(cp) {  // code-point offset → string index
  let lo = 0, hi = V.astral.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (V.astral[mid] < cp) lo = mid + 1; else hi = mid; }
  return cp + lo;
}

function needsSignoff(item) {
  return V.threshold !== "none" && SEV_RANK[item.severity] >= SEV_RANK[V.threshold] && !item.decision;
}

function parseHash() {
  const out = {};
  for (const part of location.hash.replace(/^#/, "").split("&")) {
    const [k, v] = part.split("=");
    if (k && v !== undefined) out[k] = decodeURIComponent(v);
  }
  return out;
}

// A #job=ID&item=RULE link (pipeline/report/links.py) opens that job's report at that item.
async function openFromHash() {
  const h = parseHash();
  if (!h.job || !apiKey()) return;
  if (V.job && V.job.id === h.job && !$("report").hidden) {
    const i = V.items.findIndex((x) => x.rule === h.item);
    if (i >= 0 && i !== V.current) select(i, 0);
    return;
  }
  try {
    const job = await (await api("/v1/jobs/" + encodeURIComponent(h.job))).json();
    if (!job.links.report) { say("The report of " + job.name + " is not ready yet.", true); return; }
    await showReport(job, h.item);
  } catch (err) {
    say("Could not open the linked job: " + err.message, true);
  }
}

function initViewer() {
  for (const id of ["f-status", "f-severity", "f-category"]) $(id).addEventListener("change", applyFilters);
  window.addEventListener("hashchange", openFromHash);
  document.addEventListener("keydown", (e) => {
    if ($("review").hidden || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest && e.target.closest("input, textarea, select")) return;
    const next = e.key === "j" || e.key === "ArrowDown";
    const prev = e.key === "k" || e.key === "ArrowUp";
    if (next || prev) {
      const visible = V.items.map((_, i) => i).filter((i) => !itemEl(i).hidden);
      if (!visible.length) return;
      e.preventDefault();
      const at = visible.indexOf(V.current);
      const to = at < 0 ? visible[0] : visible[Math.max(0, Math.min(visible.length - 1, at + (next ? 1 : -1)))];
      select(to, 0);
    } else if (e.key === "Enter" && V.current >= 0 && e.target.classList && e.target.classList.contains("item")) {
      e.preventDefault();
      const n = V.items[V.current].evidence.length;
      if (n) select(V.current, (V.cite + 1) % n);
    }
  });
}

async function showReview(job, report, wanted) {
  const section = $("review");
  V.job = job;
  V.items = report.review ? report.review.items : [];
  V.current = -1;
  V.marked = [];
  V.threshold = job.review ? job.review.signoff_severity : "high";
  section.hidden = !report.review;
  if (!report.review) return;
  const cats = Array.from(new Set(V.items.map((i) => i.category))).sort();
  $("f-category").replaceChildren(el("option", { value: "" }, "all"), ...cats.map((c) => el("option", { value: c }, c)));
  for (const id of ["f-status", "f-severity", "f-category"]) $(id).value = "";
  $("review-items").replaceChildren(...V.items.map((item, i) => itemNode(item, i)));
  updateSignoff();
  const pane = $("doc-pane");
  pane.replaceChildren(el("p", { class: "hint" }, "Loading the document text…"));
  try {
    const body = await (await api(job.links.text || "/v1/jobs/" + encodeURIComponent(job.id) + "/text")).json();
    if (V.job !== job) return;  // another report was opened meanwhile
    V.text = body.text;
    V.astral = astralPositions(body.text);
    V.pages = body.pages.map((p) => ({ number: p.number, start: toIndex(p.start), end: toIndex(p.end) }));
    const many = V.pages.length > 1;
    pane.replaceChildren(...V.pages.map((p) => {
      p.node = el("div", { class: "page-text", dataset: { page: p.number } }, V.text.slice(p.start, p.end));
      return el("section", { class: "page", "aria-label": "page " + p.number },
        many ? el("h4", { class: "page-head" }, "Page " + p.number) : null, p.node);
    }));
  } catch (err) {
    pane.replaceChildren(el("p", { class: "hint" }, "The document text is not available: " + err.message));
    return;
  }
  const at = V.items.findIndex((x) => x.rule === wanted);
  if (at >= 0) select(at, 0);
}

function itemEl(i) { return $("review-items").children[i]; }

function applyFilters() {
  const st = $("f-status").value, sev = $("f-severity").value, cat = $("f-category").value;
  V.items.forEach((item, i) => {
    itemEl(i).hidden = Boolean((st && item.status !== st) || (sev && item.severity !== sev) || (cat && item.category !== cat));
  });
}

function updateSignoff() {
  const open = V.items.filter(needsSignoff).length;
  const node = $("signoff");
  node.textContent = V.threshold === "none"
    ? "No sign-off required."
    : "needs sign-off: " + open + " open (" + V.threshold + " severity and above)";
  // A high-stakes job waits in awaiting_review: its report is final only once these are decided.
  if (V.job && V.job.status === "awaiting_review") {
    node.textContent += open ? " — held for sign-off: the report is not final yet" : " — all decided: the report is final";
  }
  node.classList.toggle("open", open > 0);
}

function citeText(e) {
  const q = e.quote.replace(/\s+/g, " ").trim();
  return cite(e) + " — “" + (q.length > 90 ? q.slice(0, 89) + "…" : q) + "”";
}

function decisionText(d) {
  let what = ACTIONS[d.action];
  if (d.action === "edit") {
    const parts = [d.status ? "status " + d.status : "", d.value ? "value “" + d.value + "”" : ""].filter(Boolean);
    if (parts.length) what += " (" + parts.join(", ") + ")";
  }
  return what + " by " + d.by + " at " + new Date(d.at).toLocaleString() + (d.comment ? " — " + d.comment : "");
}

function itemNode(item, i) {
  const d = item.decision;
  const value = el("input", { type: "text", "aria-label": "corrected answer", placeholder: "corrected answer", value: d && d.value ? d.value : (item.answer || "") });
  const status = el("select", { "aria-label": "corrected status" },
    ...["meets", "deviates", "missing", "review"].map((s) => el("option", { value: s, selected: s === ((d && d.status) || item.status) }, s)));
  const action = el("select", { "aria-label": "action" },
    el("option", { value: "accept" }, "Accept"), el("option", { value: "reject" }, "Reject"), el("option", { value: "edit" }, "Edit"));
  const editOnly = el("span", { class: "decide", hidden: true }, value, status);
  action.addEventListener("change", () => { editOnly.hidden = action.value !== "edit"; });
  const comment = el("textarea", { "aria-label": "comment", placeholder: "comment (optional)" });
  const form = el("form", { class: "decide", "aria-label": "decision on " + item.category },
    action, editOnly, comment, el("button", { type: "submit" }, "Save decision"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = { action: action.value, comment: comment.value };
    if (action.value === "edit") { body.value = value.value || null; body.status = status.value; }
    decide(i, body, form);
  });
  const node = el("li", { class: "item", tabindex: 0, dataset: { rule: item.rule, status: item.status, severity: item.severity, category: item.category } },
    el("div", { class: "item-head" },
      el("span", { class: "chip chip-" + item.status }, item.status),
      el("span", { class: "sev sev-" + item.severity }, item.severity),
      el("strong", {}, item.category),
      d && d.status && d.status !== item.status ? el("span", { class: "chip chip-" + d.status, title: "status set by the reviewer" }, "→ " + d.status) : null,
      needsSignoff(item) ? el("span", { class: "needs" }, "needs sign-off") : null),
    item.answer ? el("p", { class: "answer" }, "Answer: " + item.answer) : null,
    el("p", { class: "reason" }, item.reason),
    item.guidance ? el("p", { class: "hint" }, item.guidance) : null,
    item.evidence.length
      ? el("ul", { class: "evidence", "aria-label": "evidence" }, item.evidence.map((ev, j) =>
        el("li", {}, el("button", { type: "button", class: "cite-btn", onclick: () => select(i, j) }, citeText(ev)))))
      : el("p", { class: "hint" }, "No passage cited."),
    d ? el("p", { class: "decision" }, decisionText(d)) : null,
    form);
  node.addEventListener("click", (e) => { if (!e.target.closest("form, button")) select(i, 0); });
  if (i === V.current) node.classList.add("current");
  return node;
}

function clearMarks() {
  for (const p of V.marked) p.node.textContent = V.text.slice(p.start, p.end);
  V.marked = [];
}

// Highlight evidence j of item i in the document (one <mark> per page it spans) and scroll to it.
function select(i, j) {
  const prev = itemEl(V.current);
  if (prev) prev.classList.remove("current");
  V.current = i;
  V.cite = j;
  const node = itemEl(i);
  node.classList.add("current");
  if (!node.contains(document.activeElement) || document.activeElement === document.body) node.focus({ preventScroll: true });
  node.scrollIntoView({ block: "nearest" });
  history.replaceState(null, "", "#job=" + encodeURIComponent(V.job.id) + "&item=" + encodeURIComponent(V.items[i].rule));
  clearMarks();
  const ev = V.items[i].evidence[j];
  if (!ev || !V.pages.length) return;
  const s = toIndex(ev.start), e = toIndex(ev.end);
  let first = null;
  for (const p of V.pages) {
    const a = Math.max(s, p.start), b = Math.min(e, p.end);
    if (a >= b) continue;
    const mark = el("mark", {}, V.text.slice(a, b));
    p.node.replaceChildren(V.text.slice(p.start, a), mark, V.text.slice(b, p.end));
    V.marked.push(p);
    first = first || mark;
  }
  if (first) first.scrollIntoView({ block: "center" });
}

async function decide(i, body, form) {
  const item = V.items[i];
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const resp = await api(V.job.links.self + "/decisions/" + encodeURIComponent(item.rule), {
      method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    item.decision = await resp.json();
    const fresh = itemNode(item, i);
    itemEl(i).replaceWith(fresh);
    applyFilters();
    updateSignoff();
    say("Decision saved: " + item.category + " — " + ACTIONS[item.decision.action] + ".");
    fresh.focus({ preventScroll: true });
  } catch (err) {
    say("Could not save the decision: " + err.message, true);
    button.disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  initKey();
  initUpload();
  initViewer();
  refreshJobs();
  refreshBatches();
  openFromHash();
});
