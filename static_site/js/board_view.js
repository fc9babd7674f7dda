/**
 * The board's markup, built from the page's state: a column per open stage with compact cards (three short lines:
 * title and Move button; account and amount; owner, dates, weighted amount, quick actions, plus a line of badges
 * when a card has any), and a drop zone per closing stage (won, lost) for the bar under the board.
 */

import "./i18n/board.js";
import {dealTypeName} from "./deal_fields.js";
import {h} from "./dom.js";
import {recordHref} from "./links.js";
import {formatMoney, stageName, t} from "./i18n.js";

const DAY_MS = 86_400_000;
const SOON_DAYS = 7; // an expected close date this near is "closing soon"
const SVG = "http://www.w3.org/2000/svg";
const ICONS = Object.freeze({
  move: "M5 9l-3 3 3 3M9 5l3-3 3 3M15 19l-3 3-3-3M19 9l3 3-3 3M2 12h20M12 2v20",
  calendar: "M5 4h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM16 2v4M8 2v4M3 10h18",
  task: "M9 11l3 3L22 4M21 12v7a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h11",
  call: "M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 "
    + "4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8.1 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9"
    + ".3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z",
  log: "M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z",
  email: "M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM22 6l-10 7L2 6",
});
/** [action, label, icon]: "dial" calls the deal's person (click-to-call or tel:), "call" only logs a call. */
export const QUICK_ACTIONS = Object.freeze([["dial", "boardActionDial", "call"], ["call", "boardActionCall", "log"],
  ["email", "boardActionEmail", "email"], ["task", "boardActionTask", "task"]]);

/** A line icon; decorative (its button or text says what it means). */
export function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  for (const [attribute, value] of Object.entries({"viewBox": "0 0 24 24", "width": "16", "height": "16",
    "fill": "none", "stroke": "currentColor", "stroke-width": "2", "stroke-linecap": "round",
    "stroke-linejoin": "round", "aria-hidden": "true", "focusable": "false", "class": "icon"})) {
    svg.setAttribute(attribute, value);
  }
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

function daysInStage(card, now) {
  if (Number.isInteger(card.days_in_stage)) return card.days_in_stage;
  const entered = Date.parse(card.stage_entered_at);
  return Number.isNaN(entered) ? 0 : Math.max(0, Math.floor((now - entered) / DAY_MS));
}

/** A calendar day ("YYYY-MM-DD", local) as a Date at its local midnight; null when it is not one. */
export function localDay(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? "");
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null;
}

function startOfToday(now) {
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  return today;
}

function dateFormat(options) {
  return new Intl.DateTimeFormat(document.documentElement.lang || "en", options);
}

/** A date in few characters ("12/24", "24.12."); the year only when it is not within ten months of today. */
function shortDate(date, now) {
  const options = {day: "numeric", month: "numeric"};
  if (Math.abs(date - now) > 300 * DAY_MS) options.year = "2-digit";
  return dateFormat(options).format(date);
}

/** Up to two letters for an owner's avatar: "Anna Schmidt" -> "AS", "rep-bela" -> "RB". */
export function initials(name) {
  const words = String(name ?? "").split(/[\s._-]+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words.at(-1)] : words;
  return letters.map((word) => [...word][0]).join("").toLocaleUpperCase();
}

/** What a card warns about, in words: over its stage's limit, its next task overdue, its close date near or past. */
export function cardWarnings(card, stage, now) {
  const due = card.next_task_due_at ? Date.parse(card.next_task_due_at) : NaN;
  const close = localDay(card.expected_close_date);
  const daysToClose = close ? Math.round((close - startOfToday(now)) / DAY_MS) : null;
  return {
    stalled: Boolean(stage?.max_days_in_stage && daysInStage(card, now) > stage.max_days_in_stage),
    overdue: !Number.isNaN(due) && due < now,
    closePassed: daysToClose !== null && daysToClose < 0,
    closingSoon: daysToClose !== null && daysToClose >= 0 && daysToClose <= SOON_DAYS,
  };
}

