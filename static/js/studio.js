/* Luma Studio: small behaviours for every page. No framework, no inline script (strict CSP). */
(function () {
  "use strict";

  // Django's JavaScript catalogue (/jsi18n/, loaded first by base.html); English without it.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  function initCounters(root) {
    root.querySelectorAll("[data-counter-for]").forEach(function (out) {
      var input = document.getElementById(out.dataset.counterFor);
      if (!input || out.dataset.bound) return;
      out.dataset.bound = "1";
      var max = parseInt(input.dataset.counter, 10);
      function update() {
        var n = input.value.length;
        var text = n + " / " + max;
        if (n > max) {
          var over = ngettext("%(over)s character too many", "%(over)s characters too many", n - max);
          text += " — " + interpolate(over, { over: n - max }, true);
        }
        out.textContent = text;
        out.classList.toggle("over", n > max);
      }
      input.addEventListener("input", update);
      update();
    });
  }

  function isWebAddress(value) {
    try {
      var url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch (e) {
      return false;
    }
  }

  function initPreviews(root) {
    root.querySelectorAll("[data-preview-for]").forEach(function (figure) {
      var input = document.getElementById(figure.dataset.previewFor);
      if (!input || figure.dataset.bound) return;
      figure.dataset.bound = "1";
      var caption = figure.querySelector("figcaption");
      var img = document.createElement("img");
      img.alt = figure.dataset.alt || gettext("Preview of the image");
      img.addEventListener("load", function () { caption.textContent = ""; img.hidden = false; });
      img.addEventListener("error", function () {
        img.hidden = true;
        caption.textContent = gettext("This address does not show an image we can preview.");
      });
      figure.insertBefore(img, caption);
      var timer = null;
      function update() {
        var value = input.value.trim();
        if (!isWebAddress(value)) {
          figure.hidden = true;
          img.removeAttribute("src");
          return;
        }
        figure.hidden = false;
        if (img.getAttribute("src") !== value) {
          caption.textContent = gettext("Loading preview…");
          img.src = value;
        }
      }
      input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 400); });
      input.addEventListener("change", update);
      update();
    });
  }

  function copyText(text, button) {
    var done = function () {
      var label = button.textContent;
      button.textContent = gettext("Copied");
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* the text stays selectable on the page */ }
    area.remove();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy], [data-copy-from]");
    if (!button) return;
    var text = button.dataset.copy;
    if (text === undefined) {
      var source = document.getElementById(button.dataset.copyFrom);
      text = source.value !== undefined ? source.value : source.textContent;
    }
    copyText(text, button);
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  function init(root) {
    initCounters(root);
    initPreviews(root);
  }

  window.Studio = { init: init };
  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
