/* My videos kept in order: the favourite star without a reload, and choosing several videos. */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  // The star: ask the server, then show what it answered (the form still works without us).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-favourite]")) return;
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("favourite " + response.status);
        return response.json();
      })
      .then(function (answer) {
        var on = answer.favourite;
        button.textContent = on ? "★" : "☆";
        button.classList.toggle("star-on", on);
        button.setAttribute("aria-pressed", on ? "true" : "false");
        form.querySelector('[name="favourite"]').value = on ? "0" : "1";
      })
      .catch(function () { form.submit(); })  // let the page do it the plain way
      .finally(function () { button.disabled = false; });
  });

  function initBulk(form) {
    var boxes = function () {
      return Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="' + form.id + '"]'));
    };
    var count = form.querySelector("[data-selected-count]");
    var selectAll = form.querySelector("[data-select-all]");
    var actions = form.querySelectorAll('button[type="submit"]');

    function update() {
      var n = boxes().filter(function (box) { return box.checked; }).length;
      count.textContent = n
        ? interpolate(ngettext("%(count)s selected", "%(count)s selected", n), { count: n }, true)
        : gettext("Tick videos to act on several at once.");
      actions.forEach(function (button) { button.disabled = n === 0; });
      selectAll.textContent = n && n === boxes().length ? gettext("Select none") : gettext("Select all on this page");
    }

    selectAll.hidden = false;
    selectAll.addEventListener("click", function () {
      var all = boxes();
      var every = all.every(function (box) { return box.checked; });
      all.forEach(function (box) { box.checked = !every; });
      update();
    });
    document.addEventListener("change", function (event) {
      if (event.target.matches('input[name="ids"]')) update();
    });
    form.addEventListener("submit", function (event) {
      var message = event.submitter && event.submitter.dataset.confirm;
      if (message && !window.confirm(message)) event.preventDefault();
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-bulk]").forEach(initBulk);
  });
})();
