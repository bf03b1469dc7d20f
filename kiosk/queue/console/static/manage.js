/* The managers' view (管理): all calls of my sites by wait, kiosks' health, staff on duty, and 督查 (figures.js).
   Sites and kiosks by name (codes only where a technician needs them). Uses KQ.ui; text only via textContent. */
"use strict";
(function () {
  const { t, fmtWait } = window.KQ;
  const $ = (id) => document.getElementById(id);
  const ui = () => window.KQ.ui;
  const S = window.KQ.S;
  const ago = (iso) => fmtWait((window.KQ.clock.now() - Date.parse(iso)) / 1000); // by the server's clock

  function render() {
    const { h } = ui();
    const q = window.KQ.queue;
    const box = $("manage");
    box.replaceChildren();
    document.querySelectorAll("[data-seg]").forEach((b) => b.classList.toggle("on", b.dataset.seg === S.seg));
    const all = summary();
    if (S.seg === "requests") {
      all.sort((a, b) => q.waitOf(b) - q.waitOf(a)).forEach((r) => box.append(q.card(r)));
      if (!all.length) box.append(h("p", { class: "empty" }, t("empty")));
    } else if (S.seg === "figures") {
      window.KQ.figures.render(box);
    } else if (S.seg === "setup") {
      window.KQ.setup.render(box); // kiosk_config.js: central settings and webhooks
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
        h("div", { class: "line muted" }, `${u.sites.map(ui().siteName).join(t("punct.list"))} · ${t("holding", { n: u.active_requests.length })}` +
          (u.last_seen_at ? ` · ${t("last_seen", { ago: ago(u.last_seen_at) })}` : ""))));
    }
  }

  /** The calls' summary line over every segment; the calls of my sites. */
  function summary() {
    const q = window.KQ.queue;
    const all = [...S.items.values()];
    const waiting = all.filter((r) => r.state === "waiting");
    const longest = waiting.reduce((m, r) => Math.max(m, q.waitOf(r)), 0);
    $("summary").textContent = t("summary", { waiting: waiting.length, active: all.length - waiting.length, longest: fmtWait(longest) });
    return all;
  }

  /** A request event while 管理 is shown: the summary always, the list when 呼叫 is the segment; the
      others (kiosks, staff, 督查 with its figures, settings) keep their 15 s poll, so a busy hall's events
      neither refetch the figures nor redraw a page being read. */
  function onEvent() {
    if (S.seg === "requests") render();
    else summary();
  }

  function problemLabel(p) {
    const known = t("problem." + p);
    if (known !== "problem." + p) return known;
    const m = /^(.+)_(error|disconnected)$/.exec(p);
    return m ? `${t("device." + m[1])} ${t("device_state." + m[2])}` : p;
  }

  /** Each device said once: a device with a problem shows only the problem (in plain words, the
      device's own reason after it when it adds something), the others their state (摄像头 正常). */
  function kioskCard(k) {
    const { h } = ui();
    const troubled = new Set();
    const probs = k.problems.map((p, i) => {
      const name = (k.problem_devices || [])[i] || "";
      const dev = k.devices.find((d) => d.device === name);
      troubled.add(name);
      const label = problemLabel(p);
      const reason = dev && dev.reason && !label.includes(dev.reason) && !dev.reason.includes(label) ? dev.reason : "";
      return h("span", { class: "prob" }, reason ? label + t("punct.colon") + reason : label);
    });
    const fine = k.devices.filter((d) => !troubled.has(d.device)).map((d) =>
      h("span", { class: "dev" + (d.state === "error" || d.state === "disconnected" ? " bad" : "") },
        `${t("device." + d.device)} ${t("device_state." + d.state)}${d.reason ? t("punct.colon") + d.reason : ""}`));
    return h("article", { class: "card" + (k.problems.length ? " escalated" : "") },
      h("div", { class: "head" }, h("span", { class: "kind" }, k.location || t("kiosk_unknown")),
        h("span", { class: "muted" }, t("kiosk_no", { id: k.kiosk_id }))),
      h("div", { class: "where" }, ui().siteName(k.site_code)),
      h("div", { class: "line muted" }, k.last_seen_at ? t("last_seen", { ago: ago(k.last_seen_at) }) : t("never_seen"),
        k.outbox_pending ? ` · ${t("outbox_pending", { n: k.outbox_pending })}` : ""),
      h("div", { class: "probs" }, probs.length ? probs : h("span", { class: "okchip" }, t("all_ok")), ...fine));
  }

  window.KQ.manage = { render, onEvent, kioskCard };
})();
