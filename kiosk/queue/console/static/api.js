/* The console's plumbing: texts, the /api/v1 calls (each with a timeout, taps stamped with a deadline by the
   server's clock), errors in plain words, and the live stream with its watchdog.
   Exposes window.KQ = {t, lang, loadTexts, api, ApiError, Live, clock, fmtWait}. No framework, no build step. */
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const lang = params.get("lang") || localStorage.getItem("kq_lang") || "zh_CN";
  if (params.get("lang")) localStorage.setItem("kq_lang", lang);
  let texts = {};

  function lookup(key) {
    let node = texts;
    for (const part of key.split(".")) node = node && typeof node === "object" ? node[part] : undefined;
    return typeof node === "string" ? node : undefined;
  }

  /** The text at a dotted key, with {name} placeholders filled; the key itself when missing. With
      ``n`` 1, the key's ``_one`` form where the language has one ("1 request", not "1 requests"). */
  function t(key, vars) {
    let s = (vars && vars.n === 1 && lookup(key + "_one")) || lookup(key) || key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split("{" + k + "}").join(String(v));
    return s;
  }
  const has = (key) => t(key) !== key;

  async function loadTexts() {
    const r = await fetch("/console/i18n.json?lang=" + encodeURIComponent(lang));
    const data = await r.json();
    texts = data.texts;
    document.documentElement.lang = data.language === "en" ? "en" : "zh-CN";
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  }

  /** The server's clock as this phone sees it (set from /me and every keep-alive): taps carry a deadline in it. */
  const clock = { offset: 0, set(iso) { const ms = Date.parse(iso); if (!isNaN(ms)) this.offset = ms - Date.now(); },
    now() { return Date.now() + this.offset; } };

  /** A 422's problems in words: "承诺时限：不能大于 365", never pydantic's English. */
  function invalidText(list) {
    return list.map((d) => {
      const field = [...(d.loc || [])].reverse().find((p) => typeof p === "string" && has("fields." + p));
      const c = d.ctx || {};
      const why = has("invalid." + d.type) ? t("invalid." + d.type, { le: c.le, ge: c.ge, lt: c.lt, gt: c.gt,
        min_length: c.min_length, max_length: c.max_length }) : t("invalid.other");
      return (field ? t("fields." + field) + t("punct.colon") : "") + why;
    }).join(t("punct.semi"));
  }

  class ApiError extends Error {
    constructor(status, body, kind) {
      body = body || {};
      let text;
      if (kind === "timeout") text = t("net.timeout");
      else if (status === 0) text = t("network_error");
      else if (status === 401) text = t("session.expired_plain");
      else if (body.code && has("errors." + body.code)) text = t("errors." + body.code, { ...body,
        state_word: has("state." + body.state) ? t("state." + body.state) : body.state });
      else if (Array.isArray(body.detail)) text = invalidText(body.detail);
      else if (typeof body.detail === "string") text = body.detail;
      else text = t("net.server_error", { status });
      super(text);
      this.status = status; this.body = body; this.kind = kind || "";
    }
  }

  /** JSON over fetch with the session cookie; throws ApiError (status 0 = network or timeout). Every call
      gives up after `timeout` ms; a state-changing one carries X-KQ-Not-After, so a tap the link held back
      is refused by the server instead of carried out after the helper was told it failed. A read the server
      slowed (429 reads_throttled: the session's read budget) is asked again after its Retry-After, twice at
      most, instead of failing. */
  async function api(method, path, body, timeout) {
    for (let tries = 1; ; tries++) {
      try { return await call(method, path, body, timeout); } catch (e) {
        if (method !== "GET" || e.status !== 429 || e.body.code !== "reads_throttled" || tries > 2) throw e;
        const s = Math.min(60, Math.max(1, Number(e.body.retry_after) || 5));
        window.KQ.backoffs = (window.KQ.backoffs || 0) + 1; // observable by tests
        await new Promise((done) => setTimeout(done, s * 1000 * (1 + Math.random() / 4)));
      }
    }
  }

  async function call(method, path, body, timeout) {
    const wait = timeout || 10000;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), wait);
    const headers = { "Content-Type": "application/json", "Accept-Language": lang === "en" ? "en" : "zh-CN" };
    if (method !== "GET") headers["X-KQ-Not-After"] = String(Math.round(clock.now() + wait));
    let r;
    try {
      r = await fetch("/api/v1" + path, { method, credentials: "same-origin", headers, signal: ctl.signal,
        body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, null, ctl.signal.aborted ? "timeout" : "network");
    } finally { clearTimeout(timer); }
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) throw new ApiError(r.status, data);
    return data;
  }

  /** The event types the server pushes (kiosk/queue/txn.py PUSHED_TYPES): requests and 代办 cases. */
  const PUSHED = ["request.created", "request.claimed", "request.arrived", "request.resolved", "request.converted",
    "request.released", "request.cancelled", "request.escalated", "request.note", "request.assigned", "case.registered", "case.started", "case.moved",
    "case.completed", "case.returned", "case.withdrawn", "case.cancelled", "case.due_soon", "case.overdue",
    "case.suspended", "case.resumed", "case.transfer_offered", "case.transferred", "case.transfer_declined"];

  /** Server-sent events from `after`, resuming after the last id seen. A watchdog calls the link dead when
      neither an event nor the server's keep-alive (`ping`, every `every` s) came for 3 beats, or when a
      connection does not open within OPEN_MS; then it reconnects (back-off ≤ 2.5 s). A silent Wi-Fi drop
      (no FIN, no RST) is noticed in ≤ 15 s; the list is whole again ≤ ~7 s after the link returns. */
  const OPEN_MS = 4000;
  class Live {
    constructor(onEvent, onState, onPing) {
      this.onEvent = onEvent; this.onState = onState; this.onPing = onPing || (() => {});
      this.lastId = 0; this.es = null; this.delay = 500; this.timer = null; this.stopped = true;
      this.every = 5; this.seen = 0; this.up = false; this.dog = null;
    }
    start(after) { this.lastId = after || 0; this.stopped = false; this.connect(); }
    state(up) { if (up !== this.up) { this.up = up; this.onState(up); } else if (!up) this.onState(false); }
    connect() {
      clearTimeout(this.timer);
      if (this.es) this.es.close();
      if (this.stopped) return;
      const es = new EventSource("/api/v1/events/stream?beat=1&after=" + this.lastId);
      this.es = es; this.seen = Date.now(); this.opened = false;
      const handle = (ev) => {
        this.seen = Date.now();
        if (ev.lastEventId) this.lastId = Math.max(this.lastId, parseInt(ev.lastEventId, 10) || 0);
        let data = {};
        try { data = JSON.parse(ev.data); } catch (e) { return; }
        if (ev.type === "ping") {
          this.every = Math.max(0.2, Number(data.every) || 5);
          if (data.now) clock.set(data.now);
          this.onPing(data);
          return;
        }
        this.onEvent(ev.type, data);
      };
      for (const type of [...PUSHED, "resync", "hello", "ping"]) es.addEventListener(type, handle);
      es.onopen = () => { this.seen = Date.now(); this.opened = true; this.delay = 500; this.state(true); };
      es.onerror = () => this.retry(es);
      clearInterval(this.dog);
      this.dog = setInterval(() => this.watch(es), 1000);
    }
    watch(es) {
      if (es !== this.es || this.stopped) return;
      const quiet = Date.now() - this.seen;
      if (quiet > (this.opened ? Math.max(3 * this.every * 1000, 4000) : OPEN_MS)) this.retry(es);
    }
    retry(es) {
      if (es !== this.es) return;
      es.close();
      if (this.stopped) return;
      this.state(false);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.connect(), this.delay * (0.75 + Math.random() / 2));
      this.delay = Math.min(this.delay * 2, 2500);
    }
    /** The phone says it is offline: down now (and retrying), not after the watchdog's wait. */
    drop() { if (this.es) this.retry(this.es); }
    /** The phone woke up or came back online: check now instead of waiting for the watchdog. */
    nudge() {
      if (this.stopped) return;
      if (!this.up || Date.now() - this.seen > 1.5 * this.every * 1000) { this.delay = 500; this.connect(); }
    }
    stop() {
      this.stopped = true; clearTimeout(this.timer); clearInterval(this.dog);
      if (this.es) this.es.close();
      this.es = null; this.up = false;
    }
  }

  function fmtWait(s) {
    s = Math.max(0, Math.floor(s));
    if (s < 60) return t("seconds", { s });
    if (s < 3600) return t("minutes", { m: Math.floor(s / 60), s: s % 60 });
    if (s < 2 * 86400) return t("hours", { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
    return t("days", { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600) }); // not "215小时44分"
  }

  window.KQ = { t, has, lang, loadTexts, api, ApiError, Live, clock, fmtWait, rings: 0 };
})();
