/**
 * A deal's planning facts as people read them, on its record page (record.js) and in the board's deal panel
 * (deal_panel.js): the expected close date (a calendar day, "YYYY-MM-DD"), the deal type and the weighted amount
 * (the amount at the stage's probability, both from the API's card).
 */

import "./i18n/deal_panel.js";
import {formatMoney, formatNumber, t} from "./i18n.js";

export const DEAL_TYPES = Object.freeze(["new_business", "upsell", "renewal"]);
export const DEAL_FACTS = Object.freeze(["weighted_amount", "expected_close_date", "deal_type"]);

/** A deal type's name; a type this site does not know yet shows as the API gave it. */
export function dealTypeName(type) {
  return DEAL_TYPES.includes(type) ? t(`dealPanelType_${type}`) : type;
}

/** A calendar day in the reader's language, the same day wherever they are (it is no moment in time). */
export function formatDay(day) {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(document.documentElement.lang || "en", {dateStyle: "medium", timeZone: "UTC"})
    .format(date);
}

/** One of DEAL_FACTS for display, or null when the deal has none. */
export function dealFactValue(card, name) {
  const value = card[name];
  if (value === null || value === undefined || value === "") return null;
  if (name === "expected_close_date") return formatDay(value);
  if (name === "deal_type") return dealTypeName(value);
  return t("dealPanelWeightedAt", {amount: formatMoney(value, card.currency),
    probability: formatNumber(card.probability ?? 0)});
}