/** A dated fact: an icon and the short date, its meaning said in full to screen readers and in the tooltip. */
function dated(kind, key, date, now, testid) {
  const full = t(key, {date: dateFormat({dateStyle: "medium"}).format(date)});
  return h("span", {"class": `meta meta--${kind}`, "title": full, "data-testid": testid},
    icon(kind === "close" ? "calendar" : "task"), h("span", {"aria-hidden": "true"}, shortDate(date, now)),
    h("span", {class: "visually-hidden"}, full));
}

/** Money in few characters: no cents when there are none ("€1,200"), or compact ("€7.2K"). */
function shortMoney(amount, currency, compact = false) {
  if (amount === null || amount === undefined || amount === "") return "";
  const options = compact ? {notation: "compact", maximumFractionDigits: 1}
    : {minimumFractionDigits: Number(amount) % 1 === 0 ? 0 : 2};
  try {
    return new Intl.NumberFormat(document.documentElement.lang || "en", {style: "currency", currency, ...options})
      .format(Number(amount));
  } catch {
    return formatMoney(amount, currency);
  }
}

function badge(kind, text, testid) {
  return h("span", {"class": `badge badge--${kind}`, "data-testid": testid}, text);
}

/**
 * One deal. The Move button opens the stage menu (the keyboard and touch way to move it); dragging is the pointer
 * way. Its title links to the deal's record (a plain click opens the side panel instead, board.js); the link is not
 * draggable, so a drag that starts on it moves the card. Warnings are words ("Stalled"), not colour only.
 */
export function cardElement(card, {stages, now, busy = false}) {
  const id = card.deal_id;
  const titleId = `card-title-${id}`;
  const stage = stages.find((candidate) => candidate.id === card.stage_id);
  const warnings = cardWarnings(card, stage, now);
  const due = card.next_task_due_at ? new Date(card.next_task_due_at) : null;
  const close = localDay(card.expected_close_date);
  const owner = card.owner_name || card.owner_id || "";
  const weighted = card.weighted_amount != null && formatMoney(card.weighted_amount, card.currency);
  const weightedShort = weighted && shortMoney(card.weighted_amount, card.currency, true);
  const amount = shortMoney(card.amount, card.currency);
  const badges = [
    warnings.stalled && badge("stalled", t("stalled"), `stalled-${id}`),
    warnings.overdue && badge("overdue", t("boardTaskOverdue"), `overdue-${id}`),
    warnings.closePassed && badge("overdue", t("boardClosePassed"), `close-passed-${id}`),
    warnings.closingSoon && badge("soon", t("boardClosingSoon"), `closing-soon-${id}`),
  ].filter(Boolean);
  return h("li", {class: "card-item"},
    h("article", {
      "class": "card", "id": `card-${id}`, "data-testid": `card-${id}`,
      "data-deal-id": id, "data-stage-id": card.stage_id, "data-version": card.version,
      "draggable": busy ? "false" : "true", "tabindex": "-1", "aria-labelledby": titleId,
      "aria-busy": busy ? "true" : null,
    },
    h("div", {class: "card-head"},
      h("h3", {class: "card-title", id: titleId, dir: "auto"}, // a title's own direction, also where it is cut
        h("a", {"class": "card-link", "href": recordHref("deal", id), "draggable": "false", "title": card.title,
          "data-testid": `card-link-${id}`, "data-deal-id": id}, card.title)),
      h("button", {"type": "button", "class": "card-move", "id": `move-${id}`, "data-testid": `move-${id}`,
        "data-deal-id": id, "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": "move-menu",
        "title": t("boardMoveDeal", {title: card.title}), "disabled": busy},
      icon("move"), h("span", {class: "visually-hidden"}, t("boardMoveDeal", {title: card.title})))),
    h("p", {class: "card-line"},
      h("span", {class: "card-account", title: card.account_name || null, dir: "auto"}, card.account_name || ""),
      amount && h("span", {"class": "card-amount money", "data-testid": `amount-${id}`}, amount)),
    badges.length > 0 && h("p", {class: "badges"}, badges),
    h("div", {class: "card-meta"},
      owner && h("span", {"class": "avatar", "data-initials": initials(owner),
        "title": t("boardOwnerIs", {name: owner})}, h("span", {class: "visually-hidden"},
        t("boardOwnerIs", {name: owner}))),
      close && dated("close", "boardCloseOn", close, now, `close-date-${id}`),
      due && !Number.isNaN(due.getTime()) && dated("task", "boardTaskOn", due, now, `task-date-${id}`),
      weighted && h("span", {"class": "card-weighted money", "title": t("boardWeighted", {amount: weighted}),
        "data-testid": `weighted-${id}`}, h("span", {"aria-hidden": "true"}, `≈${weightedShort}`),
      h("span", {class: "visually-hidden"}, t("boardWeighted", {amount: weighted}))),
      card.deal_type && h("span", {"class": "card-type", "data-testid": `type-${id}`}, dealTypeName(card.deal_type)),
      h("span", {"class": "quick-actions", "role": "group", "aria-label": t("boardQuickActions", {title: card.title})},
        QUICK_ACTIONS.map(([action, key, iconName]) => h("button", {"type": "button", "class": "quick-action",
          "data-action": action, "data-deal-id": id, "data-testid": `${action}-${id}`, "title": t(key)},
        icon(iconName), h("span", {class: "visually-hidden"}, t(key))))))));
}

