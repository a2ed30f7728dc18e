/* The wall in the browser: in-flight guard, clock, watchdog, soft reload. (The fit to the
 * screen runs before the first paint, from the wall's index: layouts/wall.py, FIT_SCRIPT.)
 *
 * Used by the client-side callbacks registered in callbacks/wall.py. Nothing
 * here talks to another host; the only request it makes itself is /healthz
 * before a scheduled reload. */
(function () {
  "use strict";

  var state = {
    loadedAt: Date.now(),
    pending: null, // the refresh in flight: {seen: server_now of the meta it started from, at}
    sent: 0,
    skipped: 0,
    lastServerNow: null,
    lastSeenAt: Date.now(), // when the server last answered a refresh (browser clock)
    offset: 0, // server clock - browser clock, from the last answer
    offline: null,
    reloading: false,
    nextReloadTry: 0,
    forceReloadAt: null, // tests may set this to trigger the soft reload now
  };

  var formatters = {};
  function formatter(zone, seconds) {
    var key = zone + (seconds ? ":s" : ":m");
    if (!formatters[key]) {
      var options = { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
      if (seconds) {
        options.second = "2-digit";
      }
      try {
        formatters[key] = new Intl.DateTimeFormat("en-GB", options);
      } catch (e) {
        delete options.timeZone;
        formatters[key] = new Intl.DateTimeFormat("en-GB", options);
      }
    }
    return formatters[key];
  }

  // HH:MM[:SS] of an instant at a UTC offset (the server sends its zone's offset with each
  // answer); Intl, with its time-zone data, only when there is none.
  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }
  function formatTime(zone, seconds, date, meta) {
    if (!meta || typeof meta.utc_offset_ms !== "number") {
      return formatter(zone, seconds).format(date);
    }
    var local = new Date(date.getTime() + meta.utc_offset_ms);
    var text = two(local.getUTCHours()) + ":" + two(local.getUTCMinutes());
    return seconds ? text + ":" + two(local.getUTCSeconds()) : text;
  }

  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  function observe(meta) {
    if (meta && meta.server_now && meta.server_now !== state.lastServerNow) {
      state.lastServerNow = meta.server_now;
      state.lastSeenAt = Date.now();
      state.offset = meta.server_now - Date.now();
    }
  }

  function healthUrl() {
    var prefix = "/";
    try {
      var config = JSON.parse(document.getElementById("_dash-config").textContent);
      prefix = config.requests_pathname_prefix || "/";
    } catch (e) {
      prefix = "/";
    }
    return prefix + "healthz";
  }

  // Reload only when the server answers (200 or 503: it is up, the database may not be),
  // so a wall never reloads itself into an error page.
  function softReload() {
    state.reloading = true;
    fetch(healthUrl(), { cache: "no-store" })
      .then(function (response) {
        if (response.status === 200 || response.status === 503) {
          window.location.reload();
        } else {
          state.reloading = false;
          state.nextReloadTry = Date.now() + 30000;
        }
      })
      .catch(function () {
        state.reloading = false;
        state.nextReloadTry = Date.now() + 30000;
      });
  }

  function reloadDue(meta, config) {
    var now = Date.now();
    if (state.reloading || now < state.nextReloadTry) {
      return false;
    }
    if (state.forceReloadAt !== null && now >= state.forceReloadAt) {
      return true;
    }
    if (config && config.max_age_ms && now - state.loadedAt >= config.max_age_ms) {
      return true;
    }
    if (meta && meta.reload_at) {
      var jitter = (config && config.reload_jitter_ms) || 0;
      return now + state.offset >= meta.reload_at + jitter;
    }
    return false;
  }

  window.hotlineWall = {
    state: state,

    // Dash issue 2198: an Interval fires whether or not the last refresh returned.
    // Let a tick through only when the previous refresh has answered (its meta changed),
    // or when it has been lost for longer than the stale limit.
    guard: function (n, meta, config) {
      observe(meta);
      var seen = meta ? meta.server_now : null;
      var limit = (config && config.stale_ms) || 15000;
      var now = Date.now();
      if (state.pending && state.pending.seen === seen && now - state.pending.at < limit) {
        state.skipped += 1;
        return noUpdate();
      }
      state.pending = { seen: seen, at: now };
      state.sent += 1;
      // The screen's heartbeat rides on the refresh it triggers (assets/intelligence.js).
      return window.hotlineIntel ? window.hotlineIntel.beat(n, state) : n;
    },

    // Once a second: the clock (server-corrected, in the board's zone), the offline
    // banner when the server stops answering, and the scheduled soft reload.
    clock: function (n, meta, config) {
      observe(meta);
      var zone = (config && config.timezone) || "Asia/Ho_Chi_Minh";
      var serverNow = new Date(Date.now() + state.offset);
      var clock = formatTime(zone, true, serverNow, meta);
      var limit = ((config && config.stale_ms) || 15000) + ((config && config.refresh_ms) || 5000);
      var offline = Date.now() - state.lastSeenAt > limit;
      var banner = noUpdate();
      var message = noUpdate();
      if (offline !== state.offline) {
        state.offline = offline;
        banner = offline
          ? "wall-banner wall-banner--offline"
          : "wall-banner wall-banner--offline wall-banner--hidden";
        if (offline) {
          var since = formatTime(zone, false, new Date(state.lastSeenAt + state.offset), meta);
          var template = (config && config.texts && config.texts.offline) || "{time}";
          message = template.replace("{time}", since);
        }
      }
      if (reloadDue(meta, config)) {
        softReload();
      }
      return [clock, banner, message];
    },

    // ?rotate=N: show the lower panels in turn.
    rotate: function (n) {
      return "wall-main wall-main--show-" + ((n || 0) % 2);
    },
  };
})();
