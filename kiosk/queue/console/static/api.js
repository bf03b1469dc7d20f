/* The console's plumbing: texts, the /api/v1 calls, the live stream with catch-up, and alerts.
   Exposes window.KQ = {t, lang, loadTexts, api, Live, Alerts, fmtWait}. No framework, no build step. */
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const lang = params.get("lang") || localStorage.getItem("kq_lang") || "zh_CN";
  if (params.get("lang")) localStorage.setItem("kq_lang", lang);
  let texts = {};

  /** The text at a dotted key, with {name} placeholders filled; the key itself when missing. */
  function t(key, vars) {
    let node = texts;
    for (const part of key.split(".")) node = node && typeof node === "object" ? node[part] : undefined;
    let s = typeof node === "string" ? node : key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split("{" + k + "}").join(String(v));
    return s;
  }

  async function loadTexts() {
    const r = await fetch("/console/i18n.json?lang=" + encodeURIComponent(lang));
    const data = await r.json();
    texts = data.texts;
    document.documentElement.lang = data.language === "en" ? "en" : "zh-CN";
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  }

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.detail && typeof body.detail === "string") ? body.detail : t("network_error"));
      this.status = status; this.body = body || {};
    }
  }

  /** JSON over fetch with the session cookie; throws ApiError (status 0 = network). */
  async function api(method, path, body) {
    let r;
    try {
      r = await fetch("/api/v1" + path, {
        method, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept-Language": lang === "en" ? "en" : "zh-CN" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, null);
    }
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) {
      if (Array.isArray(data && data.detail)) data.detail = data.detail.map((d) => d.msg).join("; ");
      throw new ApiError(r.status, data);
    }
    return data;
  }

  /** The event types the server pushes (kiosk/queue/txn.py PUSHED_TYPES): requests and 代办 cases. */
  const PUSHED = ["request.created", "request.claimed", "request.arrived", "request.resolved", "request.converted",
    "request.released", "request.cancelled", "request.escalated", "request.note", "case.registered", "case.started", "case.moved",
    "case.completed", "case.returned", "case.withdrawn", "case.cancelled", "case.due_soon", "case.overdue"];

  /** Server-sent events from `after`, reconnecting with back-off and resuming after the last id seen. */
  class Live {
    constructor(onEvent, onState) {
      this.onEvent = onEvent; this.onState = onState;
      this.lastId = 0; this.es = null; this.delay = 500; this.timer = null; this.stopped = false;
    }
    start(after) { this.lastId = after || 0; this.stopped = false; this.connect(); }
    connect() {
      clearTimeout(this.timer);
      if (this.es) this.es.close();
      const es = new EventSource("/api/v1/events/stream?after=" + this.lastId);
      this.es = es;
      const handle = (ev) => {
        if (ev.lastEventId) this.lastId = Math.max(this.lastId, parseInt(ev.lastEventId, 10) || 0);
        let data = {};
        try { data = JSON.parse(ev.data); } catch (e) { return; }
        this.onEvent(ev.type, data);
      };
      for (const type of [...PUSHED, "resync", "hello"]) {
        es.addEventListener(type, handle);
      }
      es.onopen = () => { this.delay = 500; this.onState(true); };
      es.onerror = () => {
        es.close();
        if (this.stopped) return;
        this.onState(false);
        this.timer = setTimeout(() => this.connect(), this.delay * (0.75 + Math.random() / 2));
        this.delay = Math.min(this.delay * 2, 15000);
      };
    }
    stop() { this.stopped = true; clearTimeout(this.timer); if (this.es) this.es.close(); this.es = null; }
  }

  /** A beep (WebAudio) and a vibration; browsers allow sound only after a tap, so unlock() on one. */
  const Alerts = {
    ctx: null,
    unlock() {
      try {
        const AC = window.AudioContext || window.webkitAudioContext;
        if (!AC) return true;
        if (!this.ctx) this.ctx = new AC();
        if (this.ctx.state === "suspended") this.ctx.resume();
        return this.ctx.state !== "suspended";
      } catch (e) { return false; }
    },
    ready() { return !!this.ctx && this.ctx.state === "running"; },
    ring(urgent) {
      window.KQ.rings = (window.KQ.rings || 0) + 1; // observable by tests
      if (navigator.vibrate) navigator.vibrate(urgent ? [300, 120, 300, 120, 300] : [200, 100, 200]);
      if (!this.ready()) return;
      const now = this.ctx.currentTime;
      const tones = urgent ? [988, 784, 988] : [880, 1175];
      tones.forEach((f, i) => {
        const o = this.ctx.createOscillator(), g = this.ctx.createGain();
        o.type = "sine"; o.frequency.value = f;
        g.gain.setValueAtTime(0.0001, now + i * 0.2);
        g.gain.exponentialRampToValueAtTime(0.35, now + i * 0.2 + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.2 + 0.18);
        o.connect(g).connect(this.ctx.destination);
        o.start(now + i * 0.2); o.stop(now + i * 0.2 + 0.2);
      });
    },
  };

  function fmtWait(s) {
    s = Math.max(0, Math.floor(s));
    if (s < 60) return t("seconds", { s });
    if (s < 3600) return t("minutes", { m: Math.floor(s / 60), s: s % 60 });
    return t("hours", { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  }

  window.KQ = { t, lang, loadTexts, api, ApiError, Live, Alerts, fmtWait, rings: 0 };
})();
