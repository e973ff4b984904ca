/* Clinic chat widget: an embeddable chat panel talking to Rasa's socketio channel.
 *
 * Bundled by build.mjs inside one function together with socket.io-client, which provides `io`,
 * and the stylesheet, which provides `WIDGET_CSS`. Nothing is added to the page's globals but
 * `window.ClinicChat`.
 *
 * Configuration (all optional), from `window.ClinicChatConfig` set before the script tag and/or
 * data-* attributes on the script tag (data-server-url, data-title, data-initial-message, ...):
 *   serverUrl       Rasa server, e.g. "https://bot.example.org" (default: where this script came from)
 *   socketPath      "/socket.io"
 *   title, subtitle header texts
 *   colors          {primary, onPrimary, background, text, botBubble, userBubble, onUserBubble}
 *   initialMessage  sent (not shown) when a new conversation starts: "/greet"
 *   disclaimer      shown on top until the assistant's own first message (its disclaimer) arrives
 *   placeholder, launcherLabel, position ("right" | "left"), openOnLoad, zIndex
 *   auth            socket.io auth payload, e.g. {token: "<JWT>"} when the channel has a jwt_key
 *
 * Every text from the server or the user is put in the page as text (textContent / text nodes),
 * never as HTML. Links are made only from http(s) URLs and, for outcomes, the phone numbers that
 * the level payload names.
 */

var LEVELS = {
  emergency: { label: "Emergency: act now", icon: "alert" },
  urgent: { label: "Urgent: get care today", icon: "clock" },
  soon: { label: "See a provider soon", icon: "calendar" },
  self_care: { label: "Self-care", icon: "heart" }
};

var DEFAULTS = {
  serverUrl: null,
  socketPath: "/socket.io",
  title: "Back pain & scans assistant",
  subtitle: "Automated help \u00b7 not a diagnosis",
  initialMessage: "/greet",
  disclaimer: "I'm an automated assistant with general information, not a diagnosis. " +
    "In an emergency, call your local emergency number.",
  placeholder: "Type your question\u2026",
  launcherLabel: "Questions about back pain?",
  position: "right",
  openOnLoad: false,
  zIndex: 2147483000,
  colors: {},
  auth: null,
  userMessageEvent: "user_uttered",
  botMessageEvent: "bot_uttered",
  storageKey: null
};

var COLOR_VARS = {
  primary: "--cc-primary",
  onPrimary: "--cc-on-primary",
  background: "--cc-background",
  text: "--cc-text",
  botBubble: "--cc-bot-bubble",
  userBubble: "--cc-user-bubble",
  onUserBubble: "--cc-on-user-bubble",
  focus: "--cc-focus"
};

var ICONS = {
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
  alert: "M12 2 1 21h22L12 2zm0 6 .01 0M11 9h2v6h-2zm0 8h2v2h-2z",
  clock: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 5h-2v6l5 3 1-1.7-4-2.3z",
  calendar: "M7 2v2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2h-2V2h-2v2H9V2zm-2 8h14v10H5z",
  heart: "M12 21s-8-5.3-8-11a4.5 4.5 0 0 1 8-2.8A4.5 4.5 0 0 1 20 10c0 5.7-8 11-8 11z",
  phone: "M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"
};

var SVG_NS = "http://www.w3.org/2000/svg";

function icon(name) {
  var svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  var path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[name]);
  path.setAttribute("fill", "currentColor");
  svg.appendChild(path);
  return svg;
}

function el(tag, attrs, children) {
  var node = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    });
  }
  (children || []).forEach(function (child) {
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  });
  return node;
}

function isPlainObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function asText(value) {
  return typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
}

/* ---- Safe text with links ---------------------------------------------------------------- */

var URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
var TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

