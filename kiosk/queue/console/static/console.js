/* The console's frame: login, the app's state S, the header's link status, tabs, sheets and toasts, and the
   wiring of the live stream to the queue (queue.js), the session (session.js) and "我的" (me.js).
   Text only via textContent: no HTML injection. */
"use strict";
(function () {
  const { t, api, Live, Alerts } = window.KQ;
  const $ = (id) => document.getElementById(id);
  const S = { me: null, items: new Map(), since: new Map(), fresh: new Set(), identity: new Map(), notes: new Map(),
    busy: new Set(), open: new Set(), sites: new Map(), site: "", tab: "queue", seg: "requests", kiosks: [], staff: [],
    timer: null, mgrTimer: null, up: false, linked: false };
  const live = new Live((type, data) => onEvent(type, data), (up) => onConn(up), (ping) => window.KQ.session.ping(ping));
  window.KQ.live = live; // for diagnostics and tests
  window.KQ.S = S;

  /** h("div", {class: "x", onclick: f}, "text", child…) → element */
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false)
      el.append(kid instanceof Node ? kid : String(kid));
    return el;
  }

  /** A short word on what a tap did, over the header for 2.5 s (5 s when it went wrong), and read out:
      politely, or at once when it went wrong. */
  function toast(text, bad) {
    const el = $("toast");
    (window.KQ.toasts = window.KQ.toasts || []).push(text); // observable by tests
    el.textContent = text; el.className = "toast" + (bad ? " bad" : ""); el.hidden = false;
    const say = $(bad ? "say-alert" : "say");
    say.textContent = ""; // the same words twice are read twice
    setTimeout(() => { say.textContent = text; }, 50);
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, bad ? 5000 : 2500);
  }

  const siteName = (code) => (code && S.sites.get(code)) || code || "";

  // ---- login ------------------------------------------------------------------------------------------
  function showLogin(message) {
    live.stop(); clearInterval(S.timer); clearInterval(S.mgrTimer);
    Alerts.stopRinging(); Alerts.keepAwake(false);
    S.me = null; S.items.clear(); S.linked = false;
    $("boot").hidden = true; $("app").hidden = true; $("login").hidden = false;
    $("login-title").textContent = t("login_title");
    const err = $("login-error");
    err.hidden = !message; err.textContent = message || "";
    document.title = t("title");
  }

  async function onLogin(ev) {
    ev.preventDefault();
    Alerts.unlock(); // the tap on 登录 is the gesture browsers need before any sound
    const btn = ev.target.querySelector("button[type=submit]");
    btn.disabled = true;
    try {
      const res = await api("POST", "/auth/login", { username: $("username").value.trim(), password: $("password").value });
      $("password").value = "";
      S.me = res.user;
      await showApp();
    } catch (e) {
      showLogin(e.status === 401 ? t("bad_login") : e.message || t("login_failed"));
    } finally { btn.disabled = false; }
  }

  async function showApp() {
    $("boot").hidden = true; $("login").hidden = true; $("app").hidden = false;
    const manager = S.me.role !== "helper";
    $("app-title").textContent = t("title");
    $("me-name").textContent = `${S.me.display_name} · ${t("role." + S.me.role)}`;
    $("tab-manage").hidden = !manager;
    window.KQ.session.set(S.me);
    try { for (const s of await api("GET", "/sites")) S.sites.set(s.code, s.name); } catch (e) { /* codes shown then */ }
    window.KQ.me.duty();
    window.KQ.cases.badge();
    await reload();
    clearInterval(S.timer);
    S.timer = setInterval(() => window.KQ.queue.tick(), 1000);
  }

  /** The whole list again (login, resync, a link that came back), then the stream from its last event. */
  async function reload() {
    // the stream waits while the list is read: an event drawn meanwhile would be wiped by the older list
    const after = live.lastId;
    live.stop();
    let data;
    try { data = await api("GET", "/requests"); } catch (e) { if (S.me) live.start(after); throw e; }
    if (!S.me) return; // logged out meanwhile
    S.items.clear(); S.since.clear(); S.notes.clear();
    for (const r of data.items) { window.KQ.queue.upsert(r); for (const n of r.notes || []) window.KQ.queue.addNote(r.id, n); }
    window.KQ.queue.render();
    live.start(data.last_event_id);
  }

  function onConn(up) {
    const was = S.up;
    S.up = up;
    const el = $("conn");
    el.className = "conn" + (up ? "" : " off");
    el.textContent = up ? t("live") : t("net.down");
    $("offline").hidden = up;
    $("offline").textContent = t("net.down_bar");
    document.body.classList.toggle("offline", !up);
    if (!up) api("GET", "/me", undefined, 8000).catch((e) => { if (e.status === 401) window.KQ.session.expired(); });
    // a link back after a drop (not the stream's first opening: the list was just read): say what became of
    // the taps that timed out. Rechecking on the first opening read the list twice, and the second, older
    // than a call the stream had just drawn, wiped that call off the screen until the stream replayed it.
    if (up && !was && S.me && S.linked) window.KQ.queue.recheck();
    if (up) S.linked = true;
    window.KQ.queue.render();
  }

  function onEvent(type, data) {
    if (type === "resync") { reload().catch(() => {}); window.KQ.cases.changed(type, null); return; }
    if (type.startsWith("case.")) { window.KQ.cases.changed(type, data.case); return; }
    window.KQ.queue.event(type, data);
  }

  // ---- sheets -------------------------------------------------------------------------------------
  function sheet(title, ...content) {
    $("sheet-title").textContent = title;
    $("sheet-body").replaceChildren(...content);
    $("sheet-back").hidden = false;
    $("toast").hidden = true;
    $("sheet").hidden = false;
  }
  const closeSheet = () => { $("sheet").hidden = true; };

  // ---- managers' lists ------------------------------------------------------------------------------
  async function loadManage() {
    try {
      [S.kiosks, S.staff] = await Promise.all([api("GET", "/kiosks"), api("GET", "/staff")]);
    } catch (e) { if (e.status === 401) return window.KQ.session.expired(); }
    window.KQ.queue.renderManage();
  }

  function setTab(tab) {
    S.tab = tab;
    document.querySelectorAll("[data-tab]").forEach((b) => b.classList.toggle("on", b.dataset.tab === tab));
    for (const v of ["queue", "manage", "cases", "me"]) $("view-" + v).hidden = tab !== v;
    clearInterval(S.mgrTimer);
    if (tab === "manage") { loadManage(); S.mgrTimer = setInterval(loadManage, 15000); }
    if (tab === "cases") window.KQ.cases.show();
    if (tab === "me") window.KQ.me.show();
    window.KQ.queue.render(); // the banner and 认领下一个 belong to the queue's screen
    window.scrollTo(0, 0);
  }

  // shared with queue.js, cases.js, me.js, session.js and the managers' pages
  window.KQ.ui = { h, toast, sheet, closeSheet, me: () => S.me, setMe: (m) => { S.me = m; }, setTab, showLogin, showApp,
    reload, siteName, live, S, loadManage };

  // ---- wiring -------------------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", async () => {
    $("login-form").addEventListener("submit", onLogin);
    $("sheet-back").addEventListener("click", closeSheet);
    $("sheet").addEventListener("click", (e) => { if (e.target.id === "sheet" && !$("sheet-back").hidden) closeSheet(); });
    document.addEventListener("pointerdown", () => {
      if (Alerts.ready() || !Alerts.prefs.on) return;
      Alerts.unlock();
      setTimeout(() => window.KQ.me.soundBar(), 150);
    }, { passive: true });
    // a phone that wakes up or gets its Wi-Fi back checks the link at once
    window.addEventListener("online", () => live.nudge());
    window.addEventListener("offline", () => live.drop());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState !== "visible" || !S.me) return;
      live.nudge();
      api("GET", "/me", undefined, 8000).then((m) => window.KQ.session.set(m))
        .catch((e) => { if (e.status === 401) window.KQ.session.expired(); });
    });
    document.querySelectorAll("[data-tab]").forEach((b) => b.addEventListener("click", () => setTab(b.dataset.tab)));
    document.querySelectorAll("[data-seg]").forEach((b) => b.addEventListener("click", () => {
      S.seg = b.dataset.seg; window.KQ.queue.renderManage();
    }));
    const me = api("GET", "/me"); // asked at once, beside the texts: one round trip less on a slow link
    me.catch(() => {});
    try { await window.KQ.loadTexts(); } catch (e) { /* the page's own Chinese stays */ }
    try {
      S.me = await me;
      await showApp();
    } catch (e) {
      showLogin(e.status === 401 || e.status === 403 ? "" : e.message);
    }
    // the app's shell is kept for next time once this screen is up (not competing with it on a slow link)
    if ("serviceWorker" in navigator && window.isSecureContext) navigator.serviceWorker.register("/console/sw.js").catch(() => {});
  });
})();
