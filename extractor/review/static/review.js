// The review page: a queue, the page image (or the office table) with the field's box, findings first,
// fields to correct in place. Plain script, no build step and nothing loaded from the network: it works offline.
"use strict";

const TOKEN_KEY = "jx-review-token";
const LOW_CONFIDENCE = 0.8;
const FIELD_NAMES = {
  target: "指标值", actual: "实际完成值", weight: "分值", score: "得分", review_score: "复核得分",
  initial: "年初预算数", adjustment: "调整数", adjusted: "调整后预算数", rate: "执行率",
  description: "完成情况", deviation_reason: "偏差原因", review_comment: "复核意见", name: "指标名称",
  level1: "一级指标", level2: "二级指标", item: "项目", label: "名称", unit: "单位", text: "正文",
  department: "部门", year: "年度", self_score: "自评得分",
};
const TEXT_FIELDS = new Set(["description", "deviation_reason", "review_comment", "text", "name", "item"]);
const REVIEW_FIELDS = {
  indicators: ["target", "actual", "weight", "score", "review_score"],
  budget_lines: ["initial", "adjustment", "adjusted", "actual", "rate", "weight", "score"],
  scores: ["weight", "score", "review_score"],
};
const SEVERITY_RANK = { error: 0, warning: 1, info: 2 };
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];

const state = { token: null, caller: null, queue: [], doc: null, etag: null, fields: [], current: -1, page: 1,
                pageSizes: [], images: new Map(), zoom: 1, previousFindings: new Map(), history: [] };
const $ = (id) => document.getElementById(id);
const canEdit = () => state.caller && state.caller.role !== "ingest";

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: `Bearer ${state.token}` }, options.headers || {});
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.json);
  }
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) {
    logout("令牌无效或已撤销，请重新登录");
    throw new HttpError(401, "401");
  }
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (_) { /* not JSON */ }
    throw new HttpError(response.status, typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return response;
}

// --- session -----------------------------------------------------------------------------

async function login(token) {
  state.token = token;
  const me = await (await api("/api/me")).json();
  sessionStorage.setItem(TOKEN_KEY, token);
  state.caller = me;
  document.body.dataset.role = me.role;
  $("login").hidden = true;
  $("session").hidden = false;
  $("app").hidden = false;
  $("who").textContent = `${me.name}（${me.role}）`;
  $("reason-row").hidden = !canEdit();
  await loadQueue();
  const wanted = docFromHash();
  if (wanted) await openDocument(wanted);
}

function logout(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  $("login").hidden = false;
  $("session").hidden = true;
  $("app").hidden = true;
  setStatus(message || "", Boolean(message));
}

