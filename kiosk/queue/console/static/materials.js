/* What the resident has of each material (issue 12, item 17), on a request's card: what is missing and
   what to look at first, then what was brought or photographed at the kiosk. KQ.materials(r, h) returns
   an element (or null when the request carries no materials); console.js calls it from card().
   Text only via textContent (h appends strings as text nodes). */
"use strict";
(function () {
  const ORDER = ["missing", "unsure", "unanswered", "paper", "present"];
  const { t } = window.KQ;

  function materials(r, h) {
    const items = Array.isArray(r.materials) ? r.materials : [];
    if (!items.length) return null;
    const lines = ORDER.map((state) => {
      const names = items.filter((m) => m.state === state)
        .map((m) => m.name + (m.required === false ? t("materials.optional") : ""));
      if (!names.length) return null;
      return h("div", { class: "mat " + state, "data-mat": state }, t("materials." + state, { names: names.join(t("punct.list")) }));
    });
    return h("div", { class: "materials", "data-materials": String(items.length) },
      h("div", { class: "mat-title" }, t("materials.title")), lines);
  }

  window.KQ.materials = materials;
})();
