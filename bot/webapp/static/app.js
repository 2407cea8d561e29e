// Sinergi dashboard: a Telegram Mini App. No inline script and no external
// script (the Content-Security-Policy forbids both): Telegram's launch
// parameters are read from the URL fragment it opens the page with
// (#tgWebAppData=…&tgWebAppThemeParams=…), or from window.Telegram.WebApp
// when a client provides it. Every word shown comes from the API (locales).
"use strict";
(function () {
  var launch = new URLSearchParams(location.hash.slice(1));
  var tg = window.Telegram && window.Telegram.WebApp;
  var initData = (tg && tg.initData) || launch.get("tgWebAppData") || "";
  var T = {};
  var me = null;

  // Theme: Telegram's themeParams as CSS variables.
  (function theme() {
    var p = (tg && tg.themeParams) || {};
    try { p = Object.assign({}, JSON.parse(launch.get("tgWebAppThemeParams") || "{}"), p); } catch (e) { /* no theme: defaults */ }
    var map = { bg_color: "--tg-bg", text_color: "--tg-text", hint_color: "--tg-hint", link_color: "--tg-link",
      button_color: "--tg-button", button_text_color: "--tg-button-text", secondary_bg_color: "--tg-secondary-bg",
      destructive_text_color: "--tg-destructive" };
    Object.keys(map).forEach(function (k) {
      if (typeof p[k] === "string" && /^#[0-9a-fA-F]{3,8}$/.test(p[k])) {
        document.documentElement.style.setProperty(map[k], p[k]);
      }
    });
    if (tg && tg.ready) { tg.ready(); }
  })();

  function el(tag, attrs) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "on") { Object.keys(attrs.on).forEach(function (ev) { n.addEventListener(ev, attrs.on[ev]); }); }
      else if (k === "text") { n.textContent = attrs.text; }
      else { n.setAttribute(k, attrs[k]); }
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) { continue; }
      n.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return n;
  }
  function t(id) { return T[id] || id; }
  var main = document.getElementById("main");
  function show() {
    main.textContent = "";
    for (var i = 0; i < arguments.length; i++) { if (arguments[i]) { main.appendChild(arguments[i]); } }
  }
  function fail(msg) { show(el("p", { "class": "error", id: "error", text: msg })); }

  function api(path, opts) {
    opts = opts || {};
    opts.headers = Object.assign({ Authorization: "tma " + initData }, opts.headers || {});
    return fetch("api/" + path, opts).then(function (r) {
      if (r.ok) { return opts.raw ? r.blob() : r.json(); }
      return r.json().then(function (j) { throw new Error(j.error || String(r.status)); },
        function () { throw new Error(String(r.status)); });
    });
  }

  function section(title) {
    var s = el("section", {}, el("h2", { text: title }));
    for (var i = 1; i < arguments.length; i++) { if (arguments[i]) { s.appendChild(arguments[i]); } }
    return s;
  }
  function bars(rows) {
    if (!rows.length) { return el("p", { "class": "hint", text: t("app.none") }); }
    var top = Math.max.apply(null, rows.map(function (r) { return r.count; })) || 1;
    var box = el("div");
    rows.forEach(function (r) {
      var fill = el("div", { "class": "fill" });
      fill.style.width = Math.round(100 * r.count / top) + "%";
      box.appendChild(el("div", { "class": "bar" }, el("span", { text: r.label }), el("div", { "class": "track" }, fill), el("span", { "class": "n", text: String(r.count) })));
    });
    return box;
  }
  // stacked draws one bar per row, split into segments by key (a class
  // st-<key> colours each), all scaled to the largest row total; legend
  // is [{key, label}] in drawing order; a row with keep set is worth
  // showing even when its total is 0.
  function stacked(rows, legend, id) {
    var top = Math.max.apply(null, rows.map(function (r) { return r.total; }).concat([0]));
    if (!top && !rows.some(function (r) { return r.keep; })) { return el("p", { "class": "hint", text: t("app.none") }); }
    top = top || 1;
    var box = el("div", { id: id });
    var keys = el("div", { "class": "legend" });
    legend.forEach(function (l) { keys.appendChild(el("span", {}, el("i", { "class": "st-" + l.key }), l.label)); });
    box.appendChild(keys);
    rows.forEach(function (r) {
      var track = el("div", { "class": "track stack" });
      legend.forEach(function (l) {
        var n = r.parts[l.key] || 0;
        if (!n) { return; }
        var seg = el("div", { "class": "fill st-" + l.key, title: l.label + ": " + n });
        seg.style.width = (100 * n / top) + "%";
        track.appendChild(seg);
      });
      box.appendChild(el("div", { "class": "bar", "data-month": r.month }, el("span", { text: r.label }), track, el("span", { "class": "n", text: r.note || String(r.total) })));
    });
    return box;
  }
  // paired draws, per month, the registrations and the check-ins as two
  // thin bars on one track, scaled to the largest of either.
  function paired(rows, legend, id) {
    var top = Math.max.apply(null, rows.map(function (r) { return Math.max(r.registrations, r.attended); }).concat([0]));
    if (!top) { return el("p", { "class": "hint", text: t("app.none") }); }
    var box = el("div", { id: id });
    var keys = el("div", { "class": "legend" });
    legend.forEach(function (l) { keys.appendChild(el("span", {}, el("i", { "class": "st-" + l.key }), l.label)); });
    box.appendChild(keys);
    rows.forEach(function (r) {
      var track = el("div", { "class": "track pair" });
      [["reg", r.registrations], ["att", r.attended]].forEach(function (p) {
        var line = el("div", { "class": "fill st-" + p[0] });
        line.style.width = (100 * p[1] / top) + "%";
        track.appendChild(line);
      });
      box.appendChild(el("div", { "class": "bar", "data-month": r.month }, el("span", { text: r.label }), track, el("span", { "class": "n", text: r.registrations + " / " + r.attended })));
    });
    return box;
  }
  function table(head, rows, numeric) {
    if (!rows.length) { return el("p", { "class": "hint", text: t("app.none") }); }
    var tb = el("tbody");
    rows.forEach(function (cells) {
      var tr = el("tr");
      cells.forEach(function (c, i) {
        var td = el("td", numeric && numeric[i] ? { "class": "num" } : {});
        td.appendChild(typeof c === "object" && c !== null ? c : document.createTextNode(c === undefined || c === null ? "" : String(c)));
        tr.appendChild(td);
      });
      tb.appendChild(tr);
    });
    var hr = el("tr");
    head.forEach(function (h, i) { hr.appendChild(el("th", numeric && numeric[i] ? { "class": "num", text: h } : { text: h })); });
    return el("div", { "class": "scroll" }, el("table", {}, el("thead", {}, hr), tb));
  }
  function link(text, go) { return el("a", { "class": "link", on: { click: function (e) { e.preventDefault(); go(); } } }, text); }
  function cmList(list) {
    return table([t("app.col_what"), t("app.col_org"), t("app.col_due"), t("app.col_status")], list.map(function (c) {
      return [link(c.what, function () { commitment(c.workshop, c.id); }), c.organisation || c.owner, c.due_text, c.status_label];
    }));
  }

  // listedNote says a list shows only the first of its commitments
  // ("The first 50 of 34,263 …", rendered by the server with its plural).
  function listedNote(note, id) { return note ? el("p", { "class": "hint", id: id, text: note }) : null; }

  // Views.
  function overview() {
    api("overview").then(function (o) {
      show(
        el("p", { "class": "hint", id: "scope", text: o.scope }),
        section(t("app.members"), el("div", { "class": "big", id: "members-total", text: String(o.members) })),
        section(t("app.upcoming"), table([t("app.col_workshop"), t("app.col_confirmed"), t("app.seats_left")], o.upcoming.map(function (w) {
          return [link(w.title, function () { workshop(w.code); }), w.counts.Confirmed, w.seats_left === undefined ? t("app.unlimited") : w.seats_left];
        }), [false, true, true])),
        section(t("app.registrations"), table([t("app.col_workshop"), t("app.col_confirmed"), t("app.col_waiting"), t("app.col_pending"), t("app.col_checked_in")],
          o.workshops.map(function (w) {
            return [link(w.title + " · " + w.when, function () { workshop(w.code); }), w.counts.Confirmed, w.counts.Waiting, w.counts.Pending, w.counts.CheckedIn];
          }), [false, true, true, true, true])),
        trend(o),
        section(t("app.by_sector"), bars(o.by_sector)),
        section(t("app.by_province"), bars(o.by_province)),
        section(t("app.commitments_by_status"), bars(o.commitments.by_status)),
        section(t("app.commitments_by_month"), bars(o.commitments.by_month.map(function (m) {
          var n = 0; Object.keys(m.by_status).forEach(function (k) { n += m.by_status[k]; });
          return { label: m.month, count: n };
        }))),
        section(t("app.overdue"), cmList(o.commitments.overdue), listedNote(o.commitments.overdue_note, "overdue-note")),
        section(t("app.blocked"), cmList(o.commitments.blocked), listedNote(o.commitments.blocked_note, "blocked-note"))
      );
    }, function (e) { fail(e.message); });
  }

  // trend: the last 12 months of the scope, as CSS bars (no script or
  // image from elsewhere): registrations and check-ins per month, and the
  // commitments due each month by status, with how many are overdue.
  function trend(o) {
    var reg = [{ key: "reg", label: t("app.trend_registrations") }, { key: "att", label: t("app.trend_attended") }];
    var order = ["done", "ontrack", "open", "proposed", "blocked"];
    var labels = {};
    o.commitments.by_status.forEach(function (s) { labels[s.key] = s.label; });
    var cm = order.filter(function (k) { return labels[k]; }).map(function (k) { return { key: k, label: labels[k] }; });
    return section(t("app.trend"),
      paired(o.trend, reg, "trend-registrations"),
      el("p", { "class": "hint", text: t("app.trend_by_start") }),
      el("h3", { text: t("app.trend_commitments") }),
      stacked(o.trend.map(function (m) {
        var note = String(m.commitments_due);
        if (m.overdue) { note += " (" + m.overdue + " " + t("app.trend_overdue") + ")"; }
        if (m.commitments_created) { note += " · +" + m.commitments_created + " " + t("app.trend_created"); }
        return { month: m.month, label: m.label, total: m.commitments_due, parts: m.by_status, note: note, keep: m.commitments_created > 0 };
      }), cm, "trend-commitments"));
  }

  function workshops() {
    api("workshops").then(function (o) {
      show(section(t("app.tab_workshops"), table([t("app.col_workshop"), t("app.col_confirmed"), t("app.col_checked_in")], o.workshops.map(function (w) {
        return [link(w.title + " · " + w.when, function () { workshop(w.code); }), w.counts.Confirmed, w.counts.CheckedIn];
      }), [false, true, true])));
    }, function (e) { fail(e.message); });
  }

  // The open workshop's check-in counter follows the door: asked again
  // every 15 s while the workshop is shown.
  var live = 0;
  function stopLive() { if (live) { clearInterval(live); live = 0; } }
  function liveCounter(code) {
    stopLive();
    live = setInterval(function () {
      var counter = document.getElementById("checkin-counter");
      if (!counter || document.hidden) { if (!counter) { stopLive(); } return; }
      api("workshops/" + code + "?status=none").then(function (o) {
        counter.textContent = o.workshop.counts.CheckedIn + " / " + o.workshop.counts.Confirmed;
      }, function () { /* the next tick tries again */ });
    }, 15000);
  }

  function workshop(code, q, status) {
    var qs = "?q=" + encodeURIComponent(q || "") + "&status=" + encodeURIComponent(status || "");
    api("workshops/" + code + qs).then(function (o) {
      var w = o.workshop;
      var search = el("input", { type: "search", id: "search", placeholder: t("app.search"), value: q || "" });
      var filter = el("select", { id: "filter" });
      [["", t("app.filter_all")], ["confirmed", t("app.col_confirmed")], ["waiting", t("app.col_waiting")],
        ["pending", t("app.col_pending")], ["checked_in", t("app.col_checked_in")]].forEach(function (f) {
        var opt = el("option", { value: f[0], text: f[1] });
        if (f[0] === (status || "")) { opt.selected = true; }
        filter.appendChild(opt);
      });
      var go = function () { workshop(code, search.value, filter.value); };
      search.addEventListener("change", go);
      filter.addEventListener("change", go);
      var decide = function (body) {
        api("workshops/" + code + "/approve", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
          .then(function (r) { workshop(code, q, status); if (tg && tg.showAlert && r.message) { tg.showAlert(r.message); } }, function (e) { fail(e.message); });
      };
      var pending = null;
      if (o.pending.length) {
        pending = section(t("app.pending"), table([t("app.col_name"), t("app.col_org"), "", ""], o.pending.map(function (r) {
          return [r.name, r.organisation,
            el("button", { "class": "primary", on: { click: function () { decide({ user: r.user_id }); } } }, t("app.approve")),
            el("button", { "class": "danger", on: { click: function () { decide({ user: r.user_id, decline: true }); } } }, t("app.decline"))];
        })), el("button", { "class": "primary", id: "approve-all", on: { click: function () { decide({ all: true }); } } }, t("app.approve_all")));
      }
      // The chart is the chat's report (audited as such): drawn on request.
      var chart = el("div");
      chart.appendChild(el("button", { id: "show-chart", on: { click: function () {
        chart.textContent = "";
        api("workshops/" + code + "/chart.png", { raw: true }).then(function (b) {
          chart.appendChild(el("img", { "class": "chart", id: "chart", alt: t("app.progress_chart"), src: URL.createObjectURL(b) }));
        }, function (e) { chart.appendChild(el("p", { "class": "hint", text: e.message })); });
      } } }, t("app.progress_chart")));
      var exportBtn = el("button", { on: { click: function () {
        api("workshops/" + code + "/export.csv", { raw: true }).then(function (b) {
          var a = el("a", { href: URL.createObjectURL(b), download: "registrants-" + code + ".csv" });
          document.body.appendChild(a); a.click(); a.remove();
        }, function (e) { fail(e.message); });
      } } }, t("app.export"));
      var head = [t("app.col_name"), t("app.col_org"), t("app.col_sector"), t("app.col_province"), t("app.col_status")].concat(o.questions);
      // Partner meetings, when the workshop has them: the counts and the
      // grid (slots × tables), filled in once asked.
      var meetings = el("div", { id: "meetings" });
      api("workshops/" + code + "/meetings").then(function (m) {
        if (!m.enabled) { return; }
        meetings.appendChild(section(t("app.meetings"),
          table([t("app.meet_requested"), t("app.meet_accepted"), t("app.meet_held")], [[m.requested, m.accepted, m.held]], [true, true, true]),
          el("div", { id: "meeting-grid" }, table(m.columns, m.rows))));
      }, function (e) { meetings.appendChild(el("p", { "class": "hint", text: e.message })); });
      show(
        el("div", { "class": "row" }, link("← " + t("app.back"), workshops)),
        section(w.title, el("p", { "class": "hint", text: w.when }),
          el("div", { "class": "row" }, el("div", {}, el("div", { "class": "hint", text: t("app.checkin_counter") }),
            el("div", { "class": "big", id: "checkin-counter", text: w.counts.CheckedIn + " / " + w.counts.Confirmed })),
          exportBtn)),
        pending,
        section(t("app.tab_members"), el("div", { "class": "row" }, search, filter),
          el("p", { "class": "hint", text: o.registrants.length + " " + t("app.of_total") + " " + o.total }),
          table(head, o.registrants.map(function (r) {
            return [r.name, r.organisation, r.sector, r.province, r.status_label + (r.checked_in ? " ✓" : "")].concat(r.answers || []);
          }))),
        meetings,
        section(t("app.progress_chart"), chart)
      );
      liveCounter(code);
    }, function (e) { fail(e.message); });
  }

  // commitments is the Commitments tab: a page of the commitments by due
  // date ("The first 50 of N", rendered by the server), a "more" button
  // adding the next page (the server's cursor) under it.
  function commitments(org, status, month) {
    var qs = "?org=" + encodeURIComponent(org || "") + "&status=" + encodeURIComponent(status || "") + "&month=" + encodeURIComponent(month || "");
    api("commitments" + qs).then(function (o) {
      var orgIn = el("input", { type: "search", placeholder: t("app.filter_org"), value: org || "" });
      var st = el("select", {});
      [["", t("app.filter_all")]].concat(o.by_status.map(function (s) { return [s.key, s.label]; })).concat([["overdue", t("app.overdue")]]).forEach(function (f) {
        var opt = el("option", { value: f[0], text: f[1] });
        if (f[0] === (status || "")) { opt.selected = true; }
        st.appendChild(opt);
      });
      var mo = el("input", { type: "month", value: month || "" });
      var list = el("div", { id: "cm-list" }, cmList(o.commitments));
      var note = el("p", { "class": "hint", id: "cm-note", text: o.note });
      var next = o.next;
      var more = el("button", { id: "cm-more", on: { click: function () {
        more.disabled = true;
        api("commitments" + qs + "&cursor=" + encodeURIComponent(next)).then(function (p) {
          var rows = cmList(p.commitments).querySelectorAll("tbody tr");
          var tb = list.querySelector("tbody");
          for (var i = 0; i < rows.length; i++) { tb.appendChild(rows[i]); }
          note.textContent = p.note;
          note.hidden = !p.note;
          next = p.next;
          more.disabled = false;
          more.hidden = !p.more;
        }, function (e) { fail(e.message); });
      } } }, t("app.cm_more"));
      more.hidden = !o.more;
      note.hidden = !o.note;
      show(
        section(t("app.tab_commitments"), el("div", { "class": "row" }, orgIn, st, mo,
          el("button", { "class": "primary", on: { click: function () { commitments(orgIn.value, st.value, mo.value); } } }, t("app.apply"))),
        note, list, more),
        section(t("app.commitments_by_status"), bars(o.by_status)),
        section(t("app.commitments_by_org"), org ? bars(o.by_org) : el("p", { "class": "hint", id: "by-org-hint", text: t("app.commitments_by_org_hint") })),
        section(t("app.commitments_by_month"), bars(o.by_month))
      );
    }, function (e) { fail(e.message); });
  }

  function commitment(code, id) {
    api("commitments/" + code + "/" + id).then(function (o) {
      var c = o.commitment;
      show(
        el("div", { "class": "row" }, link("← " + t("app.back"), function () { commitments(); })),
        section(c.what, el("p", { "class": "hint", text: c.owner + " · " + c.organisation + " · " + c.workshop_title }),
          el("p", {}, t("app.col_status") + ": " + c.status_label + " · " + t("app.col_due") + ": " + c.due_text),
          o.indicator ? el("p", {}, t("app.indicator") + ": " + o.indicator) : null,
          o.partners ? el("p", {}, t("app.partners") + ": " + o.partners) : null),
        section(t("app.history"), table([t("app.col_due"), t("app.col_status"), t("app.col_owner"), ""], o.history.map(function (h) {
          return [h.when, h.label, h.by, h.note || ""];
        })))
      );
    }, function (e) { fail(e.message); });
  }

  function members(q) {
    api("members?q=" + encodeURIComponent(q || "")).then(function (o) {
      var search = el("input", { type: "search", id: "member-search", placeholder: t("app.search"), value: q || "" });
      search.addEventListener("change", function () { members(search.value); });
      show(me.may["import"] ? importer() : null, section(t("app.tab_members"), search,
        el("p", { "class": "hint", text: o.members.length + " " + t("app.of_total") + " " + o.total }),
        table([t("app.col_name"), t("app.col_org"), t("app.col_sector"), t("app.col_province")], o.members.map(function (m) {
          return [m.name, m.organisation, m.sector, m.province];
        })),
        o.total > o.members.length ? el("p", { "class": "hint", text: t("app.more_members") }) : null));
    }, function (e) { fail(e.message); });
  }

  // Member import (admins): a CSV in, a personal invitation link per
  // person out, or every problem by line.
  function importer() {
    var file = el("input", { type: "file", id: "import-file", accept: ".csv,text/csv" });
    var result = el("div", { id: "import-result" });
    var run = function () {
      if (!file.files || !file.files[0]) { return; }
      file.files[0].text().then(function (text) {
        return fetch("api/members/import", { method: "POST", headers: { Authorization: "tma " + initData, "Content-Type": "text/csv" }, body: text });
      }).then(function (r) { return r.json(); }).then(function (o) {
        result.textContent = "";
        if (o.error) {
          result.appendChild(el("p", { "class": "error", text: o.error }));
          if (o.problems) {
            result.appendChild(table([t("app.col_line"), ""], o.problems.map(function (p) { return [p.line, p.message]; })));
          }
          return;
        }
        result.appendChild(el("p", { text: o.message }));
        result.appendChild(table([t("app.col_name"), t("app.col_org"), t("app.col_contact"), t("app.col_link")], o.members.map(function (m) {
          return [m.name, m.organisation, m.contact, el("a", { href: m.link, target: "_blank", rel: "noopener", text: m.link })];
        })));
        if (o.notes.length) {
          result.appendChild(section(t("app.notes"), table([t("app.col_line"), ""], o.notes.map(function (p) { return [p.line, p.message]; }))));
        }
      }, function (e) { result.textContent = e.message; });
    };
    return section(t("app.import_title"), el("p", { "class": "hint", text: t("app.import_help") }),
      el("div", { "class": "row" }, file, el("button", { "class": "primary", id: "import-run", on: { click: run } }, t("app.import_button"))), result);
  }

  function tabs() {
    var nav = document.getElementById("tabs");
    var items = [["overview", overview], ["workshops", workshops], ["commitments", function () { commitments(); }]];
    if (me.may.members) { items.push(["members", function () { members(); }]); }
    items.forEach(function (it, i) {
      var b = el("button", { id: "tab-" + it[0], text: t("app.tab_" + it[0]) });
      b.addEventListener("click", function () {
        Array.prototype.forEach.call(nav.children, function (c) { c.classList.remove("on"); });
        b.classList.add("on");
        it[1]();
      });
      if (i === 0) { b.classList.add("on"); }
      nav.appendChild(b);
    });
    nav.hidden = false;
  }

  api("me").then(function (m) {
    me = m; T = m.texts || {};
    document.documentElement.lang = m.lang;
    document.title = t("app.title");
    document.getElementById("title").textContent = t("app.title");
    document.getElementById("who").textContent = m.name + " · " + m.role_label + (m.chapter ? " · " + m.chapter.name : "");
    tabs();
    overview();
  }, function (e) { fail(e.message); });
})();
