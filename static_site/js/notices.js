/**
 * The notices control of every signed-in page (D5): a topbar button with the unread count, opening a list of the
 * latest notices (e.g. "this deal is stuck", "missed call from ..."); following one, or "Mark read", marks it read.
 * Keyboard: the button toggles the list, Escape closes it and returns to the button.
 * Its styles live in css/stalled.css, which it links on pages that do not have it yet.
 */

import "./i18n/stalled.js";
import {api} from "./api.js";
import {h} from "./dom.js";
import {recordHref} from "./links.js";
import {formatDateTime, onLanguageChange, stageName, t} from "./i18n.js";

const STYLES = "css/stalled.css";

function ensureStyles() {
  if (document.querySelector(`link[href="${STYLES}"]`)) return;
  document.head.append(h("link", {rel: "stylesheet", href: STYLES}));
}

function noticeText(notice) {
  const data = notice.data ?? {};
  if (notice.type === "stalled_deal") {
    return t("stalledNoticeText", {title: data.title ?? "", days: data.days_in_stage, max: data.max_days_in_stage,
      stage: stageName({id: data.stage_id, name: data.stage_name})});
  }
  if (notice.type === "missed_call") {
    // the caller's name, else their number (kept left to right inside a Persian sentence)
    return t("stalledNoticeMissedCall", {caller: data.name || `\u2066${data.customer ?? ""}\u2069`});
  }
  return t(notice.type === "changes_proposed" ? "stalledNoticeChangesProposed" : "stalledNoticeOther");
}

function noticeLink(notice) {
  const {deal_id: dealId, lead_id: leadId, kind, id} = notice.data ?? {};
  if (notice.type === "missed_call" && kind && id) return recordHref(kind, id); // the caller's lead or contact
  if (dealId) return recordHref("deal", dealId);
  return leadId ? recordHref("lead", leadId) : null;
}

/** Adds the control to the page's toolbar (before "who is signed in") and loads the notices. */
export function mountNotices() {
  const toolbar = document.querySelector(".topbar .toolbar");
  if (!toolbar || document.getElementById("notices-button")) return;
  ensureStyles();
  const state = {notices: [], unread: 0, open: false};
  // every load and every mark-read takes a number: a list fetched before a later change is never shown over it
  let latest = 0;
  const button = h("button", {type: "button", class: "button notices-button", id: "notices-button",
    "data-testid": "notices-button", "aria-expanded": "false", "aria-controls": "notices-panel"});
  const list = h("ul", {class: "notices-list", "data-testid": "notices-list"});
  const heading = h("h2", {class: "notices-heading", id: "notices-heading"});
  const panel = h("div", {class: "notices-panel", id: "notices-panel", "data-testid": "notices-panel", role: "region",
    "aria-labelledby": "notices-heading", hidden: true}, heading, list);
  const wrapper = h("div", {class: "notices"}, button, panel);
  const who = document.getElementById("who"); // on a phone it stands in the menu (js/page.js)
  toolbar.insertBefore(wrapper, who?.parentElement === toolbar ? who : null);

  function render() {
    button.textContent = t("stalledNoticesButton", {count: state.unread});
    button.dataset.unread = String(state.unread);
    heading.textContent = t("stalledNoticesHeading");
    list.replaceChildren(...(state.notices.length ? state.notices.map(item) : [
      h("li", {class: "notices-empty"}, t("stalledNoticesNone"))]));
  }

  function item(notice) {
    const href = noticeLink(notice);
    const text = noticeText(notice);
    return h("li", {class: notice.unread ? "notice notice--unread" : "notice", "data-testid": "notice",
      "data-unread": String(notice.unread)},
      href ? h("a", {href, onclick: () => markRead(notice)}, text) : h("span", {}, text),
      h("span", {class: "notice-meta"}, notice.unread ? `${t("stalledNoticeUnread")} · ` : "",
        formatDateTime(notice.at)),
      notice.unread ? h("button", {type: "button", class: "button notice-read", "data-testid": "notice-read",
        onclick: () => markRead(notice, true)}, t("stalledNoticeMarkRead")) : null);
  }

  async function load() {
    const mine = ++latest;
    try {
      const data = await api("/notices");
      if (mine !== latest) return;
      Object.assign(state, {notices: data.notices, unread: data.unread});
    } catch {
      // the notices are a side panel: the page itself says when the API is unreachable
    }
    render();
  }

  async function markRead(notice, refocus = false) {
    if (!notice.unread) return;
    latest += 1;
    try {
      const data = await api(`/notices/${encodeURIComponent(notice.notice_id)}/read`, {method: "POST"});
      Object.assign(notice, data.notice);
      state.unread = data.unread;
    } catch {
      return;
    }
    render();
    if (refocus) (list.querySelector("button, a") ?? button).focus();
  }

  function toggle(open) {
    state.open = open;
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) load();
  }

  button.addEventListener("click", () => toggle(!state.open));
  wrapper.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.open) {
      toggle(false);
      button.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (state.open && !wrapper.contains(event.target)) toggle(false);
  });
  onLanguageChange(render);
  render();
  load();
}