function safeHttpUrl(candidate) {
  try {
    var href = /^www\./i.test(candidate) ? "https://" + candidate : candidate;
    var url = new URL(href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (e) {
    return null;
  }
}

function telHref(number) {
  var digits = asText(number).replace(/[^0-9+*#]/g, "");
  return digits ? "tel:" + digits : null;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/* Appends `text` to `parent` as text nodes, with http(s) URLs and the given phone numbers as
   links. Newlines stay (the bubbles use white-space: pre-wrap). */
function appendRichText(parent, text, phones) {
  var pieces = [];
  var match;
  URL_RE.lastIndex = 0;
  while ((match = URL_RE.exec(text)) !== null) {
    var raw = match[0];
    var trimmed = raw.replace(TRAILING_PUNCTUATION, "");
    var href = safeHttpUrl(trimmed);
    if (href) pieces.push({ start: match.index, end: match.index + trimmed.length, href: href, external: true });
  }
  (phones || []).forEach(function (phone) {
    var number = asText(phone).trim();
    var href = telHref(number);
    if (!number || !href) return;
    var re = new RegExp("(^|[^0-9+])(" + escapeRegExp(number) + ")(?![0-9])", "g");
    var m;
    while ((m = re.exec(text)) !== null) {
      var start = m.index + m[1].length;
      var end = start + m[2].length;
      var overlaps = pieces.some(function (p) { return start < p.end && end > p.start; });
      if (!overlaps) pieces.push({ start: start, end: end, href: href, external: false });
    }
  });
  pieces.sort(function (a, b) { return a.start - b.start; });
  var at = 0;
  pieces.forEach(function (piece) {
    if (piece.start < at) return;
    if (piece.start > at) parent.appendChild(document.createTextNode(text.slice(at, piece.start)));
    var link = el("a", { href: piece.href, text: text.slice(piece.start, piece.end) });
    if (piece.external) {
      link.setAttribute("target", "_blank");
      link.setAttribute("rel", "noopener noreferrer nofollow");
    }
    parent.appendChild(link);
    at = piece.end;
  });
  if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
}

/* ---- Storage (sessionStorage, or memory where it is unavailable) ------------------------- */

function makeStore(key) {
  var memory = null;
  var storage = null;
  try {
    storage = window.sessionStorage;
    var probe = key + ":probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
  } catch (e) {
    storage = null;
  }
  return {
    load: function () {
      try {
        var raw = storage ? storage.getItem(key) : memory;
        var value = raw ? JSON.parse(raw) : null;
        return isPlainObject(value) && value.v === 1 ? value : null;
      } catch (e) {
        return null;
      }
    },
    save: function (state) {
      var raw = JSON.stringify(state);
      try {
        if (storage) storage.setItem(key, raw);
        else memory = raw;
      } catch (e) {
        memory = raw;
      }
    }
  };
}

function freshState(open) {
  return { v: 1, sessionId: null, started: false, disclaimer: null, messages: [], replies: [], open: !!open };
}

/* ---- Configuration ----------------------------------------------------------------------- */

function readConfig(script) {
  var config = {};
  var key;
  for (key in DEFAULTS) config[key] = DEFAULTS[key];
  var fromPage = isPlainObject(window.ClinicChatConfig) ? window.ClinicChatConfig : {};
  var data = script && script.dataset ? script.dataset : {};
  var fromScript = {};
  ["serverUrl", "socketPath", "title", "subtitle", "initialMessage", "disclaimer", "placeholder",
    "launcherLabel", "position", "storageKey"].forEach(function (name) {
    if (typeof data[name] === "string" && data[name] !== "") fromScript[name] = data[name];
  });
  if (data.openOnLoad !== undefined) fromScript.openOnLoad = data.openOnLoad !== "false";
  [fromPage, fromScript].forEach(function (source) {
    for (var name in source) if (Object.prototype.hasOwnProperty.call(source, name)) config[name] = source[name];
  });
  if (!config.serverUrl) {
    try {
      config.serverUrl = new URL(script.src).origin;
    } catch (e) {
      config.serverUrl = window.location.origin;
    }
  }
  config.serverUrl = asText(config.serverUrl).replace(/\/+$/, "");
  config.colors = isPlainObject(config.colors) ? config.colors : {};
  return config;
}

/* ---- The widget -------------------------------------------------------------------------- */

function Widget(config) {
  this.config = config;
  this.store = makeStore(config.storageKey || "clinic-chat:" + config.serverUrl);
  this.state = this.store.load() || freshState(config.openOnLoad);
  this.socket = null;
  this.ready = false;
  this.outbox = [];
  this.turnStart = null;
  this.typingTimer = null;
  this.build();
  this.renderAll();
  if (this.state.open) this.open(false);
}

Widget.prototype.build = function () {
  var config = this.config;
  var host = el("div", { id: "clinic-chat-widget", "data-position": config.position === "left" ? "left" : "right" });
  var root = host.attachShadow({ mode: "open" });
  Object.keys(COLOR_VARS).forEach(function (name) {
    if (typeof config.colors[name] === "string") host.style.setProperty(COLOR_VARS[name], config.colors[name]);
  });
  host.style.setProperty("--cc-z", String(parseInt(config.zIndex, 10) || DEFAULTS.zIndex));

  root.appendChild(el("style", { text: WIDGET_CSS }));

  this.panel = el("section", {
    className: "cc-panel", id: "cc-panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "cc-title", "aria-describedby": "cc-disclaimer", hidden: true,
    "data-testid": "chat-panel"
  });
  this.title = el("h2", { className: "cc-title", id: "cc-title", text: config.title });
  // Named by their visible text (WCAG 2.5.3, label in name): "New chat" is what a speech user
  // says; the title is its description.
  this.restartButton = el("button", {
    type: "button", className: "cc-restart", "data-testid": "chat-restart", text: "New chat",
    title: "Start over with a new conversation"
  });
  // Named "Close chat" by its (visually hidden) text rather than an aria-label over the "\u00d7"
  this.closeButton = el("button", { type: "button", className: "cc-close", "data-testid": "chat-close", title: "Close chat" }, [
    el("span", { "aria-hidden": "true", text: "\u00d7" }),
    el("span", { className: "cc-sr", text: "Close chat" })
  ]);
  // A div, not a <header>: inside the page, a <header> outside sectioning content is a second
  // banner landmark next to the page's own. The dialog is named by the title in it.
  this.panel.appendChild(el("div", { className: "cc-header" }, [
    el("div", { className: "cc-heading" }, [this.title, el("p", { className: "cc-subtitle", text: config.subtitle })]),
    this.restartButton,
    this.closeButton
  ]));
  this.disclaimer = el("p", { className: "cc-disclaimer", id: "cc-disclaimer", "data-testid": "chat-disclaimer" });
  this.panel.appendChild(this.disclaimer);
  this.status = el("p", { className: "cc-status", role: "status", "data-testid": "chat-status", hidden: true });
  this.panel.appendChild(this.status);
  this.log = el("div", {
    className: "cc-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": "Conversation", tabindex: "0", "data-testid": "chat-log"
  });
  this.panel.appendChild(this.log);
  this.typing = el("div", { className: "cc-typing", "data-testid": "chat-typing", hidden: true }, [
    el("span", { className: "cc-dot", "aria-hidden": "true" }),
    el("span", { className: "cc-dot", "aria-hidden": "true" }),
    el("span", { className: "cc-dot", "aria-hidden": "true" }),
    el("span", { className: "cc-sr", text: "The assistant is typing" })
  ]);
  this.panel.appendChild(this.typing);
  this.replies = el("div", { className: "cc-replies", role: "group", "aria-label": "Suggested replies", "data-testid": "chat-quick-replies" });
  this.panel.appendChild(this.replies);
  this.input = el("input", {
    className: "cc-input", id: "cc-input", type: "text", "data-testid": "chat-input",
    autocomplete: "off", maxlength: "1000", placeholder: config.placeholder, "aria-label": "Your message"
  });
  this.sendButton = el("button", { type: "submit", className: "cc-send", "data-testid": "chat-send", text: "Send" });
  this.form = el("form", { className: "cc-form", "aria-label": "Send a message" }, [this.input, this.sendButton]);
  this.panel.appendChild(this.form);
  this.alert = el("div", { className: "cc-sr", "aria-live": "assertive", "data-testid": "chat-alert" });
  this.panel.appendChild(this.alert);
  root.appendChild(this.panel);

  // The launcher's name starts with its visible text (WCAG 2.5.3) and then says what it opens;
  // aria-expanded tells whether the panel is open. On phones the text is hidden visually only,
  // so the icon-only button keeps the same name.
  this.launcher = el("button", {
    type: "button", className: "cc-launcher", "data-testid": "chat-launcher",
    "aria-controls": "cc-panel", "aria-expanded": "false"
  }, [
    icon("chat"),
    el("span", { className: "cc-launcher-text", text: config.launcherLabel }),
    el("span", { className: "cc-sr", text: " Chat: " + config.title })
  ]);
  root.appendChild(this.launcher);

  var self = this;
  this.launcher.addEventListener("click", function () {
    if (self.state.open) self.close(); else self.open(true);
  });
  this.closeButton.addEventListener("click", function () { self.close(); });
  this.restartButton.addEventListener("click", function () { self.restart(); });
  this.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = self.input.value.trim();
    if (!text) return;
    self.input.value = "";
    self.send(text, text);
  });
  this.panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      self.close();
    }
  });

  this.host = host;
  this.root = root;
  (document.body || document.documentElement).appendChild(host);
};

