// Progressive enhancement for the submission status page. Everything works without it.
(function () {
  "use strict";
  // 1. Say that a file is too large before sending 50 MB over hall Wi-Fi.
  var form = document.getElementById("upload-form");
  if (form) {
    var input = form.querySelector('input[type="file"]');
    var error = document.getElementById("f-pdf-error");
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    var check = function () {
      var file = input.files && input.files[0];
      var tooBig = file && max && file.size > max;
      error.hidden = !tooBig;
      if (tooBig) {
        error.textContent = form.getAttribute("data-too-large") ||
          ("This file is " + (file.size / 1048576).toFixed(1) + " MB; the limit is " +
           (max / 1048576).toFixed(0) + " MB.");
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
      return !tooBig;
    };
    input.addEventListener("change", check);
    form.addEventListener("submit", function (event) {
      if (!check()) { event.preventDefault(); input.focus(); }
    });
  }
  // 2. While the PDF is being checked, ask the server now and then and reload when done.
  var pending = document.getElementById("inspection-pending");
  if (pending && window.fetch) {
    var url = pending.getAttribute("data-status-url");
    var tries = 0;
    var poll = function () {
      tries += 1;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data && data.inspection && data.inspection !== "pending") {
            window.location.reload();
          } else if (tries < 60) {
            window.setTimeout(poll, Math.min(1000 * tries, 5000));
          }
        })
        .catch(function () { if (tries < 60) { window.setTimeout(poll, 5000); } });
    };
    window.setTimeout(poll, 1000);
  }
})();
