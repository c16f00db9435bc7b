// Switchboard admin UI: small enhancements. Every page also works without this script.
(function () {
  "use strict";

  function post(url, form, extraHeaders) {
    var headers = Object.assign({ "X-Fragment": "1" }, extraHeaders || {});
    return fetch(url, { method: "POST", body: new FormData(form), headers: headers, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (text) { return { ok: response.ok, status: response.status, text: text }; });
      });
  }

  // "Add another" for lists of phrases: copy the empty row.
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var list = document.querySelector('[data-rows="' + button.dataset.addRow + '"]');
    if (!list) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = list.querySelectorAll(".new-row");
      var copy = rows[rows.length - 1].cloneNode(true);
      var input = copy.querySelector("textarea, input");
      input.value = "";
      list.appendChild(copy);
      input.focus();
    });
  });

  // "Try a message": show the decision next to the form instead of on a new page.
  document.querySelectorAll("form[data-try]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var target = form.parentElement.parentElement.querySelector("[data-try-result]");
      if (!target) { return; }
      event.preventDefault();
      var status = form.querySelector("[data-try-status]");
      status.textContent = "Deciding…";
      post(form.action, form).then(function (result) {
        status.textContent = result.ok ? "" : "Could not decide (" + result.status + ").";
        target.innerHTML = result.ok ? result.text : "";
      }).catch(function () { status.textContent = "The server did not answer."; });
    });
  });

  // Live preview of an answer text while typing.
  document.querySelectorAll("form[data-preview]").forEach(function (form) {
    var target = document.querySelector("[data-preview-result]");
    var timer = null;
    function refresh() {
      post(form.dataset.preview, form).then(function (result) {
        if (result.ok) { target.innerHTML = result.text; }
      });
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 350);
    });
  });

  // Sections that are slow to compute (checks of a proposal) load after the page.
  document.querySelectorAll("[data-load]").forEach(function (box) {
    fetch(box.dataset.load, { headers: { "X-Fragment": "1" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (text) { box.innerHTML = text; })
      .catch(function (status) { box.textContent = "Could not load this section (" + status + "). Reload the page to try again."; });
  });

  // Slow actions (merge runs every check again): say so and prevent a second click.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button");
      var status = document.querySelector("[data-busy-status]");
      if (status) { status.textContent = form.dataset.busy; }
      setTimeout(function () { if (button) { button.disabled = true; } }, 0);
    });
  });

  // Condition builder: offer only the operators that fit the chosen fact.
  function fitOperators(row) {
    var fact = row.querySelector("select[data-fact]");
    var op = row.querySelector("select[data-op]");
    if (!fact || !op) { return; }
    var type = (fact.selectedOptions[0] || {}).dataset ? fact.selectedOptions[0].dataset.type : "";
    var hint = row.querySelector("[data-hint]");
    if (hint && fact.selectedOptions[0]) { hint.textContent = fact.selectedOptions[0].dataset.hint || ""; }
    Array.prototype.forEach.call(op.options, function (option) {
      var types = (option.dataset.types || "").split(" ");
      option.hidden = !!type && types.indexOf(type) < 0 && types.indexOf("any") < 0;
    });
  }
  document.querySelectorAll("[data-test-row]").forEach(function (row) {
    var fact = row.querySelector("select[data-fact]");
    if (fact) { fact.addEventListener("change", function () { fitOperators(row); }); }
    fitOperators(row);
  });
})();
