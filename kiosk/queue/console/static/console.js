/* The console's screens: login, the live queue (mine / waiting / taken), and the managers' views.
   State lives in S; every change re-renders the small list (text only via textContent: no HTML injection). */
"use strict";
(function () {
  const { t, api, Live, Alerts, fmtWait } = window.KQ;
  const $ = (id) => document.getElementById(id);
  const RANK = { green: 0, elderly: 1, disabled: 1, normal: 2 };
  const OPEN = new Set(["waiting", "claimed", "arrived"]);
  const S = { me: null, items: new Map(), since: new Map(), fresh: new Set(), identity: new Map(), notes: new Map(),
    tab: "queue", seg: "requests", kiosks: [], staff: [], timer: null, mgrTimer: null };
  const live = new Live(onEvent, onConn);
  window.KQ.live = live; // for diagnostics and tests

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

  function toast(text, bad) {
    const el = $("toast");
    el.textContent = text; el.className = "toast" + (bad ? " bad" : ""); el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, bad ? 4000 : 2500);
  }

  // ---- login and session ------------------------------------------------------------------------
  function showLogin(message) {
    live.stop(); clearInterval(S.timer); clearInterval(S.mgrTimer);
    S.me = null; S.items.clear();
    $("app").hidden = true; $("login").hidden = false;
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
      showLogin(e.message || t("login_failed"));
    } finally { btn.disabled = false; }
  }

  async function showApp() {
    $("login").hidden = true; $("app").hidden = false;
    const manager = S.me.role !== "helper";
    $("app-title").textContent = t("title");
    $("me-name").textContent = `${S.me.display_name} · ${t("role." + S.me.role)}`;
    $("tab-manage").hidden = !manager;
    renderDuty();
    window.KQ.cases.badge();
    $("sound").hidden = Alerts.ready();
    await reload();
    clearInterval(S.timer);
    S.timer = setInterval(tick, 1000);
  }

  async function reload() {
    const data = await api("GET", "/requests");
    S.items.clear(); S.since.clear(); S.notes.clear();
    for (const r of data.items) { upsert(r); for (const n of r.notes || []) addNote(r.id, n); }
    render();
    live.start(data.last_event_id);
  }

  function onConn(up) {
    const el = $("conn");
    el.className = "conn" + (up ? "" : " off");
    el.textContent = up ? t("live") : t("reconnecting");
    if (!up) api("GET", "/me").catch((e) => { if (e.status === 401) showLogin(); });
  }

  function renderDuty() {
    const b = $("duty");
    b.textContent = S.me.on_duty ? t("on_duty") : t("off_duty");
    b.className = "chip" + (S.me.on_duty ? "" : " off");
  }

  // ---- data ---------------------------------------------------------------------------------------
  function upsert(r) {
    const old = S.items.get(r.id);
    if (old && old.version > r.version) return false;
    if (!OPEN.has(r.state)) { S.items.delete(r.id); S.identity.delete(r.id); S.notes.delete(r.id); return !!old; }
    S.items.set(r.id, r);
    S.since.set(r.id, Date.now() / 1000 - r.wait_s); // waits tick locally from the server's figure
    return !old;
  }

  /** Keeps a kiosk's note (kept apart from the request: other events carry the request without notes). */
  function addNote(id, n) {
    const list = S.notes.get(id) || [];
    if (!list.some((x) => x.id === n.id)) list.push(n);
    S.notes.set(id, list);
  }

  function onEvent(type, data) {
    if (type === "resync") { reload(); window.KQ.cases.changed(type, null); return; }
    if (type.startsWith("case.")) { window.KQ.cases.changed(type, data.case); return; }
    if (!data.request) return;
    const isNew = upsert(data.request);
    const r = data.request;
    if (type === "request.created" && isNew && r.state === "waiting") {
      S.fresh.add(r.id); Alerts.ring(false);
    } else if (type === "request.escalated" && r.state === "waiting") {
      S.fresh.add(r.id); Alerts.ring(true);
    } else if (type === "request.note" && data.note && S.items.has(r.id)) {
      addNote(r.id, data.note); S.fresh.add(r.id);
    }
    render();
    if (S.tab === "manage") renderManage();
  }

  const fmtTime = (iso) => { const d = new Date(iso); return isNaN(d) ? "" : d.toTimeString().slice(0, 5); };
  const mine = (r) => S.me && r.claimed_by && r.claimed_by.id === S.me.id && r.state !== "waiting";
  const byQueue = (a, b) => (RANK[a.priority] ?? 2) - (RANK[b.priority] ?? 2) || a.created_at.localeCompare(b.created_at);
  const waitOf = (r) => (r.state === "waiting" ? Date.now() / 1000 - S.since.get(r.id) : r.wait_s);

  // ---- the queue ----------------------------------------------------------------------------------
  function render() {
    const all = [...S.items.values()];
    const own = all.filter(mine).sort((a, b) => (a.claimed_at || "").localeCompare(b.claimed_at || ""));
    const waiting = all.filter((r) => r.state === "waiting").sort(byQueue);
    const others = all.filter((r) => r.state !== "waiting" && !mine(r)).sort(byQueue);
    const list = $("queue");
    list.replaceChildren();
    if (!all.length) list.append(h("p", { class: "empty" }, t("empty")));
    for (const [title, rows] of [["mine", own], ["waiting", waiting], ["others", others]]) {
      if (!rows.length) continue;
      list.append(h("h2", {}, `${t(title)} · ${rows.length}`));
      for (const r of rows) list.append(card(r));
    }
    const badge = $("badge");
    badge.hidden = !waiting.length; badge.textContent = waiting.length;
    document.title = (waiting.length ? `(${waiting.length}) ` : "") + t("title");
    setTimeout(() => S.fresh.clear(), 3000);
  }

  function card(r) {
    const me = mine(r), other = r.state !== "waiting" && !me;
    const cls = ["card", r.state, me ? "mine" : "", other ? "other" : "", r.escalation_level ? "escalated" : "",
      S.fresh.has(r.id) ? "fresh" : ""].filter(Boolean).join(" ");
    const el = h("article", { class: cls, "data-id": r.id, "data-state": r.state },
      h("div", { class: "head" },
        r.priority !== "normal" ? h("span", { class: "badge-p " + r.priority }, t("priority." + r.priority)) : null,
        r.escalation_level ? h("span", { class: "badge-p esc" }, t(r.escalation_level > 1 ? "escalated_up" : "escalated")) : null,
        h("span", { class: "kind" }, t("kind." + r.kind)),
        r.ticket_no ? h("span", { class: "tno" }, r.ticket_no) : null,
        h("span", { class: "wait", "data-wait": r.id }, t("wait", { time: fmtWait(waitOf(r)) }))),
      h("div", { class: "where" }, `${r.kiosk_location || t("kiosk_unknown")} · ${r.kiosk_id}`),
      h("div", { class: "line" + (r.matter_name ? "" : " muted") }, r.matter_name || t("no_matter")),
      h("div", { class: "line muted" }, t("at_step", { step: t("step." + r.step) })),
      h("div", { class: "line muted" }, r.resident_masked || t("no_identity")),
      window.KQ.materials ? window.KQ.materials(r, h) : null,
      r.note ? h("div", { class: "line" }, t("note", { text: r.note })) : null,
      (S.notes.get(r.id) || []).map((n) => h("div", { class: "line knote", "data-note": n.id },
        t("kiosk_note", { time: fmtTime(n.created_at), text: n.text }))),
      other ? h("div", { class: "state" }, `${t("served_by", { name: r.claimed_by ? r.claimed_by.display_name : "?" })} · ${t("state." + r.state)}`) : null,
      me ? h("div", { class: "state" }, t("state." + r.state)) : null,
      me && r.has_identity ? identityBox(r) : null,
      actions(r, me, other));
    return el;
  }

  function identityBox(r) {
    const id = S.identity.get(r.id);
    if (!id) return h("div", { class: "row" }, h("button", { class: "btn ghost", "data-act": "identity", onclick: () => showIdentity(r) }, t("show_identity")));
    return h("div", { class: "identity" },
      h("div", { class: "big" }, id.name), h("div", { class: "big" }, id.id_number),
      h("div", { class: "muted" }, t("identity_note")),
      h("div", { class: "row" }, h("button", { class: "btn ghost", onclick: () => { S.identity.delete(r.id); render(); } }, t("hide_identity"))));
  }

  function actions(r, me, other) {
    const b = (act, cls, label, fn) => h("button", { class: "btn " + cls, type: "button", "data-act": act, onclick: fn }, label);
    const manager = S.me.role !== "helper";
    if (r.state === "waiting") return h("div", {},
      h("div", { class: "row" }, b("claim", "primary big", t("claim"), () => act(r, "claim"))),
      h("div", { class: "row" }, b("cancel", "ghost", t("cancel"), () => cancelSheet(r))));
    if (me && r.state === "claimed") return h("div", {},
      h("div", { class: "row" }, b("arrive", "ok big", t("arrive"), () => act(r, "arrive"))),
      h("div", { class: "row" }, b("release", "ghost", t("release"), () => releaseSheet(r)), b("cancel", "ghost", t("cancel"), () => cancelSheet(r))));
    if (me && r.state === "arrived") return h("div", {},
      h("div", { class: "row" }, b("resolve-window", "ok big", t("resolve_window"), () => act(r, "resolve", { outcome: "led_to_window" })),
        b("resolve-answered", "ok big", t("resolve_answered"), () => act(r, "resolve", { outcome: "answered" }))),
      h("div", { class: "row" }, b("convert", "primary", t("convert"), () => window.KQ.cases.register(r))),
      h("div", { class: "row" }, b("release", "ghost", t("release"), () => releaseSheet(r)), b("cancel", "ghost", t("cancel"), () => cancelSheet(r))));
    if (other && manager) return h("div", { class: "row" },
      b("release", "ghost", t("release"), () => releaseSheet(r)), b("cancel", "ghost", t("cancel"), () => cancelSheet(r)));
    return null;
  }

  async function act(r, action, body) {
    try {
      const view = await api("POST", `/requests/${encodeURIComponent(r.id)}/${action}`, body);
      upsert(view);
      if (!OPEN.has(view.state)) S.identity.delete(view.id);
      render();
      const done = { claim: t("done_claimed", { where: view.kiosk_location || view.kiosk_id }), release: t("done_released"),
        resolve: t("done_resolved"), cancel: t("done_cancelled"), convert: t("done_converted", { case: view.case_id || "" }) }[action];
      if (done) toast(done);
    } catch (e) {
      toast(e.message, true);
      if (e.status === 401) return showLogin();
      if (e.status === 409 || e.status === 403 || e.status === 404) refreshOne(r.id);
    }
  }

  async function refreshOne(id) {
    try { upsert(await api("GET", `/requests/${encodeURIComponent(id)}`)); } catch (e) { S.items.delete(id); }
    render();
  }

  async function showIdentity(r) {
    try {
      S.identity.set(r.id, await api("GET", `/requests/${encodeURIComponent(r.id)}/identity`));
      render();
      setTimeout(() => { if (S.identity.delete(r.id)) render(); }, 60000); // never left on screen
    } catch (e) { toast(e.message, true); }
  }

  // ---- sheets -------------------------------------------------------------------------------------
  function sheet(title, ...content) {
    $("sheet-title").textContent = title;
    $("sheet-body").replaceChildren(...content);
    $("toast").hidden = true;
    $("sheet").hidden = false;
  }
  const closeSheet = () => { $("sheet").hidden = true; };

  function cancelSheet(r) {
    const note = h("textarea", { maxlength: "200", placeholder: t("note_placeholder") });
    const pick = (reason) => { closeSheet(); act(r, "cancel", { reason, note: note.value.trim() || null }); };
    sheet(t("cancel_title"), ...["resident_left", "duplicate", "other"].map((reason) =>
      h("button", { class: "btn big " + (reason === "resident_left" ? "warn" : "ghost"), "data-reason": reason, onclick: () => pick(reason) },
        t("reason." + reason))), note);
  }

  function releaseSheet(r) {
    sheet(t("release_title"), h("button", { class: "btn big primary", "data-act": "confirm-release",
      onclick: () => { closeSheet(); act(r, "release", {}); } }, t("confirm")));
  }

  // ---- managers -----------------------------------------------------------------------------------
  async function loadManage() {
    try {
      [S.kiosks, S.staff] = await Promise.all([api("GET", "/kiosks"), api("GET", "/staff")]);
    } catch (e) { if (e.status === 401) return showLogin(); }
    renderManage();
  }

  function renderManage() {
    const box = $("manage");
    box.replaceChildren();
    document.querySelectorAll("[data-seg]").forEach((b) => b.classList.toggle("on", b.dataset.seg === S.seg));
    const all = [...S.items.values()];
    const waiting = all.filter((r) => r.state === "waiting");
    const longest = waiting.reduce((m, r) => Math.max(m, waitOf(r)), 0);
    $("summary").textContent = t("summary", { waiting: waiting.length, active: all.length - waiting.length, longest: fmtWait(longest) });
    if (S.seg === "requests") {
      all.sort((a, b) => waitOf(b) - waitOf(a)).forEach((r) => box.append(card(r)));
      if (!all.length) box.append(h("p", { class: "empty" }, t("empty")));
    } else if (S.seg === "figures") {
      window.KQ.figures.render(box);
    } else if (S.seg === "kiosks") {
      if (!S.kiosks.length) box.append(h("p", { class: "empty" }, t("no_kiosks")));
      for (const k of S.kiosks) box.append(kioskCard(k));
    } else {
      const on = S.staff.filter((u) => u.on_duty).length;
      box.append(h("h2", {}, t("helpers_on_duty", { n: on })));
      if (!S.staff.length) box.append(h("p", { class: "empty" }, t("no_staff")));
      for (const u of S.staff) box.append(h("article", { class: "card" + (u.on_duty ? " mine" : " other") },
        h("div", { class: "head" }, h("span", { class: "kind" }, u.display_name), h("span", { class: "muted" }, t("role." + u.role)),
          h("span", { class: "wait " + (u.on_duty ? "duty-on" : "muted") }, u.on_duty ? t("on_duty") : t("off_duty"))),
        h("div", { class: "line muted" }, `${u.sites.join("、")} · ${t("holding", { n: u.active_requests.length })}` +
          (u.last_seen_at ? ` · ${t("last_seen", { ago: fmtWait(Date.now() / 1000 - Date.parse(u.last_seen_at) / 1000) })}` : ""))));
    }
  }

  function kioskCard(k) {
    const probs = k.problems.map((p) => {
      const [dev, ...st] = p.split("_");
      const label = t("problem." + p) !== "problem." + p ? t("problem." + p) : `${t("device." + dev)} ${t("device_state." + st.join("_"))}`;
      return h("span", { class: "prob" }, label);
    });
    return h("article", { class: "card" + (k.problems.length ? " escalated" : "") },
      h("div", { class: "head" }, h("span", { class: "kind" }, k.kiosk_id), h("span", { class: "muted" }, k.site_code)),
      h("div", { class: "where" }, k.location || t("kiosk_unknown")),
      h("div", { class: "line muted" }, k.last_seen_at ? t("last_seen", { ago: fmtWait(Date.now() / 1000 - Date.parse(k.last_seen_at) / 1000) }) : t("never_seen"),
        k.outbox_pending ? ` · ${t("outbox_pending", { n: k.outbox_pending })}` : ""),
      h("div", { class: "probs" }, probs.length ? probs : h("span", { class: "okchip" }, t("all_ok")),
        ...k.devices.map((d) => h("span", { class: "dev" + (d.state === "error" || d.state === "disconnected" ? " bad" : "") },
          `${t("device." + d.device)} ${t("device_state." + d.state)}${d.reason ? "：" + d.reason : ""}`))));
  }

  function tick() {
    document.querySelectorAll("[data-wait]").forEach((el) => {
      const r = S.items.get(el.dataset.wait);
      if (r) el.textContent = t("wait", { time: fmtWait(waitOf(r)) });
    });
  }

  function setTab(tab) {
    S.tab = tab;
    document.querySelectorAll("[data-tab]").forEach((b) => b.classList.toggle("on", b.dataset.tab === tab));
    $("view-queue").hidden = tab !== "queue"; $("view-manage").hidden = tab !== "manage";
    $("view-cases").hidden = tab !== "cases";
    clearInterval(S.mgrTimer);
    if (tab === "manage") { loadManage(); S.mgrTimer = setInterval(loadManage, 15000); }
    if (tab === "cases") window.KQ.cases.show();
  }

  // shared with cases.js (the 代办台账 view)
  window.KQ.ui = { h, toast, sheet, closeSheet, me: () => S.me, setTab, showLogin };

  // ---- wiring -------------------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", async () => {
    $("login-form").addEventListener("submit", onLogin);
    $("sheet-back").addEventListener("click", closeSheet);
    $("sheet").addEventListener("click", (e) => { if (e.target.id === "sheet") closeSheet(); });
    $("sound").addEventListener("click", () => { Alerts.unlock(); setTimeout(() => { $("sound").hidden = Alerts.ready(); }, 100); });
    document.addEventListener("pointerdown", () => {
      if (Alerts.ready()) return;
      Alerts.unlock();
      setTimeout(() => { $("sound").hidden = Alerts.ready(); }, 100);
    }, { passive: true });
    $("logout").addEventListener("click", async () => { try { await api("POST", "/auth/logout"); } catch (e) { /* gone anyway */ } showLogin(); });
    $("duty").addEventListener("click", async () => {
      try { S.me = await api("PUT", "/me/duty", { on_duty: !S.me.on_duty }); renderDuty(); } catch (e) { toast(e.message, true); }
    });
    document.querySelectorAll("[data-tab]").forEach((b) => b.addEventListener("click", () => setTab(b.dataset.tab)));
    document.querySelectorAll("[data-seg]").forEach((b) => b.addEventListener("click", () => { S.seg = b.dataset.seg; renderManage(); }));
    await window.KQ.loadTexts();
    try {
      S.me = await api("GET", "/me");
      await showApp();
    } catch (e) {
      showLogin(e.status === 401 || e.status === 403 ? "" : e.message);
    }
  });
})();
