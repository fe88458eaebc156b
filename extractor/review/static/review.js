// The review page: a queue, the page image with the field's box, fields to correct in place.
// Plain script, no build step and nothing loaded from the network: it works offline.
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
const REVIEW_FIELDS = {
  indicators: ["target", "actual", "weight", "score", "review_score"],
  budget_lines: ["initial", "adjustment", "adjusted", "actual", "rate", "weight", "score"],
  scores: ["weight", "score", "review_score"],
};
const SEVERITY_RANK = { error: 0, warning: 1, info: 2 };

const state = { token: null, caller: null, queue: [], doc: null, fields: [], current: -1, page: 1,
                pageSizes: [], images: new Map() };
const $ = (id) => document.getElementById(id);

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
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
    throw new Error("401");
  }
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (_) { /* not JSON */ }
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return response;
}

// --- session -----------------------------------------------------------------------------

async function login(token) {
  state.token = token;
  const me = await (await api("/api/me")).json();
  sessionStorage.setItem(TOKEN_KEY, token);
  state.caller = me;
  $("login").hidden = true;
  $("session").hidden = false;
  $("app").hidden = false;
  $("who").textContent = `${me.name}（${me.role}）`;
  await loadQueue();
}

function logout(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  $("login").hidden = false;
  $("session").hidden = true;
  $("app").hidden = true;
  setStatus(message || "", Boolean(message));
}

// --- queue -------------------------------------------------------------------------------

async function loadQueue(announce = true) {
  const page = await (await api("/api/documents?status=done&order=queue&limit=200")).json();
  state.queue = page.items;
  const list = $("queue-list");
  list.replaceChildren();
  for (const item of page.items) {
    const li = document.createElement("li");
    li.dataset.id = item.id;
    li.classList.toggle("current", state.doc && state.doc.id === item.id);
    const file = document.createElement("div");
    file.className = "file";
    file.textContent = item.file;
    const counts = document.createElement("div");
    counts.className = "counts";
    counts.append(
      badge(`错误 ${item.errors ?? 0}`, item.errors ? "error" : ""),
      badge(`提示 ${item.warnings ?? 0}`, item.warnings ? "warning" : ""),
      badge(`低置信 ${item.low_confidence ?? 0}`, item.low_confidence ? "low" : ""),
    );
    if (item.reviewed) counts.append(badge("已审核", "done"));
    const meta = document.createElement("div");
    meta.className = "counts";
    meta.textContent = [item.department, item.year].filter(Boolean).join(" · ");
    li.append(file, meta, counts);
    li.addEventListener("click", () => openDocument(item.id));
    list.append(li);
  }
  if (announce) setStatus(`队列中 ${page.total} 份文档`);
}

function badge(text, kind) {
  const span = document.createElement("span");
  span.className = `badge ${kind}`;
  span.textContent = text;
  return span;
}

// --- document ----------------------------------------------------------------------------

async function openDocument(id) {
  setStatus("正在打开文档…");
  const doc = await (await api(`/api/documents/${id}`)).json();
  state.doc = doc;
  state.images.forEach((url) => URL.revokeObjectURL(url));
  state.images.clear();
  try {
    state.pageSizes = await (await api(`/api/documents/${id}/pages`)).json();
  } catch (error) {
    state.pageSizes = [];  // office files have no page images
  }
  state.fields = orderFields(doc);
  for (const li of $("queue-list").children) li.classList.toggle("current", Number(li.dataset.id) === id);
  $("doc-title").textContent = doc.document.file;
  renderMeta();
  renderFindings();
  renderFields();
  $("mark-reviewed").disabled = false;
  await showPage(state.pageSizes.length ? 1 : 0);
  focusField(0);
  setStatus(`已打开 ${doc.document.file}`);
}

