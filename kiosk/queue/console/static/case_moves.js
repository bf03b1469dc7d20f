/* 代办 cases that pause and move, in the 代办台账 view: suspend (reason) / resume, transfer to a colleague
   or to the parent site's window, accept / decline an offer; and the case's paper slips (受理回执,
   材料归还单): preview as PNG, print at the site's window printer. Hooks into cases.js through
   KQ.caseMoves.lines(c) and .buttons(c, post). Uses KQ.ui from console.js; text only via textContent. */
"use strict";
(function () {
  const { t, api } = window.KQ;
  const ui = () => window.KQ.ui;

  /** Lines under a case card: the suspension and a pending hand-over. */
  function lines(c) {
    const { h } = ui();
    const out = [];
    if (c.suspension) out.push(h("div", { class: "line", "data-suspension": "" }, t("moves.suspended_line", { reason: c.suspension.reason })));
    if (c.paused_days) out.push(h("div", { class: "line muted" }, t("moves.paused", { n: c.paused_days })));
    if (c.transfer) {
      const to = c.transfer.to_agent ? c.transfer.to_agent.display_name : t("moves.parent_window", { site: c.transfer.to_site });
      out.push(h("div", { class: "line", "data-transfer": "" }, t("moves.pending", { to, reason: c.transfer.reason })));
    }
    return out;
  }

  function reason(c, action, placeholder) {
    const { h, sheet, closeSheet } = ui();
    const box = h("textarea", { id: "mv-reason", maxlength: "200", placeholder: t(placeholder) });
    sheet(t("moves.act." + action), box, h("button", { class: "btn big primary", type: "button", id: "mv-ok", onclick: () => {
      if (!box.value.trim()) { box.focus(); return ui().toast(t("cases.need_reason"), true); }
      closeSheet(); C.post(c, action, { reason: box.value.trim() });
    } }, t("confirm")));
  }

  async function transfer(c) {
    const { h, sheet, closeSheet } = ui();
    let targets;
    try { targets = await api("GET", `/cases/${encodeURIComponent(c.id)}/transfer-targets`); } catch (e) { return ui().toast(e.message, true); }
    const pick = h("select", { id: "mv-target" },
      ...targets.agents.map((a) => h("option", { value: "agent:" + a.id }, a.display_name)),
      targets.parent ? h("option", { value: "parent" }, t("moves.parent_window", { site: targets.parent.name })) : null);
    const why = h("textarea", { id: "mv-reason", maxlength: "200", placeholder: t("moves.transfer_placeholder") });
    sheet(t("moves.act.transfer"), h("label", { class: "field" }, h("span", {}, t("moves.to")), pick), why,
      h("button", { class: "btn big primary", type: "button", id: "mv-ok", onclick: () => {
        if (!pick.value) return ui().toast(t("moves.no_target"), true);
        if (!why.value.trim()) { why.focus(); return ui().toast(t("cases.need_reason"), true); }
        closeSheet();
        const body = pick.value === "parent" ? { to_parent: true } : { agent_id: parseInt(pick.value.slice(6), 10) };
        C.post(c, "transfer", { ...body, reason: why.value.trim() });
      } }, t("confirm")));
  }

  function slip(c, kind) {
    const { h, sheet } = ui();
    const src = `/api/v1/cases/${encodeURIComponent(c.id)}/slips/${kind}.png`;
    sheet(t("moves.slip." + kind), h("img", { class: "slip", src, alt: t("moves.slip." + kind) }),
      h("button", { class: "btn big primary", type: "button", id: "mv-print", onclick: async () => {
        try {
          const r = await api("POST", `/cases/${encodeURIComponent(c.id)}/slips/${kind}/print`);
          ui().toast(t("moves.printed", { printer: r.printer }));
        } catch (e) { ui().toast(e.message, true); }
      } }, t("moves.print")));
  }

  /** [main buttons, more buttons] for the case's hand-over, suspension and slips. */
  function buttons(c) {
    const { h } = ui();
    const b = (act, cls, fn) => h("button", { class: "btn " + cls, type: "button", "data-cact": act, onclick: fn }, t("moves.act." + act));
    const main = [], more = [];
    const has = (a) => c.actions.includes(a);
    if (has("accept")) main.push(b("accept", "ok big", () => C.post(c, "accept")));
    if (has("resume")) main.push(b("resume", "primary big", () => C.post(c, "resume", { note: null })));
    if (has("decline")) more.push(b("decline", "ghost", () => reason(c, "decline", "moves.decline_placeholder")));
    if (has("suspend")) more.push(b("suspend", "ghost", () => reason(c, "suspend", "moves.suspend_placeholder")));
    if (has("transfer")) more.push(b("transfer", "ghost", () => transfer(c)));
    more.push(b("receipt", "ghost", () => slip(c, "receipt")));
    if (c.state === "returned" || c.state === "withdrawn") more.push(b("return_slip", "ghost", () => slip(c, "return")));
    return [main, more];
  }

  const C = { post: null };
  window.KQ.caseMoves = { lines, buttons, bind: (post) => { C.post = post; } };
})();
