// Placeholder service worker (replaced by the offline-scoring worker).
self.addEventListener("install", function () { self.skipWaiting(); });
