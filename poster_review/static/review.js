// The scoring page, enhanced: a running total, a copy of every change kept on this device,
// autosave, and version conflicts shown in plain words. Without it the page is a plain form.
//
// The rule is "never lose a score": every change is written to localStorage before anything
// is sent, and the copy is only marked clean when the server has answered with a revision.
(function () {
  "use strict";
  const form = document.getElementById("review-form");
  if (!form || !window.fetch || !window.JSON) {
    return;
  }

  const FALLBACK = {
    saved: "Saved",
    saving: "Saving…",
    offline: "Offline: kept on this device, will be sent when the connection returns",
    conflict: "Changed elsewhere: choose which version to keep",
    error: "Not saved: ",
    session: "sign in again in another tab; your changes are kept on this device.",
  };
  const AUTOSAVE_DELAY = 800;
  const MAX_RETRY_DELAY = 60000;
  // Stored with the review so that a conflict can say where the other version came from.
  const CLIENT = window.matchMedia && window.matchMedia("(pointer: coarse)").matches
    ? "browser (touch)" : "browser";

  const status = document.getElementById("save-status");
  const totalOutput = document.getElementById("total");
  const revisionInput = form.elements.namedItem("revision");
  const csrfInput = form.elements.namedItem("csrf_token");
  const storageKey = form.getAttribute("data-storage-key");
  const dialog = document.getElementById("conflict-dialog");

  const criteria = Array.prototype.map.call(
    form.querySelectorAll("fieldset[data-weight]"),
    function (fieldset) {
      const radios = Array.prototype.slice.call(fieldset.querySelectorAll('input[type="radio"]'));
      return {
        key: radios.length ? radios[0].name.replace(/^score-/, "") : "",
        weight: parseFloat(fieldset.getAttribute("data-weight")),
        min: parseInt(fieldset.getAttribute("data-min"), 10),
        max: parseInt(fieldset.getAttribute("data-max"), 10),
        radios: radios,
        name: legendText(fieldset),
      };
    }
  ).filter(function (c) { return c.key && c.max > c.min && c.weight > 0; });
  const texts = Array.prototype.map.call(
    form.querySelectorAll('textarea[name^="text-"]'),
    function (el) {
      const label = el.id ? form.querySelector('label[for="' + el.id + '"]') : null;
      return {
        key: el.name.replace(/^text-/, ""),
        el: el,
        name: label ? label.textContent.trim() : el.name,
      };
    }
  );
  const confidenceRadios = Array.prototype.slice.call(
    form.querySelectorAll('input[type="radio"][name="confidence"]')
  );
  const confidenceFieldset = document.getElementById("f-confidence");
  const absent = form.querySelector('input[type="checkbox"][name="presenter_absent"]');
  const editable = !!form.querySelector(
    'input[type="radio"]:not(:disabled), textarea:not(:disabled)'
  );

  let dirty = false;
  let storedOk = true;
  let timer = null;
  let retryTimer = null;
  let retryDelay = 0;
  let inFlight = false;
  let again = false;
  let leaving = null; // {submit: bool} after a click on "Save draft" or "Submit review"
  let closed = false;
  let conflict = null; // the server's snapshot while the conflict dialog is open
  let focusBeforeConflict = null;
  let submitError = null;

  function msg(name) {
    return form.getAttribute("data-msg-" + name) || FALLBACK[name];
  }

  function legendText(fieldset) {
    const legend = fieldset.querySelector("legend");
    if (!legend) {
      return "";
    }
    const copy = legend.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".hint"), function (h) { h.remove(); });
    return copy.textContent.trim();
  }

  // --- Reading and filling the form ----------------------------------------------------------

  function checkedValue(radios, fromMarkup) {
    for (const radio of radios) {
      if ((fromMarkup ? radio.defaultChecked : radio.checked) && radio.value !== "") {
        return parseInt(radio.value, 10);
      }
    }
    return null;
  }

  // fromMarkup reads what the server rendered, ignoring values the browser may have
  // restored into the controls on reload.
  function readSheet(fromMarkup) {
    const sheet = { scores: {}, texts: {}, confidence: null };
    criteria.forEach(function (c) { sheet.scores[c.key] = checkedValue(c.radios, fromMarkup); });
    texts.forEach(function (t) {
      sheet.texts[t.key] = fromMarkup ? t.el.defaultValue : t.el.value;
    });
    if (confidenceRadios.length) {
      sheet.confidence = checkedValue(confidenceRadios, fromMarkup);
    }
    if (absent) {
      sheet.presenter_absent = fromMarkup ? absent.defaultChecked : absent.checked;
    }
    return sheet;
  }

  function setRadios(radios, value) {
    const wanted = value === null || value === undefined ? "" : String(value);
    radios.forEach(function (radio) { radio.checked = radio.value === wanted; });
  }

  function fillForm(sheet) {
    const scores = sheet.scores || {};
    const values = sheet.texts || {};
    criteria.forEach(function (c) { setRadios(c.radios, scores[c.key]); });
    texts.forEach(function (t) { t.el.value = values[t.key] || ""; });
    setRadios(confidenceRadios, sheet.confidence);
    if (absent) {
      absent.checked = !!sheet.presenter_absent;
    }
  }

  function number(value) {
    return value === null || value === undefined || value === "" ? null : Number(value);
  }

  function text(value) {
    return (value || "").replace(/\r\n?/g, "\n");
  }

  function sameSheet(a, b) {
    const sa = a.scores || {};
    const sb = b.scores || {};
    const ta = a.texts || {};
    const tb = b.texts || {};
    return criteria.every(function (c) { return number(sa[c.key]) === number(sb[c.key]); }) &&
      texts.every(function (t) { return text(ta[t.key]) === text(tb[t.key]); }) &&
      (!confidenceRadios.length || number(a.confidence) === number(b.confidence)) &&
      (!absent || !!a.presenter_absent === !!b.presenter_absent);
  }

  // --- The running total ---------------------------------------------------------------------

  function weightedTotal(sheet) {
    let sum = 0;
    let weight = 0;
    criteria.forEach(function (c) {
      const value = number(sheet.scores[c.key]);
      if (value !== null) {
        sum += c.weight * (value - c.min) / (c.max - c.min);
        weight += c.weight;
      }
    });
    return weight > 0 ? 100 * sum / weight : null;
  }

  // The server prints its total with Python's "%.0f", which rounds halves to even.
  function roundLikeServer(x) {
    const r = Math.round(x * 1e4) / 1e4;
    const floor = Math.floor(r);
    if (r - floor === 0.5) {
      return floor % 2 === 0 ? floor : floor + 1;
    }
    return Math.round(r);
  }

  function showTotal() {
    if (!totalOutput) {
      return;
    }
    const total = weightedTotal(readSheet());
    totalOutput.value = total === null ? "—" : String(roundLikeServer(total));
  }

  // --- The copy on this device ---------------------------------------------------------------

  function revision() {
    const value = parseInt(revisionInput.value, 10);
    return isNaN(value) ? 0 : value;
  }

  function setRevision(value) {
    revisionInput.value = String(value);
  }

  function loadLocal() {
    try {
      const record = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      return record && typeof record.base === "number" && record.sheet ? record : null;
    } catch (e) {
      return null;
    }
  }

  function remember() {
    const record = {
      base: revision(),
      sheet: readSheet(),
      dirty: dirty,
      at: new Date().toISOString(),
    };
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(record));
      storedOk = true;
    } catch (e) {
      storedOk = false; // private mode or a full disk: the unload warning below covers it
    }
  }

  function forgetLocal() {
    try {
      window.localStorage.removeItem(storageKey);
    } catch (e) {
      // Nothing stored, nothing to forget.
    }
  }

  // --- Status for eyes and screen readers ----------------------------------------------------

  function setStatus(state, message, when) {
    status.setAttribute("data-state", state);
    // While busy, screen readers wait for the outcome instead of announcing every "Saving…".
    status.setAttribute("aria-busy", state === "saving" ? "true" : "false");
    status.textContent = message;
    if (when) {
      const time = document.createElement("time");
      time.dateTime = when.toISOString();
      time.textContent = when.toLocaleTimeString(document.documentElement.lang || undefined, {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23", // like every other time in the app: no AM/PM ambiguity
      });
      status.append(" ", time);
    }
  }

  function showSubmitError(message) {
    if (!submitError) {
      submitError = document.createElement("p");
      submitError.className = "error-message";
      submitError.id = "submit-error";
      submitError.setAttribute("role", "alert");
      const actions = form.querySelector(".actions");
      form.insertBefore(submitError, actions || null);
    }
    submitError.textContent = message;
    submitError.hidden = !message;
  }

  // --- Saving --------------------------------------------------------------------------------

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, AUTOSAVE_DELAY);
  }

  function retryLater() {
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, MAX_RETRY_DELAY);
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(save, retryDelay);
  }

  function offline() {
    setStatus("offline", msg("offline"));
    retryLater();
  }

  function readJson(response) {
    const type = response.headers.get("Content-Type") || "";
    if (type.indexOf("json") === -1) {
      return Promise.resolve(null); // a login page after a redirect, an HTML error page
    }
    return response.json().catch(function () { return null; });
  }

  function save(keepalive) {
    window.clearTimeout(timer);
    window.clearTimeout(retryTimer);
    if (closed || conflict || !editable) {
      return;
    }
    if (inFlight) {
      again = true;
      return;
    }
    if (!dirty && !leaving) {
      return;
    }
    const intent = leaving;
    leaving = null;
    if (navigator.onLine === false) {
      offline();
      return;
    }
    const sheet = readSheet();
    const body = {
      revision: revision(),
      scores: sheet.scores,
      texts: sheet.texts,
      confidence: sheet.confidence,
      client: CLIENT,
    };
    if (absent) {
      body.presenter_absent = sheet.presenter_absent;
    }
    if (intent && intent.submit) {
      body.submit = true;
    }
    inFlight = true;
    setStatus("saving", msg("saving"));
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      credentials: "same-origin",
      keepalive: keepalive === true,
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": csrfInput ? csrfInput.value : "",
      },
      body: JSON.stringify(body),
    })
      .then(
        function (response) {
          return readJson(response).then(function (data) {
            return { status: response.status, data: data };
          });
        },
        function () { return null; }
      )
      .then(function (result) {
        inFlight = false;
        if (result === null) {
          offline();
        } else {
          handle(result.status, result.data, sheet, intent);
        }
        if (again) {
          again = false;
          save();
        }
      });
  }

  function handle(code, data, sent, intent) {
    if (code === 200 && data && typeof data.revision === "number") {
      retryDelay = 0;
      setRevision(data.revision);
      dirty = !sameSheet(readSheet(), sent); // changed again while the request was out
      remember();
      if (dirty) {
        leaving = intent;
        schedule();
        return;
      }
      setStatus("saved", msg("saved"), new Date());
      if (intent) {
        window.location.assign(doneUrl());
      }
      return;
    }
    if (code === 409 && data && data.closed) {
      closed = true; // the copy on this device stays, marked unsent
      setStatus("error", msg("error") + (data.error || ""));
      return;
    }
    if (code === 409) {
      if (data && data.server && typeof data.server.revision === "number") {
        resolve(data.server, intent);
        return;
      }
      // Lost a race by microseconds: the answer has no snapshot, so ask for it.
      fetchState().then(function (server) {
        if (server) {
          resolve(server, intent);
        } else {
          offline();
        }
      });
      return;
    }
    if (code === 400 && data) {
      const reason = data.error || Object.keys(data.errors || {}).map(function (k) {
        return data.errors[k];
      }).join(" ");
      setStatus("error", msg("error") + reason);
      if (intent && intent.submit && data.missing) {
        // Submitting refused: say what is missing, and still save the draft.
        showSubmitError(reason);
        if (dirty) {
          save();
        } else {
          setStatus("saved", msg("saved")); // the draft on the server is this one already
        }
      }
      return;
    }
    if (code >= 500) {
      setStatus("error", msg("error") + ((data && data.error) || String(code)));
      retryLater();
      return;
    }
    // Signed out, or the session's token changed: only the person can fix that.
    setStatus("error", msg("error") + ((data && data.error) || msg("session")));
  }

  function fetchState() {
    return fetch(form.getAttribute("data-state-url"), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
    })
      .then(function (response) { return response.ok ? readJson(response) : null; })
      .then(function (data) { return data && typeof data.revision === "number" ? data : null; })
      .catch(function () { return null; });
  }

  function resolve(server, intent) {
    if (sameSheet(readSheet(), server)) {
      // The server already holds exactly this (an earlier answer was lost on the way).
      setRevision(server.revision);
      dirty = false;
      remember();
      setStatus("saved", msg("saved"), new Date());
      if (intent) {
        window.location.assign(doneUrl());
      }
      return;
    }
    openConflict(server);
  }

  function doneUrl() {
    const link = document.querySelector('main a[href*="/reviews?"]');
    return form.getAttribute("data-done-url") || (link ? link.href : "/dashboard");
  }

  // --- Conflicts -----------------------------------------------------------------------------

  function levelText(radios, value) {
    const radio = radios.filter(function (r) { return r.value === String(value); })[0];
    const label = radio ? radio.closest("label") : null;
    const description = label ? label.querySelector(".level-text") : null;
    return description ? description.textContent.trim() : "";
  }

  function notScoredText() {
    const label = form.querySelector(".not-scored .level-text");
    return label ? label.textContent.trim() : "—";
  }

  function scoreLine(radios, value) {
    if (value === null || value === undefined) {
      return notScoredText();
    }
    const words = levelText(radios, value);
    return String(value) + (words ? " — " + words : "");
  }

  // One line per criterion or field, in plain words; lines that differ are marked.
  function describe(target, sheet, other) {
    const lines = [];
    const scores = sheet.scores || {};
    const otherScores = other.scores || {};
    criteria.forEach(function (c) {
      lines.push([
        c.name + ": " + scoreLine(c.radios, number(scores[c.key])),
        number(scores[c.key]) !== number(otherScores[c.key]),
      ]);
    });
    if (confidenceRadios.length) {
      lines.push([
        (confidenceFieldset ? legendText(confidenceFieldset) : "confidence") + ": " +
          scoreLine(confidenceRadios, number(sheet.confidence)),
        number(sheet.confidence) !== number(other.confidence),
      ]);
    }
    if (absent) {
      const label = absent.closest("label");
      lines.push([
        (label ? label.textContent.trim() : "presenter_absent") + ": " +
          (sheet.presenter_absent ? "✓" : "—"),
        !!sheet.presenter_absent !== !!other.presenter_absent,
      ]);
    }
    texts.forEach(function (t) {
      const value = text((sheet.texts || {})[t.key]);
      lines.push([t.name + ": " + (value || "—"), value !== text((other.texts || {})[t.key])]);
    });
    target.textContent = "";
    lines.forEach(function (line, i) {
      const node = document.createElement(line[1] ? "mark" : "span");
      node.textContent = line[0];
      target.append(node, i < lines.length - 1 ? "\n" : "");
    });
  }

  function describeConflict() {
    const mine = readSheet();
    describe(document.getElementById("conflict-mine"), mine, conflict);
    describe(document.getElementById("conflict-server"), conflict, mine);
  }

  function openConflict(server) {
    if (!dialog) {
      setStatus("error", msg("conflict"));
      return;
    }
    conflict = server;
    describeConflict();
    dialog.hidden = false;
    setStatus("conflict", msg("conflict"));
    focusBeforeConflict = document.activeElement;
    // Not modal: the person may still scroll, read the poster and tab anywhere.
    dialog.tabIndex = -1;
    dialog.focus();
    dialog.scrollIntoView({ block: "nearest" });
  }

  function closeConflict() {
    conflict = null;
    dialog.hidden = true;
    const back = focusBeforeConflict && form.contains(focusBeforeConflict)
      ? focusBeforeConflict
      : form.querySelector('input[type="radio"]:checked, input[type="radio"], textarea');
    if (back) {
      back.focus();
    }
  }

  function keepMine() {
    if (!conflict) {
      return;
    }
    const server = conflict;
    closeConflict();
    setRevision(server.revision); // "based on what is there now", so it is accepted
    dirty = true;
    remember();
    save();
  }

  function keepServer() {
    if (!conflict) {
      return;
    }
    const server = conflict;
    fillForm(server);
    setRevision(server.revision);
    dirty = false;
    forgetLocal();
    showTotal();
    closeConflict();
    setStatus("saved", msg("saved"));
  }

  // --- Events --------------------------------------------------------------------------------

  function onChange() {
    showTotal();
    if (!editable) {
      return;
    }
    dirty = true;
    remember();
    showSubmitError("");
    if (conflict) {
      describeConflict();
      return;
    }
    schedule();
  }

  function onSubmit(event) {
    if (!editable) {
      return;
    }
    event.preventDefault();
    const button = event.submitter || document.activeElement;
    remember();
    if (conflict) {
      dialog.focus();
      return;
    }
    if (navigator.onLine === false) {
      dirty = true;
      remember();
      offline();
      return;
    }
    leaving = { submit: !!button && button.name === "action" && button.value === "submit" };
    save();
  }

  function start() {
    const page = readSheet(true);
    const pageRevision = parseInt(revisionInput.defaultValue, 10) || 0;
    page.revision = pageRevision;
    const record = editable ? loadLocal() : null;
    fillForm(page);
    setRevision(pageRevision);
    if (record && (record.base > pageRevision || (record.dirty && record.base === pageRevision))) {
      // Ours is at least as new as the page (an older page served from the offline cache).
      fillForm(record.sheet);
      setRevision(record.base);
      dirty = !!record.dirty;
      if (dirty) {
        save();
      }
    } else if (record && record.dirty) {
      // Edited here from an older revision, and someone saved since: never a silent overwrite.
      fillForm(record.sheet);
      dirty = true;
      if (sameSheet(record.sheet, page)) {
        dirty = false;
        remember();
      } else {
        openConflict(page);
      }
    }
    showTotal();
  }

  form.addEventListener("input", onChange);
  form.addEventListener("change", onChange);
  form.addEventListener("submit", onSubmit);
  if (dialog) {
    document.getElementById("keep-mine").addEventListener("click", keepMine);
    document.getElementById("keep-server").addEventListener("click", keepServer);
  }
  window.addEventListener("online", function () {
    retryDelay = 0;
    if (dirty) {
      save();
    }
  });
  window.addEventListener("offline", function () {
    if (dirty) {
      setStatus("offline", msg("offline"));
    }
  });
  document.addEventListener("visibilitychange", function () {
    // A phone switching apps may never come back to this page: send what is pending now.
    if (document.visibilityState === "hidden" && dirty && !inFlight) {
      save(true);
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !storedOk) {
      event.preventDefault(); // nothing kept on this device: the browser asks first
      event.returnValue = "";
    }
  });

  start();
  addStylesheet();
  registerServiceWorker();

  // --- Page furniture ------------------------------------------------------------------------

  // review.css is linked from here until the template links it itself.
  function addStylesheet() {
    if (document.querySelector('link[href*="review.css"]')) {
      return;
    }
    const app = document.querySelector('link[rel="stylesheet"][href*="app.css"]');
    if (app) {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = app.href.replace(/app\.css(\?.*)?$/, "review.css");
      document.head.appendChild(link);
    }
  }

  // The worker keeps the pages a reviewer opened, so a reload without a connection still
  // shows this page (and the copy above puts the unsent scores back into it).
  function registerServiceWorker() {
    if (!("serviceWorker" in navigator) || navigator.onLine === false) {
      return;
    }
    const controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker
      .register(form.getAttribute("data-sw-url") || "/sw.js", { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        if (controlled || !registration.active) {
          return; // this page came through the worker, which has kept it already
        }
        // The first visit came before the worker: hand it this page and what it uses.
        const urls = [window.location.href];
        const add = function (selector, attribute) {
          Array.prototype.forEach.call(document.querySelectorAll(selector), function (el) {
            if (el[attribute]) {
              urls.push(el[attribute]);
            }
          });
        };
        add('link[rel="stylesheet"], link[rel="icon"]', "href");
        add("script[src]", "src");
        add("main img[src]", "src");
        add('main a[href*="/reviews?"]', "href");
        registration.active.postMessage({ type: "keep", urls: urls });
      })
      .catch(function () {
        // No worker (private window, blocked): the page works, only offline reloads do not.
      });
  }
})();
