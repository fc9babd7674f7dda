/**
 * A record page (D6), record.html?kind=lead|contact|account|deal&id=...: the record's facts, its open tasks (mark
 * done), ONE timeline (the lead's history included, newest first, "load more"), and forms to add a note, a task or
 * a meeting, to email a lead or contact from a template (with a preview), and to log a call or an email (on a lead
 * through its follow-up rules, POST /api/leads/{id}/activities; on any other record on its timeline). A lead's
 * page also converts it (convert.js, then links to its contact, account and deal), flags it "please delete" for a
 * manager's review, or marks it junk, each with a reason.
 *
 * Every add is sent with an Idempotency-Key kept until it succeeds, so a retry after a lost answer adds once.
 */

import "./i18n/lists.js"; // the lead statuses and sources, named as on the lists
import "./i18n/record.js";
import {scoreReason} from "./i18n/score_reasons.js";
import {ApiError, api} from "./api.js";
import {convertLead} from "./convert.js";
import {h, setOptions} from "./dom.js";
import {recordHref} from "./links.js";
import {formatDateTime, formatMoney, onLanguageChange, stageName, t, taskTitle} from "./i18n.js";
import {LEAD_RECORD_FACTS} from "./lead_fields.js";
import {say, sayError, startPage} from "./page.js";

const byId = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const kind = params.get("kind") ?? "";
const recordId = params.get("id") ?? "";
const base = `/records/${encodeURIComponent(kind)}/${encodeURIComponent(recordId)}`;
const state = {me: null, record: null, events: [], cursor: null, templates: [], stages: []};

const EVENT_ICONS = Object.freeze({
  note: "✎", meeting: "◷", task_created: "☐", task_done: "☑", email_sent: "✉", activity: "☎",
  status_changed: "⇄", stage_changed: "➜", converted: "★", converted_from_lead: "★", deal_created: "✚",
  touch: "☛", scored: "◎", assigned: "☺", owner_changed: "☺", email_opened: "✉", email_clicked: "➚",
});
const FACTS = Object.freeze({
  lead: [...LEAD_RECORD_FACTS, "status", "temperature", "score", "owner_name", "created_at"],
  contact: ["email", "phone", "role", "owner_name", "created_at"],
  account: ["industry", "company_size", "country", "owner_name", "created_at"],
  deal: ["account_name", "amount", "stage_id", "owner_name", "next_task_due_at", "created_at"],
});
const TIMES = new Set(["created_at", "next_task_due_at"]);
const OUTCOMES = Object.freeze({call: ["no_answer", "answered", "voicemail"], email: ["sent", "replied"]});
/** What a lead asked for, from its first touch and its answers: [fact, where the lead view keeps it]. */
const ASKED = Object.freeze([
  ["message", (fields) => fields.message], ["need", (fields) => fields.answers?.need],
  ["budget", (fields) => fields.answers?.budget], ["authority", (fields) => fields.answers?.authority],
  ["timing", (fields) => fields.answers?.timing], ["source", (fields) => fields.first_touch?.source],
  ["campaign", (fields) => fields.first_touch?.utm?.utm_campaign],
]);

/** The translation of `key`, or `value` itself when there is none (a source a marketer named, say). */
function labelOr(key, value) {
  const label = t(key);
  return label === key ? value : label;
}

const statusName = (status) => labelOr(`listsStatus_${status}`, status);

function factValue(fields, name) {
  const value = fields[name];
  if (value === null || value === undefined || value === "") return null;
  if (TIMES.has(name)) return formatDateTime(value);
  if (name === "status") return statusName(value);
  if (name === "temperature") return labelOr(`recordTemperature_${value}`, value);
  if (name === "source") return labelOr(`listsSource_${value}`, value);
  if (name === "amount") return formatMoney(value, fields.currency);
  if (name === "stage_id") return stageName(state.stages.find((stage) => stage.id === value) ?? {id: value, name: value});
  return String(value);
}

function recordLink(linkKind, id, label) {
  return h("a", {"href": recordHref(linkKind, id),
    "data-testid": `link-${linkKind}-${id}`}, label);
}

