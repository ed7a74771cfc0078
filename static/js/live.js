/* Live updates for signed-in pages: one EventSource('/events/') per page.
 * On `activity` events: activity rows update in place (status, elapsed, polls, error), the header's
 * running / failed counts move, server rows and the server page change power state when an
 * operation succeeds, and a toast (aria-live) announces the end of the person's own operations.
 * On `resync`: the activity rows (and header counts) are reloaded from the database.
 * Without SSE (no EventSource, or it keeps failing), the page polls /api/v1/activities/ instead.
 * Plain JS, no dependencies. */
(function () {
  "use strict";
  var toasts = document.getElementById("toasts");
  if (!toasts) return; /* signed out */
  var root = document.documentElement;
  var userId = Number(toasts.getAttribute("data-user-id"));
  var ACTIVE = { queued: 1, running: 1, waiting_for_signin: 1 };
  var TERMINAL = { succeeded: 1, failed: 1, unknown: 1 };
  var LABEL = {
    queued: "Queued", running: "Running", succeeded: "Succeeded", failed: "Failed",
    unknown: "Unknown", waiting_for_signin: "Waiting for sign-in"
  };
  /* what a succeeded operation leaves on the server */
  var EFFECT = {
    powerOn: { power: "started" }, powerOff: { power: "stopped" }, shutDown: { power: "stopped" },
    reboot: { power: "started" }, reset: { power: "started" }, pause: { power: "paused" },
    startMaintenance: { maint: true }, stopMaintenance: { maint: false }
  };
  var POLL_MS = 4000;
  var known = {}; /* activity id -> last status seen */

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) return seconds + " s";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min " + String(seconds % 60).padStart(2, "0") + " s";
    return Math.floor(seconds / 3600) + " h " + String(Math.floor((seconds % 3600) / 60)).padStart(2, "0") + " min";
  }

  function elapsedOf(el) {
    var start = Date.parse(el.getAttribute("data-created"));
    var endAttr = el.getAttribute("data-finished");
    var end = endAttr ? Date.parse(endAttr) : Date.now();
    return isNaN(start) ? null : duration((end - start) / 1000);
  }

  /* --- activity rows, the detail page, the dashboard panel ------------------------------- */
  function holders(id) {
    return document.querySelectorAll('[data-activity-id="' + id + '"], [data-activity-detail="' + id + '"]');
  }

  function setText(el, text) { if (el && el.textContent !== text) el.textContent = text; }

  function updateHolder(el, a) {
    var changed = el.getAttribute("data-status") !== a.status;
    el.setAttribute("data-status", a.status);
    if (a.finished_at) el.setAttribute("data-finished", a.finished_at);
    var badge = el.querySelector("[data-st]");
    if (badge) { badge.className = "st st-" + a.status; setText(badge, LABEL[a.status] || a.status); }
    setText(el.querySelector("[data-st-text]"), LABEL[a.status] || a.status);
    setText(el.querySelector("[data-upstream]"), a.upstream_status || "");
    setText(el.querySelector("[data-polls]"), String(a.polls));
    var elapsed = elapsedOf(el);
    if (elapsed) setText(el.querySelector("[data-elapsed]"), elapsed);
    if (a.error_message && el.tagName === "TR") {
      var err = el.querySelector("[data-err]");
      if (!err && badge) {
        err = document.createElement("span");
        err.className = "st-error";
        err.setAttribute("data-err", "");
        badge.parentNode.appendChild(err);
      }
      if (err) { err.title = a.error_message; setText(err, a.error_message.slice(0, 80)); }
    }
    if (changed && el.tagName === "TR") {
      el.classList.remove("flash");
      void el.offsetWidth; /* restart the animation */
      el.classList.add("flash");
    }
    return changed;
  }

  function tick() {
    var rows = document.querySelectorAll("[data-created][data-status]");
    for (var i = 0; i < rows.length; i++) {
      if (!ACTIVE[rows[i].getAttribute("data-status")]) continue;
      var text = elapsedOf(rows[i]);
      if (text) setText(rows[i].querySelector("[data-elapsed]"), text);
    }
  }

  /* --- header counts ------------------------------------------------------------------- */
  function bump(selector, delta) {
    var link = document.querySelector(selector);
    if (!link || !delta) return;
    var n = link.querySelector("[data-n]");
    var value = Math.max(0, (parseInt(n.textContent, 10) || 0) + delta);
    n.textContent = String(value);
    link.classList.toggle("zero", value === 0);
  }

  function setCounts(counts) {
    [["[data-count-running]", counts.running], ["[data-count-failed]", counts.failed]].forEach(function (p) {
      var link = document.querySelector(p[0]);
      if (!link || typeof p[1] !== "number") return;
      link.querySelector("[data-n]").textContent = String(p[1]);
      link.classList.toggle("zero", p[1] === 0);
    });
  }

  /* --- server rows and the server page ------------------------------------------------- */
  function applyEffect(a) {
    var effect = EFFECT[a.operation];
    if (!effect || a.resource_type !== "server") return;
    (a.resource_ids || []).forEach(function (id) {
      var lower = String(id).toLowerCase();
      var upper = String(id).toUpperCase();
      var links = document.querySelectorAll('table.servers tr a[href="/servers/' + lower + '/"]');
      for (var i = 0; i < links.length; i++) {
        var row = links[i].closest("tr");
        if (!row) continue;
        if (effect.power) {
          row.setAttribute("data-p", effect.power);
          var pw = row.querySelector(".pw");
          if (pw) { pw.className = "pw pw-" + effect.power; pw.textContent = effect.power; }
        }
        if (effect.maint !== undefined) {
          if (effect.maint) row.setAttribute("data-m", "1"); else row.removeAttribute("data-m");
          setText(row.querySelector(".col-maint"), effect.maint ? "Yes" : "");
        }
      }
      var badges = document.querySelectorAll('[data-server-id="' + upper + '"]');
      for (var j = 0; j < badges.length; j++) {
        var b = badges[j];
        if (effect.power && b.hasAttribute("data-power")) {
          b.setAttribute("data-power", effect.power);
          if (b.classList.contains("pw")) b.className = "pw pw-" + effect.power;
          setText(b, effect.power);
        }
        if (effect.maint !== undefined && b.hasAttribute("data-maint")) {
          b.hidden = !effect.maint;
        }
      }
      if (badges.length) refreshActionBar();
    });
  }

  /* the server page's buttons depend on the server's state: take the fresh ones from the page */
  var barTimer = null;
  function refreshActionBar() {
    var bar = document.querySelector(".action-bar");
    if (!bar || barTimer) return;
    barTimer = setTimeout(function () {
      barTimer = null;
      fetch(location.pathname, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".action-bar");
          var current = document.querySelector(".action-bar");
          if (fresh && current) current.replaceWith(document.importNode(fresh, true));
        })
        .catch(function () {});
    }, 200);
  }

  /* --- toasts -------------------------------------------------------------------------- */
  function toast(a) {
    var what = a.operation + " " + (a.resource_ids || []).join(", ");
    var verdict = a.status === "succeeded" ? "succeeded" : a.status === "failed" ? "failed" : "ended with an unknown outcome";
    var box = document.createElement("div");
    box.className = "toast " + a.status;
    var body = document.createElement("div");
    body.className = "toast-body";
    var strong = document.createElement("strong");
    strong.textContent = what;
    body.appendChild(strong);
    body.appendChild(document.createTextNode(" " + verdict + (a.error_message ? ": " + a.error_message : ".") + " "));
    var link = document.createElement("a");
    link.href = "/activities/" + a.id + "/";
    link.textContent = "Details";
    body.appendChild(link);
    var close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(body);
    box.appendChild(close);
    toasts.appendChild(box);
    while (toasts.children.length > 4) toasts.removeChild(toasts.firstChild);
    setTimeout(function () { box.remove(); }, a.status === "succeeded" ? 8000 : 20000);
  }

  /* --- reloading fragments from the database ------------------------------------------- */
  var refreshTimer = null;
  function refreshRows() {
    var table = document.querySelector("[data-activity-table]");
    if (!table) return Promise.resolve();
    var params = new URLSearchParams(location.search);
    params.set("fragment", "rows");
    return fetch(location.pathname + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) return Promise.reject(r.status);
        var total = Number(r.headers.get("X-Total-Count"));
        var label = document.querySelector("[data-total]");
        if (label && !isNaN(total)) label.textContent = total + (total === 1 ? " activity" : " activities");
        return r.text();
      })
      .then(function (html) { table.querySelector("[data-rows]").innerHTML = html; })
      .catch(function () {});
  }

  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () { refreshTimer = null; refreshRows(); }, 300);
  }

  function refreshDetail() {
    var detail = document.querySelector("[data-activity-detail]");
    if (!detail) return;
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("[data-activity-detail]");
        if (fresh) detail.replaceWith(fresh);
      })
      .catch(function () {});
  }

  function refreshCounts() {
    fetch("/activities/?fragment=counts", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(setCounts)
      .catch(function () {});
  }

  function resync() {
    refreshRows();
    refreshDetail();
    refreshCounts();
  }

  /* --- one change ---------------------------------------------------------------------- */
  function handle(data) {
    var a = data && data.activity;
    if (!a || a.id == null) return;
    var previous = data.previous_status || known[a.id] || null;
    known[a.id] = a.status;
    var mine = data.mine !== undefined ? data.mine : a.user_id === userId;
    if (previous !== a.status) {
      bump("[data-count-running]", (ACTIVE[a.status] ? 1 : 0) - (previous && ACTIVE[previous] ? 1 : 0));
      if (a.status === "failed") bump("[data-count-failed]", 1);
    }
    var found = holders(a.id);
    var statusChanged = false;
    for (var i = 0; i < found.length; i++) {
      if (updateHolder(found[i], a)) statusChanged = true;
    }
    if (statusChanged && document.querySelector('[data-activity-detail="' + a.id + '"]')) refreshDetail();
    var table = document.querySelector("[data-activity-table]");
    if (table && table.getAttribute("data-page") === "1") {
      var inTable = table.querySelector('[data-activity-id="' + a.id + '"]');
      var relevant = mine || table.getAttribute("data-scope") === "team";
      if (relevant && (!inTable || (statusChanged && table.getAttribute("data-filtered")))) scheduleRefresh();
    }
    if (TERMINAL[a.status] && previous && !TERMINAL[previous]) {
      if (a.status === "succeeded") applyEffect(a);
      if (mine) toast(a);
    }
    root.setAttribute("data-live-events", String(Number(root.getAttribute("data-live-events") || 0) + 1));
  }

  /* --- transport: SSE, else polling ---------------------------------------------------- */
  var polling = false;
  function startPolling() {
    if (polling) return;
    polling = true;
    root.setAttribute("data-live", "poll");
    var baseline = false;
    function poll() {
      if (document.hidden) { setTimeout(poll, POLL_MS); return; }
      fetch("/api/v1/activities/?limit=50", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (body) {
          var list = (body && body.results) || [];
          for (var i = list.length - 1; i >= 0; i--) {
            var a = list[i];
            if (!baseline) { known[a.id] = a.status; continue; }
            if (!(a.id in known)) {
              /* started since the page loaded: announce its creation first, then where it is now */
              var created = Object.assign({}, a, { status: "queued", finished_at: null });
              handle({ activity: created, previous_status: null, mine: a.user_id === userId });
            }
            if (known[a.id] !== a.status) {
              handle({ activity: a, previous_status: known[a.id] || null, mine: a.user_id === userId });
            } else {
              var found = holders(a.id);
              for (var j = 0; j < found.length; j++) updateHolder(found[j], a);
            }
          }
          baseline = true;
        })
        .catch(function () {})
        .then(function () { setTimeout(poll, POLL_MS); });
    }
    poll();
  }

  function startSSE() {
    if (!window.EventSource) { startPolling(); return; }
    var failures = 0;
    var opened = false;
    /* resume from the stream position the page was rendered at: nothing between render and connect is lost */
    var position = toasts.getAttribute("data-stream-position");
    var source = new EventSource("/events/" + (position ? "?lastEventId=" + encodeURIComponent(position) : ""));
    root.setAttribute("data-live", "connecting");
    function giveUp() {
      source.close();
      startPolling();
    }
    source.addEventListener("open", function () {
      opened = true;
      failures = 0;
      root.setAttribute("data-live", "sse");
    });
    source.addEventListener("activity", function (e) {
      try { handle(JSON.parse(e.data)); } catch (err) { /* a malformed event is skipped */ }
    });
    source.addEventListener("resync", resync);
    source.addEventListener("error", function () {
      failures += 1;
      if (source.readyState === 2 || failures >= 3) giveUp();
    });
    /* a proxy that buffers the stream never lets it open: poll instead */
    setTimeout(function () { if (!opened && !polling) giveUp(); }, 10000);
  }

  setInterval(tick, 1000);
  startSSE();
})();
