/* The theme: the system's unless the visitor chose one, remembered in this browser.
   Loaded in <head> without defer, so a chosen theme applies before the first paint. */
(function () {
  "use strict";

  var KEY = "luma-theme";
  var root = document.documentElement;

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return value === "dark" || value === "light" ? value : null;
    } catch (e) {
      return null;  // storage refused (private mode): follow the system
    }
  }

  function systemDark() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function isDark() {
    var chosen = root.dataset.theme;
    return chosen ? chosen === "dark" : systemDark();
  }

  var chosen = stored();
  if (chosen) root.dataset.theme = chosen;

  function show(button) {
    var dark = isDark();
    button.setAttribute("aria-pressed", dark ? "true" : "false");
    button.textContent = dark ? "☾" : "☀";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) return;
    button.hidden = false;
    show(button);
    button.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.dataset.theme = next;
      try { window.localStorage.setItem(KEY, next); } catch (e) { /* kept for this page only */ }
      show(button);
    });
    if (window.matchMedia) {
      window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () { show(button); });
    }
  });
})();