Widget.prototype.persist = function () {
  this.store.save(this.state);
};

/* ---- Opening, closing, starting over ----------------------------------------------------- */

Widget.prototype.open = function (focus) {
  this.state.open = true;
  this.persist();
  this.panel.hidden = false;
  this.launcher.setAttribute("aria-expanded", "true");
  this.connect();
  this.scrollToEnd();
  if (focus) this.input.focus();
};

Widget.prototype.close = function () {
  this.state.open = false;
  this.persist();
  this.panel.hidden = true;
  this.launcher.setAttribute("aria-expanded", "false");
  this.launcher.focus();
};

Widget.prototype.restart = function () {
  this.state = freshState(true);
  this.persist();
  this.outbox = [];
  this.turnStart = null;
  this.renderAll();
  this.announce("");
  if (this.socket) {
    // A new connection asks for a new session: the old conversation is left behind.
    this.ready = false;
    this.socket.disconnect();
    this.socket.connect();
  } else {
    this.connect();
  }
  this.input.focus();
};

/* ---- Connection -------------------------------------------------------------------------- */

Widget.prototype.connect = function () {
  if (this.socket) return;
  var self = this;
  var options = {
    path: this.config.socketPath,
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
    timeout: 10000
  };
  if (isPlainObject(this.config.auth)) options.auth = this.config.auth;
  var socket = io(this.config.serverUrl, options);
  this.socket = socket;

  socket.on("connect", function () {
    self.ready = false;
    socket.emit("session_request", { session_id: self.state.sessionId });
  });
  socket.on("session_confirm", function (sessionId) {
    var id = isPlainObject(sessionId) ? sessionId.session_id : sessionId;
    if (!id) return;
    self.state.sessionId = asText(id);
    self.ready = true;
    self.setStatus(null);
    if (!self.state.started) {
      self.state.started = true;
      if (self.config.initialMessage) {
        self.showTyping();
        self.emit(self.config.initialMessage);
      }
    }
    self.persist();
    self.flush();
  });
  socket.on(this.config.botMessageEvent, function (message) {
    self.receive(message);
  });
  socket.on("disconnect", function (reason) {
    self.ready = false;
    if (reason !== "io client disconnect") self.setStatus("Connection lost. Reconnecting\u2026");
  });
  socket.on("connect_error", function () {
    self.ready = false;
    self.hideTyping();
    self.setStatus("Can't reach the assistant right now. Trying again\u2026");
  });
};

