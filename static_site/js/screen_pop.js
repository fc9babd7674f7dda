/**
 * The screen pop of every signed-in page (issue 14, T2): a WebSocket to the screen-pop API (config.json's
 * webSocketUrl; the runner's /ws locally) opened with the access token in the query string (browsers cannot set
 * headers on a WebSocket), kept alive with a ping every few minutes (API Gateway closes an idle one after 10) and
 * opened again with a growing delay when it drops.
 *
 * A message {"type": "call", "call_id", "event", ...} (crm.services.calls.popup_for, pushed by
 * crm.integrations.push) shows a popup for that call in a corner of the page: a non-modal dialog that takes no focus
 * (the rep may be typing), announced to screen readers, closed by its button or by Escape from inside it. A later
 * message for the same call updates it ("ended" marks it ended). Several matching records are a list to pick from;
 * an unknown number offers "Save as new lead" (POST /api/leads, source phone_call), which opens the new lead.
 * Styles: css/chrome.css.
 */

import "./i18n/screen_pop.js";
import "./i18n/lists.js"; // the lead statuses, named as on the lists
import "./i18n/record.js"; // the temperatures, named as on the record page

import {api, getToken, loadConfig} from "./api.js";
import {h} from "./dom.js";
import {recordHref} from "./links.js";
import {describeError, formatDateTime, formatMoney, onLanguageChange, t} from "./i18n.js";

const PING_MS = 4 * 60 * 1000;
const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 60 * 1000;
const MOST_POPUPS = 3;

const calls = new Map(); // call_id -> {message, selected: match index or null, saving, error, key}
let stack = null;
let mounted = false;

/** The text of `key`, or `fallback` when the catalogue has no such key (a status the site does not know yet). */
function labelOr(key, fallback) {
  const label = t(key);
  return label === key ? fallback : label;
}

/** config.json's webSocketUrl as a ws(s):// URL: a path (locally) is on this page's host. */
export function socketUrl(configured, token, place = location) {
  const base = configured.startsWith("/")
    ? `${place.protocol === "https:" ? "wss:" : "ws:"}//${place.host}${configured}` : configured;
  const url = new URL(base);
  url.searchParams.set("token", token);
  return url.toString();
}

/** A record's link from the payload if it stays on this site, else the record page built from kind and id. */
function recordLink(match) {
  try {
    const url = new URL(match.url, location.href);
    if (url.origin === location.origin) return `${url.pathname.split("/").pop()}${url.search}${url.hash}`;
  } catch {
    // not a URL: fall back to the record page
  }
  return recordHref(match.kind, match.id);
}

function ensureStack() {
  if (stack?.isConnected) return stack;
  stack = h("section", {class: "screen-pop-stack", "data-testid": "screen-pop-stack", "aria-live": "polite",
    "aria-label": t("screenPopRegion")});
  document.body.append(stack);
  return stack;
}

function number(message) {
  return h("bdi", {dir: "ltr", class: "screen-pop-number"}, message.customer_display || message.customer || "");
}

function facts(match) {
  const parts = [labelOr(`screenPopKind_${match.kind}`, match.kind)];
  if (match.company) parts.push(match.company);
  if (match.status) parts.push(labelOr(`listsStatus_${match.status}`, match.status));
  if (match.temperature) parts.push(labelOr(`recordTemperature_${match.temperature}`, match.temperature));
  if (match.score !== null && match.score !== undefined) parts.push(t("screenPopScore", {score: match.score}));
  return h("p", {class: "screen-pop-facts", "data-testid": "screen-pop-facts"}, parts.join(" · "));
}

