/* Network pages: while the cloud is still working on something that has no activity to follow (a
 * network being released, a firewall policy still "pending"), the page is re-read from the cloud
 * (?refresh=1) every few seconds, at most a couple of minutes, only while the tab is visible, and
 * its content swapped in place — never while the person is typing in one of its fields.
 * Operations that do have an activity (a claim, a secondary network) are live.js's: the page says
 * what it watches with data-live-watch. Plain JS, no dependencies. */
(function () {
  "use strict";
  var EVERY_MS = 5000;
  var MAX_POLLS = 24;
  var root = document.documentElement;
  var polls = 0;
  var timer = null;

  function busy(main) {
    var el = document.activeElement;
    return !!(el && main.contains(el) && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function swap(main, fresh) {
    main.innerHTML = "";
    Array.prototype.forEach.call(fresh.childNodes, function (node) {
      main.appendChild(document.importNode(node, true));
    });
  }

  function poll() {
    timer = null;
    var main = document.querySelector("main.content");
    if (!main || !main.querySelector("[data-live-poll]") || polls >= MAX_POLLS) return;
    if (document.hidden || busy(main)) { schedule(); return; }
    polls += 1;
    fetch(location.pathname + "?refresh=1", { credentials: "same-origin", headers: { "X-Live-Reread": "1" } })
      .then(function (r) {
        if (r.redirected && new URL(r.url).pathname !== location.pathname) return null;
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html === null) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main.content");
        if (fresh && !busy(main)) swap(main, fresh);
        root.setAttribute("data-net-polls", String(polls));
      })
      .catch(function () {})
      .then(schedule);
  }

  function schedule() {
    if (!timer) timer = setTimeout(poll, EVERY_MS);
  }

  document.addEventListener("visibilitychange", function () { if (!document.hidden) schedule(); });
  schedule();
})();