Widget.prototype.setStatus = function (text) {
  if (text) {
    if (this.status.textContent !== text) this.status.textContent = text;
    this.status.hidden = false;
  } else {
    this.status.hidden = true;
    this.status.textContent = "";
  }
};

Widget.prototype.emit = function (text) {
  this.socket.emit(this.config.userMessageEvent, { message: text, session_id: this.state.sessionId });
};

Widget.prototype.flush = function () {
  while (this.ready && this.outbox.length) this.emit(this.outbox.shift());
};

/* Sends `payload` to the assistant and shows `shown` as the user's message. */
Widget.prototype.send = function (payload, shown) {
  this.state.replies = [];
  this.renderReplies();
  var record = { from: "user", text: asText(shown) };
  this.state.messages.push(record);
  this.persist();
  this.turnStart = null;
  this.appendMessage(record);
  this.scrollToEnd();
  this.showTyping();
  this.outbox.push(payload);
  this.connect();
  this.flush();
};

/* Sends `payload` without showing it as the user's message (a click on answer feedback). */
Widget.prototype.sendQuietly = function (payload) {
  this.showTyping();
  this.outbox.push(payload);
  this.connect();
  this.flush();
};

/* "Helpful" / "Not helpful" under a FAQ answer: recorded by the assistant with the topic. */
Widget.prototype.giveFeedback = function (record, value) {
  if (record.feedback) return;
  record.feedback = value;
  this.persist();
  var index = this.state.messages.indexOf(record);
  var old = this.messageNodes[index];
  var node = this.messageNode(record);
  if (old && old.parentNode) old.parentNode.replaceChild(node, old);
  this.messageNodes[index] = node;
  if (this.turnStart === old) this.turnStart = node;
  var thanks = node.querySelector("[data-testid='feedback-given']");
  if (thanks) thanks.focus();
  this.sendQuietly("/answer_feedback" + JSON.stringify({ faq_topic: record.faqTopic, feedback: value }));
};

/* ---- Bot messages ------------------------------------------------------------------------ */