function details(call, match) {
  const deals = match.open_deals ?? [];
  const activities = (match.last_activities ?? []).slice(0, 3);
  return h("div", {class: "screen-pop-record", "data-testid": "screen-pop-record"},
    h("p", {class: "screen-pop-name"},
      h("a", {href: recordLink(match), "data-testid": "screen-pop-link",
        "aria-label": t("screenPopOpenRecord", {name: match.name})}, match.name)),
    facts(match),
    h("h3", {class: "screen-pop-subheading"}, t("screenPopDeals")),
    deals.length ? h("ul", {class: "screen-pop-list", "data-testid": "screen-pop-deals"}, deals.map((deal) =>
      h("li", {}, h("a", {href: recordLink({...deal, kind: "deal"})}, deal.title),
        ` · ${deal.stage_name ?? ""}`, deal.amount !== null && deal.amount !== undefined
          ? ` · ${formatMoney(deal.amount, deal.currency)}` : "")))
      : h("p", {class: "screen-pop-empty"}, t("screenPopNoDeals")),
    h("h3", {class: "screen-pop-subheading"}, t("screenPopActivities")),
    activities.length ? h("ul", {class: "screen-pop-list", "data-testid": "screen-pop-activities"},
      activities.map((activity) => h("li", {}, [labelOr(`recordEvent_${activity.type}`, activity.type),
        activity.summary].filter(Boolean).join(": "),
        h("span", {class: "screen-pop-when"}, ` · ${formatDateTime(activity.at)}`))))
      : h("p", {class: "screen-pop-empty"}, t("screenPopNoActivities")),
    call.message.matches.length > 1 ? h("button", {type: "button", class: "button screen-pop-back",
      "data-testid": "screen-pop-back", onclick: () => select(call, null)}, t("screenPopBack")) : null);
}

function choices(call) {
  const matches = call.message.matches;
  return h("div", {class: "screen-pop-choices"},
    h("p", {}, t("screenPopPick", {count: matches.length})),
    h("ul", {class: "screen-pop-list", "data-testid": "screen-pop-matches"}, matches.map((match, index) =>
      h("li", {}, h("button", {type: "button", class: "button screen-pop-choice", "data-testid": "screen-pop-choice",
        onclick: () => select(call, index)}, match.name,
      h("span", {class: "screen-pop-choice-facts"}, ` · ${labelOr(`screenPopKind_${match.kind}`, match.kind)}`,
        match.company ? ` · ${match.company}` : ""))))));
}

function unknown(call) {
  const offer = call.message.save_as_lead;
  return h("div", {class: "screen-pop-unknown"},
    h("p", {}, t("screenPopUnknown")),
    offer ? h("button", {type: "button", class: "button button--primary screen-pop-save",
      "data-testid": "screen-pop-save", disabled: call.saving, onclick: () => saveLead(call)},
    t(call.saving ? "screenPopSaving" : "screenPopSaveLead")) : null,
    call.error ? h("p", {class: "screen-pop-error", role: "alert"}, call.error) : null);
}

function render(call) {
  const {message} = call;
  const titleId = `screen-pop-title-${call.key}`;
  const body = !message.matches.length ? unknown(call)
    : message.matches.length === 1 ? details(call, message.matches[0])
      : call.selected === null ? choices(call) : details(call, message.matches[call.selected]);
  const card = h("div", {role: "dialog", "aria-modal": "false", "aria-labelledby": titleId, tabindex: "-1",
    class: `screen-pop screen-pop--${message.event}`, "data-testid": "screen-pop", "data-call-id": message.call_id,
    "data-event": message.event},
  h("div", {class: "screen-pop-head"},
    h("h2", {class: "screen-pop-title", id: titleId},
      t(message.direction === "outbound" ? "screenPopOutbound" : "screenPopInbound"), " ", number(message)),
    h("button", {type: "button", class: "screen-pop-close", "data-testid": "screen-pop-close",
      "aria-label": t("screenPopClose"), title: t("screenPopClose"), onclick: () => close(call)}, "×")),
  h("p", {class: "screen-pop-state", "data-testid": "screen-pop-state"},
    labelOr(`screenPopEvent_${message.event}`, message.event)),
  body);
  card.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      close(call);
    }
  });
  return card;
}

