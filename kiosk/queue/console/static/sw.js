/* The console's service worker (scope /console/): the page's shell — the page, its fingerprinted files, its
   texts — is kept so the console opens at once, and opens at all when the hall's Wi-Fi is weak. Live data is
   never cached: /api/v1 always goes to the network. The page is fetched from the network first (an update
   shows at the next load) and taken from the cache only when the network fails. */
"use strict";
const CACHE = "kq-shell-v1";
const SHELL = /*SHELL*/[];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(["/console/", "/console/i18n.json?lang=zh_CN", "/console/i18n.json?lang=en", ...SHELL])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || !url.pathname.startsWith("/console/")) return;
  if (url.pathname.startsWith("/console/static/") && url.searchParams.has("v")) {  // fingerprinted: never changes
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request).then((r) => {
      if (r.ok) { const copy = r.clone(); caches.open(CACHE).then((c) => c.put(event.request, copy)); }
      return r;
    })));
    return;
  }
  // the page and its texts: the network first (with a short wait), the kept copy when it fails
  event.respondWith(fetch(event.request).then((r) => {
    if (r.ok) { const copy = r.clone(); caches.open(CACHE).then((c) => c.put(event.request, copy)); }
    return r;
  }).catch(() => caches.match(event.request, { ignoreSearch: url.pathname === "/console/" })
    .then((hit) => hit || Response.error())));
});
