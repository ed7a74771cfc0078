/* Live updates for signed-in pages: one EventSource (the events stream) per page.
 * On `activity` events: activity rows update in place (status, elapsed, polls, error), the header's
 * running / failed counts move, server rows and the server page change power state when an
 * operation succeeds, and a toast (aria-live) announces the end of the person's own operations.
 * Once any operation on what the page shows ends (archive, restore, delete, CPU / memory, ...),
 * the page is re-read: the server page and a group's page swap in their fresh content, server
 * rows update in place, the dashboard's figures and latest activities are swapped.
 * A "… queued" banner turns into how its operation(s) ended.
 * External activities (changes the cloud reported through its webhooks, started elsewhere) are
 * announced the same way: the rows of the server they name, the data center's tree counts and
 * power summary, the server page and the dashboard follow; alerts refresh the dashboard's and the
 * server page's alerts panel.
 * On `resync`: the activity rows (and header counts) are reloaded from the database.
 * Without SSE (no EventSource, or it keeps failing), the page polls the activities API instead.
 * The portal's URLs come from the #toasts element's data-url-* attributes (rendered by {% url %});
 * "__id__" stands for the id in those of one resource.
 * Plain JS, no dependencies. */
(function () {
  "use strict";
  var toasts = document.getElementById("toasts");
  if (!toasts) return; /* signed out */
  var root = document.documentElement;
  var userId = Number(toasts.getAttribute("data-user-id"));
  function urlOf(name, id) {
    var url = toasts.getAttribute("data-url-" + name) || "";
    return id === undefined ? url : url.replace("__id__", encodeURIComponent(String(id)));
  }
  /* the URL named `name` split around its id: read once per page (a table's rows ask per row) */
  var aroundId = {};
  function partsOf(name) {
    return aroundId[name] || (aroundId[name] = urlOf(name).split("__id__"));
  }
  /* the id in a path of the URL named `name` ("/servers/wa1x/" -> "wa1x"), or null */
  function idIn(name, path) {
    var parts = partsOf(name);
    if (parts.length !== 2 || !path || path.length <= parts[0].length + parts[1].length) return null;
    if (path.indexOf(parts[0]) !== 0 || path.slice(path.length - parts[1].length) !== parts[1]) return null;
    var id = path.slice(parts[0].length, path.length - parts[1].length);
    return id.indexOf("/") === -1 ? decodeURIComponent(id) : null;
  }
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

  /* A server row's cell of the column whose header has class ``cls`` (cells carry no class). */
  function cellOf(row, cls) {
    var table = row.closest("table");
    var head = table && table.tHead && table.tHead.rows[0];
    if (!head) return null;
    for (var i = 0; i < head.cells.length; i++) {
      if (head.cells[i].classList.contains(cls)) return row.cells.length === head.cells.length ? row.cells[i] : null;
    }
    return null;
  }

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
  function serverLinks(id) {
    return document.querySelectorAll('table.servers tr a[href="' + urlOf("server", String(id).toLowerCase()) + '"]');
  }

  /* the immediate change a succeeded power operation makes (the page is re-read right after) */
  function applyEffect(a) {
    var effect = EFFECT[a.operation];
    if (!effect || a.resource_type !== "server") return;
    (a.resource_ids || []).forEach(function (id) {
      var upper = String(id).toUpperCase();
      var links = serverLinks(id);
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
          setText(cellOf(row, "col-maint"), effect.maint ? "Yes" : "");
        }
        rowsChanged(row.closest("table"));
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
    });
  }

  /* --- re-reading what the page shows once an operation on it ended ----------------------
   * Any operation (power, archive, restore, delete, CPU / memory, disks, snapshots, public IPs,
   * move, group actions, a new server) changes what the inventory pages show. The worker drops
   * the cached inventory before it announces the end, so re-reading the page gives the truth:
   * the server page and a group's own page are swapped whole (details, badges, buttons), server
   * rows are updated in place (checkbox kept; a server that is gone is marked, a new one added),
   * the dashboard's figures and latest activities are swapped. Bursts are read once. */
  var PAGE_SERVER = (function () {
    var badge = document.querySelector("h1 [data-server-id]");
    return badge ? badge.getAttribute("data-server-id").toUpperCase() : null;
  })();
  var PAGE_GROUP = (function () {
    var id = idIn("group", location.pathname);
    return id && document.querySelector(".page-head") ? id.toLowerCase() : null;
  })();
  var DASHBOARD = location.pathname === urlOf("dashboard") && !!document.querySelector(".totals, .dc-cards, .latest-activities");
  /* Other pages say what they show: data-live-watch="<resource type>:<id> ..." (a data center's
   * networks page watches "datacenter:WA1 network:<id> ..."); an operation on one of those that
   * ends re-reads the page like the server page. */
  var WATCH = (function () {
    var el = document.querySelector("[data-live-watch]");
    return el ? el.getAttribute("data-live-watch").toUpperCase().split(/\s+/).filter(Boolean) : [];
  })();
  var PAGE_DC = (function () {
    var id = idIn("datacenter", location.pathname);
    return id ? id.toUpperCase() : null;
  })();
  var ADDS_SERVERS = { createServer: 1, restore: 1, move: 1, restoreGroup: 1, moveGroup: 1 };
  /* what an external change (a webhook event) means for the page, in the portal's operation names */
  var EXTERNAL_OP = { "Server.Created": "createServer", "Server.Deleted": "delete", "Server.Updated": "update" };
  var EXTERNAL_GAP_MS = 1000; /* changes made elsewhere show within about a second */
  var want = { page: false, dashboard: false, all: false, ids: {}, gone: "" };
  var rereadTimer = null;
  var rereading = false;
  var lastReread = 0;
  var REREAD_GAP_MS = 3000; /* a burst of endings (a bulk operation) is one read every 3 s at most */

  function scheduleReread(gap) {
    var delay = Math.max(250, (gap || REREAD_GAP_MS) - (Date.now() - lastReread));
    if (rereadTimer) {
      if (!gap || rereadTimer.due <= Date.now() + delay) return;
      clearTimeout(rereadTimer.id); /* sooner for a change made elsewhere */
    }
    rereadTimer = { id: setTimeout(reread, delay), due: Date.now() + delay, gap: gap };
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && (want.page || want.dashboard || want.all || Object.keys(want.ids).length)) {
      scheduleReread();
    }
  });

  function affects(a) {
    var ids = (a.resource_ids || []).map(function (id) { return String(id).toUpperCase(); });
    var hit = false;
    var type = String(a.resource_type || "").toUpperCase();
    if (WATCH.length && ids.some(function (id) { return WATCH.indexOf(type + ":" + id) !== -1; })) {
      want.page = true;
      hit = true;
    }
    if (a.resource_type === "server") {
      if (PAGE_SERVER && ids.indexOf(PAGE_SERVER) !== -1) {
        want.page = true;
        if (a.operation === "delete" && a.status === "succeeded") want.gone = "delete";
        hit = true;
      }
      var tables = document.querySelector("table.servers");
      if (tables) {
        ids.forEach(function (id) {
          if (serverLinks(id).length || (ADDS_SERVERS[a.operation] && a.status === "succeeded")) {
            want.ids[id] = a.operation;
            hit = true;
          }
        });
      }
    } else if (a.resource_type === "group") {
      if (PAGE_GROUP && ids.some(function (id) { return id.toLowerCase() === PAGE_GROUP; })) {
        want.page = true;
        if (a.operation === "deleteGroup" && a.status === "succeeded") want.gone = "deleteGroup";
        hit = true;
      } else if (document.querySelector("table.servers")) {
        want.all = true;
        hit = true;
      }
    }
    if (DASHBOARD) { want.dashboard = true; hit = true; }
    return hit;
  }

  function parse(html) { return new DOMParser().parseFromString(html, "text/html"); }

  function swap(current, fresh) {
    if (!current || !fresh) return false;
    current.replaceWith(document.importNode(fresh, true));
    return true;
  }

  var SERVER_LINK = 'a[href^="' + partsOf("server")[0] + '"]';
  function linkId(row) {
    var a = row.querySelector(SERVER_LINK);
    var id = a && idIn("server", a.getAttribute("href"));
    return id ? id.toUpperCase() : null;
  }

  function copyRow(row, fresh) {
    var box = row.querySelector('input[name="ids"]');
    var checked = !!(box && box.checked);
    var hidden = row.hidden;
    for (var i = row.attributes.length - 1; i >= 0; i--) row.removeAttribute(row.attributes[i].name);
    for (var j = 0; j < fresh.attributes.length; j++) {
      if (fresh.attributes[j].name !== "hidden") row.setAttribute(fresh.attributes[j].name, fresh.attributes[j].value);
    }
    row.innerHTML = fresh.innerHTML;
    row.hidden = hidden;
    var newBox = row.querySelector('input[name="ids"]');
    if (newBox) newBox.checked = checked;
    row.classList.add("live-changed");
  }

  function markGone(row, operation) {
    var box = row.querySelector('input[name="ids"]');
    if (box) { box.checked = false; box.disabled = true; box.removeAttribute("name"); }
    row.setAttribute("data-s", "gone");
    row.setAttribute("data-gone", operation || "");
    row.style.opacity = "0.55";
    var name = row.querySelector("td a");
    if (name) name.style.textDecoration = "line-through";
    var pw = row.querySelector(".pw");
    if (pw) { pw.className = "pw pw-unknown"; pw.textContent = operation === "delete" ? "deleted" : "gone"; }
    var status = cellOf(row, "col-status");
    if (status) status.textContent = operation === "delete" ? "deleted" : "no longer here";
  }

  function updateRows(doc, ids, all) {
    var tables = document.querySelectorAll("table.servers");
    for (var t = 0; t < tables.length; t++) {
      var table = tables[t];
      var freshTable = table.id ? doc.getElementById(table.id) : doc.querySelector("table.servers");
      if (!freshTable || !table.tBodies[0] || !freshTable.tBodies[0]) continue;
      var fresh = {};
      Array.prototype.forEach.call(freshTable.tBodies[0].rows, function (r) {
        var id = linkId(r);
        if (id) fresh[id] = r;
      });
      var seen = {};
      /* all bodies: right after a sort of a long table, its lower rows wait in a second one (inventory.js) */
      Array.prototype.forEach.call(table.querySelectorAll(":scope > tbody > tr"), function (r) {
        var id = linkId(r);
        if (!id || r.hasAttribute("data-gone")) return;
        seen[id] = true;
        if (!all && !(id in ids)) return;
        if (fresh[id]) copyRow(r, fresh[id]);
        else markGone(r, ids[id] || "");
      });
      Object.keys(fresh).forEach(function (id) {
        if (seen[id] || (!all && !(id in ids))) return;
        var added = document.importNode(fresh[id], true);
        added.classList.add("live-changed");
        table.tBodies[0].appendChild(added);
      });
      var anyBox = table.querySelector('input[name="ids"]');
      if (anyBox) anyBox.dispatchEvent(new Event("change", { bubbles: true }));
      rowsChanged(table);
    }
  }

  /* tells a table's sort / filter model (inventory.js) that its rows changed under it */
  function rowsChanged(table) {
    if (table && window.CustomEvent) table.dispatchEvent(new CustomEvent("live:rows", { bubbles: true }));
  }

  function showGone(what, deleted) {
    var main = document.querySelector("main.content");
    if (!main || main.querySelector("[data-live-gone]")) return;
    var banner = document.createElement("div");
    banner.className = "banner warn";
    banner.setAttribute("role", "status");
    banner.setAttribute("data-live-gone", what);
    var p = document.createElement("p");
    var label = what === "group" ? "This group" : "This server";
    var verb = deleted ? " was deleted." : " is no longer in your account.";
    var own = document.querySelector("[data-live-gone-text]");
    p.appendChild(document.createTextNode(
      what === "page" && own ? own.getAttribute("data-live-gone-text") + " " : label + verb + " "));
    var back = document.createElement("a");
    back.href = urlOf("dashboard");
    back.textContent = "Back to the dashboard";
    p.appendChild(back);
    banner.appendChild(p);
    main.insertBefore(banner, main.firstChild);
    var bars = main.querySelectorAll(".action-bar, .actions, .bulk-bar");
    for (var i = 0; i < bars.length; i++) bars[i].remove();
    if (what !== "server") return;
    var badges = main.querySelectorAll("[data-power]");
    for (var j = 0; j < badges.length; j++) {
      var gone = deleted ? "deleted" : "gone";
      badges[j].setAttribute("data-power", gone);
      if (badges[j].classList.contains("pw")) badges[j].className = "pw pw-unknown";
      setText(badges[j], gone);
    }
  }

  /* the data center's tree counts, power summary and server count follow its rows */
  function updateSummary(doc) {
    var fresh = {};
    Array.prototype.forEach.call(doc.querySelectorAll(".tree .node"), function (n) {
      var a = n.querySelector("a"), c = n.querySelector(".count");
      if (a && c) fresh[a.getAttribute("href")] = c;
    });
    Array.prototype.forEach.call(document.querySelectorAll(".tree .node"), function (n) {
      var a = n.querySelector("a"), c = n.querySelector(".count");
      var f = a && fresh[a.getAttribute("href")];
      if (c && f && c.textContent !== f.textContent) {
        c.textContent = f.textContent;
        c.title = f.title;
      }
    });
    var panel = document.querySelector(".servers-panel"), freshPanel = doc.querySelector(".servers-panel");
    if (panel && freshPanel) swap(panel.querySelector(".power-list"), freshPanel.querySelector(".power-list"));
    if (!/[?&](q|power|status)=/.test(location.search)) {
      var count = document.querySelector(".table-count"), freshCount = doc.querySelector(".table-count");
      if (count && freshCount) count.innerHTML = freshCount.innerHTML;
    }
  }

  /* the alerts panel (apps.webhooks): swapped, added when it was not shown yet, or removed */
  function swapAlerts(doc) {
    var current = document.querySelector(".alerts-panel"), fresh = doc.querySelector(".alerts-panel");
    if (current && fresh) swap(current, fresh);
    else if (current) current.remove();
    else if (fresh) {
      var after = document.querySelector(".latest-activities");
      if (after) after.parentNode.insertBefore(document.importNode(fresh, true), after.nextSibling);
    }
  }

  function swapMain(doc) {
    var main = document.querySelector("main.content");
    var freshMain = doc.querySelector("main.content");
    if (!main || !freshMain) return;
    var focused = document.activeElement && main.contains(document.activeElement)
      ? document.activeElement.getAttribute("data-action") : null;
    main.innerHTML = "";
    Array.prototype.forEach.call(freshMain.childNodes, function (node) {
      main.appendChild(document.importNode(node, true));
    });
    if (focused) {
      var again = main.querySelector('[data-action="' + focused + '"]');
      if (again) again.focus();
    }
  }

  function reread() {
    var gap = rereadTimer && rereadTimer.gap;
    rereadTimer = null;
    if (document.hidden) return; /* read when the tab is shown again */
    if (rereading) { scheduleReread(gap); return; }
    lastReread = Date.now();
    var job = want;
    want = { page: false, dashboard: false, all: false, ids: {}, gone: "" };
    if (!job.page && !job.dashboard && !job.all && !Object.keys(job.ids).length) return;
    rereading = true;
    fetch(location.href, { credentials: "same-origin", headers: { "X-Live-Reread": "1" } })
      .then(function (r) {
        /* signed out meanwhile (a redirect to /login/): leave the page as it is */
        if (r.redirected && new URL(r.url).pathname !== location.pathname) return null;
        if (r.status === 404 && job.page) {
          showGone(PAGE_GROUP ? "group" : PAGE_SERVER ? "server" : "page", !!job.gone);
          return null;
        }
        return r.ok ? r.text() : Promise.reject(r.status);
      })
      .then(function (html) {
        if (html === null) return;
        var doc = parse(html);
        if (job.page) {
          swapMain(doc);
        } else {
          if (job.all || Object.keys(job.ids).length) {
            updateRows(doc, job.ids, job.all);
            updateSummary(doc);
          }
          if (job.dashboard) {
            [".totals", ".dc-cards", ".latest-activities"].forEach(function (sel) {
              swap(document.querySelector(sel), doc.querySelector(sel));
            });
            swapAlerts(doc);
          }
        }
        root.setAttribute("data-live-rereads", String(Number(root.getAttribute("data-live-rereads") || 0) + 1));
      })
      .catch(function () {})
      .then(function () {
        rereading = false;
        lastReread = Date.now();
      });
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
    link.href = urlOf("activity", a.id);
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

  /* --- "… queued" banners (apps.actions.services.flash) ---------------------------------
   * The banner's link names its activities (data-queued="12 13"); once they have all ended, the
   * banner says how they ended instead of "queued". Those that ended before the page loaded are
   * read once from the API; the rest arrive as events. */
  var banners = Array.prototype.map.call(document.querySelectorAll(".messages a[data-queued]"), function (link) {
    var ids = {};
    (link.getAttribute("data-queued") || "").split(/\s+/).forEach(function (id) { if (id) ids[id] = null; });
    return { link: link, label: link.getAttribute("data-label") || "Operation", ids: ids, done: false };
  }).filter(function (b) { return Object.keys(b.ids).length; });

  function finishBanner(b) {
    var ended = Object.keys(b.ids).map(function (id) { return b.ids[id]; });
    var tally = { succeeded: 0, failed: 0, unknown: 0 };
    ended.forEach(function (a) { tally[a.status] = (tally[a.status] || 0) + 1; });
    var li = b.link.closest("li");
    if (!li) return;
    var text;
    if (ended.length === 1) {
      var a = ended[0];
      text = b.label + (a.status === "succeeded" ? " succeeded" : a.status === "failed"
        ? " failed" + (a.error_message ? ": " + a.error_message : "") : " ended with an unknown outcome");
      b.link.textContent = a.status === "succeeded" ? "see it on Activities" : "details";
    } else {
      var parts = [tally.succeeded + " succeeded"];
      if (tally.failed) parts.push(tally.failed + " failed");
      if (tally.unknown) parts.push(tally.unknown + " unknown");
      text = b.label + " finished for " + ended.length + " servers: " + parts.join(", ");
      b.link.textContent = "see them on Activities";
    }
    var link = b.link;
    li.textContent = text + " — ";
    li.appendChild(link);
    li.className = "message " + (tally.succeeded === ended.length ? "success" : "error");
    li.setAttribute("data-ended", "");
    b.done = true;
  }

  function noteBanners(a) {
    if (!TERMINAL[a.status]) return;
    banners.forEach(function (b) {
      if (b.done || !(String(a.id) in b.ids)) return;
      b.ids[String(a.id)] = a;
      if (Object.keys(b.ids).every(function (id) { return b.ids[id]; })) finishBanner(b);
    });
  }

  function readBanners() {
    var wanted = banners.reduce(function (n, b) { return n + Object.keys(b.ids).length; }, 0);
    if (!wanted) return;
    fetch(urlOf("api-activities") + "?mine=1&limit=" + Math.min(500, wanted + 50), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) { ((body && body.results) || []).forEach(noteBanners); })
      .catch(function () {});
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
        var total = r.headers.get("X-Total-Count"); /* a number, or "1000+" (counted up to a cap) */
        var label = document.querySelector("[data-total]");
        if (label && total) label.textContent = total + (total === "1" ? " activity" : " activities");
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
    fetch(urlOf("activities") + "?fragment=counts", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(setCounts)
      .catch(function () {});
  }

  function resync() {
    if (banners.some(function (b) { return !b.done; })) readBanners();
    refreshRows();
    refreshDetail();
    refreshCounts();
    /* endings may have been missed: the inventory parts of the page are re-read too */
    if (PAGE_SERVER || PAGE_GROUP || WATCH.length) want.page = true;
    else if (document.querySelector("table.servers")) want.all = true;
    if (DASHBOARD) want.dashboard = true;
    if (want.page || want.all || want.dashboard) scheduleReread();
  }

  /* --- one change ---------------------------------------------------------------------- */
  function handleAlert(alert) {
    if (!alert) return;
    if (PAGE_SERVER && String(alert.server_id || "").toUpperCase() === PAGE_SERVER) want.page = true;
    else if (DASHBOARD) want.dashboard = true;
    else return;
    scheduleReread(EXTERNAL_GAP_MS);
  }

  /* a change made elsewhere: what it touches on this page is re-read */
  function handleExternal(a) {
    var op = EXTERNAL_OP[a.operation];
    if (!op) return;
    var id = String((a.resource_ids || [])[0] || "").toUpperCase();
    if (PAGE_DC && !PAGE_SERVER && id.indexOf(PAGE_DC) !== 0 && !DASHBOARD) return; /* another data center's */
    var seen = Object.assign({}, a, { operation: op, status: "succeeded" });
    if (affects(seen)) scheduleReread(EXTERNAL_GAP_MS);
  }

  function handle(data) {
    if (data && data.type === "alert") {
      handleAlert(data.alert);
      root.setAttribute("data-live-events", String(Number(root.getAttribute("data-live-events") || 0) + 1));
      return;
    }
    var a = data && data.activity;
    if (!a || a.id == null) return;
    if (a.origin === "external") {
      known[a.id] = a.status;
      var table = document.querySelector("[data-activity-table]");
      if (table && table.getAttribute("data-page") === "1" && table.getAttribute("data-scope") === "team" &&
          !table.querySelector('[data-activity-id="' + a.id + '"]')) scheduleRefresh();
      handleExternal(a);
      root.setAttribute("data-live-events", String(Number(root.getAttribute("data-live-events") || 0) + 1));
      return;
    }
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
    noteBanners(a);
    if (TERMINAL[a.status] && previous && !TERMINAL[previous]) {
      if (a.status === "succeeded") applyEffect(a);
      if (affects(a)) scheduleReread();
      if (mine) toast(a);
    } else if (DASHBOARD && mine && !previous && !document.querySelector('[data-activity-id="' + a.id + '"]')) {
      want.dashboard = true; /* a new activity of mine: the dashboard's "latest" list shows it */
      scheduleReread();
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
      fetch(urlOf("api-activities") + "?limit=50", { credentials: "same-origin", headers: { Accept: "application/json" } })
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
    var source = new EventSource(urlOf("events") + (position ? "?lastEventId=" + encodeURIComponent(position) : ""));
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
  readBanners();
})();