function renderMeta() {
  const d = state.doc.document;
  const review = state.doc.review;
  $("doc-meta").textContent = [d.department, d.year && `${d.year} 年度`, d.self_score != null && `自评得分 ${d.self_score}`,
    review.reviewed ? `已由 ${review.reviewed_by} 审核` : "未审核"].filter(Boolean).join(" · ");
  $("mark-reviewed").textContent = review.reviewed ? "取消已审核" : "标记为已审核";
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

// The fields a person must look at come first: cited by errors, by warnings, low confidence; then the rest.
function orderFields(doc) {
  const refs = new Map();
  const add = (ref) => { if (!refs.has(ref)) refs.set(ref, { ref }); };
  for (const finding of doc.findings) finding.refs.forEach(add);
  for (const [list, names] of Object.entries(REVIEW_FIELDS)) {
    for (const record of doc[list] || []) names.forEach((name) => add(`${record.id}.${name}`));
  }
  const rank = (ref) => {
    const cited = doc.findings.filter((f) => f.refs.includes(ref)).map((f) => SEVERITY_RANK[f.severity] ?? 3);
    if (cited.length) return Math.min(...cited);
    return confidenceOf(doc, ref) < LOW_CONFIDENCE ? 3 : 4;
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

function valueOf(doc, ref) {
  const target = parseRef(ref);
  if (target.kind === "cell") {
    const table = tableOf(doc, target.table);
    const cell = table && table.cells.find((c) => c.row <= target.row && target.row < c.row + c.row_span
                                            && c.col <= target.col && target.col < c.col + c.col_span);
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

function labelOf(doc, ref) {
  const target = parseRef(ref);
  if (target.kind === "cell") {
    const table = tableOf(doc, target.table);
    return [`${table && table.title ? table.title : target.table}`, `第${target.row + 1}行第${target.col + 1}列`];
  }
  if (target.kind === "document") return ["文档", FIELD_NAMES[target.field] || target.field];
  const record = recordOf(doc, target.id);
  const name = record ? (record.name || record.item || record.label || `段落 ${record.id}`) : target.id;
  return [`${target.id} ${name}`, FIELD_NAMES[target.field] || target.field];
}

function citing(doc, ref) {
  return doc.findings.filter((finding) => finding.refs.includes(ref));
}

function renderFindings() {
  const list = $("findings-list");
  list.replaceChildren();
  const findings = [...state.doc.findings].sort((a, b) => (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3));
  $("findings-count").textContent = `（${findings.length}）`;
  for (const finding of findings) {
    const li = document.createElement("li");
    li.className = finding.severity;
    li.dataset.rule = finding.rule;
    li.dataset.refs = finding.refs.join(" ");
    const rule = document.createElement("span");
    rule.className = "rule";
    rule.textContent = ` ${finding.rule}`;
    li.append(document.createTextNode(finding.message), rule);
    li.addEventListener("click", () => {
      const index = state.fields.findIndex((field) => finding.refs.includes(field.ref));
      if (index >= 0) focusField(index);
    });
    list.append(li);
  }
  if (!findings.length) {
    const li = document.createElement("li");
    li.textContent = "没有校验发现";
    list.append(li);
  }
}

function renderFields() {
  const doc = state.doc;
  // A correction can bring new findings citing fields not listed yet: they join at the end.
  for (const finding of doc.findings) {
    for (const ref of finding.refs) if (!state.fields.some((f) => f.ref === ref)) state.fields.push({ ref });
  }
  const rows = $("field-rows");
  rows.replaceChildren();
  state.fields.forEach((field, index) => {
    const tr = document.createElement("tr");
    tr.dataset.ref = field.ref;
    const cited = citing(doc, field.ref);
    const worst = cited.reduce((w, f) => Math.min(w, SEVERITY_RANK[f.severity] ?? 3), 3);
    if (worst === 0) tr.classList.add("flag-error");
    else if (worst === 1) tr.classList.add("flag-warning");
    const confidence = confidenceOf(doc, field.ref);
    if (confidence !== null && confidence < LOW_CONFIDENCE) tr.classList.add("low-confidence");
    const [recordLabel, fieldLabel] = labelOf(doc, field.ref);
    const input = document.createElement("input");
    input.value = valueOf(doc, field.ref);
    input.dataset.original = input.value;
    input.setAttribute("aria-label", `${recordLabel} ${fieldLabel}`);
    input.addEventListener("focus", () => selectField(index));
    input.addEventListener("keydown", (event) => onFieldKey(event, index, input));
    const citesCell = document.createElement("td");
    citesCell.className = "cites";
    for (const finding of cited) {
      const div = document.createElement("div");
      div.className = finding.severity;
      div.textContent = finding.message;
      citesCell.append(div);
    }
    tr.append(cell(recordLabel), cell(fieldLabel), cell(input),
              cell(confidence === null ? "—" : `${Math.round(confidence * 100)}%`, "confidence"), citesCell);
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
  return row ? row.querySelector("input") : null;
}

function focusField(index) {
  const input = inputAt(index);
  if (input) { input.focus(); input.select(); }
}

function selectField(index) {
  state.current = index;
  for (const [i, row] of [...$("field-rows").children].entries()) row.classList.toggle("current", i === index);
  const field = state.fields[index];
  const box = field && state.doc.boxes ? state.doc.boxes[field.ref] : null;
  if (box && box.page && box.page !== state.page && state.pageSizes.length) {
    showPage(box.page).then(() => highlight(box));
  } else {
    highlight(box);
  }
}

async function onFieldKey(event, index, input) {
  if (event.key === "Enter") {
    event.preventDefault();
    if (input.value !== input.dataset.original) {
      const saved = await save(index, input.value);
      if (!saved) return;
    }
    focusField(Math.min(index + 1, state.fields.length - 1));
  } else if (event.key === "ArrowDown") {
    event.preventDefault();
    focusField(Math.min(index + 1, state.fields.length - 1));
  } else if (event.key === "ArrowUp") {
    event.preventDefault();
    focusField(Math.max(index - 1, 0));
  } else if (event.key === "Escape") {
    input.value = input.dataset.original;
    input.classList.remove("failed");
  }
}

async function save(index, value) {
  const ref = state.fields[index].ref;
  setStatus(`正在保存 ${ref}…`);
  try {
    const response = await api(`/api/documents/${state.doc.id}/fields`, { method: "PATCH", json: { ref, value } });
    state.doc = await response.json();
  } catch (error) {
    const input = inputAt(index);
    if (input) input.classList.add("failed");
    setStatus(`未保存：${error.message}`, true);
    return false;
  }
  renderFindings();
  renderFields();
  renderMeta();
  const input = inputAt(index);
  if (input) input.classList.add("saved");
  setStatus(`已保存 ${ref}，校验发现 ${state.doc.findings.length} 条`);
  loadQueue(false).catch(() => {});
  return true;
}

// --- page image --------------------------------------------------------------------------

async function showPage(n) {
  const img = $("page-img");
  if (!n) {
    img.removeAttribute("src");
    $("page-label").textContent = "此文件没有页面图像";
    highlight(null);
    return;
  }
  state.page = n;
  $("page-label").textContent = `第 ${n} / ${state.pageSizes.length} 页`;
  if (!state.images.has(n)) {
    const blob = await (await api(`/api/documents/${state.doc.id}/pages/${n}.png`)).blob();
    state.images.set(n, URL.createObjectURL(blob));
  }
  await new Promise((resolve) => {
    img.onload = resolve;
    img.onerror = resolve;
    img.src = state.images.get(n);
    if (img.complete) resolve();
  });
}

function highlight(box) {
  const mark = $("highlight");
  const size = state.pageSizes[state.page - 1];
  const img = $("page-img");
  if (!box || !box.bbox || !size || box.page !== state.page || !img.clientWidth) {
    mark.hidden = true;
    return;
  }
  const scale = img.clientWidth / size.width;
  const [x0, y0, x1, y1] = box.bbox;
  Object.assign(mark.style, { left: `${x0 * scale - 2}px`, top: `${y0 * scale - 2}px`,
                              width: `${(x1 - x0) * scale + 4}px`, height: `${(y1 - y0) * scale + 4}px` });
  mark.hidden = false;
  mark.scrollIntoView({ block: "nearest", inline: "nearest" });
}

// --- wiring ------------------------------------------------------------------------------

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = $("token-input").value.trim();
  if (token) login(token).catch((error) => setStatus(`登录失败：${error.message}`, true));
});
$("logout").addEventListener("click", () => logout("已退出"));
$("prev-page").addEventListener("click", () => state.page > 1 && showPage(state.page - 1).then(() => selectField(state.current)));
$("next-page").addEventListener("click", () => state.page < state.pageSizes.length
  && showPage(state.page + 1).then(() => selectField(state.current)));
$("mark-reviewed").addEventListener("click", async () => {
  const reviewed = !state.doc.review.reviewed;
  try {
    state.doc.review = await (await api(`/api/documents/${state.doc.id}/review`, { method: "POST", json: { reviewed } })).json();
    renderMeta();
    setStatus(reviewed ? "已标记为已审核" : "已取消审核标记");
    await loadQueue(false);
  } catch (error) {
    setStatus(`操作失败：${error.message}`, true);
  }
});
window.addEventListener("resize", () => selectField(state.current));

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) login(saved).catch(() => logout());