function renderFacts() {
  const {fields} = state.record;
  byId("record-kind").textContent = t(`recordKind_${kind}`);
  byId("record-title").textContent = fields.name || fields.title || recordId;
  byId("record-facts").replaceChildren(...FACTS[kind].flatMap((name) => {
    const value = factValue(fields, name);
    return value === null ? [] : [h("dt", {}, t(`recordFact_${name}`)), h("dd", {dir: "auto"}, value)];
  }));
  if (kind === "lead" && fields.score_parts?.length) {
    byId("record-facts").append(h("dt", {}, t("recordFact_why")), h("dd", {},
      h("ul", {class: "record-reasons"}, fields.score_parts.map((part) =>
        h("li", {dir: "auto"}, scoreReason(part))))));
  }
  renderAsked(fields);
  const links = [];
  if (fields.lead_id && kind !== "lead") links.push(recordLink("lead", fields.lead_id, t("recordFromLead")));
  if (fields.account?.account_id) links.push(recordLink("account", fields.account.account_id, fields.account.name));
  if (fields.account_id && kind === "deal") links.push(recordLink("account", fields.account_id, t("recordKind_account")));
  if (fields.contact_id && kind === "deal") links.push(recordLink("contact", fields.contact_id, t("recordKind_contact")));
  for (const contact of fields.contacts ?? []) links.push(recordLink("contact", contact.contact_id, contact.name));
  if (fields.contacts_next_cursor) links.push(moreMembers("contacts"));
  for (const deal of fields.deals ?? []) links.push(recordLink("deal", deal.deal_id, deal.title));
  if (fields.deals_next_cursor) links.push(moreMembers("deals"));
  const conversion = fields.flags?.conversion;
  if (conversion) {
    links.push(...["contact", "account", "deal"].filter((linked) => conversion[`${linked}_id`])
      .map((linked) => recordLink(linked, conversion[`${linked}_id`], t(`recordKind_${linked}`))));
  }
  byId("record-links").replaceChildren(...links.map((link) => h("li", {}, link)));
}

/** A pending deletion request or a junk mark, with its reason, among the lead's facts. */
function renderFlags(flags) {
  const pending = flags.deletion_request && !flags.deletion_request.decision ? flags.deletion_request : null;
  for (const [name, flag] of [["deletion_request", pending], ["junk", flags.junk]]) {
    if (flag) byId("record-facts").append(h("dt", {}, t(`recordFact_${name}`)), h("dd", {dir: "auto"}, flag.reason));
  }
}

/** Convert, Please delete and Junk: offered on a lead while they still apply. */
function renderLeadActions() {
  const flags = kind === "lead" ? state.record.fields.flags : null;
  const open = Boolean(flags) && !flags.conversion && !flags.junk;
  byId("lead-actions").hidden = !open;
  byId("delete-action").hidden = !flags || Boolean(flags.deletion_request && !flags.deletion_request.decision);
  byId("junk-action").hidden = !open;
  if (flags) renderFlags(flags);
}

async function convert() {
  const {fields} = state.record;
  const result = await convertLead({id: recordId, name: fields.name, company: fields.company});
  if (!result) return;
  say(t("listsConverted", {name: fields.name}));
  try {
    await load();
  } catch (error) {
    sayError(error);
  }
}

/** A lead's own words and answers (message, need, BANT, source and campaign): hidden when it gave none. */
function renderAsked(fields) {
  const rows = kind === "lead" ? ASKED.flatMap(([name, read]) => {
    const value = factValue({[name]: read(fields)}, name);
    return value === null ? [] : [h("dt", {}, t(`recordFact_${name}`)), h("dd", {dir: "auto"}, value)];
  }) : [];
  byId("record-asked").replaceChildren(...rows);
  byId("record-asked-section").hidden = !rows.length;
}

/** A big account's next contacts or deals ("contacts" | "deals"), added to its links where the button was. */
function moreMembers(members) {
  const label = t(members === "contacts" ? "recordMoreContacts" : "recordMoreDeals");
  return h("button", {type: "button", class: "button", "data-testid": `more-${members}`, onclick: async (event) => {
    const button = event.currentTarget;
    const fields = state.record.fields;
    button.disabled = true;
    try {
      const query = new URLSearchParams({cursor: fields[`${members}_next_cursor`]});
      const page = await api(`/accounts/${encodeURIComponent(recordId)}/${members}?${query}`);
      fields[members] = [...fields[members], ...page.members];
      fields[`${members}_next_cursor`] = page.next_cursor;
      renderFacts();
    } catch (error) {
      button.disabled = false;
      sayError(error);
    }
  }}, label);
}

function renderTasks() {
  const tasks = state.record.open_tasks;
  byId("record-tasks").replaceChildren(...(tasks.length ? tasks.map((task) =>
    h("li", {"class": "record-task", "data-testid": `record-task-${task.task_id}`},
      h("span", {class: "record-task-title", dir: "auto"}, taskTitle(task.title)),
      h("span", {class: "record-task-due"}, t("recordDueAt", {when: formatDateTime(task.due_at)})),
      task.overdue ? h("span", {class: "badge badge--overdue"}, t("overdue")) : null,
      h("button", {"type": "button", "class": "button", "data-testid": `task-done-${task.task_id}`,
        "aria-label": t("recordMarkDoneLabel", {title: taskTitle(task.title)}), "onclick": () => completeTask(task)},
      t("recordMarkDone"))))
    : [h("li", {class: "record-empty"}, t("recordNoTasks"))]));
}

