/**
 * The stalled-deals page (D5): deals stuck longer than their stage allows, most overdue first, each with its
 * days in the stage against the limit, the suggested action and a link to the deal. A rep sees their own; a
 * manager or admin everyone's, or one rep's (?owner=, kept in the URL).
 */

import "./i18n/stalled.js";
import {api} from "./api.js";
import {h, rememberInUrl, setOptions} from "./dom.js";
import {recordHref} from "./links.js";
import {formatMoney, onLanguageChange, stageName, t} from "./i18n.js";
import {isManaging, sayError, startPage} from "./page.js";

const params = new URLSearchParams(location.search);
const state = {
  me: null,
  pipelineId: params.get("pipeline") || "sales",
  owner: params.get("owner") || "",
  owners: new Map(), // owner id -> name, from the deals seen: the manager's filter options
  deals: null,
};
const byId = (id) => document.getElementById(id);

function dealRow(deal) {
  const over = deal.days_in_stage - deal.max_days_in_stage;
  const money = formatMoney(deal.amount, deal.currency);
  return h("li", {class: "stalled-deal", "data-testid": "stalled-deal", "data-deal-id": deal.deal_id},
    h("h2", {class: "stalled-deal-title"},
      h("a", {href: recordHref("deal", deal.deal_id), "data-testid": "stalled-link"},
        deal.title)),
    h("p", {class: "stalled-deal-meta"}, [deal.account_name, money, deal.owner_name ?? deal.owner_id]
      .filter(Boolean).join(" · ")),
    h("p", {class: "stalled-deal-stage"}, t("stalledStage", {stage: stageName({id: deal.stage_id,
      name: deal.stage_name})})),
    h("p", {class: "stalled-deal-days", "data-testid": "stalled-days"},
      t("stalledDays", {days: deal.days_in_stage, max: deal.max_days_in_stage}), " ",
      h("strong", {class: "stalled-over"}, t("stalledOver", {count: over}))),
    h("p", {class: "stalled-deal-action"}, t(`stalledAction_${deal.suggested_action}`)));
}

function renderOwners() {
  if (!isManaging(state.me)) return;
  byId("stalled-owner-field").hidden = false;
  const owners = [...state.owners].sort(([, a], [, b]) => a.localeCompare(b));
  setOptions(byId("stalled-owner"), [{value: "", label: t("stalledEveryone")},
    ...owners.map(([value, label]) => ({value, label}))], state.owner);
}

function render() {
  const list = byId("stalled-list");
  if (state.deals === null) return;
  byId("stalled-summary").textContent = state.deals.length
    ? t("stalledCount", {count: state.deals.length}) : t("stalledNone");
  list.replaceChildren(...state.deals.map(dealRow));
  renderOwners();
}

async function load() {
  const main = byId("stalled");
  main.setAttribute("aria-busy", "true");
  try {
    const data = await api(`/stalled/${encodeURIComponent(state.pipelineId)}`, {query: {owner: state.owner}});
    state.deals = data.deals;
    if (state.owner && !state.owners.has(state.owner)) state.owners.set(state.owner, state.owner);
    for (const deal of data.deals) state.owners.set(deal.owner_id, deal.owner_name || deal.owner_id);
    render();
  } catch (error) {
    sayError(error, "stalledLoadFailed");
  } finally {
    main.setAttribute("aria-busy", "false");
  }
}

async function main() {
  state.me = await startPage();
  if (!state.me) return;
  onLanguageChange(render);
  byId("stalled-owner").addEventListener("change", (event) => {
    state.owner = event.currentTarget.value;
    rememberInUrl("owner", state.owner);
    load();
  });
  await load();
}

main();
