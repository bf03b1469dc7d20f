/* 交接班 and 改派: give one request (a card's 交给同事 / a manager's 改派) or everything I hold (我的 → 交接班:
   my requests, and my open 代办 cases offered to the same colleague, who accepts them) to a colleague on duty.
   Uses KQ.ui; text only via textContent. Exposes KQ.handover. */
"use strict";
(function () {
  const { t, api } = window.KQ;
  const ui = () => window.KQ.ui;
  const S = window.KQ.S;
  const held = () => [...S.items.values()].filter((r) => window.KQ.queue.mine(r));

  /** A sheet listing who may take request `r` (on duty first); `pick(colleague)` is called with the choice. */
  async function chooser(r, title, pick) {
    const { h, sheet, closeSheet, toast } = ui();
    let who;
    try { who = await api("GET", `/requests/${encodeURIComponent(r.id)}/assignees`); } catch (e) { return toast(e.message, true); }
    const rows = who.map((w) => h("button", { class: "btn big " + (w.on_duty ? "ghost" : "ghost off"), type: "button",
      "data-assignee": w.id, disabled: !w.on_duty, onclick: () => { closeSheet(); pick(w); } },
    `${w.display_name} · ${w.on_duty ? t("handover.holding", { n: w.holding }) : t("off_duty")}`));
    sheet(title, ...(rows.length ? rows : [h("p", { class: "muted" }, t("handover.nobody"))]));
  }

  async function give(r, w) {
    const view = await api("POST", `/requests/${encodeURIComponent(r.id)}/assign`, { helper_id: w.id }, 8000);
    window.KQ.queue.upsert(view);
    return view;
  }

  /** One request: the holder's 交给同事, or a manager's 改派 / 派给. */
  function one(r) {
    const title = window.KQ.queue.mine(r) ? t("handover.give_title", { ticket: r.ticket_no || "" }) : t("handover.dispatch_title", { ticket: r.ticket_no || "" });
    chooser(r, title, async (w) => {
      try { await give(r, w); ui().toast(t("handover.given", { n: 1, name: w.display_name })); } catch (e) { ui().toast(e.message, true); }
      window.KQ.queue.render();
    });
  }

  /** 交接班: everything I hold — requests given now, cases offered (the colleague accepts them). */
  function all() {
    const mine = held();
    if (!mine.length) return shiftCases(null);
    chooser(mine[0], t("handover.shift_title", { n: mine.length }), async (w) => {
      let n = 0;
      for (const r of mine) { try { await give(r, w); n += 1; } catch (e) { ui().toast(e.message, true); } }
      const offered = await shiftCases(w);
      ui().toast(t("handover.shift_done", { n, name: w.display_name, cases: offered }));
      window.KQ.queue.render();
    });
  }

  /** Offers my open cases to `w` (or, with no request to choose from, to one of a case's colleagues). */
  async function shiftCases(w) {
    let cases = [];
    try {
      cases = (await api("GET", "/cases?mine=true&state=registered&state=in_progress&state=suspended&state=completed")).items
        .filter((c) => c.actions.includes("transfer") && !c.transfer);
    } catch (e) { return 0; }
    if (!w) {
      if (!cases.length) { ui().toast(t("handover.nothing")); return 0; }
      const targets = await api("GET", `/cases/${encodeURIComponent(cases[0].id)}/transfer-targets`);
      const { h, sheet, closeSheet } = ui();
      sheet(t("handover.shift_title_cases", { n: cases.length }), ...targets.agents.map((a) => h("button", { class: "btn big ghost", type: "button",
        "data-assignee": a.id, onclick: async () => { closeSheet(); const k = await offer(cases, a); ui().toast(t("handover.shift_done", { n: 0, name: a.display_name, cases: k })); } },
      a.display_name)));
      return 0;
    }
    return offer(cases, w);
  }

  async function offer(cases, w) {
    let k = 0;
    for (const c of cases) {
      try { await api("POST", `/cases/${encodeURIComponent(c.id)}/transfer`, { agent_id: w.id, reason: t("handover.reason") }); k += 1; } catch (e) { /* not theirs to take */ }
    }
    return k;
  }

  window.KQ.handover = { one, all, held };
})();
