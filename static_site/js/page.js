/**
 * What every signed-in page shares: the sign-in check, the language picker, who is signed in, sign-out, the
 * main navigation and the search box (js/search.js). A page's HTML holds the elements (#nav, #language, #who,
 * #sign-out, #message); startPage() fills them in and answers the signed-in user (GET /api/me), or null when that
 * failed (the message says why).
 *
 * On a phone (css/chrome.css) the navigation folds behind a menu button (a disclosure: Escape or a click elsewhere
 * closes it), and the language, who is signed in and sign-out move into that menu, the notices button beside it,
 * so the header leaves the screen to the page. Each control keeps its element (and its listeners) when it moves.
 */

import "./i18n/chrome.js";

import {api, getToken, signInAgain, signOut} from "./api.js";
import {announce, h} from "./dom.js";
import {mountNotices} from "./notices.js";
import {mountScreenPop} from "./screen_pop.js";
import {mountSearch} from "./search.js";
import {
  describeError, hasRememberedLanguage, initialLanguage, languagePicker, onLanguageChange, roleName,
  setLanguage, t,
} from "./i18n.js";

export const MANAGING_ROLES = Object.freeze(["manager", "admin"]);

/** The main navigation: [page, message key]; the current page is marked aria-current. */
const NAV = Object.freeze([
  ["home.html", "navHome"], ["board.html", "navBoard"], ["lists.html?kind=leads", "navLeads"],
  ["lists.html?kind=contacts", "navContacts"], ["lists.html?kind=accounts", "navAccounts"],
  ["lists.html?kind=deals", "navDeals"], ["tasks.html", "navTasks"], ["stalled.html", "navStalled"],
  ["import.html", "navImport"],
]);

/** Pages only managers and admins work on: shown once /api/me said who is signed in. */
const MANAGING_NAV = Object.freeze([["review.html", "navReview"], ["settings.html", "navSettings"]]);

const byId = (id) => document.getElementById(id);

const PHONE = matchMedia("(max-width: 40rem)"); // css/chrome.css's phone width
const slots = new Map(); // a control moved into the menu -> where it stood in the toolbar

export const isManaging = (me) => me !== null && MANAGING_ROLES.includes(me?.role);

/** Shows `text` in the page's live region (#message); kind "error" styles it as one. */
export function say(text, kind = "info") {
  const region = byId("message");
  if (region) announce(region, text, kind);
}

/** Says what went wrong, optionally inside the message `key` ({message} is the error's description). */
export function sayError(error, key = null, params = {}) {
  if (error.status === 401) return; // on its way to the sign-in page
  const message = describeError(error);
  say(key ? t(key, {...params, message}) : message, "error");
}

function isCurrent(href) {
  const target = new URL(href, location.href);
  if (target.pathname !== location.pathname) return false;
  const kind = target.searchParams.get("kind");
  return !kind || kind === new URLSearchParams(location.search).get("kind");
}

function setMenuOpen(open, {focus = false} = {}) {
  const nav = byId("nav");
  const toggle = byId("nav-toggle");
  if (!nav || !toggle) return;
  nav.toggleAttribute("data-open", open);
  toggle.setAttribute("aria-expanded", String(open));
  if (focus) toggle.focus();
}

/** The nav's frame, made once: the menu button (seen on a phone), then the menu (the links, then on a phone the
 * language, who is signed in and sign-out). */
function buildNav(nav) {
  const toggle = h("button", {type: "button", class: "nav-toggle", id: "nav-toggle", "data-testid": "nav-toggle",
    "aria-expanded": "false", "aria-controls": "nav-menu"},
  h("span", {class: "nav-toggle-icon", "aria-hidden": "true"}), h("span", {class: "nav-toggle-text"}),
  h("span", {class: "nav-toggle-current"}));
  const menu = h("div", {class: "nav-menu", id: "nav-menu", "data-testid": "nav-menu"},
    h("ul", {class: "nav-list"}), h("div", {class: "nav-extra", id: "nav-extra"}));
  nav.replaceChildren(toggle, menu);
  toggle.addEventListener("click", () => setMenuOpen(!nav.hasAttribute("data-open")));
  nav.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nav.hasAttribute("data-open")) {
      event.stopPropagation();
      setMenuOpen(false, {focus: true});
    }
  });
  document.addEventListener("click", (event) => {
    if (nav.hasAttribute("data-open") && !menu.contains(event.target) && !toggle.contains(event.target)) {
      setMenuOpen(false);
    }
  });
  PHONE.addEventListener("change", () => {
    setMenuOpen(false);
    placeControls();
  });
}

function renderNav(me = null) {
  const nav = byId("nav");
  if (!nav) return;
  if (!byId("nav-toggle")) buildNav(nav);
  nav.setAttribute("aria-label", t("navLabel"));
  const entries = isManaging(me) ? [...NAV, ...MANAGING_NAV] : NAV;
  const current = entries.find(([href]) => isCurrent(href));
  nav.querySelector(".nav-toggle-text").textContent = t("navMenu");
  nav.querySelector(".nav-toggle-current").textContent = current ? t(current[1]) : "";
  nav.querySelector(".nav-list").replaceChildren(...entries.map(([href, key]) =>
    h("li", {}, h("a", {href, "aria-current": isCurrent(href) ? "page" : null,
      "data-testid": `nav-${key.slice(3).toLowerCase()}`}, t(key)))));
}

/** On a phone the secondary controls stand in the menu and the notices button beside the menu button; elsewhere
 * each stands where the page put it. */
function placeControls() {
  const nav = byId("nav");
  const extra = byId("nav-extra");
  if (!nav || !extra) return;
  const moves = [[byId("language")?.closest(".toolbar-field"), extra], [byId("who"), extra],
    [byId("sign-out"), extra], [document.querySelector(".topbar .notices, .nav > .notices"), nav]];
  for (const [control, phoneHome] of moves) {
    if (!control) continue;
    if (PHONE.matches) {
      if (!slots.has(control)) {
        slots.set(control, document.createComment(control.id || control.className));
        control.before(slots.get(control));
      }
      phoneHome.append(control);
    } else if (slots.has(control)) {
      slots.get(control).after(control);
    }
  }
}

function renderWho(me) {
  const who = byId("who");
  if (who && me) who.textContent = t("signedInAs", {name: me.name || me.user_id, role: roleName(me.role)});
}

/** Starts a signed-in page; the user's profile language applies unless one was picked on this browser. */
export async function startPage() {
  if (!getToken()) {
    signInAgain();
    return null;
  }
  setLanguage(initialLanguage());
  const picker = byId("language");
  if (picker) languagePicker(picker);
  byId("sign-out")?.addEventListener("click", signOut);
  renderNav();
  placeControls();
  mountScreenPop(); // calls ringing for this rep pop up on whatever page is open; needs the token, not /api/me
  let me = null;
  onLanguageChange(() => {
    renderNav(me);
    renderWho(me);
  });
  try {
    me = await api("/me");
  } catch (error) {
    sayError(error);
    return null;
  }
  if (!hasRememberedLanguage() && me.language) setLanguage(me.language);
  renderNav(me);
  renderWho(me);
  mountNotices();
  mountSearch();
  placeControls();
  return me;
}