async function completeTask(task) {
  try {
    await api(`/tasks/${encodeURIComponent(task.task_id)}/done`, {method: "POST"});
    say(t("recordTaskDone", {title: taskTitle(task.title)}));
    await load();
  } catch (error) {
    sayError(error);
  }
}

function eventSummary(event) {
  const data = event.data ?? {};
  switch (event.type) {
    case "note": return data.text;
    case "meeting": return [data.title, formatDateTime(data.starts_at), data.location].filter(Boolean).join(" · ");
    case "task_created": case "task_done": return taskTitle(data.title);
    case "email_sent": return t("recordEmailSummary", {subject: data.subject, to: data.to});
    case "activity": return [data.type && t(`recordActivity_${data.type}`), t(`recordOutcome_${data.outcome ?? "none"}`),
      data.note].filter(Boolean).join(" · ");
    case "status_changed": return `${statusName(data.from)} → ${statusName(data.to)}`;
    case "stage_changed": return `${data.from} → ${data.to}`;
    case "email_opened": case "email_clicked": return data.subject;
    default: return "";
  }
}

/** A user's name where the page knows it (the signed-in user, the record's owner), else their id. */
function userName(userId) {
  if (userId === state.me?.user_id) return state.me.name || userId;
  const fields = state.record?.fields ?? {};
  return userId === fields.owner_id && fields.owner_name ? fields.owner_name : userId;
}

function eventItem(event) {
  const label = t(`recordEvent_${event.type}`);
  return h("li", {"class": "timeline-event", "data-testid": `event-${event.type}`, "data-event-id": event.id},
    h("span", {"class": "timeline-icon", "aria-hidden": "true"}, EVENT_ICONS[event.type] ?? "•"),
    h("div", {class: "timeline-body"},
      h("p", {class: "timeline-head"},
        h("strong", {}, label.startsWith("recordEvent_") ? event.type : label), " ",
        h("time", {datetime: event.at}, formatDateTime(event.at)),
        event.from ? h("span", {class: "timeline-from"}, t("recordOnLead")) : null,
        event.data?.by ? h("span", {class: "timeline-by"}, t("recordBy", {who: userName(event.data.by)})) : null),
      h("p", {class: "timeline-text", dir: "auto"}, eventSummary(event))));
}

function renderTimeline() {
  byId("timeline").replaceChildren(...(state.events.length ? state.events.map(eventItem)
    : [h("li", {class: "record-empty"}, t("recordNoEvents"))]));
  byId("timeline-more").hidden = !state.cursor;
}

async function loadMore() {
  try {
    const page = await api(`${base}/timeline`, {query: {cursor: state.cursor}});
    state.events.push(...page.events);
    state.cursor = page.next_cursor;
    renderTimeline();
  } catch (error) {
    sayError(error);
  }
}

/** Sends a form once: its Idempotency-Key stays until the post succeeds, so a retry never adds twice. */
async function submit(form, path, body) {
  form.dataset.key ||= crypto.randomUUID();
  for (const error of form.querySelectorAll(".field-error")) error.hidden = true;
  try {
    await api(path, {method: "POST", body, headers: {"Idempotency-Key": form.dataset.key}});
    delete form.dataset.key;
    form.reset();
    await load();
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) {
      delete form.dataset.key;
      showFieldErrors(form, error.fieldErrors);
    } else {
      sayError(error);
    }
    return false;
  }
}

function showFieldErrors(form, errors) {
  let shown = false;
  for (const [field, message] of Object.entries(errors)) {
    const element = form.querySelector(`[id$="-${field}-error"]`);
    if (element) {
      element.textContent = message;
      element.hidden = false;
      shown = true;
    }
  }
  if (!shown) say(Object.values(errors).join(" "), "error");
}

function isoFrom(localValue) {
  return localValue ? new Date(localValue).toISOString() : null;
}

function optional(value) {
  return value.trim() || null;
}

