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

  // The bar that acts on several videos. Live updates may swap it for a newer copy
  // (luma:region), so it is set up again each time and listens through the document.
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

    form.lumaUpdate = update;
    selectAll.hidden = false;
    selectAll.addEventListener("click", function () {
      var all = boxes();
      var every = all.every(function (box) { return box.checked; });
      all.forEach(function (box) { box.checked = !every; });
      update();
    });
    form.addEventListener("submit", function (event) {
      var message = event.submitter && event.submitter.dataset.confirm;
      if (message && !window.confirm(message)) event.preventDefault();
    });
    update();
  }

  document.addEventListener("change", function (event) {
    var form = event.target.matches('input[name="ids"]') && event.target.form;
    if (form && form.lumaUpdate) form.lumaUpdate();
  });

  // A finished video's card plays a muted preview while pointed at or focused, unless the
  // visitor asked for less motion. The video is made on demand and dropped afterwards.
  // The document listens, so cards that live updates put in later play too.
  var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function previewCard(node) {
    var card = node && node.closest && node.closest("[data-testid='video-grid'] .video-card");
    return card && card.querySelector("[data-preview]") ? card : null;
  }

  function startPreview(card) {
    var thumb = card.querySelector("[data-preview]");
    if (calm || thumb.querySelector("video")) return;
    var video = document.createElement("video");
    video.className = "preview";
    video.muted = true;
    video.loop = true;
    video.playsInline = true;
    video.preload = "auto";
    video.setAttribute("aria-hidden", "true");
    video.src = thumb.dataset.preview;
    thumb.appendChild(video);
    var playing = video.play();
    if (playing && playing.catch) playing.catch(function () { /* autoplay refused: the still stays */ });
  }

  function stopPreview(card) {
    var video = card.querySelector("[data-preview] video");
    if (!video) return;
    video.pause();
    video.removeAttribute("src");
    video.load();
    video.remove();
  }

  document.addEventListener("mouseover", function (event) {
    var card = previewCard(event.target);
    if (card) startPreview(card);
  });
  document.addEventListener("mouseout", function (event) {
    var card = previewCard(event.target);
    if (card && !card.contains(event.relatedTarget) && !card.contains(document.activeElement)) stopPreview(card);
  });
  document.addEventListener("focusin", function (event) {
    var card = previewCard(event.target);
    if (card) startPreview(card);
  });
  document.addEventListener("focusout", function (event) {
    var card = previewCard(event.target);
    if (card && !card.contains(event.relatedTarget) && !card.matches(":hover")) stopPreview(card);
  });

  document.addEventListener("luma:region", function (event) {
    event.target.querySelectorAll("[data-bulk]").forEach(initBulk);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-bulk]").forEach(initBulk);
  });
})();
