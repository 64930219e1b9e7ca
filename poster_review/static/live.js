// The chair's live coverage page: re-reads the session's state from the server every
// 10 seconds and updates the counts in place. Without JavaScript the page still works
// with its "Refresh" link. A failed request is said so and retried at the next tick;
// nothing is kept in the browser, the server's answer is always what is shown.
(function () {
  "use strict";
  var PERIOD = 10000;
  var root = document.getElementById("live");
  if (!root) {
    return;
  }
  var status = document.getElementById("live-status");
  var timer = null;

  function setText(row, field, value) {
    var cell = row.querySelector('[data-field="' + field + '"]');
    if (cell && cell.textContent !== String(value)) {
      cell.textContent = String(value);
    }
  }

  function apply(state) {
    state.posters.forEach(function (p) {
      var row = root.querySelector('tr[data-poster="' + p.submission_id + '"]');
      if (!row) {
        return;
      }
      setText(row, "done", p.done);
      setText(row, "required", p.required);
      setText(row, "planned", p.planned);
      var absent = row.querySelector('[data-field="absent"]');
      if (absent) {
        var word = p.presenter_absent
          ? absent.dataset.yes
          : p.presenter_cannot_attend
            ? absent.dataset.cannot
            : absent.dataset.no;
        if (absent.textContent !== word) {
          absent.textContent = word;
        }
      }
      row.dataset.done = p.done >= p.required ? "yes" : "no";
    });
    state.judges.forEach(function (j) {
      var row = root.querySelector('tr[data-judge="' + j.id + '"]');
      if (!row) {
        return;
      }
      setText(row, "done", j.done);
      setText(row, "planned", j.planned);
      setText(row, "behind", j.behind);
      row.dataset.behind = j.behind > 0 ? "yes" : "no";
    });
  }

  function poll() {
    fetch(root.dataset.url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        apply(state);
        status.dataset.state = "ok";
        status.textContent = root.dataset.ok + " " + new Date().toLocaleTimeString();
      })
      .catch(function () {
        status.dataset.state = "failed";
        status.textContent = root.dataset.failed;
      })
      .then(function () {
        timer = window.setTimeout(poll, PERIOD);
      });
  }

  document.addEventListener("visibilitychange", function () {
    // A tablet put to sleep catches up at once when woken.
    if (document.visibilityState === "visible") {
      window.clearTimeout(timer);
      poll();
    }
  });
  timer = window.setTimeout(poll, PERIOD);
})();