function columnSummary(stage, column) {
  const totals = Object.entries(column.amounts).sort(([a], [b]) => a.localeCompare(b));
  return h("p", {class: "column-summary"},
    h("span", {"class": "column-count", "data-testid": `count-${stage.id}`}, t("dealCount", {count: column.count})),
    totals.map(([currency, amount]) => h("span",
      {"class": "column-total", "data-testid": `total-${stage.id}-${currency}`}, formatMoney(amount, currency))));
}

/** One open stage's column: header with count and totals, the loaded cards, and "load more" while pages remain. */
export function columnElement(stage, column, {stages, now, busyDeals, filtered, onLoadMore}) {
  const headingId = `column-title-${stage.id}`;
  return h("section", {
    "class": `column column--${stage.kind}`, "data-testid": `column-${stage.id}`, "data-stage-id": stage.id,
    "data-count": column.count, "aria-labelledby": headingId,
  },
  h("header", {class: "column-header"},
    h("h2", {id: headingId, tabindex: "-1", title: stageName(stage)}, stageName(stage)), columnSummary(stage, column)),
  column.cards.length
    ? h("ol", {class: "cards"}, column.cards.map((card) =>
      cardElement(card, {stages, now, busy: busyDeals.has(card.deal_id)})))
    : h("p", {class: "column-empty"}, t(filtered ? "boardNoMatches" : "noDeals")),
  column.nextCursor && h("button", {
    "type": "button", "class": "load-more", "data-testid": `load-more-${stage.id}`, "aria-describedby": headingId,
    "onclick": (event) => onLoadMore(stage.id, event.currentTarget),
  }, t("loadMore")));
}

/** A closing stage (won, lost) as a drop target in the bar under the board, with its count and totals. */
export function zoneElement(stage, column) {
  const headingId = `column-title-${stage.id}`;
  return h("div", {
    "class": `drop-zone drop-zone--${stage.kind}`, "data-testid": `zone-${stage.id}`, "data-stage-id": stage.id,
    "data-count": column.count, "role": "group", "aria-labelledby": headingId,
  }, h("h3", {class: "zone-name", id: headingId}, stageName(stage)), columnSummary(stage, column));
}
