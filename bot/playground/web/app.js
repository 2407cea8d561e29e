// Sinergi playground page: plays Telegram for made-up users against the
// playground's HTTP API (bot/playground/playground.go). Plain JavaScript, no
// build step, no network beyond this server.
//
// Safety rule: text from the bot or users never goes through innerHTML. Bot
// HTML is parsed inert with DOMParser and rebuilt node by node from an
// allow-list; users' text is set with textContent.
"use strict";

(() => {
  // ---------- small DOM helpers ----------
  const $ = (id) => document.getElementById(id);

  /** el("div", {class: "x", text: "y", data: {testid: "z"}, attrs: {...}}, ...children) */
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === "class") e.className = v;
        else if (k === "text") e.textContent = v;
        else if (k === "data") for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = String(dv);
        else if (k === "on") for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
        else e.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
    return e;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  // icon builds a small stroke icon from fixed path data (never from input).
  function icon(paths) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("class", "icon");
    svg.setAttribute("aria-hidden", "true");
    for (const d of paths) {
      const p = document.createElementNS(SVG_NS, "path");
      p.setAttribute("d", d);
      svg.append(p);
    }
    return svg;
  }
  const ICONS = {
    download: ["M12 4v11", "M7 10l5 5 5-5", "M5 20h14"],
    external: ["M14 4h6v6", "M20 4l-9 9", "M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5"],
    tap: ["M9 11V5a2 2 0 0 1 4 0v5", "M13 10a2 2 0 0 1 4 0v1a2 2 0 0 1 4 0v3a7 7 0 0 1-7 7h-1a6 6 0 0 1-5-2.7L5 14a2 2 0 0 1 3.3-2.2L9 13"],
    link: ["M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1", "M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"],
  };

  // ---------- state ----------
  const state = {
    bot: "",
    users: [],
    current: null, // the selected user
    groups: [],
    group: null, // the selected group (then current is null)
    topic: 0, // the topic shown in the group
    speaker: 0, // the member who speaks in the group
    unread: new Map(), // chat id -> count
    clockOffset: 0, // playground clock minus this browser's clock, ms
    nodes: new Map(), // message key -> row element (current chat)
    lastDay: "",
    gen: 0, // bumps on every chat load; stale loads are dropped
    loading: false,
    pending: [], // events that came while the chat was loading
    stick: true, // keep the view at the bottom
  };

  const els = {
    users: $("users"),
    userCount: $("user-count"),
    noUsers: $("no-users"),
    form: $("add-user"),
    name: $("nu-name"),
    lang: $("nu-lang"),
    role: $("nu-role"),
    addError: $("add-error"),
    botName: $("bot-name"),
    clock: $("clock"),
    clockAhead: $("clock-ahead"),
    conn: $("conn"),
    connText: $("conn-text"),
    chatAvatar: $("chat-avatar"),
    chatName: $("chat-name"),
    chatSub: $("chat-sub"),
    reload: $("reload-chat"),
    dashboard: $("open-dashboard"),
    messages: $("messages"),
    typing: $("typing"),
    jump: $("jump"),
    chips: $("chips"),
    composer: $("composer"),
    input: $("msg-input"),
    send: $("send"),
    layout: $("layout"),
    usersToggle: $("users-toggle"),
    bold: $("fmt-bold"),
    italic: $("fmt-italic"),
    attach: $("attach"),
    photoInput: $("photo-input"),
    groups: $("groups"),
    groupsHead: $("groups-head"),
    groupBar: $("group-bar"),
    topic: $("topic"),
    speaker: $("speaker"),
    toasts: $("toasts"),
    alert: $("alert"),
    alertText: $("alert-text"),
    alertOk: $("alert-ok"),
  };

  // ---------- formatting ----------
  const ZONE = "Asia/Jakarta"; // the forum's clock; the bot writes times in WIB
  const fmtTime = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hour: "2-digit", minute: "2-digit" });
  const fmtDay = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const fmtClock = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
  const dayKey = (d) => fmtDay.format(d);

  const ROLE_LABEL = { participant: "Participant", facilitator: "Facilitator", admin: "Admin" };
  const LANG_LABEL = { id: "Indonesian", en: "English" };

  function initials(name) {
    const words = name.replace(/\(.*?\)/g, " ").split(/\s+/).filter((w) => /\p{L}/u.test(w));
    const letters = words.slice(0, 2).map((w) => w.match(/\p{L}/u)[0].toUpperCase());
    return letters.join("") || "?";
  }
  function avatar(u, cls = "avatar") {
    const a = el("span", { class: cls, "aria-hidden": "true", text: initials(u.name) });
    a.style.background = `hsl(${(u.id * 47) % 360} 42% 38%)`;
    return a;
  }
  const displayName = (u) => (u.demo ? u.name.replace(/\s*\((demo|contoh)\)\s*$/i, "") : u.name);

  // ---------- HTTP ----------
  async function api(method, path, body) {
    const opts = { method, headers: { Accept: "application/json" } };
    if (body instanceof FormData) {
      opts.body = body; // multipart: the browser sets the boundary
    } else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    let data = null;
    if ((res.headers.get("Content-Type") || "").includes("application/json")) {
      data = await res.json().catch(() => null);
    }
    if (!res.ok) throw new Error((data && data.error) || `${res.status} ${res.statusText}`);
    return data;
  }

  // ---------- toasts and alerts ----------
  function toast(text, kind) {
    const t = el("div", { class: "toast" + (kind ? " " + kind : ""), role: kind === "error" ? "alert" : "status", text, data: { testid: "toast" } });
    els.toasts.append(t);
    const ttl = Math.min(7000, 2600 + text.length * 40);
    setTimeout(() => {
      t.classList.add("leaving");
      setTimeout(() => t.remove(), 350);
    }, ttl);
  }
  let alertReturnFocus = null;
  function showAlert(text) {
    els.alertText.textContent = text;
    alertReturnFocus = document.activeElement;
    els.alert.hidden = false;
    els.alertOk.focus();
  }
  function closeAlert() {
    els.alert.hidden = true;
    if (alertReturnFocus && document.contains(alertReturnFocus)) alertReturnFocus.focus();
  }
  els.alertOk.addEventListener("click", closeAlert);
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !els.alert.hidden) closeAlert(); });

  // ---------- links ----------
  // safeHref returns an absolute http, https or tg URL, or "" for anything else.
  function safeHref(raw) {
    if (typeof raw !== "string") return "";
    let u;
    try {
      u = new URL(raw.trim());
    } catch {
      return "";
    }
    return ["http:", "https:", "tg:"].includes(u.protocol) ? u.href : "";
  }

  // deepLink returns the start payload ("" for a bare link to the bot) when
  // href opens this bot (https://t.me/<bot>?start=… or tg://resolve), else null.
  function deepLink(href) {
    const bot = state.bot.toLowerCase();
    if (!bot || typeof href !== "string") return null;
    let u;
    try {
      u = new URL(href.trim());
    } catch {
      return null;
    }
    if ((u.protocol === "https:" || u.protocol === "http:") && ["t.me", "www.t.me", "telegram.me", "www.telegram.me"].includes(u.hostname)) {
      if (u.pathname.replace(/^\/+|\/+$/g, "").toLowerCase() === bot) return u.searchParams.get("start") || "";
      return null;
    }
    if (u.protocol === "tg:" && u.hostname === "resolve" && (u.searchParams.get("domain") || "").toLowerCase() === bot) {
      return u.searchParams.get("start") || "";
    }
    return null;
  }
  const startCommand = (payload) => (payload ? `/start ${payload}` : "/start");

  function makeLink(href, label) {
    const a = el("a", { href, text: label === undefined ? undefined : label });
    if (deepLink(href) !== null) {
      a.className = "deep";
      a.title = "Opens the bot: sends " + startCommand(deepLink(href));
    } else {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return a;
  }

  // ---------- sanitiser ----------
  const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  // appendText adds text as text nodes, turning plain URLs into links.
  function appendText(parent, text, linkify) {
    if (!linkify) {
      parent.append(document.createTextNode(text));
      return;
    }
    let last = 0;
    for (const m of text.matchAll(URL_RE)) {
      let url = m[0];
      // Trailing punctuation ends the sentence, not the URL; keep a ")" that closes a "(" inside it.
      while (/[.,;:!?'"”’»\]}]$/.test(url) || (url.endsWith(")") && (url.match(/\(/g) || []).length < (url.match(/\)/g) || []).length)) {
        url = url.slice(0, -1);
      }
      const href = safeHref(url);
      if (!href) continue;
      parent.append(document.createTextNode(text.slice(last, m.index)));
      parent.append(makeLink(href, url));
      last = m.index + url.length;
    }
    parent.append(document.createTextNode(text.slice(last)));
  }

  // Telegram's HTML subset: tag -> the element built for it.
  const SIMPLE = {
    b: "b", strong: "strong", i: "i", em: "em", u: "u", ins: "ins",
    s: "s", strike: "s", del: "del", code: "code", pre: "pre", blockquote: "blockquote",
  };
  const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);

  function sanitize(html) {
    const doc = new DOMParser().parseFromString("<!doctype html><body>" + html, "text/html");
    const out = document.createDocumentFragment();
    cleanChildren(doc.body, out, true);
    return out;
  }
  function cleanChildren(src, dst, linkify) {
    for (const n of src.childNodes) {
      if (n.nodeType === Node.TEXT_NODE) appendText(dst, n.data, linkify);
      else if (n.nodeType === Node.ELEMENT_NODE) cleanElement(n, dst, linkify);
      // comments, processing instructions: dropped
    }
  }
  function cleanElement(n, dst, linkify) {
    const tag = n.localName;
    if (Object.hasOwn(SIMPLE, tag)) {
      const e = document.createElement(SIMPLE[tag]);
      if (tag === "code") {
        const cls = n.getAttribute("class");
        if (cls && /^language-[\w#+.-]{1,32}$/.test(cls)) e.className = cls;
      }
      if (tag === "blockquote" && n.hasAttribute("expandable")) e.className = "expandable";
      cleanChildren(n, e, linkify && tag !== "code" && tag !== "pre");
      dst.append(e);
      return;
    }
    if (tag === "a") {
      const href = safeHref(n.getAttribute("href"));
      const e = href ? makeLink(href) : document.createElement("span");
      cleanChildren(n, e, false);
      dst.append(e);
      return;
    }
    if (tag === "tg-spoiler" || (tag === "span" && n.classList.contains("tg-spoiler"))) {
      const e = el("span", { class: "spoiler", title: "Spoiler: click to reveal", tabindex: "0", role: "button", "aria-pressed": "false" });
      cleanChildren(n, e, linkify);
      dst.append(e);
      return;
    }
    if (tag === "tg-emoji") {
      cleanChildren(n, dst, linkify);
      return;
    }
    // Anything else is not Telegram HTML: show it as the text it was.
    let open = "<" + tag;
    for (const a of n.attributes) open += ` ${a.name}="${a.value}"`;
    appendText(dst, open + ">", false);
    cleanChildren(n.localName === "template" ? n.content : n, dst, false);
    if (!VOID.has(tag)) appendText(dst, `</${tag}>`, false);
  }

  // ---------- users ----------
  // renderUsers updates the list in place, keyed by user id, so a button
  // keeps its identity (and focus) across updates.
  const userItems = new Map(); // id -> {li, btn}
  function renderUsers() {
    const ids = new Set(state.users.map((u) => u.id));
    for (const [id, item] of userItems) {
      if (!ids.has(id)) {
        item.li.remove();
        userItems.delete(id);
      }
    }
    for (const u of state.users) {
      let item = userItems.get(u.id);
      if (!item) {
        const btn = el("button", { type: "button", class: "user", data: { testid: "user", userId: u.id }, on: { click: () => selectUser(u.id) } });
        item = { li: el("li", null, btn), btn };
        userItems.set(u.id, item);
        els.users.append(item.li);
      }
      const unread = state.unread.get(u.id) || 0;
      const selected = !!state.current && state.current.id === u.id;
      const { btn } = item;
      btn.dataset.userName = u.name;
      btn.title = u.name;
      btn.setAttribute("aria-current", selected ? "true" : "false");
      btn.setAttribute("aria-label", `${u.name}, ${ROLE_LABEL[u.role] || u.role}, ${LANG_LABEL[u.lang] || u.lang}` + (unread ? `, ${unread} unread` : ""));
      const meta = el("span", { class: "user-meta" },
        el("span", { class: `badge role-${u.role}`, text: ROLE_LABEL[u.role] || u.role }),
        el("span", { class: "tag tag-lang", title: LANG_LABEL[u.lang] || u.lang, text: (u.lang || "").toUpperCase() }),
        u.demo ? el("span", { class: "tag tag-demo", title: "Seeded with --demo: an invented person", text: "demo" }) : null);
      btn.replaceChildren(
        avatar(u),
        el("span", { class: "user-main" }, el("span", { class: "user-name", text: displayName(u) }), meta),
        unread ? el("span", { class: "unread", data: { testid: "unread" }, text: unread > 99 ? "99+" : String(unread) }) : "");
    }
    els.userCount.textContent = state.users.length ? String(state.users.length) : "";
    els.noUsers.hidden = state.users.length > 0;
    let total = 0;
    for (const n of state.unread.values()) total += n;
    document.title = (total ? `(${total}) ` : "") + "Sinergi playground";
  }

  function renderGroups() {
    els.groupsHead.hidden = state.groups.length === 0;
    els.groups.replaceChildren(...state.groups.map((g) => el("li", null, el("button", {
      type: "button", class: "user", title: g.title,
      "aria-current": state.group && state.group.id === g.id ? "true" : "false",
      data: { testid: "group", groupId: g.id, groupName: g.title }, on: { click: () => selectGroup(g.id) },
    }, avatar({ name: g.title }), el("span", { class: "user-main" }, el("span", { class: "user-name", text: g.title }),
      el("span", { class: "user-meta" }, el("span", { class: "tag", text: `${g.topics.length - 1} topics · ${g.members.length} members` })))))));
  }

  async function loadState() {
    const s = await api("GET", "/api/state");
    state.groups = Array.isArray(s.groups) ? s.groups : [];
    renderGroups();
    state.bot = s.bot || "";
    els.botName.textContent = state.bot ? "@" + state.bot : "(unnamed)";
    state.users = Array.isArray(s.users) ? s.users : [];
    setClock(s.now);
    if (state.current) {
      const before = state.current;
      state.current = state.users.find((u) => u.id === before.id) || before;
      if (state.current.role !== before.role) renderChatHeader(); // an invitation used, a grant
    }
    renderUsers();
  }
  // refreshState reloads the users soon: the bot may have changed a role.
  let stateRefresh = 0;
  function refreshState() {
    clearTimeout(stateRefresh);
    stateRefresh = setTimeout(() => loadState().catch(() => {}), 400);
  }

  els.form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const name = els.name.value.trim();
    els.addError.hidden = true;
    if (!name) {
      els.addError.textContent = "Please enter a name.";
      els.addError.hidden = false;
      els.name.focus();
      return;
    }
    const submit = els.form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const u = await api("POST", "/api/users", { name, lang: els.lang.value, role: els.role.value });
      if (!state.users.some((x) => x.id === u.id)) state.users.push(u);
      els.name.value = "";
      renderUsers();
      toast(`${u.name} joined as ${(ROLE_LABEL[u.role] || u.role).toLowerCase()}`);
      await selectUser(u.id);
    } catch (err) {
      els.addError.textContent = err.message;
      els.addError.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  // ---------- chat header, chips ----------
  const COMMON = ["/start", "/menu", "/workshops", "/mine", "/partner", "/matches", "/profile", "/mydata", "/settings", "/help", "/cancel", "/language"];
  const STAFF = ["/newworkshop", "/myworkshops", "/report"];
  const ADMIN = ["/grant", "/broadcast", "/broadcasts"];

  const GROUP_COMMANDS = ["/workshops", "/commit", "/linkgroup"];
  const member = (id) => state.users.find((u) => u.id === id);
  const topicName = () => ((state.group && state.group.topics.find((t) => t.id === state.topic)) || { name: "" }).name;

  function renderGroupHeader() {
    const g = state.group;
    for (const e of [els.input, els.send, els.reload]) e.disabled = false;
    for (const e of [els.bold, els.italic, els.attach]) e.disabled = true; // plain text in groups
    const a = avatar({ name: g.title });
    a.id = "chat-avatar";
    els.chatAvatar.replaceWith(a);
    els.chatAvatar = a;
    els.chatName.textContent = g.title;
    const sp = member(state.speaker);
    els.chatSub.replaceChildren(el("span", { text: `forum group · topic ${topicName()} · ${sp ? "as " + sp.name : ""}` }));
    els.groupBar.hidden = false;
    els.topic.replaceChildren(...g.topics.map((t) => el("option", { value: String(t.id), text: t.name })));
    els.topic.value = String(state.topic);
    els.speaker.replaceChildren(...g.members.map((id) => member(id)).filter(Boolean).map((u) => el("option", { value: String(u.id), text: u.name })));
    els.speaker.value = String(state.speaker);
    els.chips.replaceChildren(...GROUP_COMMANDS.map((c) => el("button", {
      type: "button", class: "chip", text: c, title: `Send ${c} in the topic`, data: { testid: "chip", command: c },
      on: { click: () => sendText(c) },
    })));
  }

  async function selectGroup(id) {
    const g = state.groups.find((x) => x.id === id);
    if (!g) return;
    const changed = !state.group || state.group.id !== id;
    state.group = g;
    state.current = null;
    if (changed) {
      state.topic = g.topics.length > 1 ? g.topics[1].id : 0;
      state.speaker = g.members[0];
    }
    showUsers(false);
    hideTyping();
    renderUsers();
    renderGroups();
    renderChatHeader();
    clearMessages();
    await loadChat();
    els.input.focus();
  }
  els.topic.addEventListener("change", () => {
    state.topic = Number(els.topic.value);
    renderChatHeader();
    clearMessages();
    loadChat();
  });
  els.speaker.addEventListener("change", () => {
    state.speaker = Number(els.speaker.value);
    renderChatHeader();
  });

  function renderChatHeader() {
    if (state.group) {
      renderGroupHeader();
      return;
    }
    els.groupBar.hidden = true;
    const u = state.current;
    const enabled = !!u;
    for (const e of [els.input, els.send, els.reload, els.bold, els.italic, els.attach]) e.disabled = !enabled;
    els.dashboard.hidden = !enabled;
    els.dashboard.removeAttribute("href");
    if (u) refreshDashboard(u);
    if (!u) {
      const blank = el("span", { class: "avatar", "aria-hidden": "true", id: "chat-avatar" });
      els.chatAvatar.replaceWith(blank);
      els.chatAvatar = blank;
      els.chatName.textContent = "No user selected";
      els.chatSub.textContent = "Choose or add a user on the left";
      els.chips.replaceChildren();
      return;
    }
    const a = avatar(u);
    a.id = "chat-avatar";
    els.chatAvatar.replaceWith(a);
    els.chatAvatar = a;
    els.chatName.textContent = u.name;
    els.chatSub.replaceChildren(
      el("span", { class: `badge role-${u.role}`, text: ROLE_LABEL[u.role] || u.role }),
      el("span", { class: "tag tag-lang", text: LANG_LABEL[u.lang] || u.lang }),
      el("span", { text: state.bot ? `chatting with @${state.bot}` : "chatting with the bot" }));
    const cmds = [...COMMON];
    if (u.role === "facilitator" || u.role === "admin") cmds.push(...STAFF);
    if (u.role === "admin") cmds.push(...ADMIN);
    els.chips.replaceChildren(...cmds.map((c) => el("button", {
      type: "button", class: "chip" + (COMMON.includes(c) ? "" : " staff"), text: c,
      title: `Send ${c} as ${u.name}`, data: { testid: "chip", command: c },
      on: { click: () => sendText(c) },
    })));
  }

  // ---------- messages ----------
  const keyOf = (m) => (m.id > 0 ? "m" + m.id : `p${m.time}|${m.pressed || ""}`);

  function clearMessages() {
    state.nodes.clear();
    state.lastDay = "";
    els.messages.replaceChildren(els.typing);
    els.jump.hidden = true;
    state.stick = true;
  }

  function emptyState() {
    if (state.group) {
      return el("div", { class: "empty", data: { testid: "empty" } },
        el("h2", { text: `Nothing in ${topicName()} yet` }),
        el("p", { text: "Pick who speaks and write in this topic: the bot reads commands (Telegram's privacy mode), such as /workshops." }));
    }
    if (!state.current) {
      return el("div", { class: "empty", data: { testid: "empty" } },
        el("h2", { text: "Nobody is chatting yet" }),
        el("p", { text: "Add a made-up user on the left, then talk to the bot as them: press /start, pick workshops, fast-forward the clock to see reminders." }));
    }
    return el("div", { class: "empty", data: { testid: "empty" } },
      el("h2", { text: `Say hello to ${state.bot ? "@" + state.bot : "the bot"}` }),
      el("p", { text: `This is ${state.current.name}'s chat. Everything you send goes to the real Sinergi bot as them.` }),
      el("button", { type: "button", class: "primary", text: "Start the bot", on: { click: () => sendText("/start") } }));
  }
  function showEmptyIfNeeded() {
    const has = state.nodes.size > 0;
    const empty = els.messages.querySelector(".empty");
    if (!has && !empty) appendRow(emptyState());
    if (has && empty) empty.remove();
  }

  function renderMessage(m) {
    if (m.pressed) {
      return el("div", { class: "pressed", data: { testid: "pressed" }, title: "You pressed a button" },
        icon(ICONS.tap), el("span", { text: `pressed: ${m.pressed}` }));
    }
    const fromBot = !!m.from_bot;
    const row = el("div", { class: "row " + (fromBot ? "bot" : "user"), data: { testid: "message", messageId: m.id, from: fromBot ? "bot" : "user" } });
    const bubble = el("div", { class: "bubble" });
    row.append(bubble);
    if (m.from_name) bubble.append(el("div", { class: "sender", data: { testid: "sender" }, text: m.from_name }));
    const when = m.time ? new Date(m.time) : null;
    const meta = el("div", { class: "meta" });
    if (m.edited && !m.deleted) meta.append(el("span", { class: "edited", data: { testid: "edited" }, text: "edited" }));
    if (when && !Number.isNaN(when.getTime())) meta.append(el("time", { datetime: when.toISOString(), title: fmtClock.format(when) + " WIB", text: fmtTime.format(when) }));

    if (m.deleted) {
      bubble.classList.add("deleted");
      bubble.append(el("div", { class: "text", text: fromBot ? "The bot deleted this message." : "Message deleted." }), meta);
      return row;
    }

    const fileURL = typeof m.file_url === "string" && m.file_url.startsWith("/api/") ? m.file_url : "";
    if (m.media === "photo" && fileURL) {
      const crisp = /\.png$/i.test(m.file_name || "");
      const img = el("img", { class: "photo" + (crisp ? " crisp" : ""), src: fileURL, alt: m.file_name ? `Photo: ${m.file_name}` : "Photo", data: { testid: "photo" } });
      img.addEventListener("load", () => { if (state.stick) scrollToBottom(); });
      bubble.append(el("a", { class: "photo-link", href: fileURL, target: "_blank", rel: "noopener", title: "Open the full image" }, img));
    } else if (m.media && fileURL) {
      const name = m.file_name || m.media;
      const dot = name.match(/\.([a-z0-9]{1,4})$/i);
      const ext = (dot ? dot[1] : m.media.slice(0, 4)).toUpperCase();
      bubble.append(el("a", {
        class: "doc", href: fileURL, download: name, title: `Download ${name}`,
        data: { testid: "document", fileName: name },
      },
      el("span", { class: "doc-icon", "aria-hidden": "true", text: ext }),
      el("span", { class: "doc-body" },
        el("span", { class: "doc-name", data: { testid: "file-name" }, text: name }),
        el("span", { class: "doc-hint" }, icon(ICONS.download), m.media === "document" ? "Download" : `Download ${m.media}`))));
    } else if (m.media) {
      bubble.append(el("div", { class: "media-note", text: `[${m.media}]` }));
    }

    if (m.html) {
      const t = el("div", { class: "text" });
      t.append(sanitize(m.html));
      bubble.append(t);
    } else if (m.text) {
      const t = el("div", { class: "text" });
      if (fromBot) appendText(t, m.text, true);
      else t.textContent = m.text; // a user's text: never parsed
      bubble.append(t);
    }
    bubble.append(meta);

    if (Array.isArray(m.buttons) && m.buttons.length) {
      const kb = el("div", { class: "keyboard", data: { testid: "keyboard" } });
      for (const r of m.buttons) {
        if (!Array.isArray(r)) continue;
        kb.append(el("div", { class: "kb-row" }, ...r.map((b) => keyboardButton(m, b))));
      }
      row.append(kb);
    }
    return row;
  }

  function keyboardButton(m, b) {
    const label = String(b.text || "");
    if (b.url) {
      const payload = deepLink(b.url);
      if (payload !== null) {
        return el("button", {
          type: "button", class: "kb-btn", title: `Opens the bot: sends ${startCommand(payload)}`,
          data: { testid: "kb-button", url: b.url }, on: { click: () => openBot(payload) },
        }, label, icon(ICONS.link));
      }
      const href = safeHref(b.url);
      if (href) {
        return el("a", { class: "kb-btn", href, target: "_blank", rel: "noopener noreferrer", title: href, data: { testid: "kb-button", url: href } },
          label, icon(ICONS.external));
      }
      return el("button", { type: "button", class: "kb-btn", disabled: true, title: "This link cannot be opened here", text: label });
    }
    if (b.data) {
      const btn = el("button", { type: "button", class: "kb-btn", text: label, data: { testid: "kb-button", callback: b.data } });
      btn.addEventListener("click", () => press(m.id, b.data, btn));
      return btn;
    }
    return el("button", { type: "button", class: "kb-btn", disabled: true, title: "Not available in the playground", text: label });
  }

  // upsert shows m: in place when its key is known (an edit), else at the end.
  function upsert(m, animate) {
    const key = keyOf(m);
    const node = renderMessage(m);
    const old = state.nodes.get(key);
    if (old && old.isConnected) {
      old.replaceWith(node);
    } else {
      const when = m.time ? new Date(m.time) : null;
      if (when && !Number.isNaN(when.getTime())) {
        const day = dayKey(when);
        if (day !== state.lastDay) {
          appendRow(el("div", { class: "day", role: "separator", text: day }));
          state.lastDay = day;
        }
      }
      if (animate) node.classList.add("fresh");
      appendRow(node);
    }
    state.nodes.set(key, node);
  }

  // appendRow adds a row at the end of the chat, above the typing indicator.
  function appendRow(node) {
    els.messages.insertBefore(node, els.typing.parentNode === els.messages ? els.typing : null);
  }

  function scrollToBottom() {
    els.messages.scrollTop = els.messages.scrollHeight;
  }
  function nearBottom() {
    const m = els.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 80;
  }
  els.messages.addEventListener("scroll", () => {
    state.stick = nearBottom();
    if (state.stick) els.jump.hidden = true;
  });
  els.jump.addEventListener("click", () => {
    scrollToBottom();
    els.jump.hidden = true;
    state.stick = true;
  });
  // Links in messages: deep links to the bot become /start as this user; spoilers reveal.
  els.messages.addEventListener("click", (e) => {
    const sp = e.target.closest(".spoiler");
    if (sp && !sp.classList.contains("revealed")) {
      e.preventDefault();
      sp.classList.add("revealed");
      sp.setAttribute("aria-pressed", "true");
      return;
    }
    const a = e.target.closest("a[href]");
    if (!a || !els.messages.contains(a)) return;
    const payload = deepLink(a.getAttribute("href"));
    if (payload === null) return;
    e.preventDefault();
    openBot(payload);
  });
  // openBot follows a deep link: in a group, into the speaker's private chat.
  async function openBot(payload) {
    if (state.group) {
      if (!member(state.speaker)) return;
      await selectUser(state.speaker);
    }
    await sendText(startCommand(payload));
  }
  els.messages.addEventListener("keydown", (e) => {
    const sp = e.target.closest && e.target.closest(".spoiler");
    if (sp && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      sp.classList.add("revealed");
      sp.setAttribute("aria-pressed", "true");
    }
  });

  const inView = (m) => !state.group || (m.chat === state.group.id && (m.thread || 0) === state.topic);

  async function loadChat() {
    const u = state.current || state.group;
    if (!u) {
      clearMessages();
      showEmptyIfNeeded();
      return;
    }
    const gen = ++state.gen;
    state.loading = true;
    state.pending = [];
    let msgs;
    try {
      msgs = await api("GET", state.group ? `/api/groups/${u.id}` : `/api/chats/${u.id}`);
    } catch (err) {
      if (gen !== state.gen) return;
      state.loading = false;
      toast(`Could not load the chat: ${err.message}`, "error");
      return;
    }
    if (gen !== state.gen) return;
    clearMessages();
    for (const m of msgs || []) if (inView(m)) upsert(m, false);
    state.loading = false;
    const pending = state.pending;
    state.pending = [];
    for (const ev of pending) applyChatEvent(ev.kind, ev.data);
    showEmptyIfNeeded();
    scrollToBottom();
  }

  async function selectUser(id) {
    const u = state.users.find((x) => x.id === id);
    if (!u) return;
    const changed = !state.current || state.current.id !== id;
    state.current = u;
    state.group = null;
    renderGroups();
    state.unread.delete(id);
    showUsers(false);
    hideTyping();
    renderUsers();
    renderChatHeader();
    if (changed) {
      clearMessages();
      try {
        history.replaceState(null, "", "#user-" + id);
      } catch { /* file: or sandboxed */ }
    }
    await loadChat();
    els.input.focus();
  }
  els.reload.addEventListener("click", () => loadChat());

  // ---------- the dashboard (Mini App) ----------
  // The link opens /app/ with Telegram's launch parameters signed for the
  // selected user; signed afresh on every click (launch data expires).
  async function refreshDashboard(u) {
    try {
      const r = await api("GET", `/api/chats/${u.id}/dashboard`);
      if (state.current && state.current.id === u.id) els.dashboard.href = r.url;
      return r.url;
    } catch (err) {
      toast(err.message, "error");
      return "";
    }
  }
  els.dashboard.addEventListener("click", async (ev) => {
    const u = state.current;
    if (!u) return;
    ev.preventDefault();
    const url = await refreshDashboard(u);
    if (url) window.open(url, "_blank", "noopener");
  });

  // ---------- typing indicator ----------
  let typingTimer = 0;
  function showTyping() {
    els.typing.hidden = false;
    if (state.stick) scrollToBottom();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 5000);
  }
  function hideTyping() {
    clearTimeout(typingTimer);
    els.typing.hidden = true;
  }

  // ---------- actions ----------
  async function sendText(text, entities) {
    if (state.group) return sendGroupText(text);
    const u = state.current;
    if (!u) {
      toast("Choose a user first.", "error");
      return false;
    }
    const t = entities && entities.length ? text : text.trim();
    if (!t.trim()) return false;
    state.stick = true;
    showTyping(); // before the request: the reply can come before its answer
    try {
      await api("POST", `/api/chats/${u.id}/send`, entities && entities.length ? { text: t, entities } : { text: t });
    } catch (err) {
      hideTyping();
      toast(`Not sent: ${err.message}`, "error");
      return false;
    }
    if (!streamLive()) setTimeout(() => { if (state.current === u) loadChat(); }, 900);
    return true;
  }

  async function sendGroupText(text) {
    const g = state.group;
    if (!text.trim()) return false;
    state.stick = true;
    try {
      await api("POST", `/api/groups/${g.id}/send`, { user: state.speaker, thread: state.topic, text: text.trim() });
    } catch (err) {
      toast(`Not sent: ${err.message}`, "error");
      return false;
    }
    if (!streamLive()) setTimeout(() => { if (state.group === g) loadChat(); }, 900);
    return true;
  }

  async function press(messageID, data, btn) {
    if (state.group) {
      const g = state.group;
      try {
        await api("POST", `/api/groups/${g.id}/press`, { user: state.speaker, message_id: messageID, data });
      } catch (err) {
        toast(`Button not pressed: ${err.message}`, "error");
      }
      return;
    }
    const u = state.current;
    if (!u) return;
    btn.classList.add("busy");
    setTimeout(() => btn.classList.remove("busy"), 1500);
    state.stick = true;
    showTyping();
    try {
      await api("POST", `/api/chats/${u.id}/press`, { message_id: messageID, data });
    } catch (err) {
      btn.classList.remove("busy");
      hideTyping();
      toast(`Button not pressed: ${err.message}`, "error");
      return;
    }
    if (!streamLive()) setTimeout(() => { if (state.current === u) loadChat(); }, 900);
  }

  // ---------- formatting ----------
  // parseFormatting turns **bold** and __italic__ (markers at word edges,
  // as in Telegram's desktop app) into plain text and entities, offsets in
  // UTF-16 units as JavaScript counts them. Commands are sent as typed: a
  // deep-link payload may hold underscores.
  const MARKUP = /(^|[\s([{"'])(\*\*|__)(?=\S)([\s\S]*?\S)\2(?=$|[\s.,;:!?)\]}"'])/g;
  function parseFormatting(src) {
    if (src.trimStart().startsWith("/")) return { text: src.trim(), entities: [] };
    let text = "";
    let last = 0;
    const entities = [];
    for (const m of src.matchAll(MARKUP)) {
      text += src.slice(last, m.index) + m[1];
      entities.push({ type: m[2] === "**" ? "bold" : "italic", offset: text.length, length: m[3].length });
      text += m[3];
      last = m.index + m[0].length;
    }
    text += src.slice(last);
    // Trim the ends, moving the entities with the start.
    const lead = text.length - text.trimStart().length;
    text = text.trim();
    for (const e of entities) {
      e.offset -= lead;
      e.length = Math.min(e.length, text.length - e.offset);
    }
    return { text, entities: entities.filter((e) => e.offset >= 0 && e.length > 0) };
  }
  function wrapSelection(marker) {
    const i = els.input;
    const { selectionStart: a, selectionEnd: b, value: v } = i;
    const inner = v.slice(a, b) || (marker === "**" ? "bold" : "italic");
    const sep = a > 0 && !/\s/.test(v[a - 1]) ? " " : "";
    i.value = v.slice(0, a) + sep + marker + inner + marker + v.slice(b);
    const start = a + sep.length + marker.length;
    i.focus();
    i.setSelectionRange(start, start + inner.length);
    autosize();
  }
  els.bold.addEventListener("click", () => wrapSelection("**"));
  els.italic.addEventListener("click", () => wrapSelection("__"));

  // ---------- pictures ----------
  els.attach.addEventListener("click", () => els.photoInput.click());
  els.photoInput.addEventListener("change", async () => {
    const file = els.photoInput.files && els.photoInput.files[0];
    els.photoInput.value = "";
    const u = state.current;
    if (!file || !u) return;
    if (file.size > 5 * 1024 * 1024) {
      toast("Not sent: a picture of at most 5 MB, please.", "error");
      return;
    }
    const { text, entities } = parseFormatting(els.input.value);
    const form = new FormData();
    form.append("photo", file);
    form.append("caption", text);
    if (entities.length) form.append("entities", JSON.stringify(entities));
    els.attach.disabled = true;
    state.stick = true;
    showTyping();
    try {
      await api("POST", `/api/chats/${u.id}/photo`, form);
      els.input.value = "";
      autosize();
    } catch (err) {
      hideTyping();
      toast(`Picture not sent: ${err.message}`, "error");
    } finally {
      els.attach.disabled = !state.current;
    }
    if (!streamLive()) setTimeout(() => { if (state.current === u) loadChat(); }, 900);
  });

  // ---------- the user list on narrow screens ----------
  function showUsers(open) {
    els.layout.classList.toggle("show-users", open);
    els.usersToggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  els.usersToggle.addEventListener("click", () => showUsers(!els.layout.classList.contains("show-users")));

  els.composer.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = els.input.value;
    if (!text.trim()) return;
    els.input.value = "";
    autosize();
    const f = state.group ? { text } : parseFormatting(text);
    if (!(await sendText(f.text, f.entities))) {
      if (!els.input.value) els.input.value = text;
      autosize();
    }
    els.input.focus();
  });
  els.input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      els.composer.requestSubmit();
    }
  });
  function autosize() {
    els.input.style.height = "auto";
    els.input.style.height = Math.min(els.input.scrollHeight + 2, 140) + "px";
  }
  els.input.addEventListener("input", autosize);

  // ---------- clock ----------
  function setClock(now) {
    const t = Date.parse(now);
    if (!Number.isNaN(t)) state.clockOffset = t - Date.now();
    renderClock();
  }
  function renderClock() {
    const d = new Date(Date.now() + state.clockOffset);
    els.clock.textContent = fmtClock.format(d) + " WIB";
    els.clock.dateTime = d.toISOString();
    const ahead = state.clockOffset;
    if (ahead > 5 * 60 * 1000) {
      const h = Math.round(ahead / 3600000);
      els.clockAhead.textContent = h >= 24 ? `+${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ""} ahead` : `+${Math.max(1, h)} h ahead`;
      els.clockAhead.title = "The bot's clock has been fast-forwarded this far past real time";
      els.clockAhead.hidden = false;
    } else {
      els.clockAhead.hidden = true;
    }
  }
  setInterval(renderClock, 15000);

  for (const b of document.querySelectorAll("[data-hours]")) {
    b.addEventListener("click", async () => {
      const hours = Number(b.dataset.hours);
      const all = document.querySelectorAll("[data-hours]");
      all.forEach((x) => { x.disabled = true; });
      try {
        const r = await api("POST", "/api/clock", { hours });
        setClock(r.now);
        const n = Number(r.jobs) || 0;
        toast(`${b.textContent.trim()}: ${n} reminder${n === 1 ? "" : "s"} sent`);
      } catch (err) {
        toast(`Clock not moved: ${err.message}`, "error");
      } finally {
        all.forEach((x) => { x.disabled = false; });
      }
    });
  }

  // ---------- event stream ----------
  let es = null;
  let retry = 0;
  let retryTimer = 0;
  let stateReload = 0;
  const streamLive = () => es !== null && es.readyState === EventSource.OPEN;

  function setConn(s, text) {
    els.conn.dataset.state = s;
    els.connText.textContent = text;
  }

  function connect() {
    clearTimeout(retryTimer);
    if (es) es.close();
    setConn("connecting", retry ? "Reconnecting…" : "Connecting…");
    const src = new EventSource("/api/events");
    es = src;
    src.addEventListener("open", () => {
      if (src !== es) return;
      retry = 0;
      setConn("live", "Live");
      // Whatever happened while we were away is in the transcript.
      if (state.current || state.group) loadChat();
      if (state.bot) loadState().catch(() => {});
    });
    src.addEventListener("error", () => {
      if (src !== es) return;
      src.close();
      es = null;
      setConn("offline", "Offline — retrying");
      const delay = Math.min(10000, 500 * 2 ** retry);
      retry++;
      retryTimer = setTimeout(connect, delay);
    });
    for (const kind of ["message", "edit", "delete", "press", "callback_answer"]) {
      src.addEventListener(kind, (ev) => {
        if (src !== es) return;
        let data;
        try {
          data = JSON.parse(ev.data);
        } catch {
          return;
        }
        onEvent(kind, data);
      });
    }
  }

  function onEvent(kind, data) {
    const chat = Number(data.chat || (data.message && data.message.chat));
    if (!chat) return;
    if (kind === "message" && data.message && data.message.from_bot) refreshState();
    if (state.group && chat === state.group.id) {
      if (kind === "callback_answer") applyChatEvent(kind, data);
      else if (data.message && inView(data.message)) {
        if (state.loading) state.pending.push({ kind, data });
        else applyChatEvent(kind, data);
      }
      return;
    }
    if (chat < 0) return; // another group
    if (!state.users.some((u) => u.id === chat)) {
      // A user added elsewhere (another tab): refresh the list once things settle.
      clearTimeout(stateReload);
      stateReload = setTimeout(() => loadState().catch(() => {}), 300);
    }
    if (state.current && chat === state.current.id) {
      if (state.loading) state.pending.push({ kind, data });
      else applyChatEvent(kind, data);
      return;
    }
    if (kind === "message" && data.message && data.message.from_bot) {
      state.unread.set(chat, (state.unread.get(chat) || 0) + 1);
      renderUsers();
    }
  }

  function applyChatEvent(kind, data) {
    if (kind === "callback_answer") {
      for (const b of els.messages.querySelectorAll(".kb-btn.busy")) b.classList.remove("busy");
      if (data.text) {
        if (data.alert) showAlert(data.text);
        else toast(data.text);
      }
      return;
    }
    const m = data.message;
    if (!m) return;
    const wasNear = state.stick || nearBottom();
    upsert(m, kind === "message" || kind === "press");
    showEmptyIfNeeded();
    if (kind === "message" && m.from_bot) hideTyping();
    if (kind === "message" || kind === "press") {
      if (wasNear || !m.from_bot) {
        scrollToBottom();
        state.stick = true;
      } else {
        els.jump.hidden = false;
      }
    }
  }

  // ---------- start ----------
  async function start() {
    renderChatHeader();
    showEmptyIfNeeded();
    connect();
    try {
      await loadState();
    } catch (err) {
      toast(`Could not reach the playground: ${err.message}`, "error");
      return;
    }
    const fromHash = Number((location.hash.match(/^#user-(\d+)$/) || [])[1]);
    const first = state.users.find((u) => u.id === fromHash) || state.users[0];
    if (first) {
      await selectUser(first.id);
    } else {
      clearMessages();
      showEmptyIfNeeded();
      showUsers(true);
      els.name.focus();
    }
  }
  start();
})();
