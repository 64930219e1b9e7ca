// Offline scoring: keep the reviewer's pages so that a reload without a connection still
// shows them. Network first, so an online reviewer always sees the server's version; the
// cache only answers when the network does not. Unsent scores live in the page's
// localStorage (review.js), never here: this worker caches GET pages and files only.
"use strict";

// Change the version when what is cached changes shape; activate deletes older caches.
const VERSION = "v1";
const PREFIX = "poster-review-";
const CACHE = PREFIX + VERSION;

const KEPT = [
  /^\/reviews\/\d+\/$/, // scoring pages (not state.json, not the autosave POST)
  /^\/c\/[^/]+\/reviews$/, // the reviewer's dashboard
  /^\/static\//,
  /^\/submissions\/\d+\/files\/\d+\/(small|large)\.png$/, // poster thumbnails
];

function keepable(url) {
  return url.origin === self.location.origin &&
    KEPT.some(function (pattern) { return pattern.test(url.pathname); });
}

function worthKeeping(response) {
  const type = response.headers.get("Content-Type") || "";
  // A redirect (to the login page, say) must never stand in for the page asked for.
  return response.ok && response.type === "basic" && !response.redirected &&
    type.indexOf("json") === -1;
}

function store(request, response) {
  return caches.open(CACHE).then(function (cache) { return cache.put(request, response); });
}

function networkFirst(event) {
  const request = event.request;
  return fetch(request)
    .then(function (response) {
      if (worthKeeping(response)) {
        event.waitUntil(store(request, response.clone()));
      }
      return response;
    })
    .catch(function () {
      return caches.match(request, { ignoreVary: true }).then(function (hit) {
        return hit || Response.error();
      });
    });
}

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names
          .filter(function (name) { return name.indexOf(PREFIX) === 0 && name !== CACHE; })
          .map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method === "POST" && url.origin === self.location.origin &&
      url.pathname === "/account/logout") {
    // Signing out on a shared device: the kept pages go with the session.
    event.waitUntil(caches.delete(CACHE));
    return;
  }
  if (request.method !== "GET" || !keepable(url)) {
    return; // the browser handles it as if there were no worker
  }
  event.respondWith(networkFirst(event));
});

// The page that registered the worker was loaded before the worker existed; it sends
// its own address and files so that they are kept too.
self.addEventListener("message", function (event) {
  const data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) {
    return;
  }
  const urls = data.urls
    .map(function (u) {
      try {
        return new URL(u, self.location.origin);
      } catch (e) {
        return null;
      }
    })
    .filter(function (url) { return url && keepable(url); });
  event.waitUntil(Promise.all(urls.map(function (url) {
    return fetch(url.href, { credentials: "same-origin" })
      .then(function (response) {
        return worthKeeping(response) ? store(url.href, response) : null;
      })
      .catch(function () { return null; });
  })));
});
