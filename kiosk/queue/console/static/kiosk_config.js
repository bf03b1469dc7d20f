/* The 设置 (setup) segment of the managers' view: each kiosk's running config and software version, editing
   a kiosk's or a site's default central settings (versions, who and what changed, rollbacks), and the
   webhooks (webhooks.js). API: /api/v1/kiosk-config (kiosk/queue/API.md). Text only via textContent. */
"use strict";
(function () {
  const { t, api } = window.KQ;
  const ui = () => window.KQ.ui;
  let KEYS = null;

  const label = (key) => {
    const s = t("setup.keys." + key.split(".").join("_"));
    return s.startsWith("setup.keys.") ? key : s;
  };
  const when = (iso) => iso ? new Date(iso).toLocaleString() : "";
  const show = (v) => v === null || v === undefined ? t("setup.removed_value") : (typeof v === "boolean" ? (v ? "✓" : "✗") : String(v));

  function kioskCard(k, open) {
    const { h } = ui();
    const runs = k.config_version ? t("setup.running", { version: k.config_version }) : t("setup.never");
    const status = k.config_status === "invalid" ? t("setup.status_invalid", { error: k.config_error || "" })
      : k.config_status === "applied" ? t("setup.status_applied") : "";
    return h("article", { class: "card" + (k.config_status === "invalid" ? " escalated" : ""), "data-kiosk-config": k.kiosk_id },
      h("div", { class: "head" }, h("span", { class: "kind" }, k.kiosk_id), h("span", { class: "muted" }, `${ui().siteName(k.site_code)} ${k.location || ""}`)),
      h("div", { class: "line", "data-running": k.kiosk_id }, `${runs}${status ? " · " + status : ""} · ` +
        t("setup.software", { version: k.software_version || "—" }) +
        (k.catalog_version ? " · " + t("setup.catalog", { version: k.catalog_version }) : "")),
      h("div", { class: "row" }, h("button", { class: "btn ghost", type: "button", "data-edit-kiosk": k.kiosk_id,
        onclick: () => open(k.site_code, k.kiosk_id) }, t("setup.edit"))));
  }

  function input(spec, value) {
    const { h } = ui();
    if (spec.type === "boolean") return h("input", { type: "checkbox", ...(value ? { checked: true } : {}) });
    if (spec.type === "choice") {
      const sel = h("select", {}, ...spec.choices.map((c) => h("option", { value: String(c) }, String(c))));
      sel.value = String(value ?? spec.default ?? spec.choices[0]);
      return sel;
    }
    const attrs = spec.type === "text" ? { type: "text", maxlength: String(spec.max_length || 200) }
      : { type: "number", step: spec.type === "integer" ? "1" : "any", min: spec.min ?? null, max: spec.max ?? null };
    const el = h("input", attrs);
    el.value = value ?? spec.default ?? "";
    return el;
  }

  function read(spec, el) {
    if (spec.type === "boolean") return el.checked;
    if (spec.type === "choice") { const c = spec.choices.find((x) => String(x) === el.value); return c === undefined ? el.value : c; }
    if (spec.type === "integer" || spec.type === "number") return el.value === "" ? null : Number(el.value);
    if (spec.type === "list") return el.value.split(/[,，\s]+/).filter(Boolean).map(Number);
    return el.value;
  }

  async function editor(site, kiosk) {
    const { h, sheet, toast, closeSheet } = ui();
    let view;
    try {
      KEYS = KEYS || await api("GET", "/kiosk-config/keys");
      view = await api("GET", `/kiosk-config?site_code=${encodeURIComponent(site)}` + (kiosk ? `&kiosk_id=${encodeURIComponent(kiosk)}` : ""));
    } catch (e) { return toast(e.message, true); }
    const spec = Object.fromEntries(KEYS.map((k) => [k.key, k]));
    const rows = new Map(); // key → {spec, el, row}
    const list = h("div", { class: "config-rows" });
    const removed = new Set();
    const addRow = (key, value) => {
      const s = spec[key] || { key, type: "text" };
      const el = input(s, value);
      el.setAttribute("data-key", key);
      const row = h("div", { class: "line config-row" }, h("label", {}, h("span", {}, label(key)),
        h("small", { class: "muted" }, ` ${s.live ? t("setup.live") : t("setup.at_reset")}`), el),
      h("button", { class: "btn ghost", type: "button", "data-remove": key, onclick: () => { rows.delete(key); removed.add(key); row.remove(); } }, t("setup.remove")));
      rows.set(key, { s, el });
      removed.delete(key);
      list.append(row);
    };
    for (const [key, value] of Object.entries(view.settings)) addRow(key, value);
    const picker = h("select", { "data-add-key": "" }, h("option", { value: "" }, t("setup.add")),
      ...KEYS.map((k) => h("option", { value: k.key }, `${label(k.key)}${label(k.key) === k.key ? "" : " · " + k.key}`)));
    picker.addEventListener("change", () => { if (picker.value && !rows.has(picker.value)) addRow(picker.value); picker.value = ""; });
    const save = async () => {
      const changes = {};
      for (const key of removed) if (key in view.settings) changes[key] = null;
      for (const [key, { s, el }] of rows) {
        const v = read(s, el);
        if (JSON.stringify(v) !== JSON.stringify(view.settings[key])) changes[key] = v;
      }
      try {
        const out = await api("PUT", "/kiosk-config", { site_code: site, kiosk_id: kiosk || null, changes, base_version: view.version });
        closeSheet();
        toast(t("setup.saved", { version: out.version }));
        render(document.getElementById("manage"));
      } catch (e) { toast(e.message, true); }
    };
    const inherited = view.effective ? Object.keys(view.effective.settings).filter((k) => !(k in view.settings)) : [];
    const history = view.history.map((v) => h("div", { class: "line muted", "data-version": String(v.version) },
      `v${v.version} · ${v.author.replace(/^user:/, "")} · ${when(v.created_at)} · ` +
      Object.entries(v.diff).map(([k, [a, b]]) => `${label(k)}: ${show(a)} → ${show(b)}`).join(t("punct.semi")) +
      (v.rolled_back_at ? ` · ${t("setup.rolled_back", { reason: v.rollback_reason || "" })}` : "")));
    sheet(kiosk ? t("setup.title_kiosk", { kiosk }) : t("setup.title_site", { site: ui().siteName(site) }), ...[
      h("p", { class: "muted" }, view.version ? t("setup.own", { version: view.version }) : t("setup.none")),
      inherited.length ? h("p", { class: "muted" }, t("setup.inherited", { keys: inherited.map(label).join(t("punct.list")) })) : null,
      list, picker,
      h("button", { class: "btn big primary", type: "button", "data-save-config": "", onclick: save }, t("setup.save")),
      view.history.length ? h("h3", {}, t("setup.history")) : null, ...history].filter(Boolean));
  }

  async function render(box) {
    const { h, showLogin, toast, me } = ui();
    let kiosks;
    try { kiosks = await api("GET", "/kiosks"); } catch (e) {
      if (e.status === 401) return showLogin();
      return toast(e.message, true);
    }
    const sites = (me() && me().visible_sites) || [];
    box.replaceChildren(h("h2", {}, t("setup.kiosks")), ...kiosks.map((k) => kioskCard(k, editor)),
      h("h2", {}, t("setup.sites")),
      ...sites.map((s) => h("div", { class: "row" }, h("button", { class: "btn ghost", type: "button", "data-edit-site": s,
        onclick: () => editor(s, null) }, t("setup.site_default", { site: ui().siteName(s) })))));
    if (window.KQ.hooks) box.append(await window.KQ.hooks.section(sites));
  }

  window.KQ.setup = { render, editor };
})();
