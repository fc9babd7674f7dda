/** The board's markup, built from the page's state: a column per stage, a card per deal. */

import "./i18n/stalled.js";
import {h} from "./dom.js";
import {recordHref} from "./links.js";
import {formatDateTime, formatMoney, stageName, t} from "./i18n.js";

const DAY_MS = 86_400_000;

function daysInStage(card, now) {
  if (Number.isInteger(card.days_in_stage)) return card.days_in_stage;
  const entered = Date.parse(card.stage_entered_at);
  return Number.isNaN(entered) ? 0 : Math.max(0, Math.floor((now - entered) / DAY_MS));
}

function fact(label, ...value) {
  return h("div", {class: "fact"}, h("dt", {}, label), h("dd", {}, ...value));
}

/** How long the deal has been in its stage, with the stage's limit when it has one (D5). */
function timeInStage(days, stage) {
  const text = t("daysInStage", {count: days});
  return stage?.max_days_in_stage ? `${text} (${t("stalledLimit", {max: stage.max_days_in_stage})})` : text;
}

/**
 * One deal. Its stage <select> is the keyboard (and touch) way to move it; dragging is the pointer way. Its title
 * links to the deal's record; the link itself is not draggable, so a drag that starts on it moves the card.
 * A deal over its stage's limit says so in words ("Stalled"), not by colour only.
 */
export function cardElement(card, {stages, now, busy = false}) {
  const titleId = `card-title-${card.deal_id}`;
  const selectId = `move-${card.deal_id}`;
  const stage = stages.find((candidate) => candidate.id === card.stage_id);
  const days = daysInStage(card, now);
  const stalled = Boolean(stage?.max_days_in_stage && days > stage.max_days_in_stage);
  const due = card.next_task_due_at ? Date.parse(card.next_task_due_at) : NaN;
  const overdue = !Number.isNaN(due) && due < now;
  return h("li", {class: "card-item"},
    h("article", {
      "class": "card", "id": `card-${card.deal_id}`, "data-testid": `card-${card.deal_id}`,
      "data-deal-id": card.deal_id, "data-stage-id": card.stage_id, "data-version": card.version,
      "draggable": busy ? "false" : "true", "tabindex": "-1", "aria-labelledby": titleId,
      "aria-busy": busy ? "true" : null,
    },
    h("h3", {class: "card-title", id: titleId},
      h("a", {"class": "card-link", "href": recordHref("deal", card.deal_id),
        "draggable": "false", "data-testid": `card-link-${card.deal_id}`}, card.title)),
    (stalled || overdue) && h("p", {class: "badges"},
      stalled && h("span", {"class": "badge badge--stalled", "data-testid": `stalled-${card.deal_id}`},
        t("stalled")),
      overdue && h("span", {class: "badge badge--overdue"}, t("overdue"))),
    h("dl", {class: "card-facts"},
      fact(t("account"), card.account_name || "—"),
      fact(t("amount"), h("span", {class: "money"}, formatMoney(card.amount, card.currency) || "—")),
      fact(t("owner"), card.owner_name || card.owner_id || "—"),
      fact(t("timeInStage"), timeInStage(days, stage)),
      fact(t("nextTask"), Number.isNaN(due) ? t("noTask") : h("time", {datetime: card.next_task_due_at},
        formatDateTime(card.next_task_due_at)))),
    h("div", {class: "card-move"},
      h("label", {for: selectId}, t("stage"), h("span", {class: "visually-hidden"}, t("stageOf", {title: card.title}))),
      h("select", {id: selectId, "data-testid": selectId, "data-deal-id": card.deal_id, "disabled": busy},
        stages.map((option) => h("option", {value: option.id, selected: option.id === card.stage_id},
          stageName(option)))))));
}

function columnSummary(stage, column) {
  const totals = Object.entries(column.amounts).sort(([a], [b]) => a.localeCompare(b));
  return h("p", {class: "column-summary"},
    h("span", {"class": "column-count", "data-testid": `count-${stage.id}`}, t("dealCount", {count: column.count})),
    totals.map(([currency, amount]) => h("span",
      {"class": "column-total", "data-testid": `total-${stage.id}-${currency}`}, formatMoney(amount, currency))));
}

/** One stage's column: header with count and totals, the loaded cards, and "load more" while pages remain. */
export function columnElement(stage, column, {stages, now, busyDeals, onLoadMore}) {
  const headingId = `column-title-${stage.id}`;
  const name = stageName(stage);
  return h("section", {
    "class": `column column--${stage.kind}`, "data-testid": `column-${stage.id}`, "data-stage-id": stage.id,
    "data-count": column.count, "aria-labelledby": headingId,
  },
  h("header", {class: "column-header"}, h("h2", {id: headingId, tabindex: "-1"}, name), columnSummary(stage, column)),
  column.cards.length
    ? h("ol", {class: "cards"}, column.cards.map((card) =>
      cardElement(card, {stages, now, busy: busyDeals.has(card.deal_id)})))
    : h("p", {class: "column-empty"}, t("noDeals")),
  column.nextCursor && h("button", {
    "type": "button", "class": "load-more", "data-testid": `load-more-${stage.id}`, "aria-describedby": headingId,
    "onclick": (event) => onLoadMore(stage.id, event.currentTarget),
  }, t("loadMore")));
}
