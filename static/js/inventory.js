/* Inventory pages: collapsible group tree, in-place table sorting and instant filtering.
 * Plain JS, no dependencies. One delegated listener per kind of event (no per-row handlers),
 * so a table of thousands of servers stays cheap. Everything also works without JS through
 * links and the filter form (server-side ?sort=&dir=&q=&power=&status=). */
(function () {
  "use strict";

  /* --- group tree ------------------------------------------------------------------------ */
  function toggleNode(button) {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var sub = document.getElementById(button.getAttribute("aria-controls"));
    if (sub) {
      if (open) sub.removeAttribute("data-c");
      else sub.setAttribute("data-c", "");
    }
  }

  /* --- table model: built once per table, on first use ----------------------------------- */
  var models = new WeakMap();
  /* live.js changed rows in place (power state, appended or gone servers): rebuild on next use */
  document.addEventListener("live:rows", function (e) { models.delete(e.target); });

  function ipValue(text) {
    var m = /(\d+)\.(\d+)\.(\d+)\.(\d+)/.exec(text);
    if (!m) return Infinity; /* no address: last when ascending */
    return ((+m[1] * 256 + +m[2]) * 256 + +m[3]) * 256 + +m[4];
  }

  /* Cheap to build: a row's text (what the filter searches) is read on the first filter only, a
   * column's sort keys on the first sort by it (a first sort of 1,000 rows reads one cell each). */
  function modelOf(table) {
    var model = models.get(table);
    if (model) return model;
    var rows = table.querySelectorAll(":scope > tbody > tr"); /* a sort's rows still to come back too */
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var textCols = [];
    heads.forEach(function (th, i) {
      if (!th.classList.contains("num") && !th.classList.contains("col-maint")) textCols.push(i);
    });
    var items = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) {
      items[i] = { row: rows[i], index: i, text: null, keys: {} };
    }
    model = { table: table, heads: heads, textCols: textCols, items: items };
    models.set(table, model);
    return model;
  }

  function textOf(model, item) {
    if (item.text === null) {
      var cells = item.row.cells;
      var text = [];
      for (var j = 0; j < model.textCols.length; j++) {
        var cell = cells[model.textCols[j]];
        if (cell) text.push(cell.textContent);
      }
      item.text = text.join(" ").toLowerCase();
    }
    return item.text;
  }

  function keyOf(item, col, type) {
    if (col in item.keys) return item.keys[col];
    var cell = item.row.cells[col];
    var text = cell ? cell.textContent.trim() : "";
    var key;
    if (item.row.classList.contains("row-error") && col > 0) key = type === "text" ? "\uffff" : Infinity;
    else if (type === "num") key = text === "" ? -Infinity : parseFloat(text.replace(/,/g, ""));
    else if (type === "ip") key = ipValue(text);
    else key = text.toLowerCase();
    item.keys[col] = key;
    return key;
  }

  /* --- sorting ---------------------------------------------------------------------------- */
  function sortTable(table, th) {
    var model = modelOf(table);
    var col = model.heads.indexOf(th);
    var type = th.getAttribute("data-type") || "text";
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    var sign = dir === "ascending" ? 1 : -1;
    var items = model.items.slice();
    for (var i = 0; i < items.length; i++) keyOf(items[i], col, type); /* each key read once */
    items.sort(function (a, b) {
      var ka = a.keys[col], kb = b.keys[col];
      if (ka < kb) return -sign;
      if (ka > kb) return sign;
      return a.index - b.index; /* stable: the server's order breaks ties */
    });
    /* Only the rows the sort's frame shows move in the click: into a detached body, which then goes
     * in before the shown one; that one keeps the others (a long table's lower rows, in any order)
     * and is hidden until the frame after (frozen, fillIn). Taking the whole shown body out of the
     * document instead tore down a thousand rows' layout in the click (~20 ms of CPU). */
    var bodies = table.tBodies, body = bodies[0];
    var limit = frozen(table, body);
    var sorted = body.cloneNode(false), deferred = [];
    for (var k = 0, shown = 0; k < items.length; k++) {
      var row = items[k].row;
      if (shown >= limit) {
        if (!row.hasAttribute("data-later")) row.setAttribute("data-later", "");
        if (row.parentNode !== body) body.appendChild(row);
        deferred.push(row);
      } else {
        if (row.hasAttribute("data-later")) row.removeAttribute("data-later");
        if (!row.hidden) shown++;
        sorted.appendChild(row);
      }
    }
    for (var b = bodies.length - 1; b > 0; b--) table.removeChild(bodies[b]); /* a sort's before, emptied */
    if (deferred.length) body.setAttribute("data-later", "");
    table.insertBefore(sorted, body);
    if (!deferred.length) table.removeChild(body);
    model.heads.forEach(function (h) { h.setAttribute("aria-sort", h === th ? dir : "none"); });
    var key = sortKeyOf(th), sortDir = dir === "ascending" ? "asc" : "desc";
    var form = document.querySelector('form[data-filter-for="' + table.id + '"]');
    if (form) {
      setHidden(form, "sort", key);
      setHidden(form, "dir", sortDir);
    }
    var address = function () { setParams({ sort: key, dir: sortDir }); };
    if (deferred.length) fillIn(table, sorted, body, deferred, address);
    else {
      thaw(table);
      address();
    }
  }

  /* Chromium takes ~0.5 s to style and lay out a thousand re-inserted rows. So the sort's own
   * frame lays out the rows in view (and a margin) only; the others wait in a second body that is
   * not shown (data-later, display: none; each of its rows carries data-later too) and are all
   * back in the frame after it (in steps, each step would lay out the whole table again), with the
   * address bar's update (not drawn: it need not hold up the sort's frame). Meanwhile the columns
   * keep their widths and the table's box its height: nothing in view moves.
   * Returns how many shown rows the sort's frame gets (all of a small table). */
  var FIRST_MARGIN = 10, SMALL = 150, later = new WeakMap();

  function frozen(table, body) {
    var pending = later.get(table);
    if (pending) window.cancelAnimationFrame(pending.frame);
    var rows = body.rows;
    if (rows.length + (pending ? pending.rest.rows.length : 0) <= SMALL) return Infinity;
    /* all the reading first, while the layout is clean (free); then the writing */
    var first = null;
    for (var i = 0; i < rows.length && !first; i++) if (!rows[i].hidden) first = rows[i];
    if (!first) return Infinity;
    var top = body.getBoundingClientRect().top, height = Math.max(first.getBoundingClientRect().height, 1);
    if (!pending) {
      var heads = table.tHead.rows[0].cells;
      var widths = Array.prototype.map.call(heads, function (th) { return th.getBoundingClientRect().width; });
      var box = table.parentNode, boxHeight = box.getBoundingClientRect().height;
      Array.prototype.forEach.call(heads, function (th, i) {
        th.style.boxSizing = "border-box";
        th.style.minWidth = widths[i] + "px";
      });
      box.style.minHeight = boxHeight + "px"; /* on the table, the rows would share it out */
    }
    return Math.ceil(Math.max(0, window.innerHeight - top) / height) + FIRST_MARGIN;
  }

  function fillIn(table, sorted, rest, rows, done) {
    var pending = { frame: 0, rest: rest };
    later.set(table, pending);
    pending.frame = window.requestAnimationFrame(function () {
      pending.frame = window.requestAnimationFrame(function () { /* the frame after the sort's */
        for (var i = 0; i < rows.length; i++) {
          rows[i].removeAttribute("data-later");
          sorted.appendChild(rows[i]);
        }
        rest.remove();
        thaw(table);
        done();
      });
    });
  }

  function thaw(table) {
    later.delete(table);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.style.boxSizing = th.style.minWidth = ""; });
    table.parentNode.style.minHeight = "";
  }

  function sortKeyOf(th) {
    var link = th.querySelector("a.sort");
    var match = link && /[?&]sort=([^&]*)/.exec(link.getAttribute("href"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function setHidden(form, name, value) {
    var input = form.querySelector('input[type="hidden"][name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  /* The address bar follows the view, so a reload or a shared link shows the same thing. */
  function setParams(changes) {
    if (!window.history || !window.history.replaceState || !window.URLSearchParams) return;
    var params = new URLSearchParams(window.location.search);
    Object.keys(changes).forEach(function (name) {
      if (changes[name]) params.set(name, changes[name]);
      else params.delete(name);
    });
    params.delete("refresh");
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  /* --- filtering -------------------------------------------------------------------------- */
  function filterTable(form) {
    var table = document.getElementById(form.getAttribute("data-filter-for"));
    if (!table) return;
    var model = modelOf(table);
    var q = (form.elements.q ? form.elements.q.value : "").trim().toLowerCase();
    var power = form.elements.power ? form.elements.power.value : "";
    var status = form.elements.status ? form.elements.status.value.toLowerCase() : "";
    var needles = q ? q.split(/\s+/) : [];
    var shown = 0;
    model.items.forEach(function (item) {
      var ok = true;
      var row = item.row;
      if (power === "maintenance") ok = row.hasAttribute("data-m");
      else if (power) ok = (row.getAttribute("data-p") || "") === power;
      if (ok && status) ok = (row.getAttribute("data-s") || "").toLowerCase() === status;
      for (var i = 0; ok && i < needles.length; i++) ok = textOf(model, item).indexOf(needles[i]) !== -1;
      if (item.row.hidden === ok) item.row.hidden = !ok;
      if (ok) shown++;
    });
    var scope = form.parentNode;
    var count = scope.querySelector("[data-count]");
    if (count) count.textContent = String(shown);
    var none = scope.querySelector(".no-match");
    if (none) none.hidden = shown !== 0;
    setParams({ q: q, power: power, status: status });
  }

  var pending = null;
  function scheduleFilter(form) {
    if (pending) return;
    pending = window.requestAnimationFrame(function () {
      pending = null;
      filterTable(form);
    });
  }

  /* --- delegated listeners ---------------------------------------------------------------- */
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var toggle = target.closest(".tree .tog");
    if (toggle) {
      toggleNode(toggle);
      return;
    }
    var sortLink = target.closest("table[data-sortable] th a.sort");
    if (sortLink && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      var th = sortLink.closest("th");
      sortTable(th.closest("table"), th);
    }
  });

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-filter-for")) scheduleFilter(form);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-filter-for")) scheduleFilter(form);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-filter-for")) {
      event.preventDefault();
      filterTable(form);
      return;
    }
    if (form.hasAttribute && form.hasAttribute("data-confirm") && confirmInDialog(form)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute && form.hasAttribute("data-bulk-for") && selectedBoxes(form).length === 0) {
      event.preventDefault();
      var count = form.querySelector("[data-selected]");
      if (count) count.textContent = "0 — select servers first,";
      return;
    }
    lockActionForm(form);
  });

  /* --- actions: confirm in a <dialog>, bulk selection, no double submit -------------------------
   * Without JS, destructive buttons GET a confirmation page and the bulk toolbar POSTs the checked
   * rows (their checkboxes belong to it through form="bulk-<table>"). With JS the confirmation is
   * a <dialog> that POSTs the same action with the key rendered with the page. */
  function lockActionForm(form) {
    if ((form.method || "").toLowerCase() !== "post" || !form.querySelector('input[name="idempotency_key"]')) return;
    /* A second click would only replay the first answer (same key); say so by disabling. */
    window.setTimeout(function () {
      Array.prototype.forEach.call(form.querySelectorAll('button[type="submit"], button:not([type])'), function (b) {
        b.disabled = true;
      });
    }, 0);
  }

  function hiddenInput(form, name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }

  var dialog = null;
  function confirmInDialog(source) {
    if (typeof HTMLDialogElement === "undefined") return false; /* the confirmation page instead */
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "confirm-dialog";
      dialog.setAttribute("aria-labelledby", "confirm-dialog-q");
      dialog.innerHTML = '<form method="dialog"><p class="q" id="confirm-dialog-q"></p><menu>' +
        '<button value="cancel" type="submit" autofocus>Cancel</button> ' +
        '<button value="ok" type="submit" class="danger" data-ok></button></menu></form>';
      document.body.appendChild(dialog);
    }
    dialog.querySelector(".q").textContent = source.getAttribute("data-confirm");
    dialog.querySelector("[data-ok]").textContent = source.getAttribute("data-label") || "Confirm";
    dialog.onclose = function () {
      if (dialog.returnValue !== "ok") return;
      var post = document.createElement("form");
      post.method = "post";
      post.action = source.action;
      hiddenInput(post, "csrfmiddlewaretoken", source.getAttribute("data-csrf") || "");
      hiddenInput(post, "idempotency_key", source.getAttribute("data-key") || "");
      hiddenInput(post, "confirmed", "1"); /* the person said yes: the action's page need not ask again */
      Array.prototype.forEach.call(source.querySelectorAll('input[type="hidden"]'), function (input) {
        hiddenInput(post, input.name, input.value);
      });
      document.body.appendChild(post);
      post.submit();
    };
    dialog.returnValue = "";
    dialog.showModal();
    return true;
  }

  /* --- the dashboard's progressive fill: each [data-fill] placeholder is replaced by what its URL
   * answers (a data center's card, the totals), each as soon as it comes. */
  function fill(el) {
    fetch(el.getAttribute("data-fill"), { credentials: "same-origin" })
      .then(function (r) { return r.ok && !r.redirected ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var parsed = document.createElement("template");
        parsed.innerHTML = html;
        el.replaceWith(parsed.content);
      })
      .catch(function () {
        el.removeAttribute("aria-busy");
        var note = el.querySelector("p.muted") || el;
        note.className = "panel-error";
        note.setAttribute("role", "status");
        note.textContent = "This could not be read right now. Refresh the page to try again.";
      });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-fill]"), fill);

  function selectedBoxes(form) {
    return document.querySelectorAll('input[name="ids"][form="' + form.id + '"]:checked');
  }

  function updateSelected(form) {
    var count = form.querySelector("[data-selected]");
    if (count) count.textContent = String(selectedBoxes(form).length);
  }

  /* A filter typed before this script ran (a slow page) or restored by the browser (back, reload)
   * applies at once, not only on the next keystroke. */
  function changedByHand(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return "defaultValue" in el && el.value !== el.defaultValue;
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-filter-for]"), function (form) {
    if (Array.prototype.some.call(form.elements, changedByHand)) filterTable(form);
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "checkbox") return;
    if (target.hasAttribute("data-select-all")) {
      var form = target.form;
      var boxes = document.querySelectorAll('input[name="ids"][form="' + form.id + '"]');
      for (var i = 0; i < boxes.length; i++) {
        var row = boxes[i].closest("tr");
        boxes[i].checked = target.checked && !(row && row.hidden);
      }
      updateSelected(form);
    } else if (target.name === "ids" && target.form) {
      updateSelected(target.form);
    }
  });
})();