Widget.prototype.receive = function (message) {
  if (!isPlainObject(message)) return;
  var custom = isPlainObject(message.custom) ? message.custom : null;
  var text = asText(message.text);
  var buttons = Array.isArray(message.quick_replies) ? message.quick_replies
    : Array.isArray(message.buttons) ? message.buttons : [];
  if (!text && message.attachment && isPlainObject(message.attachment.payload)) {
    text = asText(message.attachment.payload.src || message.attachment.payload.url);
  }
  this.hideTyping();

  if (text) {
    var botSpoke = this.state.messages.some(function (m) { return m.from === "bot"; });
    if (!this.state.disclaimer && !botSpoke && !buttons.length && !custom) {
      // The first thing the assistant says in a conversation is its disclaimer: pin it on top.
      this.state.disclaimer = text;
      this.renderDisclaimer();
    } else {
      var record = { from: "bot", text: text };
      if (typeof message.faq_topic === "string" && /^[a-z0-9_]{1,64}$/.test(message.faq_topic)) {
        record.faqTopic = message.faq_topic;
      }
      this.state.messages.push(record);
      this.appendMessage(record);
    }
  }
  if (custom && LEVELS.hasOwnProperty(custom.triage_level)) this.applyLevel(custom);
  if (buttons.length) {
    this.state.replies = buttons.filter(isPlainObject).map(function (b) {
      return { title: asText(b.title), payload: asText(b.payload) };
    }).filter(function (b) { return b.title && b.payload; });
    this.renderReplies();
  }
  this.persist();
  this.scrollToTurn();
};

/* An outcome's level payload follows its text: mark the last message the assistant sent. */
Widget.prototype.applyLevel = function (custom) {
  var level = custom.triage_level;
  var outcome = { triage_level: level };
  ["emergency_number", "booking_url", "booking_phone"].forEach(function (key) {
    if (typeof custom[key] === "string" && custom[key]) outcome[key] = custom[key];
  });
  var record = null;
  for (var i = this.state.messages.length - 1; i >= 0; i--) {
    var candidate = this.state.messages[i];
    if (candidate.from === "user") break;
    if (candidate.from === "bot" && !candidate.level) { record = candidate; break; }
  }
  if (!record) {
    record = { from: "bot", text: LEVELS[level].label };
    this.state.messages.push(record);
  }
  record.level = outcome;
  var old = this.messageNodes[this.state.messages.indexOf(record)];
  var node = this.messageNode(record);
  if (old && old.parentNode) old.parentNode.replaceChild(node, old);
  else this.log.appendChild(node);
  this.messageNodes[this.state.messages.indexOf(record)] = node;
  if (this.turnStart === old) this.turnStart = node;
  if (level === "emergency") {
    var number = outcome.emergency_number;
    this.announce("Emergency advice: " + (number ? "call " + number + " now. " : "") + record.text);
  }
};

Widget.prototype.announce = function (text) {
  var alert = this.alert;
  alert.textContent = "";
  if (text) setTimeout(function () { alert.textContent = text; }, 50);
};

/* ---- Rendering --------------------------------------------------------------------------- */

Widget.prototype.renderAll = function () {
  this.log.textContent = "";
  this.messageNodes = [];
  this.renderDisclaimer();
  var self = this;
  this.state.messages.forEach(function (record) { self.appendMessage(record); });
  this.renderReplies();
  this.hideTyping();
  this.setStatus(null);
  this.turnStart = null;
};

Widget.prototype.renderDisclaimer = function () {
  var text = this.state.disclaimer || this.config.disclaimer;
  this.disclaimer.textContent = text;
  if (this.state.disclaimer) {
    // The assistant's own first message: a bot message, shown above the conversation.
    this.disclaimer.setAttribute("data-testid", "bot-message");
    this.disclaimer.setAttribute("data-role", "disclaimer");
  } else {
    this.disclaimer.setAttribute("data-testid", "chat-disclaimer");
    this.disclaimer.removeAttribute("data-role");
  }
};

