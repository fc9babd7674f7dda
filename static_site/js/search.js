/**
 * The search box in the topbar of every signed-in page: leads, contacts, accounts and deals by name (a deal's
 * title), company, email or phone (any format), answered as the user types (GET /api/search?q=, after a short pause), grouped by kind, each result a
 * link to its record. A rep finds only their own records: the API decides.
 * Keyboard (the ARIA combobox pattern): ArrowDown/ArrowUp move through the results, Enter opens the active one,
 * Escape closes the list. Its styles live in css/search.css, which it links.
 */

import "./i18n/search.js";
import {api} from "./api.js";
import {h} from "./dom.js";
import {recordHref} from "./links.js";
import {onLanguageChange, t} from "./i18n.js";

const STYLES = "css/search.css";
const PAUSE_MS = 150; // typing faster than this sends one request, for the last text
const MIN_LENGTH = 2;
const GROUPS = Object.freeze([["lead", "navLeads"], ["contact", "navContacts"], ["account", "navAccounts"],
  ["deal", "navDeals"]]);

function ensureStyles() {
  if (document.querySelector(`link[href="${STYLES}"]`)) return;
  document.head.append(h("link", {rel: "stylesheet", href: STYLES}));
}

/** Adds the box to the page's toolbar, first. */
export function mountSearch() {
  const toolbar = document.querySelector(".topbar .toolbar");
  if (!toolbar || document.getElementById("search-input")) return;
  ensureStyles();
  const label = h("label", {for: "search-input", class: "visually-hidden", id: "search-label"});
  const input = h("input", {type: "search", id: "search-input", class: "search-input", "data-testid": "search-input",
    role: "combobox", autocomplete: "off", "aria-autocomplete": "list", "aria-expanded": "false",
    "aria-controls": "search-results"});
  const results = h("div", {id: "search-results", class: "search-results", role: "listbox",
    "data-testid": "search-results", "aria-labelledby": "search-label", hidden: true});
  const status = h("p", {class: "visually-hidden", role: "status", "aria-live": "polite"});
  const wrapper = h("div", {class: "search", role: "search"}, label, input, results, status);
  toolbar.prepend(wrapper);
  let options = [];
  let active = -1;
  let latest = 0;
  let timer = null;
  let answer = null; // the last answer shown: re-rendered when the language changes

  function labels() {
    label.textContent = t("searchLabel");
    input.placeholder = t("searchPlaceholder");
  }

  function close() {
    results.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function activate(index) {
    options.forEach((option, at) => option.setAttribute("aria-selected", String(at === index)));
    active = index;
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    input.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({block: "nearest"});
  }

  function option(result, index) {
    return h("a", {href: recordHref(result.kind, result.id), id: `search-option-${index}`, role: "option",
      class: "search-option", "aria-selected": "false", "data-testid": "search-result", "data-kind": result.kind,
      tabindex: "-1"}, h("span", {class: "search-option-label"}, result.label),
      result.detail ? h("span", {class: "search-option-detail"}, result.detail) : null);
  }

  function render() {
    if (!answer) return;
    let index = 0;
    const groups = GROUPS.filter(([kind]) => answer.results[kind]?.length).map(([kind, heading]) =>
      h("div", {role: "group", class: "search-group", "aria-labelledby": `search-group-${kind}`},
        h("div", {class: "search-group-heading", id: `search-group-${kind}`, role: "presentation"}, t(heading)),
        ...answer.results[kind].map((result) => option(result, index++))));
    results.replaceChildren(...(groups.length ? groups
      : [h("p", {class: "search-none", "data-testid": "search-none"}, t("searchNone", {query: answer.query}))]));
    options = [...results.querySelectorAll("[role=option]")];
    status.textContent = t("searchFound", {count: options.length});
    results.hidden = false;
    input.setAttribute("aria-expanded", "true");
    activate(-1);
  }

  async function look(text) {
    const mine = ++latest;
    try {
      const data = await api("/search", {query: {q: text}});
      if (mine !== latest) return; // a later keystroke's answer is the one to show
      answer = data;
      render();
    } catch {
      if (mine === latest) close(); // the page itself says when the API is unreachable
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < MIN_LENGTH) {
      latest += 1;
      answer = null;
      close();
      return;
    }
    timer = setTimeout(() => look(text), PAUSE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      if (results.hidden) render();
      const last = options.length - 1;
      activate(event.key === "ArrowDown" ? (active >= last ? 0 : active + 1) : (active <= 0 ? last : active - 1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      options[active].click();
    } else if (event.key === "Escape") {
      close();
    }
  });
  document.addEventListener("click", (event) => {
    if (!wrapper.contains(event.target)) close();
  });
  onLanguageChange(() => {
    labels();
    render();
  });
  labels();
}
