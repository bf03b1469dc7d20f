/* "我的": on / off duty (离岗 pauses the alerts, the banner and claiming — the server refuses claims too), the
   sound settings with a test button (kept on this phone), 今日已办 with a search, and 退出 that first says
   what the helper still holds. Also the bars under the header for duty and sound. Exposes KQ.me. */
"use strict";
(function () {
  const { t, api, Alerts } = window.KQ;
  const $ = (id) => document.getElementById(id);
  const ui = () => window.KQ.ui;
  const S = window.KQ.S;
  const M = { done: [], q: "" };
  const holding = () => [...S.items.values()].filter((r) => window.KQ.queue.mine(r));

  /** The duty bar, the tab's dot, the wake lock and the sound bar follow S.me.on_duty. */
  function duty() {
    const on = !!(S.me && S.me.on_duty);
    $("offduty").hidden = on;
    $("offduty").textContent = t("offduty_bar");
    $("duty-dot").className = "dot" + (on ? " on" : "");
    Alerts.keepAwake(on);
    if (!on) Alerts.stopRinging();
    soundBar();
    window.KQ.queue.render();
    if (S.tab === "me") show();
  }

  /** Says plainly when the alert would not be heard: off by choice, or not yet allowed after a reload. */
  function soundBar() {
    const bar = $("sound");
    const on = !!(S.me && S.me.on_duty);
    bar.hidden = !on || (Alerts.prefs.on && Alerts.ready());
    bar.textContent = Alerts.prefs.on ? t("sound.locked") : t("sound.off_bar");
    bar.dataset.state = Alerts.prefs.on ? "locked" : "off";
  }

  async function setDuty(on, sure) {
    if (!on && !sure && holding().length) {
      const { h, sheet, closeSheet } = ui();
      return sheet(t("go_off_duty"), h("p", { class: "hold-note" }, t("offduty_holding", { n: holding().length })),
        h("button", { class: "btn big warn", id: "offduty-ok", onclick: () => { closeSheet(); setDuty(false, true); } }, t("go_off_duty")));
    }
    try {
      ui().setMe({ ...S.me, ...(await api("PUT", "/me/duty", { on_duty: on })) });
      duty();
      ui().toast(on ? t("duty_on_done") : t("duty_off_done"));
    } catch (e) { if (e.status === 401) window.KQ.session.expired(); else ui().toast(e.message, true); }
  }

  async function loadDone() {
    try {
      const midnight = new Date(window.KQ.clock.now()); midnight.setHours(0, 0, 0, 0);
      const today = midnight.toDateString(); // today's only: not the oldest 200 she ever closed
      const data = await api("GET", "/requests?mine=true&state=resolved&state=converted&state=cancelled&limit=1000&closed_since="
        + encodeURIComponent(midnight.toISOString()));
      M.done = data.items.filter((r) => new Date(r.closed_at || r.updated_at).toDateString() === today);
      const cases = await api("GET", "/cases?mine=true");  // 代办 cases I registered, completed or returned today
      for (const c of cases.items) {
        const at = [c.registered_at, c.completed_at, c.returned_at, c.closed_at].filter(Boolean)
          .find((x) => new Date(x).toDateString() === today);
        if (at) M.done.push({ id: c.id, ticket_no: `${t("today.case")} #${c.seq}`, state: "case", matter_name: c.matter_name,
          resident_masked: c.applicant_masked, closed_at: at, case_state: c.state });
      }
    } catch (e) { M.done = M.done || []; }
    renderDone();
  }

  function renderDone() {
    const box = $("me-done");
    if (!box) return;
    const { h } = ui();
    const q = M.q.trim().toLowerCase();
    const rows = M.done.filter((r) => !q || (r.ticket_no || "").toLowerCase().includes(q) || (r.resident_masked || "").includes(q)
      || (r.matter_name || "").includes(q));
    box.replaceChildren(h("h2", {}, t("today.title", { n: M.done.length })),
      ...rows.map((r) => h("div", { class: "done-row", "data-done": r.id },
        h("strong", {}, r.ticket_no || t("kind." + r.kind)),
        ` ${r.case_state ? t("cases.state." + r.case_state) : t("state." + r.state)} · ${r.matter_name || t("no_matter")}`,
        h("span", { class: "muted" }, ` · ${r.resident_masked || ""} ${r.closed_at ? new Date(r.closed_at).toTimeString().slice(0, 5) : ""}`))),
      rows.length ? null : h("p", { class: "muted" }, t(M.done.length ? "today.no_match" : "today.empty")));
  }

  function show() {
    const { h } = ui();
    const on = !!S.me.on_duty, p = Alerts.prefs;
    const tone = h("select", { id: "snd-tone" }, ...Object.keys(Alerts.TONES).filter((k) => k !== "alarm").map((k) =>
      h("option", { value: k, selected: p.tone === k }, t("sound.tone_" + k))));
    const vol = h("input", { id: "snd-volume", type: "range", min: "0.1", max: "1", step: "0.1", value: String(p.volume) });
    const rep = h("select", { id: "snd-repeat" }, ...[10, 20, 30, 60].map((s) => h("option", { value: String(s), selected: p.repeat_s === s }, t("sound.every", { s }))));
    const save = () => { p.tone = tone.value; p.volume = Number(vol.value); p.repeat_s = Number(rep.value); Alerts.save(); };
    [tone, vol, rep].forEach((el) => el.addEventListener("change", save));
    const search = h("input", { id: "done-search", type: "search", placeholder: t("today.search"), value: M.q });
    search.addEventListener("input", () => { M.q = search.value; renderDone(); });
    $("me").replaceChildren(
      h("article", { class: "card" },
        h("div", { class: "head" }, h("span", { class: "kind" }, S.me.display_name), h("span", { class: "muted" }, t("role." + S.me.role))),
        h("div", { class: "line muted" }, (S.me.sites || []).map(ui().siteName).join(t("punct.list"))),
        h("p", { class: "line" }, on ? t("duty_on_text") : t("duty_off_text")),
        h("button", { id: "duty", type: "button", class: "btn big " + (on ? "ghost" : "ok"), onclick: () => setDuty(!on) },
          on ? t("go_off_duty") : t("go_on_duty")),
        h("div", { class: "row" }, h("button", { id: "shift", type: "button", class: "btn primary", onclick: () => window.KQ.handover.all() },
          t("handover.shift", { n: holding().length })))),
      h("article", { class: "card", id: "sound-card" },
        h("div", { class: "head" }, h("span", { class: "kind" }, t("sound.title"))),
        h("label", { class: "check" }, h("input", { type: "checkbox", id: "snd-on", checked: p.on,
          onchange: (e) => { p.on = e.target.checked; Alerts.save(); if (p.on) Alerts.unlock(); soundBar(); } }), h("span", {}, t("sound.on"))),
        h("label", { class: "field" }, h("span", {}, t("sound.volume")), vol),
        h("label", { class: "field" }, h("span", {}, t("sound.tone")), tone),
        h("label", { class: "field" }, h("span", {}, t("sound.repeat")), rep),
        h("button", { id: "snd-test", type: "button", class: "btn primary", onclick: () => { Alerts.unlock(); save();
          setTimeout(() => { Alerts.ring(false, true); soundBar(); }, 80); } }, t("sound.test"))),
      h("article", { class: "card" }, search, h("div", { id: "me-done" })),
      h("button", { id: "logout", type: "button", class: "btn ghost big", onclick: logout }, t("logout")));
    renderDone(); loadDone();
  }

  /** 退出: first what the helper still holds — give it back to the queue, or keep it and cancel. */
  function logout() {
    const held = holding();
    const { h, sheet, closeSheet } = ui();
    const out = async () => {
      closeSheet();
      try { await api("POST", "/auth/logout"); } catch (e) { /* gone anyway */ }
      ui().showLogin();
    };
    if (!held.length) return sheet(t("logout_title"), h("button", { class: "btn big warn", id: "logout-ok", onclick: out }, t("logout")));
    sheet(t("logout_title"), h("p", { class: "hold-note" }, t("logout_holding", { n: held.length,
      list: held.map((r) => r.ticket_no || t("kind." + r.kind)).join(t("punct.list")) })),
    h("button", { class: "btn big primary", id: "logout-release", onclick: async () => {
      for (const r of held) { try { await api("POST", `/requests/${encodeURIComponent(r.id)}/release`, { note: t("released_at_logout") }); } catch (e) { /* shown below */ } }
      out();
    } }, t("logout_release")),
    h("button", { class: "btn big ghost", id: "logout-shift", onclick: () => { closeSheet(); window.KQ.handover.all(); } }, t("handover.shift", { n: held.length })),
    h("button", { class: "btn big ghost", id: "logout-anyway", onclick: out }, t("logout_anyway")));
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("offduty").addEventListener("click", () => setDuty(true));
    $("sound").addEventListener("click", () => {
      if (!Alerts.prefs.on) return ui().setTab("me");
      Alerts.unlock(); setTimeout(soundBar, 150);
    });
  });
  window.KQ.me = { duty, soundBar, show, setDuty };
})();