function docFromHash() {
  const match = /(?:^|[#&])doc=(\d+)/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

// --- queue -------------------------------------------------------------------------------

async function loadQueue(announce = true) {
  // Every status: failed documents come first (with their reason), the queue order is the server's.
  const page = await (await api("/api/documents?order=queue&limit=200")).json();
  state.queue = page.items;
  const list = $("queue-list");
  list.replaceChildren();
  for (const item of page.items) {
    const li = document.createElement("li");
    li.dataset.id = item.id;
    li.dataset.status = item.status;
    li.classList.toggle("failed", item.status === "failed");
    li.classList.toggle("current", Boolean(state.doc && state.doc.id === item.id));
    const file = document.createElement("div");
    file.className = "file";
    file.textContent = item.file;
    li.append(file);
    if (item.status === "failed") {
      const reason = document.createElement("div");
      reason.className = "reason";
      reason.textContent = `处理失败：${item.error || "原因不明"}`;
      li.append(reason);
      if (state.caller.role === "admin") {
        const retry = document.createElement("button");
        retry.type = "button";
        retry.className = "retry";
        retry.textContent = "重试";
        retry.addEventListener("click", (event) => { event.stopPropagation(); retryDocument(item.id); });
        li.append(retry);
      }
    } else if (item.status !== "done") {
      li.append(badge(item.status === "running" ? "处理中" : "排队中", ""));
    } else {
      const meta = document.createElement("div");
      meta.className = "counts";
      meta.textContent = [item.department, item.year].filter(Boolean).join(" · ");
      const counts = document.createElement("div");
      counts.className = "counts";
      counts.append(
        badge(`错误 ${item.errors ?? 0}`, item.errors ? "error" : ""),
        badge(`提示 ${item.warnings ?? 0}`, item.warnings ? "warning" : ""),
        badge(`低置信 ${item.low_confidence ?? 0}`, item.low_confidence ? "low" : ""),
      );
      if (item.reviewed) counts.append(badge("已审核", "done"));
      li.append(meta, counts);
      li.addEventListener("click", () => { location.hash = `doc=${item.id}`; });
    }
    list.append(li);
  }
  if (announce) setStatus(`队列中 ${page.total} 份文档`);
}

async function retryDocument(id) {
  try {
    await api(`/api/documents/${id}/retry`, { method: "POST" });
    setStatus(`文档 ${id} 已重新排队`);
    await loadQueue(false);
  } catch (error) {
    setStatus(`重试失败：${error.message}`, true);
  }
}

function badge(text, kind) {
  const span = document.createElement("span");
  span.className = `badge ${kind}`;
  span.textContent = text;
  return span;
}

function nextDocument() {
  // The queue is re-ordered as documents are reviewed: the next one is the first still waiting after
  // this one, wrapping round to the top.
  const done = state.queue.filter((item) => item.status === "done");
  const at = state.doc ? done.findIndex((item) => item.id === state.doc.id) : -1;
  const ring = [...done.slice(at + 1), ...done.slice(0, Math.max(at, 0))];
  const next = ring.find((item) => !item.reviewed) || ring[0];
  if (next) location.hash = `doc=${next.id}`;
  else setStatus("队列中没有下一份文档");
}

// --- document ----------------------------------------------------------------------------

async function fetchDocument(id) {
  const response = await api(`/api/documents/${id}`);
  state.etag = response.headers.get("ETag");
  return response.json();
}

async function openDocument(id) {
  setStatus("正在打开文档…");
  delete document.body.dataset.ready;
  $("stale").hidden = true;
  const doc = await fetchDocument(id);
  state.doc = doc;
  state.current = -1;
  state.previousFindings = new Map();
  state.images.forEach((url) => URL.revokeObjectURL(url));
  state.images.clear();
  $("page-img").removeAttribute("src");  // never draw this document's boxes on the previous one's page
  delete $("page-img").dataset.shown;
  try {
    state.pageSizes = await (await api(`/api/documents/${id}/pages`)).json();
  } catch (error) {
    state.pageSizes = [];  // office files have no page images: their tables are shown as a grid
  }
  state.fields = orderFields(doc);
  for (const li of $("queue-list").children) li.classList.toggle("current", Number(li.dataset.id) === id);
  $("doc-title").textContent = doc.document.file;
  fillRuleFilter();
  renderAll();
  $("mark-reviewed").disabled = !canEdit();
  await showPage(state.pageSizes.length ? 1 : 0);
  focusField(0);
  loadHistory().catch(() => {});
  holdLease().catch(() => {});
  document.body.dataset.ready = String(id);  // fully opened: page shown, first field focused
  setStatus(`已打开 ${doc.document.file}`);
}

function renderAll() {
  renderMeta();
  renderScores();
  renderFindings();
  renderFields();
}

function renderMeta() {
  const d = state.doc.document;
  const review = state.doc.review;
  $("doc-meta").textContent = [d.department, d.year && `${d.year} 年度`, d.self_score != null && `自评得分 ${d.self_score}`,
    review.reviewed ? `已由 ${review.reviewed_by} 审核` : "未审核"].filter(Boolean).join(" · ");
  $("mark-reviewed").textContent = review.reviewed ? "取消已审核" : "标记为已审核";
}

// The scoring profile's proposal beside the self-score: the document, then each section, with the
// marks taken off (one click shows the self-score concerned).
function renderScores() {
  const doc = state.doc;
  const box = $("scores");
  box.replaceChildren();
  const rows = [];
  if (doc.document.proposed_review_score != null || doc.document.self_score != null) {
    const deductions = (doc.sections || []).flatMap((s) => s.deductions || []);
    rows.push({ label: "全文", self: doc.document.self_score, proposed: doc.document.proposed_review_score, deductions });
  }
  for (const section of doc.sections || []) {
    if (section.proposed_review_score == null && !(section.deductions || []).length) continue;
    const total = (doc.scores || []).find((s) => s.section === section.id && !s.parent && s.score != null);
    rows.push({ label: section.title || section.id, self: total ? total.score : null,
                proposed: section.proposed_review_score, deductions: section.deductions || [] });
  }
  box.hidden = !rows.some((row) => row.proposed != null);
  if (box.hidden) return;
  const table = document.createElement("table");
  table.innerHTML = "<thead><tr><th>范围</th><th>自评得分</th><th>建议复核得分</th><th>扣分</th></tr></thead>";
  const body = document.createElement("tbody");
  for (const row of rows) {
    const tr = document.createElement("tr");
    const points = row.deductions.reduce((sum, d) => sum + d.points, 0);
    const list = document.createElement("ul");
    list.className = "deductions";
    for (const deduction of row.deductions) {
      const item = document.createElement("li");
      const [recordLabel] = labelOf(doc, deduction.ref);
      item.textContent = `${recordLabel} −${deduction.points}`;
      item.title = deduction.reason;
      item.tabIndex = 0;
      item.addEventListener("click", () => showRef(deduction.ref));
      list.append(item);
    }
    const pointsCell = cell(points ? `−${Math.round(points * 100) / 100}` : "0");
    if (row.deductions.length) pointsCell.append(list);
    tr.append(cell(row.label), cell(shown(row.self)), cell(shown(row.proposed), "proposed"), pointsCell);
    body.append(tr);
  }
  table.append(body);
  box.append(table);
}

function showRef(ref) {
  if (!state.fields.some((f) => f.ref === ref)) { state.fields.push({ ref }); renderFields(); }
  const index = state.fields.findIndex((f) => f.ref === ref);
  const row = $("field-rows").children[index];
  if (row) row.hidden = false;
  focusField(index);
}

function recordOf(doc, id) {
  for (const list of ["indicators", "budget_lines", "scores", "narrative"]) {
    const found = (doc[list] || []).find((record) => record.id === id);
    if (found) return found;
  }
  return null;
}

function tableOf(doc, id) {
  return (doc.tables || []).find((table) => table.id === id) || null;
}

function keyOf(finding) {
  return (state.doc.finding_keys || {})[finding.id] || `${finding.rule}:${finding.refs.join(",")}`;
}

function isAccepted(finding) {
  return Boolean((state.doc.accepted || {})[keyOf(finding)]);
}

// Open findings weigh on a field; accepted ones do not (the reviewer said the printed value is right).
function openCiting(doc, ref) {
  return doc.findings.filter((finding) => finding.refs.includes(ref) && !isAccepted(finding));
}

// The fields a person must look at come first: cited by errors, by warnings, low confidence; then the rest.
function orderFields(doc) {
  const refs = new Map();
  const add = (ref) => { if (!refs.has(ref)) refs.set(ref, { ref }); };
  const findings = [...doc.findings].sort((a, b) => (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3));
  for (const finding of findings) finding.refs.forEach(add);
  for (const [list, names] of Object.entries(REVIEW_FIELDS)) {
    for (const record of doc[list] || []) names.forEach((name) => add(`${record.id}.${name}`));
  }
  const rank = (ref) => {
    const cited = openCiting(doc, ref).map((f) => SEVERITY_RANK[f.severity] ?? 3);
    if (cited.length) return Math.min(...cited);
    return (confidenceOf(doc, ref) ?? 1) < LOW_CONFIDENCE ? 3 : 4;
  };
  return [...refs.keys()].map((ref, index) => ({ ref, index, rank: rank(ref) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index).map(({ ref }) => ({ ref }));
}

function parseRef(ref) {
  const cell = /^([^.]+)\.r(\d+)c(\d+)$/.exec(ref);
  if (cell) return { kind: "cell", table: cell[1], row: Number(cell[2]), col: Number(cell[3]) };
  const [head, field] = ref.split(".");
  return { kind: head === "document" ? "document" : "record", id: head, field };
}

function cellAt(table, row, col) {
  return table ? table.cells.find((c) => c.row <= row && row < c.row + c.row_span
                                   && c.col <= col && col < c.col + c.col_span) || null : null;
}

function valueOf(doc, ref) {
  const target = parseRef(ref);
  if (target.kind === "cell") {
    const cell = cellAt(tableOf(doc, target.table), target.row, target.col);
    return cell ? cell.text : "";
  }
  const owner = target.kind === "document" ? doc.document : recordOf(doc, target.id);
  if (!owner) return "";
  const value = owner[target.field];
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return value.raw ?? "";
  return String(value);
}

function confidenceOf(doc, ref) {
  const target = parseRef(ref);
  if (target.kind !== "record") return null;
  const record = recordOf(doc, target.id);
  return record && record.confidence ? record.confidence[target.field] ?? null : null;
}

function doubtsOf(doc, ref) {
  const target = parseRef(ref);
  if (target.kind !== "record") return [];
  return ((doc.doubts || {})[target.id] || {})[target.field] || [];
}

// A cell is named by what a reader sees: its row's first label and its column's header.
function cellName(table, row, col) {
  const texts = (cells) => cells.map((c) => (c.text || "").replace(/\s+/g, "")).filter(Boolean);
  const rowLabel = texts(table.cells.filter((c) => c.row <= row && row < c.row + c.row_span && c.col < col)
    .sort((a, b) => a.col - b.col))[0];
  const header = texts(table.cells.filter((c) => c.col <= col && col < c.col + c.col_span && c.row < row)
    .sort((a, b) => a.row - b.row))[0];
  return [rowLabel, header].filter(Boolean).join(" × ") || `第${row + 1}行第${col + 1}列`;
}

function labelOf(doc, ref) {
  const target = parseRef(ref);
  if (target.kind === "cell") {
    const table = tableOf(doc, target.table);
    if (!table) return [target.table, ref];
    return [table.title || target.table, cellName(table, target.row, target.col)];
  }
  if (target.kind === "document") return ["文档", FIELD_NAMES[target.field] || target.field];
  const record = recordOf(doc, target.id);
  const name = record ? (record.name || record.item || record.label || `段落 ${record.id}`) : target.id;
  return [`${target.id} ${name}`, FIELD_NAMES[target.field] || target.field];
}

// --- findings ----------------------------------------------------------------------------

function fillRuleFilter() {
  const select = $("filter-rule");
  const chosen = select.value;
  select.replaceChildren(new Option("全部", ""));
  for (const rule of [...new Set(state.doc.findings.map((f) => f.rule))].sort()) select.append(new Option(rule, rule));
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : "";
}

function renderFindings() {
  const list = $("findings-list");
  list.replaceChildren();
  const findings = [...state.doc.findings].sort((a, b) => (isAccepted(a) - isAccepted(b))
    || (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3));
  const open = findings.filter((f) => !isAccepted(f)).length;
  const current = new Set(findings.map(keyOf));
  const resolved = [...state.previousFindings.entries()].filter(([key]) => !current.has(key)).map(([, f]) => f);
  $("findings-count").textContent = `（待处理 ${open} / 共 ${findings.length}${resolved.length ? `，已解决 ${resolved.length}` : ""}）`;
  for (const finding of findings) list.append(findingItem(finding));
  for (const finding of resolved) {
    const li = findingItem(finding);
    li.classList.add("resolved");
    li.append(tag("已解决"));
    list.append(li);
  }
  if (!findings.length && !resolved.length) {
    const li = document.createElement("li");
    li.textContent = "没有校验发现";
    list.append(li);
  }
}

function tag(text) {
  const span = document.createElement("span");
  span.className = "tag";
  span.textContent = text;
  return span;
}

// One line per finding: its message once, then the cited fields compactly (the total first, then its parts).
function findingItem(finding) {
  const li = document.createElement("li");
  li.className = finding.severity;
  li.dataset.rule = finding.rule;
  li.dataset.refs = finding.refs.join(" ");
  li.dataset.key = keyOf(finding);
  const rule = document.createElement("span");
  rule.className = "rule";
  rule.textContent = ` ${finding.rule}`;
  li.append(document.createTextNode(finding.message), rule);
  if (isAccepted(finding)) {
    const who = state.doc.accepted[keyOf(finding)];
    li.classList.add("accepted");
    li.append(tag(`已接受（${who.who}）`));
  }
  const parts = document.createElement("div");
  parts.className = "parts";
  finding.refs.forEach((ref, index) => {
    const part = document.createElement("span");
    part.className = index === 0 ? "part total" : "part";
    const [, field] = labelOf(state.doc, ref);
    const record = parseRef(ref).kind === "record" ? recordOf(state.doc, parseRef(ref).id) : null;
    const name = record ? (record.name || record.item || record.label || record.id) : field;
    // The first cited field is the figure the finding is about (a total), the others its parts.
    const value = valueOf(state.doc, ref) || "—";
    part.textContent = `${name}${record ? "·" + field : ""} ${value.length > 30 ? value.slice(0, 30) + "…" : value}`;
    part.title = ref;
    parts.append(part);
  });
  li.append(parts);
  li.addEventListener("click", () => showFinding(finding));
  return li;
}

// One click shows every cited field on the page: the first in red, the others in blue.
async function showFinding(finding) {
  const index = state.fields.findIndex((field) => finding.refs.includes(field.ref));
  if (index >= 0) focusField(index);
  const boxes = finding.refs.map((ref) => (state.doc.boxes || {})[ref]).filter((box) => box && box.bbox);
  if (boxes.length && state.pageSizes.length && boxes[0].page !== state.page) await showPage(boxes[0].page);
  highlightMany(boxes.slice(1));
  if (!state.pageSizes.length && boxes.length) renderGrid(boxes[0], boxes.slice(1));
}

// --- fields ------------------------------------------------------------------------------

function visible(ref) {
  const flaggedOnly = $("filter-flagged").checked;
  const lowOnly = $("filter-low").checked;
  const rule = $("filter-rule").value;
  const cited = state.doc.findings.filter((f) => f.refs.includes(ref));
  if (flaggedOnly && !cited.length) return false;
  if (lowOnly && !((confidenceOf(state.doc, ref) ?? 1) < LOW_CONFIDENCE)) return false;
  if (rule && !cited.some((f) => f.rule === rule)) return false;
  return true;
}

function renderFields() {
  const doc = state.doc;
  // A correction can bring new findings citing fields not listed yet: they join the list.
  for (const finding of doc.findings) {
    for (const ref of finding.refs) if (!state.fields.some((f) => f.ref === ref)) state.fields.push({ ref });
  }
  const rows = $("field-rows");
  rows.replaceChildren();
  state.fields.forEach((field, index) => {
    const tr = document.createElement("tr");
    tr.dataset.ref = field.ref;
    tr.hidden = !visible(field.ref);
    const cited = doc.findings.filter((f) => f.refs.includes(field.ref));
    const open = cited.filter((f) => !isAccepted(f));
    const worst = open.reduce((w, f) => Math.min(w, SEVERITY_RANK[f.severity] ?? 3), 3);
    if (worst === 0) tr.classList.add("flag-error");
    else if (worst === 1) tr.classList.add("flag-warning");
    const confidence = confidenceOf(doc, field.ref);
    if (confidence !== null && confidence < LOW_CONFIDENCE) tr.classList.add("low-confidence");
    const [recordLabel, fieldLabel] = labelOf(doc, field.ref);
    const value = valueOf(doc, field.ref);
    const multiline = TEXT_FIELDS.has(parseRef(field.ref).field) || value.length > 24;
    const input = document.createElement(multiline ? "textarea" : "input");
    input.value = value;
    input.dataset.original = value;
    input.readOnly = !canEdit();
    input.setAttribute("aria-label", `${recordLabel} ${fieldLabel}`);
    input.addEventListener("focus", () => selectField(index));
    input.addEventListener("keydown", (event) => onFieldKey(event, index, input, multiline));
    const valueCell = cell(input);
    if (open.length && canEdit()) {
      const accept = document.createElement("button");
      accept.type = "button";
      accept.className = "accept";
      accept.textContent = "接受原值";
      accept.title = "原表如此、数值无误：记录接受，发现保留并标为已接受";
      accept.addEventListener("click", () => acceptField(field.ref));
      valueCell.append(accept);
    }
    const citesCell = document.createElement("td");
    citesCell.className = "cites";
    for (const finding of cited) {
      const div = document.createElement("div");
      div.className = isAccepted(finding) ? "accepted" : finding.severity;
      div.textContent = finding.rule + (isAccepted(finding) ? "（已接受）" : "");
      div.title = finding.message;
      citesCell.append(div);
    }
    const confidenceCell = cell(confidence === null ? "—" : `${Math.round(confidence * 100)}%`, "confidence");
    const doubts = doubtsOf(doc, field.ref);
    if (doubts.length) {
      confidenceCell.title = doubts.join("；");  // why the reader is unsure, e.g. 本行有数字未归入任何字段
      confidenceCell.classList.add("doubted");
    }
    tr.append(cell(recordLabel), cell(fieldLabel), valueCell, confidenceCell, citesCell);
    rows.append(tr);
  });
}

function cell(content, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  if (content instanceof Node) td.append(content); else td.textContent = content;
  return td;
}

function inputAt(index) {
  const row = $("field-rows").children[index];
  return row ? row.querySelector("input, textarea") : null;
}

function step(index, direction) {
  const rows = $("field-rows").children;
  for (let i = index + direction; i >= 0 && i < rows.length; i += direction) if (!rows[i].hidden) return i;
  return index;
}

function focusField(index) {
  const input = inputAt(index);
  if (input) { input.focus(); if (input.select) input.select(); }
}

function selectField(index) {
  state.current = index;
  for (const [i, row] of [...$("field-rows").children].entries()) row.classList.toggle("current", i === index);
  const field = state.fields[index];
  const box = field && state.doc.boxes ? state.doc.boxes[field.ref] : null;
  highlightMany([]);
  if (!state.pageSizes.length) {
    renderGrid(box, []);
  } else if (box && box.page && box.page !== state.page) {
    // Only if still selected when the page arrives: a later click must not be overdrawn by this box.
    showPage(box.page).then(() => { if (state.current === index) highlight(box); });
  } else {
    highlight(box);
  }
}

async function onFieldKey(event, index, input, multiline) {
  if (event.key === "Enter" && (!multiline || event.ctrlKey)) {
    event.preventDefault();
    if (input.value !== input.dataset.original && canEdit()) {
      const saved = await save(index, input.value);
      if (!saved) return;
      const moved = state.fields.findIndex((f) => f.ref === saved);
      focusField(step(moved, 1));
      return;
    }
    focusField(step(index, 1));
  } else if (event.key === "ArrowDown" && !multiline) {
    event.preventDefault();
    focusField(step(index, 1));
  } else if (event.key === "ArrowUp" && !multiline) {
    event.preventDefault();
    focusField(step(index, -1));
  } else if (event.key === "Escape") {
    input.value = input.dataset.original;
    input.classList.remove("failed");
  }
}

function afterChange(doc, etag) {
  for (const finding of state.doc.findings) state.previousFindings.set(keyOf(finding), finding);
  state.doc = doc;
  state.etag = etag;
  const refs = state.fields.map((f) => f.ref);
  state.fields = orderFields(doc);  // re-ordered: what still needs a person comes first again
  for (const ref of refs) if (!state.fields.some((f) => f.ref === ref)) state.fields.push({ ref });
  fillRuleFilter();
  renderAll();
  loadQueue(false).catch(() => {});
  loadHistory().catch(() => {});
}

function conflict(error) {
  if (error.status !== 412) return false;
  $("stale").hidden = false;
  setStatus("未保存：文档已被他人修改，请重新载入", true);
  return true;
}

// Saves one field; answers its ref when saved (the list is re-ordered), null when not.
async function save(index, value) {
  const ref = state.fields[index].ref;
  setStatus(`正在保存 ${ref}…`);
  const reason = $("reason").value.trim() || null;
  let response;
  try {
    response = await api(`/api/documents/${state.doc.id}/fields`,
      { method: "PATCH", json: { ref, value, reason }, headers: state.etag ? { "If-Match": state.etag } : {} });
  } catch (error) {
    const input = inputAt(index);
    if (input) input.classList.add("failed");
    if (!conflict(error)) setStatus(`未保存：${error.message}`, true);
    return null;
  }
  afterChange(await response.json(), response.headers.get("ETag"));
  const row = $("field-rows").querySelector(`tr[data-ref="${CSS.escape(ref)}"]`);
  const input = row && row.querySelector("input, textarea");
  if (input) input.classList.add("saved");
  setStatus(`已保存 ${ref}，校验发现 ${state.doc.findings.length} 条`);
  return ref;
}

async function acceptField(ref) {
  const reason = $("reason").value.trim() || null;
  try {
    const response = await api(`/api/documents/${state.doc.id}/accept`, { method: "POST", json: { ref, reason } });
    afterChange(await response.json(), response.headers.get("ETag"));
    setStatus(`已接受 ${ref} 的原值`);
  } catch (error) {
    setStatus(`操作失败：${error.message}`, true);
  }
}

// --- who else has it open -------------------------------------------------------------------

async function holdLease() {
  if (!state.doc) return;
  const { others } = await (await api(`/api/documents/${state.doc.id}/lease`, { method: "POST" })).json();
  $("others").textContent = others.length ? `同时打开：${others.join("、")}` : "";
  $("others").hidden = !others.length;
}

// --- history -----------------------------------------------------------------------------

function shown(value) {
  if (value === null || value === undefined) return "空";
  if (typeof value === "object") return value.raw ?? "空";
  return String(value);
}

async function loadHistory() {
  const entries = await (await api(`/api/documents/${state.doc.id}/corrections`)).json();
  const list = $("history-list");
  list.replaceChildren();
  for (const entry of entries.reverse()) {
    const li = document.createElement("li");
    li.dataset.id = entry.id;
    const when = entry.at ? new Date(entry.at).toLocaleString("zh-CN") : "";
    li.textContent = `${entry.who} · ${when} · ${entry.ref}：${shown(entry.before)} → ${shown(entry.after)}`
      + (entry.reason ? `（${entry.reason}）` : "");
    if (canEdit()) {
      const undo = document.createElement("button");
      undo.type = "button";
      undo.textContent = "撤销";
      undo.addEventListener("click", () => undoCorrection(entry.id));
      li.append(undo);
    }
    list.append(li);
  }
  if (!entries.length) list.append(Object.assign(document.createElement("li"), { textContent: "尚无更正" }));
}

async function undoCorrection(id) {
  try {
    const response = await api(`/api/documents/${state.doc.id}/corrections/${id}/undo`,
      { method: "POST", headers: state.etag ? { "If-Match": state.etag } : {} });
    afterChange(await response.json(), response.headers.get("ETag"));
    setStatus(`已撤销更正 #${id}`);
  } catch (error) {
    if (!conflict(error)) setStatus(`撤销失败：${error.message}`, true);
  }
}

// --- page image and office grid ------------------------------------------------------------

async function showPage(n) {
  const img = $("page-img");
  $("page-scroll").hidden = !n;
  $("source-grid").hidden = Boolean(n);
  for (const id of ["prev-page", "next-page", "zoom-out", "zoom-in", "zoom-fit", "zoom-label"]) $(id).hidden = !n;
  if (!n) {
    img.removeAttribute("src");
    $("page-label").textContent = "表格原样（此文件没有页面图像）";
    highlight(null);
    return;
  }
  state.page = n;
  $("page-label").textContent = `第 ${n} / ${state.pageSizes.length} 页`;
  if (!state.images.has(n)) {
    const blob = await (await api(`/api/documents/${state.doc.id}/pages/${n}.png`)).blob();
    state.images.set(n, URL.createObjectURL(blob));
  }
  if (state.page !== n) return;  // another page was asked for meanwhile
  await new Promise((resolve) => {
    img.onload = resolve;
    img.onerror = resolve;
    img.src = state.images.get(n);
    if (img.complete) resolve();
  });
  img.dataset.shown = `${state.doc.id}/${n}`;  // which page the image now shows (boxes are placed on it)
  applyZoom();
}

function placeBox(element, box) {
  const size = state.pageSizes[state.page - 1];
  const img = $("page-img");
  if (!box || !box.bbox || !size || box.page !== state.page || !img.clientWidth) return false;
  const scale = img.clientWidth / size.width;
  const [x0, y0, x1, y1] = box.bbox;
  Object.assign(element.style, { left: `${x0 * scale - 2}px`, top: `${y0 * scale - 2}px`,
                                 width: `${(x1 - x0) * scale + 4}px`, height: `${(y1 - y0) * scale + 4}px` });
  return true;
}

function highlight(box) {
  const mark = $("highlight");
  mark.hidden = !placeBox(mark, box);
  if (!mark.hidden) mark.scrollIntoView({ block: "nearest", inline: "nearest" });
}

function highlightMany(boxes) {
  const holder = $("extra-highlights");
  holder.replaceChildren();
  for (const box of boxes) {
    const mark = document.createElement("div");
    mark.className = "extra-highlight";
    if (placeBox(mark, box)) holder.append(mark);
  }
}

function applyZoom() {
  const scroll = $("page-scroll");
  $("page-wrap").style.width = `${Math.round(scroll.clientWidth * state.zoom) - 4}px`;
  $("zoom-label").textContent = `${Math.round(state.zoom * 100)}%`;
  // Boxes are re-placed for the new scale, without changing page (paging must not jump back).
  const field = state.fields[state.current];
  const box = field && state.doc && state.doc.boxes ? state.doc.boxes[field.ref] : null;
  $("highlight").hidden = !placeBox($("highlight"), box);
  highlightMany([]);
}

function zoom(direction) {
  const at = ZOOMS.findIndex((z) => z >= state.zoom - 1e-9);
  state.zoom = direction === 0 ? 1 : ZOOMS[Math.min(ZOOMS.length - 1, Math.max(0, at + direction))];
  applyZoom();
}

// An office file has no page image: its table is drawn as a grid (spans kept) with the field's cell marked.
function renderGrid(box, others) {
  const holder = $("source-grid");
  holder.replaceChildren();
  if (!box || !box.table) return;
  const table = tableOf(state.doc, box.table);
  if (!table) return;
  const cited = new Set(others.filter((b) => b.table === box.table).map((b) => `${b.row},${b.col}`));
  const title = document.createElement("h3");
  title.textContent = table.title || table.id;
  const grid = document.createElement("table");
  const byRow = new Map();
  for (const c of table.cells) (byRow.get(c.row) || byRow.set(c.row, []).get(c.row)).push(c);
  for (let row = 0; row < table.n_rows; row += 1) {
    const tr = document.createElement("tr");
    for (const c of (byRow.get(row) || []).sort((a, b) => a.col - b.col)) {
      const td = document.createElement("td");
      td.textContent = c.text;
      td.rowSpan = c.row_span;
      td.colSpan = c.col_span;
      td.dataset.cell = `${c.row},${c.col}`;
      if (c.row === box.row && c.col === box.col) td.classList.add("hit");
      else if (cited.has(`${c.row},${c.col}`)) td.classList.add("cited");
      tr.append(td);
    }
    grid.append(tr);
  }
  holder.append(title, grid);
  const hit = grid.querySelector("td.hit");
  if (hit) hit.scrollIntoView({ block: "nearest", inline: "nearest" });
}

// Drag the page to pan it (the scroll bars work too).
function enablePan() {
  const scroll = $("page-scroll");
  let origin = null;
  scroll.addEventListener("mousedown", (event) => {
    origin = { x: event.clientX, y: event.clientY, left: scroll.scrollLeft, top: scroll.scrollTop };
    scroll.classList.add("dragging");
  });
  window.addEventListener("mousemove", (event) => {
    if (!origin) return;
    scroll.scrollLeft = origin.left - (event.clientX - origin.x);
    scroll.scrollTop = origin.top - (event.clientY - origin.y);
  });
  window.addEventListener("mouseup", () => { origin = null; scroll.classList.remove("dragging"); });
}

// --- wiring ------------------------------------------------------------------------------

async function toggleReviewed() {
  if (!state.doc || !canEdit()) return;
  const reviewed = !state.doc.review.reviewed;
  try {
    state.doc.review = await (await api(`/api/documents/${state.doc.id}/review`, { method: "POST", json: { reviewed } })).json();
    renderMeta();
    setStatus(reviewed ? "已标记为已审核" : "已取消审核标记");
    await loadQueue(false);
  } catch (error) {
    setStatus(`操作失败：${error.message}`, true);
  }
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = $("token-input").value.trim();
  if (token) login(token).catch((error) => setStatus(`登录失败：${error.message}`, true));
});
$("logout").addEventListener("click", () => logout("已退出"));
$("prev-page").addEventListener("click", () => state.page > 1 && showPage(state.page - 1).then(() => selectField(state.current)));
$("next-page").addEventListener("click", () => state.page < state.pageSizes.length
  && showPage(state.page + 1).then(() => selectField(state.current)));
$("zoom-in").addEventListener("click", () => zoom(1));
$("zoom-out").addEventListener("click", () => zoom(-1));
$("zoom-fit").addEventListener("click", () => zoom(0));
$("mark-reviewed").addEventListener("click", toggleReviewed);
$("next-doc").addEventListener("click", nextDocument);
$("reload-doc").addEventListener("click", () => state.doc && openDocument(state.doc.id));
for (const id of ["filter-flagged", "filter-low", "filter-rule"]) $(id).addEventListener("change", () => state.doc && renderFields());
document.addEventListener("keydown", (event) => {
  if (!event.altKey || !state.token) return;
  if (event.key === "n" || event.key === "N") { event.preventDefault(); nextDocument(); }
  if (event.key === "m" || event.key === "M") { event.preventDefault(); toggleReviewed(); }
});
window.addEventListener("hashchange", () => {
  const wanted = docFromHash();
  if (wanted && state.token && (!state.doc || state.doc.id !== wanted)) {
    openDocument(wanted).catch((error) => setStatus(`无法打开文档：${error.message}`, true));
  }
});
window.addEventListener("resize", () => state.doc && applyZoom());
setInterval(() => { if (state.token && state.doc) holdLease().catch(() => {}); }, 30000);
enablePan();

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) login(saved).catch(() => logout());
