/* The 代办台账 list's cards, keyed by case id: a case event costs what it changes. put(c) updates, moves,
   inserts or removes one card (the others keep their DOM nodes, and so an open timeline or a tap under the
   finger); set(items) takes a whole list and reuses every card whose case did not change. The first
   screenful is drawn at once, the rest in idle chunks (the list has aria-busy meanwhile). Order as the
   server's list (kiosk/queue/cases.py CaseService.list): overdue, nearly due, then by promised date, 序号. */
"use strict";
(function () {
  const FIRST = 12; // cards drawn at once: more than a phone's screenful
  const rank = (c) => ({ overdue: 0, due_soon: 1 })[c.due] ?? 2;
  const before = (a, b) => rank(a) - rank(b)
    || (a.promised_date < b.promised_date ? -1 : a.promised_date > b.promised_date ? 1 : a.seq - b.seq);
  const idle = window.requestIdleCallback ? (f) => window.requestIdleCallback(f, { timeout: 200 })
    : (f) => setTimeout(() => f({ timeRemaining: () => 8, didTimeout: false }), 16);

  function make(box, draw, empty) {
    const L = { items: [], els: new Map(), drawn: 0, job: false }; // drawn: items[0..drawn) are in the box, in order
    const keyOf = (c) => JSON.stringify(c);
    const el = (c) => {
      const key = keyOf(c), got = L.els.get(c.id);
      if (got && got.key === key) return got.el;
      const e = draw(c);
      L.els.set(c.id, { el: e, key });
      return e;
    };
    const settle = () => {
      if (!L.items.length) box.replaceChildren(empty());
      else for (const p of box.querySelectorAll(":scope > :not(article)")) p.remove();
    };

    function more() { // the rest of the list, a chunk each idle moment
      if (L.job) return;
      if (L.drawn >= L.items.length) { box.removeAttribute("aria-busy"); return; }
      box.setAttribute("aria-busy", "true");
      L.job = true;
      idle((dl) => {
        L.job = false;
        const part = document.createDocumentFragment();
        do { part.append(el(L.items[L.drawn])); L.drawn++; }
        while (L.drawn < L.items.length && (dl.timeRemaining() > 2 || dl.didTimeout && part.childNodes.length < FIRST));
        box.append(part);
        more();
      });
    }

    /** A whole list (the server's answer, in its order): unchanged cards stay as they are. */
    function set(items) {
      L.items = items.slice();
      const keep = new Set(items.map((c) => c.id));
      for (const [id, got] of L.els) if (!keep.has(id)) { got.el.remove(); L.els.delete(id); }
      let i = 0;
      for (; i < L.items.length; i++) {
        const c = L.items[i], got = L.els.get(c.id);
        if (i >= FIRST && !(got && got.key === keyOf(c))) break; // a new card past the first screen: later
        const e = el(c);
        if (box.children[i] !== e) box.insertBefore(e, box.children[i] || null);
      }
      while (box.children.length > i) box.lastElementChild.remove(); // drawn again by its chunk
      L.drawn = i;
      settle();
      more();
    }

    /** One case changed (``gone``: it left this list): its card alone is redrawn, moved, added or removed. */
    function put(c, gone) {
      const at = L.items.findIndex((x) => x.id === c.id);
      const old = L.els.get(c.id);
      if (at >= 0) { L.items.splice(at, 1); if (at < L.drawn) L.drawn--; }
      if (gone) {
        if (old) { old.el.remove(); L.els.delete(c.id); }
        return settle();
      }
      let i = 0;
      while (i < L.items.length && before(L.items[i], c) <= 0) i++;
      L.items.splice(i, 0, c);
      settle();
      if (i > L.drawn || (i === L.drawn && L.drawn < L.items.length - 1)) { // not drawn yet: its chunk will
        if (old) old.el.remove();
        return more();
      }
      const e = el(c);
      if (old && old.el !== e && old.el.isConnected) old.el.replaceWith(e);
      const next = i + 1 <= L.drawn && i + 1 < L.items.length ? L.els.get(L.items[i + 1].id).el : null;
      if (e.parentNode !== box || e.nextElementSibling !== next) box.insertBefore(e, next);
      L.drawn++;
    }

    /** The card drawn again as it is (its timeline or the applicant's identity shown or hidden). */
    function redraw(id) {
      const c = L.items.find((x) => x.id === id), old = L.els.get(id);
      if (!c || !old) return;
      L.els.delete(id);
      const e = el(c);
      if (old.el.isConnected) old.el.replaceWith(e);
    }

    return { set, put, redraw, items: () => L.items, card: (id) => (L.els.get(id) || {}).el };
  }

  window.KQ.caseList = make;
})();