function show(call, {focus = null} = {}) {
  const region = ensureStack();
  const card = render(call);
  const old = call.card;
  // an update must not drop the rep's focus: it moves to the same control in the new card
  const focused = old?.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
  if (old?.isConnected) old.replaceWith(card);
  else region.prepend(card);
  call.card = card;
  const target = focus ?? (focused ? `[data-testid="${focused}"]` : null);
  if (target) (card.querySelector(target) ?? card).focus();
  else if (focused !== null && old) card.focus();
}

function select(call, index) {
  call.selected = index;
  show(call, {focus: index === null ? ".screen-pop-choice" : "[data-testid=screen-pop-link]"});
}

function close(call) {
  const hadFocus = call.card?.contains(document.activeElement);
  call.card?.remove();
  calls.delete(call.message.call_id);
  if (hadFocus) stack?.querySelector(".screen-pop")?.focus();
}

async function saveLead(call) {
  const {phone} = call.message.save_as_lead;
  call.saving = true;
  call.error = null;
  show(call, {focus: ".screen-pop-save"});
  try {
    const lead = await api("/leads", {method: "POST", headers: {"Idempotency-Key": call.saveKey},
      body: {name: call.message.customer_display || phone, phone, source: "phone_call"}});
    location.assign(recordHref("lead", lead.id));
  } catch (error) {
    call.saving = false;
    call.error = t("screenPopSaveFailed", {message: describeError(error)});
    show(call, {focus: ".screen-pop-save"});
  }
}

/** A pushed message: a call's first shows its popup, a later one updates it (an "ended" marks it ended). */
export function receive(message) {
  if (message?.type !== "call" || !message.call_id) return;
  const matches = Array.isArray(message.matches) ? message.matches : [];
  const known = calls.get(message.call_id);
  if (known) {
    // an update without records (an "ended" may carry only the event) keeps the records shown so far
    known.message = {...known.message, ...message, matches: matches.length ? matches : known.message.matches,
      save_as_lead: matches.length ? message.save_as_lead : known.message.save_as_lead};
    show(known);
    return;
  }
  if (!Array.isArray(message.matches)) return; // a later event of a call this page never saw ring: nothing to show
  const call = {message: {...message, matches}, selected: null, saving: false, error: null, card: null,
    key: calls.size + Date.now(), saveKey: crypto.randomUUID()};
  calls.set(message.call_id, call);
  show(call);
  for (const [id, older] of [...calls].slice(0, Math.max(0, calls.size - MOST_POPUPS))) {
    older.card?.remove();
    calls.delete(id);
  }
}

/** Opens the page's WebSocket and keeps it open (once per page); nothing when the site has no WebSocket API. */
export async function mountScreenPop() {
  if (mounted || typeof WebSocket === "undefined") return;
  mounted = true;
  const {webSocketUrl} = await loadConfig();
  if (!webSocketUrl) return;
  let attempt = 0;
  let pinger = null;
  let retry = null;
  let socket = null;

  const open = () => {
    clearTimeout(retry);
    retry = null;
    const token = getToken();
    if (!token || socket) return;
    socket = new WebSocket(socketUrl(webSocketUrl, token));
    socket.addEventListener("open", () => {
      attempt = 0;
      pinger = setInterval(() => socket?.readyState === WebSocket.OPEN && socket.send('{"type":"ping"}'), PING_MS);
    });
    socket.addEventListener("message", (event) => {
      try {
        receive(JSON.parse(event.data));
      } catch {
        // not JSON: nothing for the page
      }
    });
    socket.addEventListener("close", () => {
      clearInterval(pinger);
      socket = null;
      const delay = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt += 1;
      retry = setTimeout(open, delay);
    });
  };
  addEventListener("online", open); // back on the network: at once, not after the back-off
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !socket) open();
  });
  onLanguageChange(() => {
    stack?.setAttribute("aria-label", t("screenPopRegion"));
    for (const call of calls.values()) show(call);
  });
  open();
}
