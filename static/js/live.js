/* Live updates: one event stream per tab (GET /events/), pushed by the server when a job changes.
 *
 * Other scripts listen on `document`:
 *   luma:video   {video, ended}  a job changed (`video` is the JSON GET /api/v1/videos/<id>/ gives)
 *   luma:resync  {}              something may have been missed: read the page again
 *   luma:live    {live}          the stream is up (true) or down (false): poll while it is down
 * Pages that are not the video page (video-page.js looks after that one) have their
 * [data-live] regions read again from the server when one of the person's jobs changes,
 * and poll for themselves while the stream is down and a job shown is in flight.
 * A job's end shows a browser notification when the person allowed them.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var REOPEN_MS = 15000;  // after the server refused or closed the stream for good
  var POLL_MS = 3000;      // a page's own checks while the stream is down
  var meta = document.querySelector('meta[name="live-events"]');
  var url = meta && meta.content;

  var live = {
    enabled: Boolean(url),
    live: false,
    lastEventId: "",
  };
  window.LumaLive = live;

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function setLive(value) {
    if (live.live === value && value) return;
    live.live = value;
    emit("luma:live", { live: value });  // every failure, so pages keep polling meanwhile
  }

  function notify(video) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    var title = video.state === "completed" ? gettext("Your video is ready") : gettext("Your video could not be made");
    var prompt = video.prompt || gettext("An extension");
    // One notification per job, however many tabs are open: the tag folds them together.
    var note = new Notification(title, { body: prompt.slice(0, 120), tag: "luma-" + video.id });
    note.addEventListener("click", function () {
      window.focus();
      window.location.href = "/videos/" + video.id + "/";
    });
  }

  function onVideo(ended) {
    return function (message) {
      live.lastEventId = message.lastEventId || live.lastEventId;
      var video;
      try { video = JSON.parse(message.data); } catch (e) { return; }
      if (ended) notify(video);
      emit("luma:video", { video: video, ended: ended });
    };
  }

  function connect() {
    var address = url;
    if (live.lastEventId) address += "?last_event_id=" + encodeURIComponent(live.lastEventId);
    var source = new EventSource(address);
    source.addEventListener("open", function () { setLive(true); });
    source.addEventListener("video", onVideo(false));
    source.addEventListener("ended", onVideo(true));
    source.addEventListener("gone", function (message) {
      live.lastEventId = message.lastEventId || live.lastEventId;
      emit("luma:resync", {});
    });
    source.addEventListener("resync", function () { emit("luma:resync", {}); });
    source.addEventListener("error", function () {
      setLive(false);
      // CONNECTING: the browser reconnects by itself, sending Last-Event-ID. CLOSED: the
      // server said no (signed out, too many tabs): try again later with what we have seen.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, REOPEN_MS);
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  // --- pages other than a video's: read the live regions again ---------------------------
  var refreshing = null, again = false, pollTimer = null, waiting = false;

  // What the server last sent for each region. A read that brings nothing new leaves the
  // region alone: swapping it would drop what the person is doing there (a playing preview,
  // a half-made selection). The CSRF token is masked afresh on every render, so it is left out.
  function fingerprint(region) {
    var copy = region.cloneNode(true);
    copy.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (input) {
      input.removeAttribute("value");
    });
    return copy.outerHTML;
  }
  var served = {};
  document.querySelectorAll("[data-live]").forEach(function (region) {
    served[region.dataset.live] = fingerprint(region);
  });

  // The element in a region's newer copy that stands where the focused one stood: a box by
  // its value, a link by its address, a form's button by the form's action. Anything else
  // (a field being typed in) has no counterpart, and the region waits for the focus to leave.
  function counterpart(active, node) {
    var quote = function (text) { return '"' + CSS.escape(text) + '"'; };
    if (active.matches('input[type="checkbox"], input[type="radio"]')) {
      return node.querySelector("input[name=" + quote(active.name) + "][value=" + quote(active.value) + "]");
    }
    if (active.matches("a[href]")) return node.querySelector("a[href=" + quote(active.getAttribute("href")) + "]");
    if (active.matches("button") && active.form && active.form.getAttribute("action")) {
      var forms = node.querySelectorAll("form[action=" + quote(active.form.getAttribute("action")) + "]");
      var index = Array.prototype.indexOf.call(active.form.querySelectorAll("button"), active);
      return forms.length === 1 ? forms[0].querySelectorAll("button")[index] || null : null;
    }
    return null;
  }

  // Swaps a region for the server's newer copy, keeping the boxes the person ticked and the
  // focus, and tells the page's scripts (luma:region on the new node) to set it up again.
  function replace(region, node, focused) {
    var ticked = {};
    region.querySelectorAll('input[type="checkbox"][name="ids"]:checked').forEach(function (box) {
      ticked[box.value] = true;
    });
    node.querySelectorAll('input[type="checkbox"][name="ids"]').forEach(function (box) {
      if (ticked[box.value]) box.checked = true;
    });
    var focus = focused && counterpart(focused, node);
    region.replaceWith(node);
    if (window.Studio) window.Studio.init(node);
    node.dispatchEvent(new CustomEvent("luma:region", { bubbles: true }));
    if (focus) focus.focus({ preventScroll: true });
  }

  function refresh() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("page " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live]").forEach(function (region) {
          var name = region.dataset.live;
          var next = fresh.querySelector('[data-live="' + name + '"]');
          if (!next) return;
          var print = fingerprint(next);
          if (print === served[name]) return;
          var focused = region.contains(document.activeElement) ? document.activeElement : null;
          var node = document.importNode(next, true);
          if (focused && !counterpart(focused, node)) { waiting = true; return; }  // never under the cursor
          served[name] = print;
          replace(region, node, focused);
        });
      })
      .catch(function () { /* the next change or poll tries again */ })
      .then(function () {
        refreshing = null;
        if (again) { again = false; refresh(); }
        schedulePoll();
      });
    return refreshing;
  }

  function anyInFlight() {
    return document.querySelector("[data-live] .placeholder-queued, [data-live] .placeholder-processing") !== null;
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    if (!live.live && anyInFlight()) pollTimer = setTimeout(refresh, POLL_MS);
  }

  function watchRegions() {
    if (document.querySelector("[data-video-page]") || !document.querySelector("[data-live]")) return;
    document.addEventListener("luma:video", refresh);
    document.addEventListener("luma:resync", refresh);
    // A region left alone while it had the focus catches up once the focus leaves it.
    document.addEventListener("focusout", function () {
      if (waiting) { waiting = false; refresh(); }
    });
    document.addEventListener("luma:live", function (event) {
      if (event.detail.live) { clearTimeout(pollTimer); refresh(); } else schedulePoll();
    });
    if (!live.enabled) schedulePoll();
  }

  // --- asking for notifications (the profile's button) -------------------------------------
  function showPermission(status) {
    if (!status) return;
    var state = !("Notification" in window) ? "unsupported" : Notification.permission;
    status.textContent = {
      granted: gettext("This browser shows a notification when a video is ready."),
      denied: gettext("This browser blocks notifications from this site; allow them in its site settings."),
      unsupported: gettext("This browser cannot show notifications."),
    }[state] || gettext("Not asked yet.");
    var button = document.querySelector("[data-notify-permission]");
    if (button) button.hidden = state !== "default";
  }

  function watchPermissionButton() {
    var status = document.querySelector("[data-notify-status]");
    showPermission(status);
    document.addEventListener("click", function (event) {
      if (!event.target.closest("[data-notify-permission]") || !("Notification" in window)) return;
      Notification.requestPermission().then(function () { showPermission(status); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    watchRegions();
    watchPermissionButton();
    if (live.enabled && "EventSource" in window) connect();
    else live.enabled = false;
  });
})();
