/* The session's end, said before it comes and mended in place: a bar WARN_S before expiry (by the server's
   clock, from /me and every keep-alive), and on expiry a sheet over the screen asking for the password
   again — the list, the tab and what the helper holds stay as they were. Exposes KQ.session. */
"use strict";
(function () {
  const { t, api, clock } = window.KQ;
  const $ = (id) => document.getElementById(id);
  const ui = () => window.KQ.ui;
  const WARN_S = 15 * 60;
  const X = { expires: 0, open: false };

  function set(me) {
    if (!me) return;
    if (me.now) clock.set(me.now);
    if (me.session_expires_at) X.expires = Date.parse(me.session_expires_at);
    if (typeof me.on_duty === "boolean" && ui().me()) {
      const was = ui().me().on_duty;
      ui().setMe({ ...ui().me(), ...me });
      if (was !== me.on_duty) window.KQ.me.duty(); // changed elsewhere (another phone, a manager)
    }
    check();
  }

  function ping(data) {
    if (data.expires_at) X.expires = Date.parse(data.expires_at);
    check();
  }

  function check() {
    const bar = $("session-warn");
    if (!X.expires || X.open) { bar.hidden = true; return; }
    const left = (X.expires - clock.now()) / 1000;
    if (left <= 0) return expired();
    bar.hidden = left > WARN_S;
    if (!bar.hidden) bar.textContent = t("session.warn", { time: new Date(Date.now() + left * 1000).toTimeString().slice(0, 5),
      min: Math.max(1, Math.round(left / 60)) });
  }

  const holding = () => [...window.KQ.S.items.values()].filter((r) => window.KQ.queue.mine(r));

  /** The session ended (or is about to): ask for the password over the screen, keep everything else. */
  function expired(early) {
    if (X.open || !ui().me()) return;
    X.open = true;
    $("session-warn").hidden = true;
    if (!early) { ui().live.stop(); window.KQ.Alerts.stopRinging(); }
    const { h, sheet, closeSheet } = ui();
    const held = holding();
    const pw = h("input", { id: "relogin-password", type: "password", autocomplete: "current-password", maxlength: "256" });
    const err = h("p", { class: "error", id: "relogin-error", hidden: true });
    const ok = h("button", { class: "btn big primary", type: "button", id: "relogin-ok" }, t("session.continue"));
    const go = async () => {
      ok.disabled = true;
      try {
        const res = await api("POST", "/auth/login", { username: ui().me().username, password: pw.value });
        X.open = false; closeSheet();
        set({ ...res.user, session_expires_at: res.expires_at });
        await ui().reload();
        const q = window.KQ.queue;
        if (q.pending()) window.KQ.Alerts.keepRinging(q.pending); // calls still waiting ring on
        ui().toast(t("session.renewed"));
      } catch (e) {
        err.hidden = false; err.textContent = e.status === 401 ? t("bad_login") : e.message;
      } finally { ok.disabled = false; }
    };
    ok.addEventListener("click", go);
    pw.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
    sheet(early ? t("session.renew_title") : t("session.expired_title"),
      h("p", {}, early ? t("session.renew_text") : t("session.expired_text")),
      held.length ? h("p", { class: "hold-note" }, t("session.holding", { n: held.length,
        list: held.map((r) => r.ticket_no || t("kind." + r.kind)).join(t("punct.list")) })) : null,
      h("label", { class: "field" }, h("span", {}, t("session.password_for", { name: ui().me().display_name })), pw), err, ok,
      h("button", { class: "btn ghost", type: "button", id: "relogin-leave", onclick: () => { X.open = false; closeSheet(); ui().showLogin(); } },
        t("session.other_user")));
    $("sheet-back").hidden = !early;
    setTimeout(() => pw.focus(), 50);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("session-warn").addEventListener("click", () => expired(true));
    $("sheet-back").addEventListener("click", () => { X.open = false; $("sheet-back").hidden = false; check(); });
    setInterval(check, 15000);
  });
  window.KQ.session = { set, ping, expired, check };
})();
