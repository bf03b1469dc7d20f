/* A 代办 case's timeline under its card in the 代办台账 view: every event (what, who, when), a page of PAGE
   at a time, oldest first; "show more" reads on after the last line shown (the server pages long
   histories). A timeline read to its end follows its case: each pushed event of the case reads on from
   its last line, so what happens while it is open appears in it. Hooks into cases.js through
   KQ.caseTimeline (redraw: the card's redraw, given once). Text only via textContent. */
"use strict";
(function () {
  const { t, has, api } = window.KQ;
  const ui = () => window.KQ.ui;
  const PAGE = 500;
  const shown = new Map(); // case id -> { items, more }
  let redraw = () => {};
  const fmtAt = (iso) => { const d = new Date(iso); return isNaN(d) ? "" : `${d.getMonth() + 1}-${d.getDate()} ${d.toTimeString().slice(0, 5)}`; };

  const page = async (id, after) => {
    const items = await api("GET", `/cases/${encodeURIComponent(id)}/events?after=${after}&limit=${PAGE}`);
    return { items, more: items.length === PAGE };
  };
  const last = (s) => (s.items.length ? s.items[s.items.length - 1].id : 0);

  /** Shows the case's timeline, or hides it when shown. */
  async function toggle(c) {
    if (shown.delete(c.id)) return redraw(c.id);
    try { shown.set(c.id, await page(c.id, 0)); } catch (e) { return ui().toast(e.message, true); }
    redraw(c.id);
  }

  async function more(c, button) {
    const s = shown.get(c.id);
    if (!s) return;
    button.disabled = true;
    try {
      const next = await page(c.id, last(s));
      s.items.push(...next.items); s.more = next.more;
    } catch (e) { button.disabled = false; return ui().toast(e.message, true); }
    redraw(c.id);
  }

  /** After an event of case ``id``: an open timeline read to its end reads on (before the card is drawn
      again). One with "show more" still to tap stays as it is: its end is not on screen. */
  async function follow(id) {
    const s = shown.get(id);
    if (!s || s.more) return false;
    try {
      const next = await page(id, last(s));
      s.items.push(...next.items); s.more = next.more;
      return next.items.length > 0;
    } catch (e) { return false; } // the card's own read says what is wrong with the link
  }

  function list(c) {
    const { h } = ui();
    const s = shown.get(c.id);
    if (!s) return null;
    const word = (type) => (has("cases.event." + type.split(".")[1]) ? t("cases.event." + type.split(".")[1]) : type);
    return [h("ol", { class: "timeline", "data-timeline": c.id }, ...s.items.map((e) =>
      h("li", {}, `${fmtAt(e.at)} ${e.actor_name || t("cases.actor." + e.actor.split(":")[0])} · ${word(e.type)}`
        + (e.data && (e.data.department || e.data.reason) ? t("punct.open") + (e.data.department || e.data.reason) + t("punct.close") : "")))),
    s.more ? h("div", { class: "row" }, h("button", { class: "btn ghost", type: "button", "data-cact": "timeline-more",
      onclick: (ev) => more(c, ev.currentTarget) }, t("cases.timeline_more", { n: s.items.length })))
      : h("p", { class: "timeline-end" }, t("cases.timeline_end", { n: s.items.length }))];
  }

  window.KQ.caseTimeline = { toggle, follow, list, open: (id) => shown.has(id), ids: () => [...shown.keys()],
    onRedraw: (fn) => { redraw = fn; } };
})();
