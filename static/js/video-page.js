/* A video's page: swap in each change live.js reports (or, while its stream is down, that
 * polling the API finds) until the job ends. */
(function () {
  "use strict";

  // Django's JavaScript catalogue (/jsi18n/, loaded first by base.html); English without it.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  // The same words as the `duration` filter in videos/templatetags/studio.py.
  function duration(s) {
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (h) return interpolate(gettext("%(hours)s h %(minutes)s min"), { hours: h, minutes: m }, true);
    if (m) return interpolate(gettext("%(minutes)s min %(seconds)s s"), { minutes: m, seconds: sec }, true);
    return interpolate(gettext("%(seconds)s s"), { seconds: sec }, true);
  }

  var FIRST_DELAY = 1000;
  var FACTOR = 1.5;
  var MAX_DELAY = 3000;  // polling only stands in for the live stream: keep it short
  var TERMINAL = ["completed", "failed"];

  // What the page shows: the state, and the fault a waiting job is retried after.
  function currentState() {
    var status = document.querySelector('[data-live="status"]');
    return status ? status.dataset.state + "|" + (status.dataset.error || "") : null;
  }

  function shown(video) {
    return video.state + "|" + (video.error && video.state !== "failed" ? video.error.code : "");
  }

  function isTerminal(known) {
    return known !== null && TERMINAL.indexOf(known.split("|")[0]) !== -1;
  }

  function tickElapsed() {
    var now = Date.now() / 1000;
    document.querySelectorAll("[data-elapsed-since]").forEach(function (el) {
      el.textContent = duration(Math.max(0, Math.floor(now - parseInt(el.dataset.elapsedSince, 10))));
    });
  }

  // Fetch this page again and replace each live region: the server renders, the page stays.
  function swapRegions(announceState) {
    return fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("page " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live]").forEach(function (region) {
          var next = fresh.querySelector('[data-live="' + region.dataset.live + '"]');
          if (!next) return;
          var hadFocus = region.contains(document.activeElement);
          var node = document.importNode(next, true);
          region.replaceWith(node);
          if (window.Studio) window.Studio.init(node);
          if (hadFocus) node.querySelector("h2, a, button")?.focus();
        });
        document.title = fresh.title;
        var announce = document.getElementById("live-announcer");
        var label = document.querySelector('[data-testid="state"]');
        if (announceState !== false && announce && label) {
          var state = label.textContent.trim().toLowerCase();
          announce.textContent = interpolate(gettext("The video is now %(state)s."), { state: state }, true);
        }
      });
  }

  // "Making your video… updates itself" is no longer true once it has ended.
  function dropNotices() {
    document.querySelectorAll(".job-notice").forEach(function (notice) {
      var list = notice.parentNode;
      notice.remove();
      if (list && !list.children.length) list.remove();
    });
  }

  function start(page) {
    var url = page.dataset.apiUrl;
    var delay = FIRST_DELAY;
    var known = currentState();
    var timer = null;
    var live = window.LumaLive || { enabled: false, live: false };
    // A manager or staff member reading someone else's job: the stream carries only the
    // reader's own jobs, so this page polls for itself.
    var streamed = !page.hasAttribute("data-watching");

    function schedule() {
      clearTimeout(timer);
      if (live.live && streamed) return;  // the stream brings every change
      timer = setTimeout(poll, delay);
      delay = Math.min(delay * FACTOR, MAX_DELAY);
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 401 || response.status === 403 || response.status === 404) {
            throw new Error("stop");
          }
          return response.ok ? response.json() : null;
        })
        .then(function (video) {
          if (!video || shown(video) === known) return schedule();
          known = shown(video);
          return swapRegions().then(
            function () {
              if (!isTerminal(known)) return schedule();
              dropNotices();
            },
            function () { known = null; schedule(); }  // try again on the next poll
          );
        })
        .catch(function (error) {
          if (error.message !== "stop") schedule();  // a network blip: keep backing off
        });
    }

    document.addEventListener("luma:video", function (event) {
      var video = event.detail.video;
      if (video.id === page.dataset.videoId) {
        var changed = shown(video) !== known;
        known = shown(video);
        swapRegions(changed).then(
          function () { if (isTerminal(known)) dropNotices(); },
          function () { known = null; }  // the next event tries again
        );
      } else if (page.querySelector('[data-live] [href*="' + video.id + '"]')) {
        swapRegions(false).catch(function () {});  // one of its family changed
      } else if (video.state !== "queued" && page.querySelector('[data-testid="line-place"]')) {
        swapRegions(false).catch(function () {});  // another job of theirs moved: so may the line
      }
    });
    document.addEventListener("luma:resync", function () {
      swapRegions(false).then(function () { known = currentState(); }, function () {});
    });
    document.addEventListener("luma:live", function (event) {
      if (!streamed) return;
      delay = FIRST_DELAY;
      if (event.detail.live) {
        clearTimeout(timer);
        poll();  // once: anything that changed before the stream opened
      } else if (!isTerminal(known)) {
        schedule();
      }
    });
    if ((!live.enabled || !streamed) && !isTerminal(known)) schedule();
    tickElapsed();
    setInterval(tickElapsed, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.querySelector("[data-video-page]");
    if (page) start(page);
  });
})();