Widget.prototype.messageNode = function (record) {
  if (record.from === "user") {
    return el("div", { className: "cc-msg cc-user", "data-testid": "user-message" }, [
      el("span", { className: "cc-sr", text: "You said: " }),
      record.text
    ]);
  }
  var node = el("div", { className: "cc-msg cc-bot", "data-testid": "bot-message" });
  var level = record.level && LEVELS[record.level.triage_level] ? record.level : null;
  var phones = [];
  if (level) {
    var info = LEVELS[level.triage_level];
    node.className += " cc-level";
    node.setAttribute("data-level", level.triage_level);
    var head = el("p", { className: "cc-level-head" }, [icon(info.icon), info.label]);
    node.appendChild(head);
    if (level.emergency_number) phones.push(level.emergency_number);
    if (level.booking_phone) phones.push(level.booking_phone);
  } else {
    node.appendChild(el("span", { className: "cc-sr", text: "Assistant: " }));
  }
  var body = el("div", { className: "cc-text" });
  appendRichText(body, record.text, phones);
  node.appendChild(body);
  if (level && level.triage_level === "emergency" && level.emergency_number && telHref(level.emergency_number)) {
    node.appendChild(el("a", {
      className: "cc-call", href: telHref(level.emergency_number), "data-testid": "emergency-call"
    }, [icon("phone"), "Call " + level.emergency_number]));
  }
  if (level && (level.triage_level === "urgent" || level.triage_level === "soon")) {
    var bookingUrl = level.booking_url ? safeHttpUrl(level.booking_url) : null;
    if (bookingUrl && record.text.indexOf(level.booking_url) === -1) {
      node.appendChild(el("a", { className: "cc-booking", href: bookingUrl, target: "_blank", rel: "noopener noreferrer nofollow", text: "Book an appointment" }));
    }
  }
  if (record.faqTopic && !level) node.appendChild(this.feedbackNode(record));
  return node;
};

Widget.prototype.feedbackNode = function (record) {
  if (record.feedback) {
    return el("p", { className: "cc-feedback", tabindex: "-1", "data-testid": "feedback-given",
      text: "Thanks for your feedback." });
  }
  var self = this;
  var group = el("div", { className: "cc-feedback", role: "group", "aria-label": "Was this answer helpful?", "data-testid": "feedback" }, [
    el("span", { "aria-hidden": "true", text: "Was this helpful?" })
  ]);
  [["helpful", "Helpful"], ["not_helpful", "Not helpful"]].forEach(function (choice) {
    var button = el("button", { type: "button", className: "cc-feedback-button", "data-feedback": choice[0], text: choice[1] });
    button.addEventListener("click", function () { self.giveFeedback(record, choice[0]); });
    group.appendChild(button);
  });
  return group;
};

Widget.prototype.appendMessage = function (record) {
  var node = this.messageNode(record);
  this.log.appendChild(node);
  this.messageNodes[this.state.messages.indexOf(record)] = node;
  if (record.from === "bot" && !this.turnStart) this.turnStart = node;
  return node;
};

Widget.prototype.renderReplies = function () {
  var self = this;
  var hadFocus = this.root.activeElement && this.replies.contains(this.root.activeElement);
  this.replies.textContent = "";
  (this.state.replies || []).forEach(function (reply) {
    var button = el("button", { type: "button", className: "cc-reply", "data-testid": "quick-reply", "data-payload": reply.payload, text: reply.title });
    button.addEventListener("click", function () {
      self.send(reply.payload, reply.title);
      self.input.focus();
    });
    self.replies.appendChild(button);
  });
  if (hadFocus) this.input.focus();
};

Widget.prototype.showTyping = function () {
  var self = this;
  this.typing.hidden = false;
  clearTimeout(this.typingTimer);
  this.typingTimer = setTimeout(function () { self.hideTyping(); }, 30000);
  this.scrollToEnd();
};

Widget.prototype.hideTyping = function () {
  clearTimeout(this.typingTimer);
  this.typing.hidden = true;
};

Widget.prototype.scrollToEnd = function () {
  this.log.scrollTop = this.log.scrollHeight;
};

/* Scrolls to the end, but never past the start of the assistant's reply: a long answer is read
   from its first line. */
Widget.prototype.scrollToTurn = function () {
  var end = this.log.scrollHeight - this.log.clientHeight;
  var top = this.turnStart && this.turnStart.parentNode === this.log ? this.turnStart.offsetTop - 8 : end;
  this.log.scrollTop = Math.max(0, Math.min(end, top));
};

/* ---- Start ------------------------------------------------------------------------------- */

var currentScript = document.currentScript;

function start() {
  if (window.ClinicChat && window.ClinicChat.widget) return;
  var widget = new Widget(readConfig(currentScript));
  window.ClinicChat = {
    widget: widget,
    open: function () { widget.open(true); },
    close: function () { widget.close(); },
    restart: function () { widget.restart(); },
    /* Renders a message as if the server had sent it (for tests and previews). */
    _receive: function (message) { widget.receive(message); }
  };
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
