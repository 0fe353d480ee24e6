// Etter Workflows operator dashboard. Plain JavaScript, no framework, no network access beyond this API.
//
// Safety rule for this file: data from the API only ever reaches the page as text (textContent, text
// nodes, attribute values we build ourselves). Nothing here assigns innerHTML.
(() => {
  "use strict";

  // ---------------------------------------------------------------------------------------------
  // Constants

  /** The pipeline API, relative to /dashboard/ so the page also works behind a path base. */
  const API = new URL("../api/v1/pipeline/", document.baseURI);
  const KEY_STORAGE = "etter.dashboard.apiKey";
  const LIST_REFRESH_MS = 3000;
  const DETAIL_POLL_MS = 2000;
  const COMMAND_POLL_MS = 700;
  const COMMAND_WAIT_MS = 30_000;
  const BATCH_REFRESH_MS = 3000;
  const PAGE_SIZE = 50;
  const MAX_LIMIT = 500;

  const STATUSES = ["draft", "queued", "processing", "ready", "degraded", "failed", "validation_error", "cancelled"];
  const TERMINAL = new Set(["ready", "degraded", "failed", "validation_error", "cancelled"]);
  const CANCELLABLE = new Set(["draft", "queued", "processing"]);
  const STEPS = ["role_setup", "ai_assessment"];
  const STEP_LABELS = { role_setup: "Role setup", ai_assessment: "AI assessment" };

  // ---------------------------------------------------------------------------------------------
  // DOM helpers (text only)

  /**
   * Creates an element. props: class, text, dataset, on<event> handlers, other attributes (values we
   * build, never raw HTML). Children may be nodes, strings (become text nodes), arrays, null or false.
   */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) {
        continue;
      }

      if (name === "class") {
        node.className = value;
      } else if (name === "text") {
        node.textContent = String(value);
      } else if (name === "dataset") {
        Object.assign(node.dataset, value);
      } else if (name.startsWith("on") && typeof value === "function") {
        node.addEventListener(name.slice(2), value);
      } else if (value === true) {
        node.setAttribute(name, "");
      } else {
        node.setAttribute(name, String(value));
      }
    }

    appendChildren(node, children);
    return node;
  }

  function appendChildren(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) {
        continue;
      }

      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  function fill(node, ...children) {
    node.replaceChildren();
    appendChildren(node, children);
    return node;
  }

  const enc = encodeURIComponent;
  const workflowHref = id => `#/workflows/${enc(id)}`;
  const batchHref = id => `#/batches/${enc(id)}`;
  const cssToken = value => String(value ?? "unknown").toLowerCase().replace(/[^a-z0-9_-]/g, "");

  function statusLabel(status) {
    return String(status ?? "unknown").replace(/_/g, " ");
  }

  function badge(status, kind = "status") {
    return el("span", { class: `badge badge-${cssToken(status)}`, dataset: { [kind]: String(status ?? "") } }, statusLabel(status));
  }

  function stepName(step) {
    return step ? el("code", { class: "step-code" }, step) : el("span", { class: "muted" }, "—");
  }

  function notice(kind, title, message, ...extra) {
    return el("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
      title ? el("strong", null, title) : null,
      message ? el("span", null, title ? ` ${message}` : message) : null,
      extra);
  }

  function section(title, ...children) {
    return el("section", { class: "card" }, title ? el("h2", { class: "card-title" }, title) : null, children);
  }

  function facts(pairs) {
    const list = el("dl", { class: "facts" });
    for (const [label, value] of pairs) {
      if (value === undefined) {
        continue;
      }

      list.append(el("div", { class: "fact" }, el("dt", null, label), el("dd", null, value ?? el("span", { class: "muted" }, "—"))));
    }

    return list;
  }

  // ---------------------------------------------------------------------------------------------
  // Formatting

  const pad = (n, width = 2) => String(n).padStart(width, "0");

  function parseTime(value) {
    if (!value) {
      return null;
    }

    const time = new Date(value);
    return Number.isNaN(time.getTime()) ? null : time;
  }

  /** Local time, YYYY-MM-DD HH:MM:SS; the exact UTC instant is in the title. */
  function timeNode(value) {
    const time = parseTime(value);
    if (!time) {
      return el("span", { class: "muted" }, "—");
    }

    const text = `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())} ${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`;
    return el("time", { datetime: time.toISOString(), title: `${time.toISOString()} (${relative(time)})` }, text);
  }

  function relative(time) {
    const seconds = Math.round((Date.now() - time.getTime()) / 1000);
    const abs = Math.abs(seconds);
    const text = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86400 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
    return seconds >= 0 ? `${text} ago` : `in ${text}`;
  }

  function duration(ms) {
    if (ms === null || ms === undefined || Number.isNaN(ms)) {
      return "—";
    }

    if (ms < 1000) {
      return `${Math.round(ms)} ms`;
    }

    if (ms < 60_000) {
      return `${(ms / 1000).toFixed(1)} s`;
    }

    const totalSeconds = Math.round(ms / 1000);
    if (totalSeconds < 3600) {
      return `${Math.floor(totalSeconds / 60)} min ${pad(totalSeconds % 60)} s`;
    }

    return `${Math.floor(totalSeconds / 3600)} h ${pad(Math.floor((totalSeconds % 3600) / 60))} min`;
  }

  function between(from, to) {
    const start = parseTime(from);
    const end = parseTime(to);
    return start && end ? end.getTime() - start.getTime() : null;
  }

  function score(value) {
    return typeof value === "number" && Number.isFinite(value) ? value.toFixed(1) : "—";
  }

  function humanize(key) {
    const text = String(key).replace(/_/g, " ").replace(/\bpercent\b/, "(%)").replace(/\bai\b/i, "AI");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function plainValue(value) {
    if (value === null || value === undefined) {
      return "—";
    }

    if (typeof value === "number") {
      return Number.isInteger(value) ? String(value) : value.toFixed(1);
    }

    if (typeof value === "object") {
      return JSON.stringify(value);
    }

    return String(value);
  }

  /** datetime-local input value (local time) from an ISO instant, and back. */
  function toLocalInput(iso) {
    const time = parseTime(iso);
    if (!time) {
      return "";
    }

    return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}T${pad(time.getHours())}:${pad(time.getMinutes())}`;
  }

  function fromLocalInput(value) {
    const time = value ? new Date(value) : null;
    return time && !Number.isNaN(time.getTime()) ? time.toISOString() : "";
  }

  // ---------------------------------------------------------------------------------------------
  // API key and the API client

  const keyStore = {
    get() {
      try {
        return localStorage.getItem(KEY_STORAGE) || "";
      } catch {
        return "";
      }
    },
    set(value) {
      try {
        if (value) {
          localStorage.setItem(KEY_STORAGE, value);
        } else {
          localStorage.removeItem(KEY_STORAGE);
        }
      } catch {
        // Storage disabled: the key lasts for this page only.
      }
    },
  };

  function readSession(name) {
    try {
      return sessionStorage.getItem(name);
    } catch {
      return null;
    }
  }

  function writeSession(name, value) {
    try {
      sessionStorage.setItem(name, value);
    } catch {
      // Storage disabled: the setting lasts for this page only.
    }
  }

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.name = "ApiError";
      this.status = status;
      this.code = code;
    }
  }

  const isAbort = error => error && error.name === "AbortError";

  /** Calls the pipeline API with the stored key; throws ApiError with a message fit for people. */
  async function api(path, { method = "GET", body, signal } = {}) {
    const headers = { Accept: "application/json" };
    const key = keyStore.get();
    if (key) {
      headers["X-Api-Key"] = key;
    }

    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }

    let response;
    let text;
    try {
      response = await fetch(new URL(path, API), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        cache: "no-store",
        credentials: "same-origin",
      });
      text = await response.text();
    } catch (error) {
      if (isAbort(error)) {
        throw error;
      }

      throw new ApiError(0, "UNREACHABLE", `Could not reach the API: ${error && error.message ? error.message : error}`);
    }

    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }

    if (response.status === 401) {
      const message = key
        ? "API key invalid: the API rejected the key in the API key field. Enter a valid key and press Save."
        : "API key required: this API needs a key. Enter it in the API key field at the top and press Save.";
      showKeyProblem(message);
      throw new ApiError(401, "UNAUTHORIZED", message);
    }

    if (!response.ok) {
      const detail = data && data.detail;
      let code = `HTTP_${response.status}`;
      let message = `The API answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`;
      if (detail && typeof detail === "object" && !Array.isArray(detail)) {
        code = detail.error || code;
        message = detail.message || message;
      } else if (Array.isArray(detail)) {
        message = detail.map(d => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
      }

      throw new ApiError(response.status, code, message);
    }

    if (data === undefined) {
      throw new ApiError(response.status, "BAD_RESPONSE", "The API answered with something that is not JSON (is this the Etter API?).");
    }

    hideKeyProblem();
    return data;
  }

  function showKeyProblem(message) {
    const banner = document.getElementById("banner");
    fill(banner,
      el("span", { class: "banner-text" }, message),
      el("button", { type: "button", class: "btn btn-small", onclick: () => document.getElementById("api-key").focus() }, "Enter key"));
    banner.hidden = false;
    banner.dataset.kind = "key";
    document.getElementById("key-form").classList.add("needs-key");
  }

  function hideKeyProblem() {
    const banner = document.getElementById("banner");
    if (banner.dataset.kind === "key") {
      banner.hidden = true;
      banner.dataset.kind = "";
      document.getElementById("key-form").classList.remove("needs-key");
    }
  }

  function renderKeyState() {
    const key = keyStore.get();
    document.getElementById("api-key").value = key;
    document.getElementById("key-state").textContent = key ? "key saved" : "no key";
  }

  /** An error as a notice; 401 also raised the banner. */
  function errorNotice(error, what) {
    if (error instanceof ApiError && error.status === 401) {
      return notice("error", "Not authorized.", error.message);
    }

    if (error instanceof ApiError && error.status === 0) {
      return notice("error", "Connection problem.", `${error.message}. Retrying automatically.`);
    }

    return notice("error", what ? `${what}:` : "Error:", error && error.message ? error.message : String(error));
  }

  // ---------------------------------------------------------------------------------------------
  // Views: each route gets a context whose timers, streams and requests end when the route changes.

  class ViewContext {
    constructor(root) {
      this.root = root;
      this.controller = new AbortController();
      this.timers = new Set();
      this.sources = new Set();
      this.alive = true;
    }

    get signal() {
      return this.controller.signal;
    }

    api(path, options = {}) {
      return api(path, { ...options, signal: this.signal });
    }

    /** Runs fn every ms (never overlapping); skipped while the tab is hidden. */
    poll(ms, fn, { immediate = false } = {}) {
      let handle = null;
      let stopped = false;
      const context = this;
      const tick = async () => {
        context.timers.delete(handle);
        if (stopped || !context.alive) {
          return;
        }

        try {
          if (!document.hidden) {
            await fn();
          }
        } catch (error) {
          if (!isAbort(error)) {
            // Each view reports its own errors; a stray one must not stop the loop.
          }
        } finally {
          if (!stopped && context.alive) {
            handle = setTimeout(tick, ms);
            context.timers.add(handle);
          }
        }
      };
      handle = setTimeout(tick, immediate ? 0 : ms);
      this.timers.add(handle);
      return {
        stop() {
          stopped = true;
          clearTimeout(handle);
          context.timers.delete(handle);
        },
      };
    }

    eventSource(url) {
      const source = new EventSource(url);
      this.sources.add(source);
      return source;
    }

    closeSource(source) {
      if (source) {
        source.close();
        this.sources.delete(source);
      }
    }

    dispose() {
      this.alive = false;
      this.controller.abort();
      for (const handle of this.timers) {
        clearTimeout(handle);
      }

      for (const source of this.sources) {
        source.close();
      }

      this.timers.clear();
      this.sources.clear();
    }
  }

  let currentView = null;

  function route() {
    if (currentView) {
      currentView.dispose();
    }

    const hash = location.hash.replace(/^#/, "") || "/";
    const queryAt = hash.indexOf("?");
    const path = queryAt >= 0 ? hash.slice(0, queryAt) : hash;
    const query = new URLSearchParams(queryAt >= 0 ? hash.slice(queryAt + 1) : "");
    const segments = path.split("/").filter(Boolean).map(segment => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });

    const root = document.getElementById("app");
    root.replaceChildren();
    const context = new ViewContext(root);
    currentView = context;
    window.scrollTo(0, 0);

    let name = "other";
    if (segments.length === 0 || (segments.length === 1 && segments[0] === "workflows")) {
      name = "list";
      listView(context, query);
    } else if (segments[0] === "workflows" && segments.length === 2) {
      name = "workflow";
      workflowView(context, segments[1]);
    } else if (segments[0] === "batches" && segments.length === 2) {
      name = "batch";
      batchView(context, segments[1]);
    } else {
      document.title = "Not found · Etter Workflows";
      root.append(section(null,
        notice("error", "Page not found.", `The dashboard has no page '${hash}'.`),
        el("p", null, el("a", { href: "#/" }, "← Back to the workflow list"))));
    }

    document.body.dataset.view = name;
    for (const link of document.querySelectorAll("[data-nav]")) {
      link.classList.toggle("active", link.dataset.nav === name);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Workflow list

  const FILTER_KEYS = ["status", "company_id", "failed_step", "q", "since", "until"];

  function listHash(filters) {
    const query = new URLSearchParams();
    for (const key of FILTER_KEYS) {
      if (filters[key]) {
        query.set(key, filters[key]);
      }
    }

    const text = query.toString();
    return text ? `#/?${text}` : "#/";
  }

  function listView(ctx, query) {
    document.title = "Workflows · Etter Workflows";
    const filters = Object.fromEntries(FILTER_KEYS.map(key => [key, (query.get(key) || "").trim()]));
    let rows = [];
    let nextCursor = null;
    let counts = null;
    let autoRefresh = readSession("etter.dashboard.autoRefresh") !== "off";

    const apply = changes => {
      const target = listHash({ ...filters, ...changes });
      if (location.hash === target || (target === "#/" && (location.hash === "" || location.hash === "#"))) {
        Object.assign(filters, changes);
        refresh();
      } else {
        location.hash = target;
      }
    };

    // Header with the quick "open" boxes.
    const batchInput = el("input", { type: "text", name: "batch-id", placeholder: "batch-…", "aria-label": "Batch id", spellcheck: "false", required: true });
    const workflowInput = el("input", { type: "text", name: "workflow-id", placeholder: "workflow id", "aria-label": "Workflow id", spellcheck: "false", required: true });
    const openBatch = el("form", {
      class: "jump", id: "open-batch",
      onsubmit: event => {
        event.preventDefault();
        const id = batchInput.value.trim();
        if (id) {
          location.hash = batchHref(id);
        }
      },
    }, el("label", null, "Open batch"), batchInput, el("button", { type: "submit", class: "btn btn-small" }, "Open"));
    const openWorkflow = el("form", {
      class: "jump", id: "open-workflow",
      onsubmit: event => {
        event.preventDefault();
        const id = workflowInput.value.trim();
        if (id) {
          location.hash = workflowHref(id);
        }
      },
    }, el("label", null, "Open workflow"), workflowInput, el("button", { type: "submit", class: "btn btn-small" }, "Open"));

    const countsBar = el("div", { class: "counts", id: "counts", "aria-label": "Workflows per status" });

    // Filters.
    const statusSelect = el("select", { name: "status", id: "filter-status" },
      el("option", { value: "" }, "Any status"),
      STATUSES.map(s => el("option", { value: s, selected: s === filters.status }, statusLabel(s))));
    const companyInput = el("input", { type: "text", name: "company_id", id: "filter-company", list: "company-options", placeholder: "exact company name", value: filters.company_id, spellcheck: "false" });
    const companyOptions = el("datalist", { id: "company-options" });
    const stepSelect = el("select", { name: "failed_step", id: "filter-failed-step" },
      el("option", { value: "" }, "Any"),
      STEPS.map(s => el("option", { value: s, selected: s === filters.failed_step }, s)));
    const queryInput = el("input", { type: "search", name: "q", id: "filter-q", placeholder: "e.g. analyst", value: filters.q, spellcheck: "false" });
    const sinceInput = el("input", { type: "datetime-local", name: "since", id: "filter-since", value: toLocalInput(filters.since) });
    const untilInput = el("input", { type: "datetime-local", name: "until", id: "filter-until", value: toLocalInput(filters.until) });
    const rangeSelect = el("select", { name: "range", id: "filter-range", "aria-label": "Quick time range" },
      el("option", { value: "" }, "Custom"),
      el("option", { value: "3600" }, "Last hour"),
      el("option", { value: "86400" }, "Last 24 hours"),
      el("option", { value: "604800" }, "Last 7 days"));
    rangeSelect.addEventListener("change", () => {
      if (rangeSelect.value) {
        sinceInput.value = toLocalInput(new Date(Date.now() - Number(rangeSelect.value) * 1000).toISOString());
        untilInput.value = "";
      }
    });

    const readForm = () => ({
      status: statusSelect.value,
      company_id: companyInput.value.trim(),
      failed_step: stepSelect.value,
      q: queryInput.value.trim(),
      since: fromLocalInput(sinceInput.value),
      until: fromLocalInput(untilInput.value),
    });
    statusSelect.addEventListener("change", () => apply(readForm()));
    stepSelect.addEventListener("change", () => apply(readForm()));

    const field = (label, control, wide) => el("label", { class: wide ? "field field-wide" : "field" }, el("span", { class: "field-label" }, label), control);
    const filterForm = el("form", {
      class: "filters", id: "filters", role: "search",
      onsubmit: event => {
        event.preventDefault();
        apply(readForm());
      },
    },
    el("div", { class: "filter-row" },
      field("Role contains", queryInput, true),
      field("Status", statusSelect),
      field("Company", companyInput),
      field("Failed step", stepSelect)),
    el("div", { class: "filter-row" },
      field("Queued since", sinceInput),
      field("Queued before", untilInput),
      field("Quick range", rangeSelect),
      el("div", { class: "filter-actions" },
        el("button", { type: "submit", class: "btn btn-primary" }, "Apply filters"),
        el("button", {
          type: "button", class: "btn btn-quiet", id: "filters-reset",
          onclick: () => apply(Object.fromEntries(FILTER_KEYS.map(k => [k, ""]))),
        }, "Reset"))),
    companyOptions);

    // Results.
    const problem = el("div", { class: "list-problem", id: "list-problem" });
    const tbody = el("tbody", { id: "workflow-rows" });
    const table = el("table", { class: "table workflows", id: "workflows" },
      el("thead", null, el("tr", null,
        el("th", null, "Status"), el("th", null, "Role"), el("th", null, "Company"), el("th", null, "Step"),
        el("th", { class: "num" }, "Score"), el("th", null, "Queued"), el("th", { class: "num" }, "Took"),
        el("th", null, "Batch"), el("th", null, "Error"))),
      tbody);
    const empty = el("p", { class: "empty", id: "list-empty", hidden: true });
    const shown = el("span", { class: "muted", id: "list-shown" });
    const updated = el("span", { class: "muted", id: "list-updated" });
    const moreButton = el("button", { type: "button", class: "btn", id: "load-more", hidden: true, onclick: () => loadMore() }, "Load more");
    const autoToggle = el("input", { type: "checkbox", id: "auto-refresh", checked: autoRefresh });
    autoToggle.addEventListener("change", () => {
      autoRefresh = autoToggle.checked;
      writeSession("etter.dashboard.autoRefresh", autoRefresh ? "on" : "off");
      if (autoRefresh) {
        refresh();
      }
    });

    ctx.root.append(
      el("div", { class: "page-head" },
        el("div", null, el("h1", null, "Workflows"), el("p", { class: "muted subtitle" }, "Every onboarding workflow, newest first.")),
        el("div", { class: "jumps" }, openBatch, openWorkflow)),
      countsBar,
      section(null, filterForm),
      el("section", { class: "card" },
        el("div", { class: "card-toolbar" },
          shown,
          el("span", { class: "spacer" }),
          el("label", { class: "toggle" }, autoToggle, ` Auto-refresh every ${LIST_REFRESH_MS / 1000} s`),
          el("button", { type: "button", class: "btn btn-small btn-quiet", onclick: () => refresh() }, "Refresh now"),
          updated),
        problem,
        el("div", { class: "table-scroll" }, table),
        empty,
        el("div", { class: "more" }, moreButton)));

    function renderCounts() {
      const total = counts ? Object.values(counts).reduce((sum, n) => sum + (Number(n) || 0), 0) : null;
      const chip = (status, label, count) => el("button", {
        type: "button",
        class: `count-chip${(filters.status || "") === status ? " active" : ""}`,
        dataset: { countStatus: status || "all" },
        "aria-pressed": String((filters.status || "") === status),
        onclick: () => apply({ ...readForm(), status: (filters.status || "") === status ? "" : status }),
      },
      status ? el("span", { class: `dot dot-${cssToken(status)}` }) : null,
      el("span", { class: "count-label" }, label),
      el("span", { class: "count-value" }, count === null ? "…" : String(count)));
      fill(countsBar,
        chip("", "All", total),
        STATUSES.map(s => chip(s, statusLabel(s), counts ? (Number(counts[s]) || 0) : null)));
    }

    function renderRows() {
      tbody.replaceChildren();
      for (const w of rows) {
        const tookMs = w.completed_at ? between(w.queued_at, w.completed_at) : null;
        const step = w.failed_step
          ? el("span", null, "failed at ", stepName(w.failed_step))
          : TERMINAL.has(w.status) ? el("span", { class: "muted" }, "—") : stepName(w.current_step);
        const row = el("tr", { class: `row-${cssToken(w.status)}`, dataset: { workflowId: w.workflow_id } },
          el("td", null, badge(w.status)),
          el("td", { class: "role-cell" },
            el("a", { href: workflowHref(w.workflow_id), class: "role-link" }, w.role_name || "(no role name)"),
            el("div", { class: "sub mono" }, String(w.workflow_id))),
          el("td", null, w.company_id),
          el("td", null, step),
          el("td", { class: "num" }, score(w.final_score)),
          el("td", { class: "nowrap" }, timeNode(w.queued_at)),
          el("td", { class: "num nowrap" }, tookMs === null ? el("span", { class: "muted" }, "—") : duration(tookMs)),
          el("td", null, w.batch_id ? el("a", { href: batchHref(w.batch_id), class: "mono" }, w.batch_id) : el("span", { class: "muted" }, "—")),
          el("td", { class: "error-cell" }, w.error
            ? el("span", { title: w.error }, recoverableTag(w.recoverable), " ", w.error)
            : el("span", { class: "muted" }, "—")));
        row.addEventListener("click", event => {
          if (!(event.target instanceof Element) || !event.target.closest("a, button")) {
            location.hash = workflowHref(w.workflow_id);
          }
        });
        tbody.append(row);
      }

      const filtered = FILTER_KEYS.some(k => filters[k]);
      empty.hidden = rows.length > 0;
      empty.textContent = filtered
        ? "No workflows match these filters."
        : "No workflows yet. Push a role with POST /api/v1/pipeline/push and it appears here.";
      table.hidden = rows.length === 0;
      shown.textContent = `${rows.length} workflow${rows.length === 1 ? "" : "s"} shown${nextCursor ? " (more available)" : ""}`;
      moreButton.hidden = !nextCursor;
    }

    function listPath(limit, cursor) {
      const query = new URLSearchParams();
      for (const key of FILTER_KEYS) {
        if (filters[key]) {
          query.set(key, filters[key]);
        }
      }

      query.set("limit", String(limit));
      if (cursor) {
        query.set("cursor", cursor);
      }

      return `workflows?${query}`;
    }

    let refreshing = false;
    async function refresh() {
      if (refreshing || !ctx.alive) {
        return;
      }

      refreshing = true;
      try {
        const limit = Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, rows.length));
        const [list, countResult] = await Promise.allSettled([ctx.api(listPath(limit)), ctx.api("workflows/counts")]);
        if (!ctx.alive) {
          return;
        }

        if (countResult.status === "fulfilled") {
          counts = countResult.value || {};
        }

        renderCounts();
        if (list.status === "fulfilled") {
          rows = Array.isArray(list.value.workflows) ? list.value.workflows : [];
          nextCursor = list.value.next_cursor || null;
          problem.replaceChildren();
          renderRows();
          updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
        } else if (!isAbort(list.reason)) {
          const error = list.reason;
          fill(problem, error instanceof ApiError && error.status === 400
            ? notice("error", "Filter rejected:", error.message)
            : errorNotice(error, "Could not load workflows"));
          if (rows.length === 0) {
            table.hidden = true;
            empty.hidden = true;
            shown.textContent = "";
          }
        }
      } finally {
        refreshing = false;
      }
    }

    async function loadMore() {
      if (!nextCursor) {
        return;
      }

      moreButton.disabled = true;
      moreButton.textContent = "Loading…";
      try {
        const page = await ctx.api(listPath(PAGE_SIZE, nextCursor));
        const known = new Set(rows.map(r => r.workflow_id));
        rows = rows.concat((page.workflows || []).filter(w => !known.has(w.workflow_id)));
        nextCursor = page.next_cursor || null;
        renderRows();
      } catch (error) {
        if (!isAbort(error)) {
          fill(problem, errorNotice(error, "Could not load more workflows"));
        }
      } finally {
        moreButton.disabled = false;
        moreButton.textContent = "Load more";
      }
    }

    async function loadCompanies() {
      try {
        const data = await ctx.api("companies");
        for (const name of Array.isArray(data.companies) ? data.companies : []) {
          companyOptions.append(el("option", { value: name }));
        }
      } catch {
        // Suggestions only; the list itself reports problems.
      }
    }

    renderCounts();
    table.hidden = true;
    refresh();
    loadCompanies();
    ctx.poll(LIST_REFRESH_MS, async () => {
      if (autoRefresh) {
        await refresh();
      }
    });
  }

  function recoverableTag(recoverable) {
    if (recoverable === true) {
      return el("span", { class: "tag tag-ok", title: "A retry can help" }, "recoverable");
    }

    if (recoverable === false) {
      return el("span", { class: "tag tag-bad", title: "A retry will not help until the cause is fixed" }, "not recoverable");
    }

    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Workflow detail

  function workflowView(ctx, id) {
    document.title = "Workflow · Etter Workflows";
    const title = el("h1", null, "Workflow");
    const subtitle = el("p", { class: "muted subtitle mono" }, id);
    const live = el("span", { class: "live", id: "live-state" });
    const actions = el("div", { class: "actions", id: "workflow-actions" });
    const flash = el("div", { id: "flash" });
    const problem = el("div", { id: "detail-problem" });
    const summary = el("div", { id: "summary" });
    const errorBox = el("div", { id: "workflow-error" });
    const steps = el("div", { id: "steps" });
    const assessment = el("div", { id: "assessment" });
    const historyBody = el("div", { id: "history" });

    ctx.root.append(
      el("nav", { class: "crumbs" }, el("a", { href: "#/" }, "Workflows"), " › ", el("span", null, "Detail")),
      el("div", { class: "page-head" }, el("div", null, title, subtitle), el("div", { class: "head-side" }, live, actions)),
      flash, problem, summary, errorBox, steps, assessment, historyBody);

    let status = null;
    let historyVersion = null;
    let awaitingChangeFrom = null;
    let awaitingSince = 0;
    let source = null;
    let poller = null;
    let cancelArmed = null;
    let notFound = false;

    function setLive(mode, text) {
      live.className = `live live-${mode}`;
      live.dataset.mode = mode;
      live.textContent = text;
    }

    function stopLive() {
      ctx.closeSource(source);
      source = null;
      if (poller) {
        poller.stop();
        poller = null;
      }
    }

    const isFinal = s => TERMINAL.has(s.status) && awaitingChangeFrom === null;

    function startLive() {
      stopLive();
      if (!ctx.alive || !status) {
        return;
      }

      if (awaitingChangeFrom !== null) {
        startPolling(COMMAND_POLL_MS, "Waiting for the workflow to pick up the command…", "waiting");
      } else if (isFinal(status)) {
        setLive("done", `Finished (${statusLabel(status.status)})`);
      } else if (keyStore.get() || typeof EventSource === "undefined") {
        // EventSource cannot send the X-Api-Key header: poll /status with it instead.
        startPolling(DETAIL_POLL_MS, `Live: polling every ${DETAIL_POLL_MS / 1000} s (API key in use)`);
      } else {
        startStream();
      }
    }

    function startStream() {
      setLive("connecting", "Live: connecting…");
      const stream = ctx.eventSource(new URL(`status/${enc(id)}/events`, API));
      source = stream;
      stream.addEventListener("open", () => {
        if (source === stream) {
          setLive("stream", "Live: streaming");
        }
      });
      stream.addEventListener("status", event => {
        let next;
        try {
          next = JSON.parse(event.data);
        } catch {
          return;
        }

        update(next);
        if (source === stream && isFinal(next)) {
          stopLive();
          setLive("done", `Finished (${statusLabel(next.status)})`);
        }
      });
      stream.addEventListener("error", () => {
        // CLOSED: the stream was refused (e.g. 401/404) and will not reconnect by itself; poll instead.
        if (source === stream && stream.readyState === EventSource.CLOSED) {
          stopLive();
          startPolling(DETAIL_POLL_MS, `Live: polling every ${DETAIL_POLL_MS / 1000} s (stream unavailable)`);
        } else if (source === stream) {
          setLive("connecting", "Live: reconnecting…");
        }
      });
    }

    function startPolling(ms, text, mode = "polling") {
      setLive(mode, text);
      poller = ctx.poll(ms, async () => {
        const next = await load();
        if (!next || !ctx.alive) {
          return;
        }

        if (mode === "waiting" && awaitingChangeFrom !== null && Date.now() - awaitingSince > COMMAND_WAIT_MS) {
          // The command has not shown up in the status for a long while: stop waiting for it.
          awaitingChangeFrom = null;
        }

        if (isFinal(next)) {
          stopLive();
          setLive("done", `Finished (${statusLabel(next.status)})`);
        } else if (mode === "retrying" || (mode === "waiting" && awaitingChangeFrom === null)) {
          // Reachable again, or the command took effect: back to the normal live mode (stream or polling).
          startLive();
        }
      });
    }

    /** Fetches /status; shows not-found and other problems in place. Returns the status or null. */
    async function load() {
      try {
        const next = await ctx.api(`status/${enc(id)}`);
        problem.replaceChildren();
        update(next);
        return next;
      } catch (error) {
        if (isAbort(error) || !ctx.alive) {
          return null;
        }

        if (error instanceof ApiError && error.status === 404) {
          stopLive();
          status = null;
          notFound = true;
          document.title = "Workflow not found · Etter Workflows";
          title.textContent = "Workflow not found";
          setLive("done", "");
          actions.replaceChildren();
          for (const part of [summary, errorBox, steps, assessment, historyBody]) {
            part.replaceChildren();
          }

          fill(problem, section(null,
            notice("error", "Workflow not found.", `There is no workflow with id '${id}'. ${error.message}`),
            el("p", null, el("a", { href: "#/" }, "← Back to the workflow list"))));
          return null;
        }

        fill(problem, errorNotice(error, "Could not load the workflow"));
        return null;
      }
    }

    function update(next) {
      if (!next || typeof next !== "object" || !ctx.alive) {
        return;
      }

      if (status && typeof next.version === "number" && typeof status.version === "number" && next.version < status.version) {
        return; // an older snapshot arriving late
      }

      const changed = !status || next.version !== status.version || next.status !== status.status;
      if (awaitingChangeFrom !== null && typeof next.version === "number" && next.version > awaitingChangeFrom) {
        awaitingChangeFrom = null;
      }

      status = next;
      if (changed) {
        render();
      }

      if (historyVersion !== next.version) {
        historyVersion = next.version;
        loadHistory();
      }
    }

    function render() {
      const s = status;
      document.title = `${s.role_name || "Workflow"} · Etter Workflows`;
      fill(title, s.role_name || "Workflow", " ", badge(s.status));
      fill(subtitle, `${s.company_id || ""} · `, el("span", { class: "mono" }, s.workflow_id || id));
      renderActions();

      const progress = s.progress || { current: 0, total: 0, steps: [] };
      const total = Number(progress.total) || 0;
      const current = Number(progress.current) || 0;
      fill(summary, section(null, facts([
        ["Status", badge(s.status)],
        ["Current step", stepName(s.current_step)],
        ["Progress", el("span", { class: "inline-progress" },
          el("span", { class: "bar bar-small" }, el("span", { class: "bar-fill", style: null })),
          ` ${current} / ${total} steps`)],
        ["Company", s.company_id || null],
        ["Role id", s.role_id ? el("span", { class: "mono" }, s.role_id) : null],
        ["Batch", s.batch_id ? el("a", { href: batchHref(s.batch_id), class: "mono" }, s.batch_id) : null],
        ["Draup role", s.draup_role_name || null],
        ["Queued", timeNode(s.queued_at)],
        ["Started", timeNode(s.started_at)],
        ["Completed", timeNode(s.completed_at)],
        ["Total time", s.completed_at ? duration(between(s.queued_at, s.completed_at)) : null],
        ["Final score", s.final_score === null || s.final_score === undefined ? null : el("strong", null, score(s.final_score))],
        ["Next retry", s.next_retry_at ? timeNode(s.next_retry_at) : undefined],
        ["Cancel reason", s.cancel_reason ? s.cancel_reason : undefined],
        ["Version", String(s.version ?? "—")],
      ])));
      const fillBar = summary.querySelector(".bar-fill");
      if (fillBar) {
        fillBar.style.width = `${total > 0 ? Math.round((100 * current) / total) : 0}%`;
      }

      if (s.error_detail || s.error) {
        const detail = s.error_detail || {};
        fill(errorBox, el("div", { class: "notice notice-error failure", role: "alert", id: "failure" },
          el("div", { class: "failure-head" },
            el("strong", null, detail.step ? "Failed at " : "Failed"),
            detail.step ? stepName(detail.step) : null,
            detail.code ? el("code", { class: "error-code" }, detail.code) : null,
            recoverableTag(detail.recoverable)),
          el("p", { class: "failure-message" }, detail.message || s.error),
          el("p", { class: "muted small" }, detail.recoverable === false
            ? "Not recoverable: retrying runs the step again, but it will fail the same way until the cause is fixed."
            : detail.recoverable === true ? "Recoverable: a retry can succeed." : "")));
      } else {
        errorBox.replaceChildren();
      }

      renderSteps(progress.steps || []);
      renderAssessment(s.assessment);
    }

    function renderActions() {
      const s = status;
      actions.replaceChildren();
      if (!s) {
        return;
      }

      if (s.status === "failed") {
        const force = el("input", { type: "checkbox", id: "retry-force" });
        const retryButton = el("button", { type: "button", class: "btn btn-primary", id: "retry-button" }, "Retry");
        retryButton.addEventListener("click", () => command("retry", retryButton, force.checked ? { force_rerun: true } : undefined));
        actions.append(retryButton, el("label", { class: "toggle small", title: "Run every step again, not just the failed one" }, force, " from the start"));
      }

      if (CANCELLABLE.has(s.status)) {
        const cancelButton = el("button", { type: "button", class: "btn btn-danger", id: "cancel-button" }, "Cancel");
        cancelButton.addEventListener("click", () => {
          // Two clicks, no browser dialog: the first arms the button for a few seconds.
          if (cancelArmed === null) {
            cancelButton.textContent = "Click again to cancel";
            cancelButton.classList.add("armed");
            cancelArmed = setTimeout(() => {
              cancelArmed = null;
              cancelButton.textContent = "Cancel";
              cancelButton.classList.remove("armed");
            }, 4000);
            return;
          }

          clearTimeout(cancelArmed);
          cancelArmed = null;
          command("cancel", cancelButton, { reason: "Cancelled from the dashboard" });
        });
        actions.append(cancelButton);
      }
    }

    async function command(kind, button, body) {
      button.disabled = true;
      const label = button.textContent;
      button.textContent = kind === "retry" ? "Retrying…" : "Cancelling…";
      try {
        const answer = await ctx.api(`${kind}/${enc(id)}`, { method: "POST", body });
        fill(flash, notice("ok", kind === "retry" ? "Retry requested." : "Cancel requested.", answer && answer.message ? answer.message : ""));
        awaitingChangeFrom = status ? status.version : 0;
        awaitingSince = Date.now();
        startLive();
      } catch (error) {
        if (!isAbort(error)) {
          fill(flash, errorNotice(error, kind === "retry" ? "Retry failed" : "Cancel failed"));
          button.disabled = false;
          button.textContent = label;
          load();
        }
      }
    }

    function renderSteps(list) {
      const items = list.map((step, index) => {
        const running = step.status === "running";
        const took = step.duration_ms ?? (running && step.started_at ? Date.now() - parseTime(step.started_at).getTime() : null);
        return el("li", { class: `step step-${cssToken(step.status)}`, dataset: { step: step.name, stepStatus: step.status } },
          el("div", { class: "step-marker", "aria-hidden": "true" }, String(index + 1)),
          el("div", { class: "step-body" },
            el("div", { class: "step-head" },
              el("strong", { class: "step-title" }, STEP_LABELS[step.name] || step.name),
              stepName(step.name),
              badge(step.status, "stepState"),
              el("span", { class: "attempt" }, "attempt ", el("b", { dataset: { field: "attempt" } }, String(step.attempt ?? 0)))),
            facts([
              ["Started", timeNode(step.started_at)],
              ["Completed", timeNode(step.completed_at)],
              ["Duration", running ? `${duration(took)} so far` : duration(took)],
            ]),
            step.skip_reason ? notice("warn", "Skipped:", step.skip_reason) : null,
            step.error_message || step.error_code
              ? el("div", { class: "step-error" },
                el("div", { class: "step-error-head" },
                  step.error_code ? el("code", { class: "error-code" }, step.error_code) : null,
                  el("span", {
                    class: `tag ${step.recoverable === true ? "tag-ok" : step.recoverable === false ? "tag-bad" : "tag-warn"}`,
                    dataset: { field: "recoverable" },
                    title: step.recoverable === false ? "A retry will not help until the cause is fixed" : step.recoverable === true ? "A retry can help" : null,
                  }, `recoverable: ${step.recoverable === true ? "yes" : step.recoverable === false ? "no" : "unknown"}`)),
                el("div", { class: "step-error-message" }, step.error_message || ""))
              : null));
      });
      fill(steps, section("Steps", items.length
        ? el("ol", { class: "timeline" }, items)
        : el("p", { class: "muted" }, "No steps recorded yet.")));
    }

    function renderAssessment(result) {
      if (!result || typeof result !== "object") {
        fill(assessment, status && !TERMINAL.has(status.status)
          ? section("Assessment", el("p", { class: "muted" }, "The assessment appears here when ai_assessment completes."))
          : null);
        return;
      }

      const tile = (label, value, main) => el("div", { class: main ? "tile tile-main" : "tile" },
        el("div", { class: "tile-value" }, score(value)), el("div", { class: "tile-label" }, label));
      const metrics = result.key_metrics && typeof result.key_metrics === "object"
        ? facts(Object.entries(result.key_metrics).map(([key, value]) => [humanize(key), plainValue(value)]))
        : el("p", { class: "muted" }, "No key metrics.");

      const table = result.task_analysis && result.task_analysis.task_analysis_table;
      const headers = table && Array.isArray(table.headers) ? table.headers : [];
      const body = table && Array.isArray(table.body) ? table.body : [];
      const taskTable = headers.length || body.length
        ? el("div", { class: "table-scroll" }, el("table", { class: "table tasks", id: "task-table" },
          el("thead", null, el("tr", null, headers.map((h, i) => el("th", { class: i > 0 ? "num" : null }, h)))),
          el("tbody", null, body.map(row => el("tr", null, (Array.isArray(row) ? row : [row]).map((cell, i) => {
            const text = plainValue(cell);
            const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
            return el("td", { class: i === 0 ? "task-name" : `num heat heat-${percent ? Math.min(4, Math.floor(Number(percent[1]) / 20)) : 0}` }, text);
          }))))))
        : el("p", { class: "muted" }, "No task analysis table.");

      fill(assessment,
        section("Assessment",
          el("div", { class: "engine-line muted" },
            "Engine ", el("code", null, result.engine || "?"), " ", el("code", null, result.engine_version || ""),
            result.is_mock ? el("span", { class: "tag tag-warn", title: "Deterministic mock: not a real assessment" }, "mock") : null,
            result.token_usage ? ` · tokens: ${plainValue(result.token_usage)}` : null),
          el("div", { class: "tiles" },
            tile("Final score", result.final_score, true),
            tile("AI automation score", result.ai_automation_score),
            tile("Automation potential", result.ai_automation_potential_score),
            tile("Augmentation potential", result.ai_augmentation_potential_score),
            tile("Validated score", result.validated_automation_score)),
          el("h3", null, "Key metrics"), metrics,
          el("h3", null, `Task analysis${result.task_analysis && typeof result.task_analysis.task_count === "number" ? ` (${result.task_analysis.task_count} tasks)` : ""}`),
          taskTable,
          el("h3", null, "Impact analysis"),
          result.impact_analysis
            ? el("pre", { class: "markdown", id: "impact-analysis" }, result.impact_analysis)
            : el("p", { class: "muted" }, "No impact analysis.")));
    }

    let historyLoading = false;
    let historyAgain = false;
    async function loadHistory() {
      if (historyLoading) {
        historyAgain = true;
        return;
      }

      historyLoading = true;
      try {
        const data = await ctx.api(`history/${enc(id)}`);
        const entries = Array.isArray(data.entries) ? data.entries : [];
        fill(historyBody, section(`History (${entries.length})`, entries.length === 0
          ? el("p", { class: "muted" }, "No history recorded yet.")
          : el("div", { class: "table-scroll" }, el("table", { class: "table history", id: "history-table" },
            el("thead", null, el("tr", null,
              el("th", null, "At"), el("th", null, "Trigger"), el("th", null, "Transition"), el("th", null, "Step"),
              el("th", null, "Step status"), el("th", { class: "num" }, "Attempt"), el("th", null, "Error"), el("th", null, "Actor"))),
            el("tbody", null, entries.map(h => el("tr", { class: h.error_code || h.error_message ? "row-failed" : null },
              el("td", { class: "nowrap" }, timeNode(h.at)),
              el("td", null, h.trigger),
              el("td", { class: "nowrap" }, h.from_status ? badge(h.from_status) : el("span", { class: "muted" }, "—"), " → ", badge(h.to_status)),
              el("td", null, stepName(h.step)),
              el("td", null, h.step_status ? badge(h.step_status, "stepState") : el("span", { class: "muted" }, "—")),
              el("td", { class: "num" }, h.attempt ?? "—"),
              el("td", { class: "error-cell" }, h.error_code || h.error_message
                ? [h.error_code ? el("code", { class: "error-code" }, h.error_code) : null, " ", h.error_message || ""]
                : el("span", { class: "muted" }, "—")),
              el("td", null, h.actor))))))));
      } catch (error) {
        if (!isAbort(error) && ctx.alive && !(error instanceof ApiError && error.status === 404)) {
          fill(historyBody, section("History", errorNotice(error, "Could not load the history")));
        }
      } finally {
        historyLoading = false;
        if (historyAgain && ctx.alive) {
          historyAgain = false;
          loadHistory();
        }
      }
    }

    setLive("connecting", "Loading…");
    load().then(first => {
      if (first) {
        startLive();
      } else if (ctx.alive && !notFound) {
        // Not a 404 (e.g. the API is unreachable): keep trying.
        startPolling(DETAIL_POLL_MS, "Retrying…", "retrying");
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Batch view

  function batchView(ctx, batchId) {
    document.title = `${batchId} · Etter Workflows`;
    const title = el("h1", null, "Batch ", el("span", { class: "mono" }, batchId));
    const subtitle = el("p", { class: "muted subtitle" }, "Loading…");
    const actions = el("div", { class: "actions" });
    const flash = el("div", { id: "flash" });
    const problem = el("div", { id: "batch-problem" });
    const body = el("div", { id: "batch-body" });
    const updated = el("span", { class: "muted small", id: "batch-updated" });
    ctx.root.append(
      el("nav", { class: "crumbs" }, el("a", { href: "#/" }, "Workflows"), " › ", el("span", null, "Batch")),
      el("div", { class: "page-head" }, el("div", null, title, subtitle), el("div", { class: "head-side" }, updated, actions)),
      flash, problem, body);

    let batch = null;

    async function refresh() {
      try {
        const next = await ctx.api(`batch-status/${enc(batchId)}`);
        if (!ctx.alive) {
          return;
        }

        batch = next;
        problem.replaceChildren();
        render();
        updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      } catch (error) {
        if (isAbort(error) || !ctx.alive) {
          return;
        }

        if (error instanceof ApiError && error.status === 404) {
          batch = null;
          body.replaceChildren();
          actions.replaceChildren();
          subtitle.textContent = "";
          fill(problem, section(null,
            notice("error", "Batch not found.", error.message),
            el("p", { class: "muted small" }, "This page keeps checking, so a batch pushed a moment ago appears by itself."),
            el("p", null, el("a", { href: "#/" }, "← Back to the workflow list"))));
        } else {
          fill(problem, errorNotice(error, "Could not load the batch"));
        }
      }
    }

    function render() {
      const b = batch;
      const percent = Math.max(0, Math.min(100, Number(b.progress_percent) || 0));
      fill(subtitle, `${b.company_id} · created `, timeNode(b.created_at), " · ", badge(b.state, "batchState"));

      actions.replaceChildren();
      const retryButton = el("button", {
        type: "button", class: "btn btn-primary", id: "retry-failed", disabled: !(b.failed > 0),
        title: b.failed > 0 ? "Redrive every failed workflow of this batch from its failed step" : "No failed workflows",
      }, b.failed > 0 ? `Retry failed (${b.failed})` : "Retry failed");
      retryButton.addEventListener("click", () => retryFailed(retryButton));
      actions.append(retryButton);

      // One bar, two segments: completed (green) and failed (red); the rest is still to come.
      const total = Number(b.total) || 0;
      const okSegment = el("div", { class: "bar-seg bar-seg-ok", title: `${b.completed} completed` });
      const badSegment = el("div", { class: "bar-seg bar-seg-bad", title: `${b.failed} failed` });
      okSegment.style.width = `${total > 0 ? (100 * (Number(b.completed) || 0)) / total : 0}%`;
      badSegment.style.width = `${total > 0 ? (100 * (Number(b.failed) || 0)) / total : 0}%`;
      const bar = el("div", {
        class: "bar bar-large bar-segmented", id: "batch-progress", role: "progressbar",
        "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(percent), "aria-label": "Batch progress",
      }, okSegment, badSegment);

      const stat = (label, value, kind) => el("div", { class: `stat${kind ? ` stat-${kind}` : ""}` },
        el("div", { class: "stat-value" }, String(value)), el("div", { class: "stat-label" }, label));

      const roles = Array.isArray(b.roles) ? b.roles : [];
      const failedRoles = roles.filter(r => TERMINAL.has(r.status) && r.status !== "ready" && r.status !== "degraded");
      fill(body,
        section(null,
          el("div", { class: "progress-line" },
            el("strong", { class: "progress-percent", id: "batch-percent" }, `${percent}%`),
            el("span", { class: "muted" }, ` finished (${b.completed + b.failed} of ${b.total})`)),
          bar,
          el("div", { class: "stats" },
            stat("Total", b.total),
            stat("Queued", b.queued),
            stat("In progress", b.in_progress, "info"),
            stat("Completed", b.completed, "ok"),
            stat("Failed", b.failed, b.failed > 0 ? "bad" : null),
            stat("Success rate", `${score(Number(b.success_rate) || 0)}%`))),
        section(`Roles (${roles.length})${failedRoles.length ? ` · ${failedRoles.length} failed` : ""}`,
          el("div", { class: "table-scroll" }, el("table", { class: "table roles", id: "batch-roles" },
            el("thead", null, el("tr", null, el("th", null, "Status"), el("th", null, "Role"), el("th", null, "Company"), el("th", null, "Workflow"), el("th", null, "Error"))),
            el("tbody", null, roles.map(r => el("tr", {
              class: failedRoles.includes(r) ? "row-failed" : null,
              dataset: { workflowId: r.workflow_id },
            },
            el("td", null, badge(r.status)),
            el("td", null, el("a", { href: workflowHref(r.workflow_id) }, r.role_name)),
            el("td", null, r.company_id),
            el("td", null, el("a", { href: workflowHref(r.workflow_id), class: "mono small" }, String(r.workflow_id))),
            el("td", { class: "error-cell" }, r.error ? r.error : el("span", { class: "muted" }, "—")))))))));
    }

    async function retryFailed(button) {
      button.disabled = true;
      button.textContent = "Retrying…";
      try {
        const answer = await ctx.api(`retry-failed/${enc(batchId)}`, { method: "POST" });
        fill(flash, notice("ok", "Retry requested.", answer.message || ""));
      } catch (error) {
        if (!isAbort(error)) {
          fill(flash, errorNotice(error, "Retry failed"));
        }
      }

      await refresh();
    }

    refresh();
    ctx.poll(BATCH_REFRESH_MS, refresh);
  }

  // ---------------------------------------------------------------------------------------------
  // Start

  function start() {
    const form = document.getElementById("key-form");
    const input = document.getElementById("api-key");
    form.addEventListener("submit", event => {
      event.preventDefault();
      keyStore.set(input.value.trim());
      hideKeyProblem();
      renderKeyState();
      route();
    });
    document.getElementById("key-clear").addEventListener("click", () => {
      keyStore.set("");
      renderKeyState();
      route();
    });
    renderKeyState();
    window.addEventListener("hashchange", route);
    route();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
