// longdoc web page: plain JavaScript against the /v1 API.
// Document text only ever reaches the page through textContent (never innerHTML).
"use strict";

const KEY_STORE = "longdoc.apiKey";
const BATCH_STORE = "longdoc.batches";
const TERMINAL = new Set(["succeeded", "failed", "canceled"]);
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
  return "p. " + span.page + (span.section ? ", § " + span.section : "");
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
  return el("tr", { dataset: { jobId: job.id, status: job.status } },
    el("td", {}, job.name),
    el("td", {}, status, error),
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
  return el("table", {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c))))));
}

function quote(text) { return el("blockquote", { class: "quote" }, text); }

async function showReport(job) {
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
    el("button", { type: "button", class: "danger", onclick: () => deleteJob(job) }, "Delete"));
  $("report-synthesis").replaceChildren(...(report.synthesis
    ? [el("p", {}, report.synthesis.executive_summary), el("ul", {}, report.synthesis.observations.map((o) => el("li", {}, o)))]
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
  section.focus();
}

document.addEventListener("DOMContentLoaded", () => {
  initKey();
  initUpload();
  refreshJobs();
  refreshBatches();
});
