/* The 督查 (supervision) segment of the managers' view: the last 30 days per site and per helper —
   response and completion times (p50 / p90), requests, 代办 cases on time / overdue, and the one-time
   notices (一次性告知单) the kiosks printed. Uses KQ.ui from console.js; text only via textContent. */
"use strict";
(function () {
  const { t, api } = window.KQ;
  const ui = () => window.KQ.ui;

  function dur(s) {
    if (s === null || s === undefined) return "—";
    return s < 90 ? t("figures.seconds", { n: Math.round(s) }) : t("figures.minutes", { n: Math.round(s / 60) });
  }

  function times(label, x) {
    return `${label} ${dur(x.p50_s)} / ${dur(x.p90_s)}` + (x.n ? ` (${x.n})` : "");
  }

  function block(title, sub, b) {
    const { h } = ui();
    const c = b.cases;
    const lines = [
      t("figures.requests", { n: b.requests, claimed: b.claimed, resolved: b.resolved, converted: b.converted, cancelled: b.cancelled }),
      times(t("figures.response"), b.response) + " · " + times(t("figures.completion"), b.completion),
      t("figures.cases", { total: c.total, on_time: c.on_time, late: c.late, overdue: c.overdue, due_soon: c.due_soon }),
    ];
    if (b.notices) lines.push(t("figures.notices", { n: b.notices.printed, items: b.notices.missing_items }));
    if (b.escalated) lines.push(t("figures.escalated", { n: b.escalated }));
    const r = b.ratings;
    if (r && r.n) {
      const why = Object.entries(r.reasons).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${t("figures.reason." + k)} ${n}`).join(t("punct.list"));
      lines.push(t("figures.ratings", { n: r.n, bad: r.unsatisfied, share: Math.round(r.unsatisfied_share * 100) }) + (why ? t("punct.open") + why + t("punct.close") : ""));
    }
    return h("article", { class: "card" + (c.overdue ? " escalated" : "") },
      h("div", { class: "head" }, h("span", { class: "kind" }, title), h("span", { class: "muted" }, sub)),
      // a figure and its label stay on one line: breaks fall between figures only (not "将到期" | "0")
      ...lines.map((line) => h("div", { class: "line" }, line.split(" · ").flatMap((part, i) => [i ? " · " : "", h("span", { class: "fig" }, part)]))));
  }

  /** Download links of the 督查 report (this month, last month, yesterday) for each of my own sites;
      `today` is the server's day (the figures' `until`), not this phone's clock. */
  function downloads(today) {
    const { h } = ui();
    const me = ui().me();
    const pad = (n) => String(n).padStart(2, "0");
    const now = new Date(today + "T00:00:00Z");
    const month = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
    const y = new Date(now.getTime() - 86400e3);
    const periods = [[t("figures.report_month"), month(now)],
      [t("figures.report_last_month"), month(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)))],
      [t("figures.report_yesterday"), `${month(y)}-${pad(y.getUTCDate())}`]];
    const rows = [];
    for (const site of (me && me.sites) || []) {
      for (const [label, period] of periods) {
        const q = (fmt) => `/api/v1/reports?site_code=${encodeURIComponent(site)}&period=${period}&format=${fmt}`;
        rows.push(h("div", { class: "line report" }, `${label} ${period} · ${site}${t("punct.colon")}`,
          ...["html", "xlsx", "pdf"].map((fmt) => h("a", { href: q(fmt), "data-report": `${site}:${period}:${fmt}`,
            ...(fmt === "html" ? { target: "_blank", rel: "noopener" } : { download: "" }) }, t("figures.format_" + fmt)))));
      }
    }
    return h("article", { class: "card" }, h("div", { class: "head" }, h("span", { class: "kind" }, t("figures.reports"))), ...rows);
  }

  async function render(box) {
    const { h, showLogin, toast } = ui();
    let f;
    try {
      f = await api("GET", "/figures");
    } catch (e) {
      if (e.status === 401) return showLogin();
      return toast(e.message, true);
    }
    box.replaceChildren(h("p", { class: "muted" }, t("figures.range", { since: f.since, until: f.until })),
      downloads(f.until), block(t("figures.total"), "", f.total));
    for (const s of f.sites) box.append(block(s.site_name, "", s));
    if (f.helpers.length) box.append(h("h2", {}, t("figures.helpers")));
    for (const u of f.helpers) box.append(block(u.display_name || u.username, "", u));
  }

  window.KQ.figures = { render };
})();
