/**
 * The board's filter bar: text (sent as the user types, after a pause), deal type, expected close, stalled, overdue
 * task and, for managers, owner. The API filters (query parameters of GET /api/board/...); the URL keeps the
 * filters, so a reload or a shared link shows the same board. `matches` answers the same question for one card the
 * page already has (a card moved, created or edited), so it is shown only where the API would list it.
 */

import "./i18n/board.js";
import {cardWarnings, localDay} from "./board_view.js";
import {DEAL_TYPES, dealTypeName} from "./deal_fields.js";
import {rememberInUrl, setOptions} from "./dom.js";
import {onLanguageChange, t} from "./i18n.js";

const CLOSING = Object.freeze(["overdue", "this_month", "next_month", "this_quarter", "none"]);
const FLAGS = Object.freeze(["stalled", "overdue"]);
const NAMES = Object.freeze(["q", "type", "closing", "owner", ...FLAGS]);
const TYPING_PAUSE_MS = 300;

/** The filters a URL asks for; unknown values are dropped (the API would refuse them). */
export function filtersFrom(params) {
  const type = params.get("type") ?? "";
  const closing = params.get("closing") ?? "";
  return {
    q: (params.get("q") ?? "").trim(),
    type: DEAL_TYPES.includes(type) ? type : "",
    closing: CLOSING.includes(closing) ? closing : "",
    owner: params.get("owner") ?? "",
    ...Object.fromEntries(FLAGS.map((flag) => [flag, params.get(flag) === "true"])),
  };
}

/** The filters as the API's query parameters (the ones not set left out). */
export function filterQuery(filters) {
  return Object.fromEntries(NAMES.map((name) => [name, filters[name] === true ? "true" : filters[name] || ""]));
}

export function activeCount(filters) {
  return NAMES.filter((name) => filters[name]).length;
}

function monthIndex(date) {
  return date.getFullYear() * 12 + date.getMonth();
}

/** Whether an expected close date ("YYYY-MM-DD" or null) is in the `closing` window, as of `now` (local days). */
export function closingMatches(value, closing, now) {
  const date = localDay(value);
  if (closing === "none") return !date;
  if (!date) return false;
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  const month = monthIndex(date) - monthIndex(today);
  if (closing === "overdue") return date < today;
  if (closing === "this_month") return month === 0;
  if (closing === "next_month") return month === 1;
  const quarter = (day) => day.getFullYear() * 4 + Math.floor(day.getMonth() / 3);
  return closing !== "this_quarter" || quarter(date) === quarter(today);
}

function contains(text, part) {
  return String(text ?? "").toLocaleLowerCase().includes(part.toLocaleLowerCase());
}

/** Whether the board, filtered by `filters`, lists `card` (whose stage is `stage`). */
export function matches(card, filters, stage, now) {
  const warnings = cardWarnings(card, stage, now);
  return (!filters.owner || card.owner_id === filters.owner)
    && (!filters.q || contains(card.title, filters.q) || contains(card.account_name, filters.q))
    && (!filters.type || card.deal_type === filters.type)
    && (!filters.stalled || warnings.stalled)
    && (!filters.overdue || warnings.overdue)
    && (!filters.closing || closingMatches(card.expected_close_date, filters.closing, now));
}

/**
 * Wires the filter form: each change sets `filters` (kept by the caller), remembers it in the URL and calls
 * `onChange()`; the text waits for a pause in typing. The "Filters" button folds the bar away on a phone.
 */
export function setupFilters({form, toggle, filters, onChange}) {
  const field = (name) => form.elements.namedItem(name);
  let timer = null;

  function fillOptions() {
    setOptions(field("type"), [{value: "", label: t("boardTypeAny")},
      ...DEAL_TYPES.map((value) => ({value, label: dealTypeName(value)}))], filters.type);
    setOptions(field("closing"), [{value: "", label: t("boardClosingAny")},
      ...CLOSING.map((value) => ({value, label: t(`boardClosing_${value}`)}))], filters.closing);
  }

  function showCount() {
    const count = activeCount(filters);
    toggle.textContent = count ? t("boardFiltersOn", {count}) : t("boardFiltersButton");
    form.querySelector("[type=reset]").hidden = count === 0;
  }

  function apply() {
    clearTimeout(timer);
    const read = {
      q: field("q").value.trim(), type: field("type").value, closing: field("closing").value,
      owner: field("owner").value, stalled: field("stalled").checked, overdue: field("overdue").checked,
    };
    if (NAMES.every((name) => read[name] === filters[name])) return;
    Object.assign(filters, read);
    for (const name of NAMES) rememberInUrl(name, filters[name] === true ? "true" : filters[name]);
    showCount();
    onChange();
  }

  fillOptions();
  field("q").value = filters.q;
  for (const flag of FLAGS) field(flag).checked = filters[flag];
  showCount();
  form.addEventListener("input", (event) => {
    if (event.target !== field("q")) return;
    clearTimeout(timer);
    timer = setTimeout(apply, TYPING_PAUSE_MS);
  });
  form.addEventListener("change", (event) => {
    if (event.target !== field("q")) apply();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  form.addEventListener("reset", () => {
    setTimeout(() => { // the form's fields take their empty values after this event
      field("owner").value = "";
      apply();
      field("q").focus();
    });
  });
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    form.classList.toggle("is-open", open);
  });
  onLanguageChange(() => {
    fillOptions();
    showCount();
  });
}
