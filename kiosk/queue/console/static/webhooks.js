/* Webhooks in the 设置 segment: each of my sites' robots (企业微信, 钉钉, 飞书, JSON) with what they sent and
   their last error; add (the secret is sent once, never shown again) and remove. API: /api/v1/webhooks. */
"use strict";
(function () {
  const { t, api } = window.KQ;
  const ui = () => window.KQ.ui;
  const KINDS = ["wecom", "dingtalk", "feishu", "json"];
  const when = (iso) => iso ? new Date(iso).toLocaleString() : "";

  function card(w, refresh) {
    const { h, toast } = ui();
    const remove = async () => {
      try { await api("DELETE", `/webhooks/${w.id}`); toast(t("hooks.removed")); refresh(); } catch (e) { toast(e.message, true); }
    };
    return h("article", { class: "card" + (w.last_error && w.retrying ? " escalated" : ""), "data-webhook": String(w.id) },
      h("div", { class: "head" }, h("span", { class: "kind" }, t("hooks.kind." + w.kind)), h("span", { class: "muted" }, ui().siteName(w.site_code)),
        w.secret_set ? h("span", { class: "muted" }, t("hooks.signed")) : null,
        w.retrying ? h("span", { class: "prob" }, t("hooks.retrying")) : null),
      h("div", { class: "line muted url" }, w.url),
      h("div", { class: "line" }, t("hooks.stats", { sent: w.sent, failed: w.failed, dropped: w.dropped }) +
        (w.last_ok_at ? " · " + t("hooks.last_ok", { at: when(w.last_ok_at) }) : "")),
      w.last_error ? h("div", { class: "line error", "data-last-error": "" }, t("hooks.last_error", { at: when(w.last_error_at), error: w.last_error })) : null,
      h("div", { class: "row" }, h("button", { class: "btn ghost", type: "button", "data-remove-webhook": String(w.id), onclick: remove }, t("hooks.remove"))));
  }

  function form(sites, refresh) {
    const { h, toast } = ui();
    const site = h("select", { name: "site" }, ...sites.map((s) => h("option", { value: s }, ui().siteName(s))));
    const kind = h("select", { name: "kind" }, ...KINDS.map((k) => h("option", { value: k }, t("hooks.kind." + k))));
    const url = h("input", { name: "url", type: "url", maxlength: "500", required: true, placeholder: "https://" });
    const secret = h("input", { name: "secret", type: "password", maxlength: "200", autocomplete: "off" });
    const submit = async (ev) => {
      ev.preventDefault();
      const body = { site_code: site.value, kind: kind.value, url: url.value.trim(), ...(secret.value ? { secret: secret.value } : {}) };
      try { await api("POST", "/webhooks", body); toast(t("hooks.added")); refresh(); } catch (e) { toast(e.message, true); }
    };
    return h("form", { class: "card hook-form", "data-webhook-form": "", onsubmit: submit },
      h("div", { class: "head" }, h("span", { class: "kind" }, t("hooks.add"))),
      h("label", {}, h("span", {}, t("hooks.site")), site), h("label", {}, h("span", {}, t("hooks.kind_label")), kind),
      h("label", {}, h("span", {}, t("hooks.url")), url), h("label", {}, h("span", {}, t("hooks.secret")), secret),
      h("button", { class: "btn primary", type: "submit" }, t("hooks.add")));
  }

  /** The webhooks section (a fresh element; it re-draws itself after a change). */
  async function section(sites) {
    const { h, toast } = ui();
    const box = h("section", { class: "hooks", id: "hooks" });
    const refresh = async () => {
      let hooks = [];
      try { hooks = await api("GET", "/webhooks"); } catch (e) { toast(e.message, true); }
      box.replaceChildren(h("h2", {}, t("hooks.title")), h("p", { class: "muted" }, t("hooks.help")),
        ...(hooks.length ? hooks.map((w) => card(w, refresh)) : [h("p", { class: "empty" }, t("hooks.none"))]),
        sites.length ? form(sites, refresh) : null);
    };
    await refresh();
    return box;
  }

  window.KQ.hooks = { section };
})();
