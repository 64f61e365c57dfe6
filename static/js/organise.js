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

  // A finished video's card plays a muted preview while pointed at or focused, unless the
  // visitor asked for less motion. The video is made on demand and dropped afterwards.
  var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function startPreview(card) {
    var thumb = card.querySelector("[data-preview]");
    if (calm || !thumb || thumb.querySelector("video")) return;
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

  function initPreviews(grid) {
    grid.querySelectorAll(".video-card").forEach(function (card) {
      if (!card.querySelector("[data-preview]")) return;
      card.addEventListener("mouseenter", function () { startPreview(card); });
      card.addEventListener("mouseleave", function () { if (!card.contains(document.activeElement)) stopPreview(card); });
      card.addEventListener("focusin", function () { startPreview(card); });
      card.addEventListener("focusout", function (event) {
        if (!card.contains(event.relatedTarget) && !card.matches(":hover")) stopPreview(card);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-bulk]").forEach(initBulk);
    document.querySelectorAll("[data-testid='video-grid']").forEach(initPreviews);
  });
})();
