/**
 * A record page (D6), record.html?kind=lead|contact|account|deal&id=...: the record's facts, its open tasks (mark
 * done), ONE timeline (the lead's history included, newest first, "load more"), and forms to add a note, a task or
 * a meeting, to email a lead or contact from a template (with a preview), and to log a call or an email (on a lead
 * through its follow-up rules, POST /api/leads/{id}/activities; on any other record on its timeline). "Call" dials
 * a lead's, contact's or deal's number (click-to-call through the provider, or a tel: link without one). A lead's
 * page also converts it (convert.js, then links to its contact, account and deal), flags it "please delete" for a
 * manager's review, or marks it junk, each with a reason; its owner applies there what a public form post proposed
 * to change on it (the timeline's "Apply these changes").
 *
 * The add forms, their checks and their sending (once, with an Idempotency-Key) are record_actions.js's, shared with
 * the board's deal panel; so is the timeline's wording (timeline.js).
 */

import "./i18n/lists.js"; // the lead statuses and sources, named as on the lists
import "./i18n/record.js";
import {scoreReason} from "./i18n/score_reasons.js";
import {api} from "./api.js";
import {convertLead} from "./convert.js";
import {DEAL_FACTS, dealFactValue} from "./deal_fields.js";
import {h} from "./dom.js";
import {recordHref} from "./links.js";
import {formatDateTime, formatMoney, onLanguageChange, stageName, t} from "./i18n.js";
import {LEAD_RECORD_FACTS} from "./lead_fields.js";
import {say, sayError, startPage} from "./page.js";
import {
  actionForm, actionPath, callControl, previewValues, recordPhone, renderOutcomes, renderTemplates, showFieldErrors,
  signedInUser, submitAction, taskItem,
} from "./record_actions.js";
import {labelOr, statusName, timelineItem} from "./timeline.js";

const byId = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const kind = params.get("kind") ?? "";
const recordId = params.get("id") ?? "";
const base = `/records/${encodeURIComponent(kind)}/${encodeURIComponent(recordId)}`;
const state = {me: null, record: null, phone: null, events: [], cursor: null, templates: [], stages: []};

const FACTS = Object.freeze({
  lead: [...LEAD_RECORD_FACTS, "status", "temperature", "score", "owner_name", "created_at"],
  contact: ["email", "phone", "role", "owner_name", "created_at"],
  account: ["industry", "company_size", "country", "owner_name", "created_at"],
  deal: ["account_name", "amount", ...DEAL_FACTS, "stage_id", "owner_name", "next_task_due_at", "created_at"],
});
const TIMES = new Set(["created_at", "next_task_due_at"]);
/** What a lead asked for, from its first touch and its answers: [fact, where the lead view keeps it]. */
const ASKED = Object.freeze([
  ["message", (fields) => fields.message], ["need", (fields) => fields.answers?.need],
  ["budget", (fields) => fields.answers?.budget], ["authority", (fields) => fields.answers?.authority],
  ["timing", (fields) => fields.answers?.timing], ["source", (fields) => fields.first_touch?.source],
  ["campaign", (fields) => fields.first_touch?.utm?.utm_campaign],
]);

function factValue(fields, name) {
  const value = fields[name];
  if (value === null || value === undefined || value === "") return null;
  if (TIMES.has(name)) return formatDateTime(value);
  if (name === "status") return statusName(value);
  if (name === "temperature") return labelOr(`recordTemperature_${value}`, value);
  if (name === "source") return labelOr(`listsSource_${value}`, value);
  if (name === "amount") return formatMoney(value, fields.currency);
  if (DEAL_FACTS.includes(name)) return dealFactValue(fields, name);
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
  byId("record-tasks").replaceChildren(...(tasks.length ? tasks.map((task) => taskItem(task, load))
    : [h("li", {class: "record-empty"}, t("recordNoTasks"))]));
}

/**
 * "Apply these changes" on a lead's open proposal (changes a public form post proposed, crm.services.proposals):
 * the API lets the lead's owner, a manager or an admin apply it once; then the lead is shown as it now is.
 */
function proposalAction(event) {
  if (kind !== "lead" || event.from || event.type !== "changes_proposed" || event.data?.state !== "open") return null;
  const path = `/leads/${encodeURIComponent(recordId)}/proposals/${encodeURIComponent(event.id)}/apply`;
  return h("button", {type: "button", class: "button timeline-action", "data-testid": "apply-proposal",
    onclick: async (click) => {
      const button = click.currentTarget;
      button.disabled = true;
      try {
        await api(path, {method: "POST"});
        say(t("recordChangesApplied"));
        await load();
      } catch (error) {
        button.disabled = false;
        sayError(error);
        if (error.status === 409) await load().catch(() => {}); // applied meanwhile, or the lead changed: show it
      }
    }}, t("recordApplyChanges"));
}

function renderTimeline() {
  byId("timeline").replaceChildren(...(state.events.length
    ? state.events.map((event) => timelineItem(event, state.stages, proposalAction))
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

/** The add forms (record_actions.js), each in its <details>; they post to this record and reload it. */
function addActionForms() {
  for (const action of ["call", "note", "task", "meeting", "email"]) {
    byId(`${action}-action`).append(actionForm(action, {
      send: (form, body) => submitAction(form, actionPath(kind, recordId, action), body, load)}));
  }
  for (const [action, done] of [["deletion-request", "recordDeletionAsked"], ["junk", "recordJunkMarked"]]) {
    const form = byId(action === "junk" ? "junk-form" : "delete-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const reason = form.reason.value.trim();
      if (!reason) return showFieldErrors(form, {reason: t("recordRequired")});
      const path = `/leads/${encodeURIComponent(recordId)}/${action}`;
      if (await submitAction(form, path, {reason}, load)) say(t(done));
    });
  }
  byId("convert-lead").addEventListener("click", convert);
  byId("timeline-more").addEventListener("click", loadMore);
}

function renderEmailForm() {
  const fields = state.record.fields;
  renderTemplates(byId("email-form"), state.templates, {language: fields.language,
    values: previewValues(fields.name, fields.company ?? fields.account?.name, state.me)});
}

/** "Call" on a lead, contact or deal with a number (record_actions.js): through the provider, or a tel: link. */
function renderCall() {
  const control = callControl({kind, recordId, phone: state.phone, me: state.me, tell: say});
  byId("record-call").replaceChildren(...(control ? [control] : []));
  byId("record-call").hidden = !control;
}

function render() {
  if (!state.record) return;
  renderFacts();
  renderCall();
  renderLeadActions();
  renderTasks();
  renderTimeline();
  renderEmailForm();
  renderOutcomes(byId("call-form"));
}

async function load() {
  const record = await api(base);
  if (kind === "deal" && !state.stages.length) {
    state.stages = (await api(`/pipelines/${encodeURIComponent(record.fields.pipeline_id)}`)).stages;
  }
  state.phone = kind === "account" ? null : await recordPhone(kind, record.fields);
  state.record = record;
  state.events = record.timeline.events;
  state.cursor = record.timeline.next_cursor;
  render();
}

async function main() {
  state.me = await startPage();
  if (!state.me) return;
  signedInUser(state.me);
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
  addActionForms();
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
