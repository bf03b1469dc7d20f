/* The live queue: compact cards (mine / waiting / taken), the new-call banner with 认领, 认领下一个, the site
   filter, and the actions — one call at a time per request, buttons disabled while it is in flight, none
   sent while the link is down, a timed-out tap checked again when the link returns. Also the managers'
   lists (calls, kiosks, staff). Uses KQ.ui (console.js); text only via textContent. */
"use strict";
(function () {
  const { t, api, Alerts, fmtWait, clock } = window.KQ;
  const $ = (id) => document.getElementById(id);
  const ui = () => window.KQ.ui;
  const S = window.KQ.S;
  const RANK = { after_hours: -1, green: 0, elderly: 1, disabled: 1, normal: 2 };
  const OPEN = new Set(["waiting", "claimed", "arrived"]);
  const doubtful = new Map(); // request id → action whose answer never came (timeout / link down)

  function upsert(r) {
    const old = S.items.get(r.id);
    if (old && old.version > r.version) return false;
    if (!OPEN.has(r.state)) { S.items.delete(r.id); S.identity.delete(r.id); S.notes.delete(r.id); return !!old; }
    S.items.set(r.id, r);
    S.since.set(r.id, Date.now() / 1000 - r.wait_s); // waits tick locally from the server's figure
    return !old;
  }

  function addNote(id, n) {
    const list = S.notes.get(id) || [];
    if (!list.some((x) => x.id === n.id)) list.push(n);
    S.notes.set(id, list);
  }

  const onDuty = () => !!(S.me && S.me.on_duty);
  const mine = (r) => S.me && r.claimed_by && r.claimed_by.id === S.me.id && r.state !== "waiting";
  const inSite = (r) => !S.site || r.site_code === S.site || r.escalated_to === S.site;
  const byQueue = (a, b) => (RANK[a.priority] ?? 2) - (RANK[b.priority] ?? 2) || a.created_at.localeCompare(b.created_at);
  const waitOf = (r) => (r.state === "waiting" ? Date.now() / 1000 - S.since.get(r.id) : r.wait_s);
  const heldFor = (r) => Math.max(0, (clock.now() - Date.parse(r.claimed_at || r.updated_at)) / 1000);
  const fmtTime = (iso) => { const d = new Date(iso); return isNaN(d) ? "" : d.toTimeString().slice(0, 5); };
  const waiting = () => [...S.items.values()].filter((r) => r.state === "waiting" && inSite(r)).sort(byQueue);
  /** "urgent" / true while a call waits that should keep ringing (on duty only), else false. */
  const pending = () => {
    if (!onDuty()) return false;
    const w = waiting();
    return w.length ? (w.some((r) => r.escalation_level) ? "urgent" : true) : false;
  };

  function event(type, data) {
    if (!data.request) return;
    const isNew = upsert(data.request);
    const r = data.request;
    if (type === "request.created" && isNew && r.state === "waiting") {
      S.fresh.add(r.id); S.banner = r.id;
      if (onDuty()) { Alerts.ring(false); Alerts.keepRinging(pending); }
    } else if (type === "request.escalated" && r.state === "waiting") {
      S.fresh.add(r.id); S.banner = r.id;
      if (onDuty()) { Alerts.ring(true); Alerts.keepRinging(pending); }
    } else if (type === "request.assigned" && mine(r) && data.actor !== "user:" + S.me.username) {
      S.fresh.add(r.id); ui().toast(t("handover.to_me", { ticket: r.ticket_no || t("kind." + r.kind) }));
      if (onDuty()) Alerts.ring(false);
    } else if (type === "request.note" && data.note && S.items.has(r.id)) {
      addNote(r.id, data.note); S.fresh.add(r.id);
    }
    render();
    if (S.tab === "manage") window.KQ.manage.onEvent();
  }

  // ---- rendering ----------------------------------------------------------------------------------
  function render() {
    if (!S.me) return;
    const all = [...S.items.values()].filter(inSite);
    const own = all.filter(mine).sort((a, b) => (a.claimed_at || "").localeCompare(b.claimed_at || ""));
    const wait = all.filter((r) => r.state === "waiting").sort(byQueue);
    const others = all.filter((r) => r.state !== "waiting" && !mine(r)).sort(byQueue);
    const { h } = ui();
    const list = $("queue"), next = $("claim-next");
    // while she holds a call, 认领下一个 heads the waiting ones instead of floating over her own card's buttons
    const inline = own.length > 0;
    next.classList.toggle("inline", inline);
    list.replaceChildren();
    if (!all.length) list.append(h("p", { class: "empty" }, t("empty")));
    for (const [title, rows] of [["mine", own], ["waiting", wait], ["others", others]]) {
      if (!rows.length) continue;
      list.append(h("h2", {}, `${t(title)} · ${rows.length}`));
      if (title === "waiting" && inline) list.append(next);
      for (const r of rows) list.append(card(r));
    }
    if (!inline && next.parentElement !== $("view-queue")) $("view-queue").append(next);
    const badge = $("badge");
    badge.hidden = !wait.length; badge.textContent = wait.length;
    document.title = (wait.length ? `(${wait.length}) ` : "") + t("title");
    next.hidden = !wait.length || !onDuty() || S.tab !== "queue";
    next.disabled = !S.up || S.busy.has("next");
    next.textContent = t("claim_next", { n: wait.length });
    renderFilter(); renderBanner(wait);
    if (!pending()) Alerts.stopRinging();
    clearTimeout(render.fade);
    render.fade = setTimeout(() => S.fresh.clear(), 3000);
  }

  function renderFilter() {
    const box = $("site-filter"), { h } = ui();
    const codes = (S.me.visible_sites || []);
    box.hidden = codes.length < 2;
    if (box.hidden) return;
    const pick = (code) => { S.site = code; render(); };
    box.replaceChildren(...[["", t("all_sites")], ...codes.map((c) => [c, ui().siteName(c)])].map(([c, label]) =>
      h("button", { type: "button", class: "fchip" + (S.site === c ? " on" : ""), "data-site": c, onclick: () => pick(c) }, label)));
  }

  /** The newest call nobody holds, at the top of the screen with its 认领 (on duty only). */
  function renderBanner(wait) {
    const box = $("banner"), { h } = ui();
    const r = S.items.get(S.banner);
    const show = r && r.state === "waiting" && onDuty() && S.tab === "queue" && inSite(r);
    box.hidden = !show;
    if (!show) return void (box.dataset.key = "");
    const more = wait.length > 1 ? t("banner_more", { n: wait.length - 1 }) : "";
    const key = [r.id, r.version, more, S.up, S.busy.has(r.id)].join("|");
    if (box.dataset.key === key) return; // unchanged: not drawn (and read out, role=alert) again
    box.dataset.key = key;
    box.replaceChildren(
      h("div", { class: "b-text" }, h("strong", {}, `${t("new_request")}${t("punct.colon")}${t("kind." + r.kind)} ${r.ticket_no || ""}`),
        h("span", {}, `${r.kiosk_location || t("kiosk_unknown")} · ${ui().siteName(r.site_code)}${more}`)),
      h("button", { type: "button", class: "btn primary", "data-act": "banner-claim", disabled: !S.up || S.busy.has(r.id),
        onclick: () => act(r, "claim") }, t("claim")),
      h("button", { type: "button", class: "x", "aria-label": t("later"), onclick: () => { S.banner = null; render(); } }, "×"));
  }

  function card(r) {
    const { h } = ui();
    const me = mine(r), other = r.state !== "waiting" && !me, open = me || S.open.has(r.id);
    const esc = r.state === "waiting" && r.escalation_level; // 超时未认领 only while nobody holds it
    const cls = ["card", r.state, me ? "mine" : "", other ? "other" : "", esc ? "escalated" : "", open ? "" : "compact",
      S.fresh.has(r.id) ? "fresh" : ""].filter(Boolean).join(" ");
    const timer = r.state === "waiting" ? t("wait", { time: fmtWait(waitOf(r)) }) : t("held", { time: fmtWait(heldFor(r)) });
    return h("article", { class: cls, "data-id": r.id, "data-state": r.state },
      h("div", { class: "head" },
        r.priority !== "normal" ? h("span", { class: "badge-p " + r.priority }, t("priority." + r.priority)) : null,
        esc ? h("span", { class: "badge-p esc" }, t(r.escalation_level > 1 ? "escalated_up" : "escalated")) : null,
        h("span", { class: "kind" }, t("kind." + r.kind)),
        r.ticket_no ? h("span", { class: "tno" }, r.ticket_no) : null,
        h("span", { class: "wait", "data-wait": r.id }, timer)),
      h("div", { class: "where" }, `${r.kiosk_location || t("kiosk_unknown")} · ${ui().siteName(r.site_code)}`),
      h("div", { class: "line" + (r.matter_name ? "" : " muted") }, r.matter_name || t("no_matter")),
      other ? h("div", { class: "state" }, `${t("served_by", { name: r.claimed_by ? r.claimed_by.display_name : "?" })} · ${t("state." + r.state)}`) : null,
      open ? [h("div", { class: "line muted" }, t("at_step", { step: t("step." + r.step) })),
        h("div", { class: "line muted" }, r.resident_masked || t("no_identity")),
        window.KQ.materials ? window.KQ.materials(r, h) : null,
        r.note ? h("div", { class: "line" }, t("note", { text: r.note })) : null] : null,
      (S.notes.get(r.id) || []).map((n) => h("div", { class: "line knote", "data-note": n.id },
        t("kiosk_note", { time: fmtTime(n.created_at), text: n.text }))),
      me ? h("div", { class: "state" }, t("state." + r.state)) : null,
      me && r.has_identity ? identityBox(r) : null,
      actions(r, me, other, open));
  }

  function identityBox(r) {
    const { h } = ui();
    const id = S.identity.get(r.id);
    if (!id) return h("div", { class: "row" }, h("button", { class: "btn ghost", "data-act": "identity", onclick: () => showIdentity(r) }, t("show_identity")));
    return h("div", { class: "identity" },
      h("div", { class: "big" }, id.name), h("div", { class: "big" }, id.id_number),
      id.phone ? h("div", { class: "big" }, id.phone) : null,
      h("div", { class: "muted" }, t("identity_note")),
      h("div", { class: "row" }, h("button", { class: "btn ghost", onclick: () => { S.identity.delete(r.id); render(); } }, t("hide_identity"))));
  }

  function actions(r, me, other, open) {
    const { h } = ui();
    const off = !S.up || S.busy.has(r.id);
    const b = (act, cls, label, fn) => h("button", { class: "btn " + cls, type: "button", "data-act": act, onclick: fn, disabled: off }, label);
    const more = () => h("button", { class: "btn ghost more", type: "button", "data-act": "more", "aria-expanded": open ? "true" : "false",
      onclick: () => { if (!S.open.delete(r.id)) S.open.add(r.id); render(); } }, open ? t("less") : t("more"));
    const manager = S.me.role !== "helper";
    if (r.state === "waiting") return h("div", {},
      h("div", { class: "row" }, onDuty() ? b("claim", "primary big", t("claim"), () => act(r, "claim")) : null, more()),
      open ? h("div", { class: "row" }, b("cancel", "ghost", t("cancel"), () => cancelSheet(r)),
        manager ? b("dispatch", "ghost", t("handover.dispatch"), () => window.KQ.handover.one(r)) : null) : null);
    if (me && r.state === "claimed") return h("div", {},
      h("div", { class: "row" }, b("arrive", "ok big", t("arrive"), () => act(r, "arrive"))),
      h("div", { class: "row" }, b("release", "ghost", t("release"), () => releaseSheet(r)), b("cancel", "ghost", t("cancel"), () => cancelSheet(r))),
      h("div", { class: "row" }, b("assign", "ghost", t("handover.give"), () => window.KQ.handover.one(r))));
    if (me && r.state === "arrived") return h("div", {},
      h("div", { class: "row" }, b("resolve-window", "ok big", t("resolve_window"), () => act(r, "resolve", { outcome: "led_to_window" })),
        b("resolve-answered", "ok big", t("resolve_answered"), () => act(r, "resolve", { outcome: "answered" }))),
      h("div", { class: "row" }, b("convert", "primary", t("convert"), () => window.KQ.cases.register(r))),
      h("div", { class: "row" }, b("release", "ghost", t("release"), () => releaseSheet(r)), b("cancel", "ghost", t("cancel"), () => cancelSheet(r))),
      h("div", { class: "row" }, b("assign", "ghost", t("handover.give"), () => window.KQ.handover.one(r))));
    if (other && manager) return h("div", {}, h("div", { class: "row" }, more()), open ? h("div", { class: "row wrap" },
      b("release", "ghost", t("release"), () => releaseSheet(r)), b("cancel", "ghost", t("cancel"), () => cancelSheet(r)),
      b("dispatch", "ghost", t("handover.reassign"), () => window.KQ.handover.one(r))) : null);
    return null;
  }

  // ---- actions ------------------------------------------------------------------------------------
  const DONE = { claim: "done_claimed", release: "done_released", resolve: "done_resolved", cancel: "done_cancelled", arrive: "done_arrived" };

  /** A call she has just claimed moves up to 我的: its card (with 已到达 and the rest) is brought into view
      between the header and the tabs, where her finger was. */
  function reveal(id) {
    const el = $("queue").querySelector(`article[data-id="${CSS.escape(id)}"]`);
    if (!el) return;
    const box = el.getBoundingClientRect(), head = document.querySelector(".top").getBoundingClientRect().bottom;
    const tabs = document.querySelector(".tabs"), foot = tabs && getComputedStyle(tabs).position === "fixed" ? tabs.getBoundingClientRect().top : innerHeight;
    if (box.top >= head && box.bottom <= foot) return;
    const smooth = !matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.scrollBy({ top: box.top - head - 8, behavior: smooth ? "smooth" : "auto" });
  }

  async function act(r, action, body) {
    if (!S.up) return ui().toast(t("net.offline_tap"), true);
    if (S.busy.has(r.id)) return;
    S.busy.add(r.id); render();
    let claimed = null;
    try {
      const view = await api("POST", `/requests/${encodeURIComponent(r.id)}/${action}`, body, 8000);
      upsert(view);
      if (action === "claim" && mine(view)) claimed = view.id;
      if (!OPEN.has(view.state)) S.identity.delete(view.id);
      if (DONE[action]) ui().toast(t(DONE[action], { where: `${view.kiosk_location || ""} ${ui().siteName(view.site_code)}` }));
    } catch (e) {
      failed(e, r.id, action);
    } finally { S.busy.delete(r.id); render(); if (claimed) reveal(claimed); }
  }

  function failed(e, id, action) {
    if (e.status === 401) return window.KQ.session.expired();
    if (e.status === 0) { // no answer: it may or may not have happened — check again once the link is back
      if (id) doubtful.set(id, action);
      return ui().toast(t(e.kind === "timeout" ? "net.tap_timeout" : "net.tap_failed", { action: t("verb." + action) }), true);
    }
    ui().toast(e.message, true);
    if (id && (e.status === 409 || e.status === 403 || e.status === 404)) refreshOne(id);
  }

  /** After a drop: what became of the taps whose answer never came, said plainly. */
  async function recheck() {
    const todo = [...doubtful.entries()];
    doubtful.clear();
    await ui().reload().catch(() => {});
    for (const [id, action] of todo) {
      let r = null;
      try { r = await api("GET", `/requests/${encodeURIComponent(id)}`); upsert(r); } catch (e) { /* gone */ }
      const done = r && (action === "claim" ? mine(r) : r.state !== "waiting");
      ui().toast(t(done ? "net.tap_went" : "net.tap_not_done", { action: t("verb." + action), ticket: (r && r.ticket_no) || "" }), !done);
    }
    render();
  }

  async function claimNext() {
    if (!S.up) return ui().toast(t("net.offline_tap"), true);
    if (S.busy.has("next")) return;
    S.busy.add("next"); render();
    let claimed = null;
    try {
      const view = await api("POST", "/requests/claim-next", S.site ? { site_code: S.site } : {}, 8000);
      upsert(view);
      claimed = view.id;
      ui().toast(t("done_claimed", { where: `${view.kiosk_location || ""} ${ui().siteName(view.site_code)}` }));
    } catch (e) { failed(e, null, "claim"); } finally { S.busy.delete("next"); render(); if (claimed) reveal(claimed); }
  }

  async function refreshOne(id) {
    try { upsert(await api("GET", `/requests/${encodeURIComponent(id)}`)); } catch (e) { if (e.status === 404) S.items.delete(id); }
    render();
  }

  async function showIdentity(r) {
    try {
      S.identity.set(r.id, await api("GET", `/requests/${encodeURIComponent(r.id)}/identity`));
      render();
      setTimeout(() => { if (S.identity.delete(r.id)) render(); }, 60000); // never left on screen
    } catch (e) { failed(e, null, "identity"); }
  }

  function cancelSheet(r) {
    const { h, sheet, closeSheet } = ui();
    const note = h("textarea", { maxlength: "200", placeholder: t("note_placeholder") });
    const pick = (reason) => { closeSheet(); act(r, "cancel", { reason, note: note.value.trim() || null }); };
    sheet(t("cancel_title"), ...["resident_left", "duplicate", "other"].map((reason) =>
      h("button", { class: "btn big " + (reason === "resident_left" ? "warn" : "ghost"), "data-reason": reason, onclick: () => pick(reason) },
        t("reason." + reason))), note);
  }

  function releaseSheet(r) {
    const { h, sheet, closeSheet } = ui();
    sheet(t("release_title"), h("button", { class: "btn big primary", "data-act": "confirm-release",
      onclick: () => { closeSheet(); act(r, "release", {}); } }, t("confirm")));
  }

  function tick() {
    document.querySelectorAll("[data-wait]").forEach((el) => {
      const r = S.items.get(el.dataset.wait);
      if (r) el.textContent = r.state === "waiting" ? t("wait", { time: fmtWait(waitOf(r)) }) : t("held", { time: fmtWait(heldFor(r)) });
    });
  }

  document.addEventListener("DOMContentLoaded", () => { $("claim-next").addEventListener("click", claimNext); });
  window.KQ.queue = { upsert, addNote, event, render, tick, recheck, card, waitOf, mine, pending, act,
    renderManage: () => window.KQ.manage.render() };
})();
