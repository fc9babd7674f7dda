/**
 * What every signed-in page shares: the sign-in check, the language picker, who is signed in, sign-out, the
 * main navigation and the search box (js/search.js). A page's HTML holds the elements (#nav, #language, #who,
 * #sign-out, #message); startPage() fills them in and answers the signed-in user (GET /api/me), or null when that
 * failed (the message says why).
 */

import {api, getToken, signInAgain, signOut} from "./api.js";
import {announce, h} from "./dom.js";
import {mountNotices} from "./notices.js";
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

function renderNav(me = null) {
  const nav = byId("nav");
  if (!nav) return;
  nav.setAttribute("aria-label", t("navLabel"));
  const entries = isManaging(me) ? [...NAV, ...MANAGING_NAV] : NAV;
  nav.replaceChildren(h("ul", {class: "nav-list"}, entries.map(([href, key]) =>
    h("li", {}, h("a", {href, "aria-current": isCurrent(href) ? "page" : null,
      "data-testid": `nav-${key.slice(3).toLowerCase()}`}, t(key))))));
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
  return me;
}