function wireForms() {
  byId("note-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = byId("note-text").value.trim();
    if (!text) return showFieldErrors(event.target, {text: t("recordRequired")});
    if (await submit(event.target, `${base}/notes`, {text})) say(t("recordNoteSaved"));
  });
  byId("task-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = {title: form.title.value.trim(), due_at: isoFrom(form.due_at.value), notes: optional(form.notes.value)};
    if (!body.title || !body.due_at) {
      return showFieldErrors(form, {...(!body.title && {title: t("recordRequired")}),
        ...(!body.due_at && {due_at: t("recordRequired")})});
    }
    if (await submit(form, `${base}/tasks`, body)) say(t("recordTaskSaved"));
  });
  byId("meeting-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = {title: form.title.value.trim(), starts_at: isoFrom(form.starts_at.value),
      duration_minutes: Number(form.duration_minutes.value) || null, location: optional(form.location.value),
      notes: optional(form.notes.value)};
    if (!body.title || !body.starts_at) {
      return showFieldErrors(form, {...(!body.title && {title: t("recordRequired")}),
        ...(!body.starts_at && {starts_at: t("recordRequired")})});
    }
    if (await submit(form, `${base}/meetings`, body)) say(t("recordMeetingSaved"));
  });
  byId("call-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = {type: form.type.value, outcome: form.outcome.value, note: optional(form.note.value)};
    const path = kind === "lead" ? `/leads/${encodeURIComponent(recordId)}/activities` : `${base}/activities`;
    if (await submit(form, path, body)) say(t(body.type === "email" ? "recordEmailLogged" : "recordCallLogged"));
  });
  byId("call-type").addEventListener("change", renderOutcomes);
  byId("email-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    if (await submit(form, `${base}/email`, {template_id: form.template_id.value})) say(t("recordEmailSent"));
  });
  for (const [action, done] of [["deletion-request", "recordDeletionAsked"], ["junk", "recordJunkMarked"]]) {
    const form = byId(action === "junk" ? "junk-form" : "delete-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const reason = form.reason.value.trim();
      if (!reason) return showFieldErrors(form, {reason: t("recordRequired")});
      if (await submit(form, `/leads/${encodeURIComponent(recordId)}/${action}`, {reason})) say(t(done));
    });
  }
  byId("convert-lead").addEventListener("click", convert);
  byId("email-template").addEventListener("change", renderPreview);
  byId("timeline-more").addEventListener("click", loadMore);
}

function previewValues() {
  const fields = state.record?.fields ?? {};
  const name = fields.name ?? "";
  return {first_name: name.split(/\s+/)[0] ?? "", name, company: fields.company ?? fields.account?.name ?? "",
    rep_name: state.me?.name ?? "", rep_email: state.me?.email ?? "", rep_phone: ""};
}

/** What the recipient will read, in their language: the template's placeholders filled in from the record. */
function renderPreview() {
  const template = state.templates.find((each) => each.id === byId("email-template").value);
  if (!template) return;
  const language = state.record?.fields?.language;
  const text = template.translations[language] ?? template.translations.en;
  const values = previewValues();
  const fill = (source) => source.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => values[name] ?? "");
  byId("email-preview-subject").textContent = fill(text.subject);
  byId("email-preview-subject").lang = language ?? "en";
  byId("email-preview-body").textContent = fill(text.body);
  byId("email-preview-body").lang = language ?? "en";
}

function renderTemplates() {
  const picker = byId("email-template");
  setOptions(picker, state.templates.map((template) => ({value: template.id,
    label: (template.translations[document.documentElement.lang] ?? template.translations.en).name})));
  renderPreview();
}

/** A call's outcomes or an email's, for the kind of activity picked. */
function renderOutcomes() {
  const type = byId("call-type");
  setOptions(type, ["call", "email"].map((value) => ({value, label: t(`recordActivity_${value}`)})));
  setOptions(byId("call-outcome"), OUTCOMES[type.value].map((value) => ({value, label: t(`recordOutcome_${value}`)})));
}

function render() {
  if (!state.record) return;
  renderFacts();
  renderLeadActions();
  renderTasks();
  renderTimeline();
  renderTemplates();
  renderOutcomes();
}

async function load() {
  const record = await api(base);
  if (kind === "deal" && !state.stages.length) {
    state.stages = (await api(`/pipelines/${encodeURIComponent(record.fields.pipeline_id)}`)).stages;
  }
  state.record = record;
  state.events = record.timeline.events;
  state.cursor = record.timeline.next_cursor;
  render();
}

async function main() {
  state.me = await startPage();
  if (!state.me) return;
  const main = byId("record");
  // no record to show (unknown, or another rep's): the message alone, not empty facts and forms to add to nothing
  const showNothing = () => {
    for (const panel of main.querySelectorAll(".record-panel")) panel.hidden = true;
  };
  if (!["lead", "contact", "account", "deal"].includes(kind) || !recordId) {
    say(t("recordUnknown"), "error");
    showNothing();
    main.removeAttribute("aria-busy");
    return;
  }
  const emailable = kind === "lead" || kind === "contact";
  byId("email-action").hidden = !emailable;
  wireForms();
  onLanguageChange(render);
  try {
    if (emailable) state.templates = await api("/email-templates");
    await load();
  } catch (error) {
    sayError(error, error.status === 404 ? "recordNotFound" : null);
    if (error.status === 404) showNothing();
  } finally {
    main.removeAttribute("aria-busy");
  }
}

main();
