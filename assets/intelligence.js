/* Operations intelligence in the wall's browser (issue 13): the screen's heartbeat, carried
 * by the wall's own refresh (no extra request), the incident banner and night mode, both
 * read from the meta every refresh answers. Nothing here talks to another host. */
(function () {
  "use strict";

  var KEY = "hotline-screen-id";
  var NAME = /[^A-Za-z0-9._:-]+/g;
  var cached = null;

  function param(name) {
    try {
      return new URLSearchParams(window.location.search).get(name);
    } catch (e) {
      return null;
    }
  }

  // ?screen=NAME, else an id generated once and kept in the browser's localStorage.
  function screenName() {
    if (cached) {
      return cached;
    }
    var given = (param("screen") || "").replace(NAME, "-").slice(0, 64);
    if (given) {
      cached = given;
      return cached;
    }
    try {
      var kept = window.localStorage.getItem(KEY);
      if (!kept) {
        kept = "wall-" + Math.random().toString(16).slice(2, 8);
        window.localStorage.setItem(KEY, kept);
      }
      cached = kept;
    } catch (e) {
      cached = cached || "wall-" + Math.random().toString(16).slice(2, 8);
    }
    return cached;
  }

  function heapMb() {
    var memory = window.performance && window.performance.memory;
    if (!memory || typeof memory.usedJSHeapSize !== "number") {
      return null;
    }
    return Math.round((memory.usedJSHeapSize / 1048576) * 10) / 10;
  }

  function nightMode() {
    var value = (param("night") || "auto").toLowerCase();
    return value === "on" || value === "off" ? value : "auto";
  }

  window.hotlineIntel = {
    screenName: screenName,

    // What the in-flight guard lets through: the tick and the screen's heartbeat.
    beat: function (n, wallState) {
      var loadedAt = (wallState && wallState.loadedAt) || Date.now();
      return {
        n: n,
        screen: screenName(),
        page_age_s: Math.round((Date.now() - loadedAt) / 1000),
        heap_mb: heapMb(),
      };
    },

    // From each refresh's meta: the incident banner, and night mode on the page.
    banner: function (meta) {
      var intel = (meta && meta.intel) || {};
      var lines = intel.incidents || [];
      var mode = nightMode();
      var night = mode === "on" || (mode === "auto" && !!intel.night_shift);
      document.documentElement.classList.toggle("wall-night", night);
      var cls = lines.length ? "wall-incidents" : "wall-incidents wall-incidents--hidden";
      return [cls, lines.join("\n")];
    },
  };
})();
