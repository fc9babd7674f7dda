/**
 * My tasks (D6, L12): what is due today in my own time zone (overdue first), what is overdue, what comes later.
 * Each task links to its record and can be marked done. A manager or admin may pick whose tasks to see.
 */

import "./i18n/tasks.js";
import {api} from "./api.js";
import {h, setOptions} from "./dom.js";
import {recordHref} from "./links.js";
import {formatDateTime, onLanguageChange, roleName, t, taskTitle} from "./i18n.js";
import {isManaging, say, sayError, startPage} from "./page.js";

const byId = (id) => document.getElementById(id);
const state = {me: null, due: "today", owner: "", data: null};

function recordLink(task) {
  const {kind, id} = task.record;
  return h("a", {"href": recordHref(kind, id), "data-testid": `task-record-${task.task_id}`},
    t("tasksOpenRecord", {kind: t(`tasksKind_${kind}`)}));
}

function taskItem(task) {
  return h("li", {"class": `tasks-item${task.overdue ? " tasks-item--overdue" : ""}`,
    "data-testid": `task-${task.task_id}`},
  h("div", {class: "tasks-item-main"},
    h("p", {class: "tasks-item-title", dir: "auto"}, taskTitle(task.title)),
    h("p", {class: "tasks-item-meta"}, t("tasksDueAt", {when: formatDateTime(task.due_at)}), " · ", recordLink(task)),
    task.notes ? h("p", {class: "tasks-item-meta", dir: "auto"}, task.notes) : null),
  task.overdue ? h("span", {class: "badge badge--overdue"}, t("overdue")) : null,
  h("button", {"type": "button", "class": "button", "data-testid": `task-done-${task.task_id}`,
    "aria-label": t("tasksMarkDoneLabel", {title: taskTitle(task.title)}), "onclick": () => complete(task)}, t("tasksMarkDone")));
}

function render() {
  for (const button of document.querySelectorAll("[data-due]")) {
    button.setAttribute("aria-pressed", String(button.dataset.due === state.due));
  }
  if (!state.data) return;
  const {tasks, team} = state.data;
  byId("tasks-summary").textContent = t(`tasksCount_${state.due}`, {count: tasks.length});
  byId("tasks-list").replaceChildren(...(tasks.length ? tasks.map(taskItem)
    : [h("li", {class: "tasks-empty"}, t(`tasksNone_${state.due}`))]));
  if (isManaging(state.me)) {
    byId("tasks-owner-field").hidden = false;
    setOptions(byId("tasks-owner"), team.map((user) => ({value: user.user_id,
      label: `${user.name || user.user_id} (${roleName(user.role)})`})), state.owner || state.me.user_id);
  }
}

async function load() {
  const main = byId("tasks");
  main.setAttribute("aria-busy", "true");
  try {
    state.data = await api("/tasks", {query: {due: state.due, owner: state.owner || null}});
    render();
  } catch (error) {
    sayError(error, "tasksLoadFailed");
  } finally {
    main.removeAttribute("aria-busy");
  }
}

async function complete(task) {
  try {
    await api(`/tasks/${encodeURIComponent(task.task_id)}/done`, {method: "POST"});
    say(t("tasksDone", {title: taskTitle(task.title)}));
    await load();
    byId("tasks-title").focus();
  } catch (error) {
    sayError(error);
  }
}

async function main() {
  state.me = await startPage();
  if (!state.me) return;
  for (const button of document.querySelectorAll("[data-due]")) {
    button.addEventListener("click", () => {
      state.due = button.dataset.due;
      load();
    });
  }
  byId("tasks-owner").addEventListener("change", (event) => {
    state.owner = event.target.value === state.me.user_id ? "" : event.target.value;
    load();
  });
  onLanguageChange(render);
  await load();
}

main();
