/* The 代办台账 view: the cases of my sites (overdue first), registering a handover (also from a help request),
   advancing a case, the return with both sides' confirmation, the applicant's identity for the agent and
   managers, and the Excel export for managers. Uses KQ.ui from console.js; text only via textContent. */
"use strict";
(function () {
  const { t, api } = window.KQ;
  const $ = (id) => document.getElementById(id);
  const C = { seg: "open", identity: new Map(), timer: null, ids: new Set(), list: null };

  const TL = () => window.KQ.caseTimeline;
  const RUNNING = new Set(["registered", "in_progress"]);
  const ui = () => window.KQ.ui;

  async function load() {
    const q = C.seg === "open" ? "?state=registered&state=in_progress&state=suspended&state=completed" : C.seg === "mine" ? "?mine=true" : "";
    try {
      const data = await api("GET", "/cases" + q);
      C.more = !!data.more; // the server answers at most 500, open cases first
      lists().set(data.items);
      for (const id of TL().ids()) TL().follow(id).then((got) => got && C.list.redraw(id)); // after a resync
    } catch (e) {
      if (e.status === 401) return ui().showLogin();
      ui().toast(e.message, true);
    }
    summary();
    badge();
  }

  /** One case again, after its event or my tap on it: its card alone changes (or leaves this list). */
  const SEG = { open: (c) => ["registered", "in_progress", "suspended", "completed"].includes(c.state),
    mine: (c) => c.agent.id === (ui().me() || {}).id, all: () => true };
  function place(c) {
    lists().put(c, !SEG[C.seg](c));
    summary();
  }
  async function one(id) {
    try {
      const c = await api("GET", `/cases/${encodeURIComponent(id)}`);
      await TL().follow(id); // an open timeline takes the event in before the card is drawn again
      place(c);
    } catch (e) {
      if (e.status === 401) return ui().showLogin();
      if (e.status === 403 || e.status === 404) { lists().put({ id }, true); summary(); } // no longer mine to see
    }
    badge();
  }

  /** The tab's badge: overdue and nearly due cases (managers: of their sites; helpers: their own). */
  async function badge() {
    const me = ui().me();
    if (!me) return;
    try {
      const data = await api("GET", me.role === "helper" ? "/cases?mine=true&state=registered&state=in_progress" : "/cases/overdue");
      const n = data.overdue + data.due_soon;
      const b = $("case-badge");
      b.hidden = !n; b.textContent = n;
    } catch (e) { /* the queue view reports connection problems */ }
  }

  /** A pushed case.* event (or a resync): the list, when on screen, and the badge follow it live. One case's
      event reads that case and redraws its card alone; a burst of events (a sweep flagging many cases) or a
      resync costs one reload, whose unchanged cards stay. No polling: deadline flags are pushed. */
  function changed(type, c) {
    if (c) C.last = { type, id: c.id, state: c.state, due: c.due }; // observable by tests
    C.ids.add(c ? c.id : null);
    if (C.timer) return;
    C.timer = setTimeout(() => {
      C.timer = null;
      const ids = [...C.ids];
      C.ids.clear();
      if (!ui().me()) return;
      if ($("view-cases").hidden) return badge();
      if (ids.length === 1 && ids[0] !== null) one(ids[0]); else load();
    }, 150);
  }

  /** The export's date range, chosen here (default: the last 365 days, as the server's). */
  function exportRange() {
    const a = $("case-export"), since = $("export-since"), until = $("export-until");
    const q = new URLSearchParams();
    if (since.value) q.set("since", since.value);
    if (until.value) q.set("until", until.value);
    a.href = "/api/v1/cases/export.xlsx" + (q.toString() ? "?" + q : "");
  }

  function show() {
    const me = ui().me();
    $("case-export").hidden = me.role === "helper";
    $("export-range").hidden = me.role === "helper";
    document.querySelectorAll("[data-cseg]").forEach((b) => b.classList.toggle("on", b.dataset.cseg === C.seg));
    load();
  }

  const lists = () => {
    if (!C.list) {
      C.list = window.KQ.caseList($("cases"), card, () => ui().h("p", { class: "empty" }, t("cases.empty")));
      TL().onRedraw((id) => C.list.redraw(id));
    }
    return C.list;
  };

  /** The counts over the list (as the server counts them) and, past 500, where the rest are. */
  function summary() {
    const items = lists().items(), n = (due) => items.filter((c) => c.due === due).length;
    $("case-summary").textContent = t(C.more ? "cases.summary_cut" : "cases.summary", { n: items.length, overdue: n("overdue"), soon: n("due_soon") });
    const more = C.more ? t(ui().me().role === "helper" ? "cases.more" : "cases.more_manager", { n: items.length }) : "";
    for (const id of ["case-more", "case-more-end"]) { $(id).hidden = !C.more; $(id).textContent = more; }
  }

  const multiSite = () => ((ui().me() || {}).visible_sites || []).length > 1;

  function card(c) {
    const { h } = ui();
    const late = c.due === "overdue" || c.due === "late", soon = c.due === "due_soon";
    const id = C.identity.get(c.id);
    const mats = c.materials.map((m) => `${m.name}${t("punct.open")}${t("cases.form." + m.form)}×${m.count}${t("punct.close")}`).join(t("punct.semi"));
    return h("article", { class: "card case " + c.state + (late ? " escalated" : soon ? " waiting" : ""), "data-case": c.id, "data-state": c.state },
      h("div", { class: "head" },
        h("span", { class: "tno" }, (multiSite() ? ui().siteName(c.site_code) + " " : "") + "#" + c.seq),
        h("span", { class: "kind" }, t("cases.state." + c.state)),
        late || soon ? h("span", { class: "badge-p " + (late ? "esc" : "elderly") }, t("cases.due." + c.due)) : null,
        h("span", { class: "wait" + (late ? "" : " muted") }, RUNNING.has(c.state)
          ? (c.days_left >= 0 ? t("cases.days_left", { n: c.days_left }) : t("cases.days_over", { n: -c.days_left }))
          : (c.due === "on_time" ? t("cases.due.on_time") : ""))),
      h("div", { class: "line big-line" }, c.matter_name),
      h("div", { class: "line" }, id ? `${id.name} ${id.id_number} ${id.phone}` : `${c.applicant_masked}${c.phone_masked ? " · " + c.phone_masked : ""}`),
      h("div", { class: "line muted" }, t("cases.promised", { date: c.promised_date, days: c.time_limit_days })),
      h("div", { class: "line muted" }, t("cases.agent", { name: c.agent.display_name }) + (c.department ? ` · ${c.department}` : "")),
      h("div", { class: "line muted" }, t("cases.materials", { list: mats })),
      c.close_reason ? h("div", { class: "line" }, t("cases.reason", { text: c.close_reason })) : null,
      ...window.KQ.caseMoves.lines(c),
      TL().list(c),
      actions(c, !!id));
  }

  function actions(c, shown) {
    const { h } = ui();
    const [movesMain, movesMore] = window.KQ.caseMoves.buttons(c);
    const b = (act, cls, fn) => h("button", { class: "btn " + cls, type: "button", "data-cact": act, onclick: fn }, t("cases.act." + act));
    const main = [...movesMain];
    if (c.actions.includes("start")) main.push(b("start", "primary big", () => deptSheet(c, "start")));
    if (c.actions.includes("complete")) main.push(b("complete", "ok big", () => confirmSheet(c, "complete")));
    if (c.actions.includes("return")) main.push(b("return", "ok big", () => returnSheet(c)));
    const more = [...movesMore];
    if (c.actions.includes("move")) more.push(b("move", "ghost", () => deptSheet(c, "move")));
    if (c.actions.includes("start") || c.actions.includes("complete") || c.actions.includes("return")
        || c.actions.includes("withdraw")) more.push(h("button", { class: "btn ghost", type: "button", "data-cact": "identity",
      onclick: () => (shown ? (C.identity.delete(c.id), C.list.redraw(c.id)) : identity(c)) }, t(shown ? "hide_identity" : "cases.act.identity")));
    more.push(h("button", { class: "btn ghost", type: "button", "data-cact": "timeline", onclick: () => TL().toggle(c) },
      t(TL().open(c.id) ? "cases.timeline_hide" : "cases.timeline")));
    if (c.actions.includes("withdraw")) more.push(b("withdraw", "ghost", () => reasonSheet(c, "withdraw")));
    if (c.actions.includes("cancel")) more.push(b("cancel", "ghost", () => reasonSheet(c, "cancel")));
    return h("div", {}, main.length ? h("div", { class: "row" }, ...main) : null, h("div", { class: "row wrap" }, ...more));
  }

  async function post(c, action, body) {
    try {
      const view = await api("POST", `/cases/${encodeURIComponent(c.id)}/${action}`, body);
      ui().toast(t("cases.done." + action, { id: view.id }));
      place(view);
      badge();
    } catch (e) {
      ui().toast(e.message, true);
      if (e.status === 401) return ui().showLogin();
      if (e.status === 409) load();
    }
  }

  async function identity(c) {
    try {
      C.identity.set(c.id, await api("GET", `/cases/${encodeURIComponent(c.id)}/applicant`));
      C.list.redraw(c.id);
      setTimeout(() => { if (C.identity.delete(c.id)) C.list.redraw(c.id); }, 60000); // never left on screen
    } catch (e) { ui().toast(e.message, true); }
  }

  // ---- sheets -------------------------------------------------------------------------------------
  function field(label, input) { return ui().h("label", { class: "field" }, h2span(label), input); }
  function h2span(text) { return ui().h("span", {}, text); }
  function check(id, label) {
    const { h } = ui();
    return h("label", { class: "check" }, h("input", { type: "checkbox", id }), h("span", {}, label));
  }

  function deptSheet(c, action) {
    const { h, sheet, closeSheet } = ui();
    const dept = h("input", { id: "cf-dept", maxlength: "128", placeholder: t("cases.dept_placeholder"), value: c.department || "" });
    sheet(t("cases.act." + action), field(t("cases.dept"), dept),
      h("button", { class: "btn big primary", type: "button", id: "cf-dept-ok", onclick: () => {
        if (!dept.value.trim()) { dept.focus(); return ui().toast(t("cases.need_dept"), true); }
        closeSheet(); post(c, action, { department: dept.value.trim() });
      } }, t("confirm")));
  }

  function confirmSheet(c, action) {
    const { h, sheet, closeSheet } = ui();
    const note = h("textarea", { maxlength: "500", placeholder: t("cases.result_placeholder") });
    sheet(t("cases.confirm_" + action), note, h("button", { class: "btn big ok", type: "button", id: "cf-confirm",
      onclick: () => { closeSheet(); post(c, action, { note: note.value.trim() || null }); } }, t("confirm")));
  }

  function returnSheet(c) {
    const { h, sheet, closeSheet } = ui();
    const ok = h("button", { class: "btn big ok", type: "button", id: "rt-confirm", disabled: true }, t("cases.act.return"));
    const note = h("textarea", { maxlength: "500", placeholder: t("cases.return_placeholder") });
    const a = check("rt-applicant", t("cases.applicant_confirms")), g = check("rt-agent", t("cases.agent_confirms"));
    const both = () => { ok.disabled = !(a.firstChild.checked && g.firstChild.checked); };
    a.firstChild.addEventListener("change", both); g.firstChild.addEventListener("change", both);
    ok.addEventListener("click", () => {
      closeSheet();
      post(c, "return", { applicant_confirmed: true, agent_confirmed: true, note: note.value.trim() || null });
    });
    sheet(t("cases.return_title"), h("p", { class: "muted" }, t("cases.materials", { list: c.materials.map((m) => m.name).join(t("punct.list")) })),
      a, g, note, ok);
  }

  function reasonSheet(c, action) {
    const { h, sheet, closeSheet } = ui();
    const reason = h("textarea", { id: "cf-reason", maxlength: "200", placeholder: t("cases.reason_placeholder") });
    sheet(t("cases.act." + action), reason, h("button", { class: "btn big warn", type: "button", id: "cf-reason-ok", onclick: () => {
      if (!reason.value.trim()) { reason.focus(); return ui().toast(t("cases.need_reason"), true); }
      closeSheet(); post(c, action, { reason: reason.value.trim() });
    } }, t("confirm")));
  }

  function materialRow() {
    const { h } = ui();
    const form = h("select", { name: "mform" }, h("option", { value: "original" }, t("cases.form.original")),
      h("option", { value: "copy" }, t("cases.form.copy")));
    const row = h("div", { class: "mat" }, h("input", { name: "mname", maxlength: "100", placeholder: t("cases.material_name") }),
      form, h("input", { name: "mcount", type: "number", min: "1", max: "999", value: "1", inputmode: "numeric" }),
      h("button", { type: "button", class: "x", "aria-label": t("cases.remove"), onclick: () => row.remove() }, "×"));
    return row;
  }

  /** The handover form; with a help request `r` (arrived, mine) it converts that request. */
  function register(r) {
    const { h, sheet } = ui();
    const inp = (id, attrs) => h("input", { id, ...attrs });
    const mats = h("div", { id: "cf-mats" }, materialRow());
    const error = h("p", { class: "error", id: "cf-error", hidden: true });
    const submit = h("button", { class: "btn big primary", type: "button", id: "cf-submit" }, t("cases.submit"));
    sheet(r ? t("cases.convert_title", { ticket: r.ticket_no || "" }) : t("cases.register"),
      field(t("cases.matter"), inp("cf-matter", { maxlength: "128", value: (r && r.matter_name) || "" })),
      field(t("cases.time_limit"), inp("cf-days", { type: "number", min: "0", max: "365", inputmode: "numeric",
        placeholder: r && r.matter_id ? t("cases.days_from_catalog") : null })),
      field(t("cases.applicant_name") + (r && r.has_identity ? t("cases.from_card") : ""), inp("cf-name", { maxlength: "64", autocomplete: "off" })),
      field(t("cases.id_type"), h("select", { id: "cf-idtype" }, ...["resident", "hk_mo_permit", "tw_permit", "foreign_2017", "passport"]
        .map((k) => h("option", { value: k }, t("cases.id_types." + k))))),
      field(t("cases.id_number"), inp("cf-id", { maxlength: "32", autocomplete: "off" })),
      field(t("cases.phone"), inp("cf-phone", { maxlength: "32", type: "tel", autocomplete: "off" })),
      check("cf-signed", t("cases.signed")), check("cf-scanned", t("cases.scanned")),
      h("h3", {}, t("cases.handover_materials")), mats,
      h("button", { class: "btn ghost", type: "button", id: "cf-add-mat", onclick: () => mats.append(materialRow()) }, t("cases.add_material")),
      field(t("cases.note"), h("textarea", { id: "cf-note", maxlength: "500" })), error, submit);
    submit.addEventListener("click", async () => {
      const v = (id) => $(id).value.trim();
      const materials = [...mats.querySelectorAll(".mat")].map((m) => ({ name: m.querySelector("[name=mname]").value.trim(),
        form: m.querySelector("[name=mform]").value, count: parseInt(m.querySelector("[name=mcount]").value, 10) || 1 }))
        .filter((m) => m.name);
      const problem = !$("cf-signed").checked ? t("cases.need_signed") : (v("cf-days") === "" && !(r && r.matter_id)) ? t("cases.need_days")
        : !materials.length ? t("cases.need_materials") : (!v("cf-name") && !(r && r.has_identity)) ? t("cases.need_name") : "";
      error.hidden = !problem; error.textContent = problem;
      if (problem) return;
      const body = { time_limit_days: v("cf-days") === "" ? null : parseInt(v("cf-days"), 10), materials, note: v("cf-note") || null,
        matter_name: v("cf-matter") || null, authorization: { signed: true, scanned: $("cf-scanned").checked },
        applicant: (v("cf-name") || v("cf-id") || v("cf-phone"))
          ? { name: v("cf-name") || null, id_number: v("cf-id") || null, phone: v("cf-phone") || null, id_type: $("cf-idtype").value } : null };
      if (r) body.request_id = r.id;
      submit.disabled = true;
      try {
        const c = await api("POST", "/cases", body);
        ui().closeSheet();
        ui().toast(t("cases.done.register", { seq: c.seq, date: c.promised_date }));
        C.seg = "open";
        ui().setTab("cases");
      } catch (e) {
        error.hidden = false; error.textContent = e.message;
        if (e.status === 401) ui().showLogin();
      } finally { submit.disabled = false; }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("case-new").addEventListener("click", () => register(null));
    $("export-since").addEventListener("change", exportRange);
    $("export-until").addEventListener("change", exportRange);
    document.querySelectorAll("[data-cseg]").forEach((b) => b.addEventListener("click", () => { C.seg = b.dataset.cseg; show(); }));
  });

  window.KQ.caseMoves.bind(post);
  window.KQ.cases = { show, load, badge, register, changed };
})();
