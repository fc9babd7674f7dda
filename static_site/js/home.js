/**
 * The home page (L12, R1): what a rep sees on login. Leads per cycle (each a link to the list), the tasks due
 * today (each naming the lead or deal it is for), the hot leads waiting for a first contact, and the funnel of open deals by stage: a table whose bars are
 * drawn to scale by the count, so screen readers read the same numbers the chart shows. A manager or admin sees
 * everyone's numbers, or picks one person.
 */

import "./i18n/home.js";
import {api} from "./api.js";
import {h, setOptions} from "./dom.js";
import {recordHref} from "./links.js";
import {formatDateTime, formatMoney, formatNumber, onLanguageChange, stageName, t, taskTitle} from "./i18n.js";
import {isManaging, sayError, startPage} from "./page.js";

const byId = (id) => document.getElementById(id);
const state = {me: null, owner: "", home: null};

function teamNames() {
  return new Map((state.home?.team ?? []).map((user) => [user.user_id, user.name || user.user_id]));
}

function money(amounts) {
  const parts = Object.entries(amounts).map(([currency, amount]) => formatMoney(amount, currency));
  return parts.length ? parts.join(", ") : t("homeNoAmount");
}

function ownerNote(ownerId) {
  if (!isManaging(state.me)) return null;
  return h("span", {class: "home-owner"}, teamNames().get(ownerId) ?? ownerId);
}

function renderLeads({total, by_cycle: byCycle}) {
  byId("home-leads-total").textContent = t("homeLeadsTotal", {count: total});
  byId("home-cycles").replaceChildren(...Object.entries(byCycle).map(([cycle, count]) => {
    const query = new URLSearchParams({kind: "leads", cycle});
    if (state.owner) query.set("owner", state.owner);
    return h("li", {class: "home-tile"},
      h("a", {"href": `lists.html?${query}`, "data-testid": `home-cycle-${cycle}`},
        h("span", {"class": "home-tile-number", "data-testid": `home-cycle-${cycle}-count`}, formatNumber(count)),
        h("span", {class: "home-tile-label"}, t(`homeCycle_${cycle}`))));
  }));
}

function renderTasks(tasks) {
  byId("home-tasks-count").textContent = t("homeTasksCount", {count: tasks.length});
  const overdue = tasks.filter((task) => task.overdue).length;
  byId("home-tasks-overdue").textContent = overdue ? t("homeTasksOverdue", {count: overdue}) : "";
  const list = byId("home-tasks");
  if (!tasks.length) {
    list.replaceChildren(h("li", {class: "home-empty"}, t("homeNoTasks")));
    return;
  }
  list.replaceChildren(...tasks.map((task) => h("li", {"class": "home-item", "data-testid": `home-task-${task.task_id}`},
    h("a", {href: recordHref(task.related_type, task.related_id)}, taskTitle(task.title),
      task.related_name ? h("span", {"class": "home-related", "dir": "auto", "data-testid": "home-task-related"},
        task.related_name) : null),
    h("span", {class: "home-meta"}, t("homeDueAt", {when: formatDateTime(task.due_at)})),
    task.overdue ? h("span", {class: "badge badge--overdue"}, t("overdue")) : null,
    ownerNote(task.owner_id))));
}

function renderHotLeads(leads) {
  byId("home-hot-count").textContent = t("homeHotCount", {count: leads.length});
  const list = byId("home-hot");
  if (!leads.length) {
    list.replaceChildren(h("li", {class: "home-empty"}, t("homeNoHot")));
    return;
  }
  list.replaceChildren(...leads.map((lead) => h("li", {"class": "home-item", "data-testid": `home-hot-${lead.lead_id}`},
    h("a", {href: recordHref("lead", lead.lead_id)}, lead.name || lead.lead_id),
    lead.company ? h("span", {class: "home-meta"}, lead.company) : null,
    lead.score === null || lead.score === undefined ? null
      : h("span", {class: "home-meta"}, t("homeScore", {score: formatNumber(lead.score)})),
    lead.first_contact_due_at
      ? h("span", {class: "home-meta"}, t("homeContactBy", {when: formatDateTime(lead.first_contact_due_at)}))
      : null,
    ownerNote(lead.owner_id))));
}

function renderFunnel({stages, won, lost}) {
  const widest = Math.max(1, ...stages.map((stage) => stage.count));
  byId("home-funnel-rows").replaceChildren(...stages.map((stage) => {
    const bar = h("span", {class: "funnel-bar"});
    bar.style.inlineSize = `${(100 * stage.count) / widest}%`;
    return h("tr", {"data-testid": `funnel-${stage.stage_id}`},
      h("th", {scope: "row"}, stageName({id: stage.stage_id, name: stage.name})),
      h("td", {}, h("span", {class: "funnel-cell"},
        h("span", {"class": "funnel-track", "aria-hidden": "true"}, bar),
        h("span", {"class": "funnel-count", "data-testid": `funnel-${stage.stage_id}-count`},
          formatNumber(stage.count)))),
      h("td", {"class": "funnel-amount", "data-testid": `funnel-${stage.stage_id}-amount`}, money(stage.amounts)));
  }));
  byId("home-closed").replaceChildren(
    h("li", {"data-testid": "home-won"}, t("homeWon", {count: won.count}), " · ", money(won.amounts)),
    h("li", {"data-testid": "home-lost"}, t("homeLost", {count: lost.count}), " · ", money(lost.amounts)));
}

function renderOwnerPicker() {
  if (!isManaging(state.me)) return;
  byId("home-owner-field").hidden = false;
  setOptions(byId("home-owner"), [{value: "", label: t("homeEveryone")},
    ...[...teamNames()].map(([value, label]) => ({value, label}))], state.owner);
}

function render() {
  if (!state.home) return;
  renderOwnerPicker();
  renderLeads(state.home.leads);
  renderTasks(state.home.tasks_due_today);
  renderHotLeads(state.home.hot_leads_waiting);
  renderFunnel(state.home.funnel);
}

async function load() {
  const main = byId("home");
  main.setAttribute("aria-busy", "true");
  try {
    state.home = await api("/home", {query: {owner: state.owner}});
    render();
  } catch (error) {
    sayError(error, "homeLoadFailed");
  } finally {
    main.setAttribute("aria-busy", "false");
  }
}

async function start() {
  state.me = await startPage();
  if (!state.me) return;
  onLanguageChange(render);
  byId("home-owner").addEventListener("change", (event) => {
    state.owner = event.currentTarget.value;
    load();
  });
  await load();
}

start();
