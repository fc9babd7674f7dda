/**
 * The deal side panel of the board: opening a card shows the deal at the inline end of the page (the left in
 * Persian; the whole width on a phone) without leaving the board. It shows the title, account, contact (phone and
 * email as links), amount and weighted amount, the stage (moved from a menu on an explicit choice, a lost reason
 * asked for a lost stage), owner, expected close date and deal type (changed in place: PATCH /api/deals/{id} with
 * the version read), the open tasks, the latest timeline entries and a link to the full record page.
 *
 * Quick actions log a call, email the deal's contact from a template, or schedule a task or a meeting, with the
 * record page's own forms (record_actions.js); "Call" beside them dials the deal's person (its contact, else its
 * lead) through the telephony provider, or is a tel: link without one. A stale version (409) shows the deal as it
 * is now and says so. After every change `onChange(card)` gets the fresh card, so the board can put it where it
 * now belongs.
 *
 * The panel is a labelled, non-modal dialog: Escape or its close button closes it and focus goes back to where it
 * was (the card). It loads its own styles (css/deal_panel.css, and record.css for the shared parts).
 */

import "./i18n/deal_panel.js";
import {api} from "./api.js";
import {DEAL_TYPES, dealFactValue, dealTypeName, formatDay} from "./deal_fields.js";
import {announce, h, setOptions} from "./dom.js";
import {describeError, formatDateTime, formatMoney, lostReasonLabel, onLanguageChange, stageName, t}
  from "./i18n.js";
import {recordHref} from "./links.js";
import {
  actionForm, actionPath, callControl, previewValues, recordPhone, renderOutcomes, renderTemplates, signedInUser,
  submitAction, taskItem,
} from "./record_actions.js";
import {timelineItem} from "./timeline.js";

const PREFIX = "deal-panel-";
const QUICK_ACTIONS = Object.freeze(["call", "email", "task", "meeting"]);
const LATEST = 5; // timeline entries shown; the record page has the rest
const EDITABLE = Object.freeze({expected_close_date: "dealPanelCloseDate", deal_type: "dealPanelType"});

const state = {
  panel: null, dealId: null, deal: null, record: null, contact: null, phone: null, pipeline: null, onChange: () => {},
  returnTo: null, action: null, editing: null, templates: null, me: null, forms: new Map(), opened: 0,
  drafts: {}, // what the rep picked or typed in the facts and has not sent yet: a redraw keeps it

};

const part = (name) => state.panel.querySelector(`[data-part="${name}"]`);

/** The record page's styles for tasks, timeline and forms, and the panel's own: once per page. */
function loadStyles() {
  for (const sheet of ["record", "deal_panel"]) {
    const href = new URL(`../css/${sheet}.css`, import.meta.url).href;
    if (![...document.styleSheets].some((loaded) => loaded.href === href)
      && !document.querySelector(`link[href="${href}"]`)) {
      document.head.append(h("link", {rel: "stylesheet", href}));
    }
  }
}

function buildPanel() {
  const panel = h("dialog", {"class": "deal-panel", "id": "deal-panel", "data-testid": "deal-panel",
    "aria-labelledby": "deal-panel-title"},
  h("header", {class: "deal-panel-head"},
    h("p", {"class": "deal-panel-kind", "data-i18n": "dealPanelKind"}, t("dealPanelKind")),
    h("h2", {"id": "deal-panel-title", "data-testid": "deal-panel-title", "tabindex": -1, "dir": "auto"}),
    h("button", {"type": "button", "class": "deal-panel-close", "data-testid": "deal-panel-close",
      "data-i18n-attr": "aria-label:dealPanelClose; title:dealPanelClose", "aria-label": t("dealPanelClose"),
      "onclick": closeDealPanel}, h("span", {"aria-hidden": "true"}, "×"))),
  h("div", {"class": "deal-panel-message", "data-testid": "deal-panel-message", "role": "status",
    "aria-live": "polite", "aria-atomic": "true", "data-part": "message"}),
  h("dl", {"class": "deal-panel-facts", "data-testid": "deal-panel-facts", "data-part": "facts"}),
  h("section", {"class": "deal-panel-section", "aria-labelledby": "deal-panel-actions-heading"},
    h("h3", {"id": "deal-panel-actions-heading", "data-i18n": "dealPanelActions"}, t("dealPanelActions")),
    h("div", {class: "deal-panel-quick", role: "group", "aria-labelledby": "deal-panel-actions-heading"},
      h("span", {"class": "deal-panel-call", "data-part": "call"}),
      QUICK_ACTIONS.map((action) => h("button", {"type": "button", "class": "button",
        "data-testid": `deal-panel-action-${action}`, "aria-expanded": "false",
        "aria-controls": "deal-panel-action-area", "data-i18n": `dealPanelAction_${action}`,
        "onclick": () => showAction(state.action === action ? null : action, {focus: true})},
      t(`dealPanelAction_${action}`)))),
    h("div", {"class": "deal-panel-action", "id": "deal-panel-action-area", "data-part": "action"})),
  h("section", {"class": "deal-panel-section", "aria-labelledby": "deal-panel-tasks-heading"},
    h("h3", {"id": "deal-panel-tasks-heading", "data-i18n": "dealPanelOpenTasks"}, t("dealPanelOpenTasks")),
    h("ul", {"class": "record-tasks", "data-testid": "deal-panel-tasks", "data-part": "tasks"})),
  h("section", {"class": "deal-panel-section", "aria-labelledby": "deal-panel-latest-heading"},
    h("h3", {"id": "deal-panel-latest-heading", "data-i18n": "dealPanelLatest"}, t("dealPanelLatest")),
    h("ol", {"class": "timeline", "data-testid": "deal-panel-timeline", "data-part": "timeline"}),
    h("a", {"class": "deal-panel-record", "data-testid": "deal-panel-record", "data-part": "record",
      "data-i18n": "dealPanelFullRecord"}, t("dealPanelFullRecord"))));
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    event.preventDefault();
    closeDealPanel();
  });
  panel.addEventListener("cancel", (event) => event.preventDefault());
  document.body.append(panel);
  onLanguageChange(() => {
    if (!panel.open) return;
    renderAll();
    for (const form of state.forms.values()) if (form.id === `${PREFIX}call-form`) renderOutcomes(form);
  });
  return panel;
}

function say(text, kind = "info") {
  announce(part("message"), text, kind);
}

/**
 * Opens the panel on a deal. `card` is the board's card (shown at once, while the rest loads), `pipeline` the
 * board's pipeline (its stages and lost reasons), `action` one of "call", "email", "task", "meeting" to open that
 * quick action's form ready, `onChange(card)` what the board does with the fresh card after a change.
 */
export async function openDealPanel({dealId, card, pipeline, action = null, onChange = () => {}}) {
  loadStyles();
  state.panel ??= buildPanel();
  const opened = ++state.opened;
  const reopened = state.panel.open && state.dealId === dealId;
  if (!state.panel.contains(document.activeElement)) state.returnTo = document.activeElement; // the card's link
  Object.assign(state, {dealId, pipeline, onChange, deal: {...card}, editing: null, drafts: {}});
  if (!reopened) {
    Object.assign(state, {record: null, contact: null, phone: null, action: null});
    state.forms.clear();
    part("action").replaceChildren();
    part("message").textContent = "";
  }
  renderAll();
  if (!state.panel.open) state.panel.show();
  if (!action) state.panel.querySelector("#deal-panel-title").focus();
  try {
    await load();
  } catch (error) {
    if (opened === state.opened) say(error.status === 404 ? t("dealPanelGone") : describeError(error), "error");
    return;
  }
  if (opened !== state.opened) return;
  if (action) showAction(action, {focus: true});
}

export function closeDealPanel() {
  if (!state.panel?.open) return;
  state.panel.close();
  state.opened += 1; // answers still on their way are for a panel no longer shown
  // where the panel was opened from; when the board has redrawn that card since, the card as it is now
  const card = document.getElementById(`card-${state.dealId}`);
  const opener = state.returnTo?.isConnected && state.returnTo !== document.body ? state.returnTo : null;
  (opener ?? card?.querySelector("a[href]") ?? card)?.focus();
}

/** The deal's record (facts, open tasks, timeline) and its contact's name, phone and email when it has one. */
async function load() {
  const dealId = state.dealId;
  const record = await api(`/records/deal/${encodeURIComponent(dealId)}`);
  let contact = null;
  if (record.fields.contact_id) {
    contact = await api(`/records/contact/${encodeURIComponent(record.fields.contact_id)}`)
      .then((found) => found.fields, () => null); // another rep's contact: the deal shows without it
  }
  // the number "Call" dials, as the API picks it: the contact's, else (no contact) the lead's
  const phone = record.fields.contact_id ? contact?.phone ?? null : await recordPhone("deal", record.fields);
  state.me ??= await signedInUser().catch(() => null); // unknown: "Call" is a tel: link meanwhile
  if (dealId !== state.dealId) return;
  state.record = record;
  state.contact = contact;
  state.phone = phone;
  state.deal = {...state.deal, ...record.fields};
  renderAll();
}

/** After a change: the fresh record, and the board told about the card as it is now. */
async function reload() {
  await load();
  state.onChange(cardOf(state.deal));
}

function cardOf(deal) {
  const {timeline: _timeline, ...card} = deal;
  return card;
}

// ----- rendering

function renderAll() {
  const deal = state.deal;
  state.panel.querySelector("#deal-panel-title").textContent = deal.title ?? "";
  part("record").href = recordHref("deal", state.dealId);
  renderFacts();
  renderCall();
  renderTasks();
  renderTimeline();
  for (const button of state.panel.querySelectorAll("[data-testid^='deal-panel-action-']")) {
    button.setAttribute("aria-expanded", String(button.dataset.testid === `deal-panel-action-${state.action}`));
  }
  if (state.action === "email") renderEmail();
}

function renderCall() {
  const control = callControl({kind: "deal", recordId: state.dealId, phone: state.phone, me: state.me, tell: say,
    testId: "deal-panel-call"});
  part("call").replaceChildren(...(control ? [control] : []));
}

function fact(labelKey, ...value) {
  return [h("dt", {}, t(labelKey)), h("dd", {}, h("bdi", {}, ...value))];
}

function renderFacts() {
  const deal = state.deal;
  // a redraw (the deal reloaded after a change) keeps focus on the same control
  const focused = part("facts").contains(document.activeElement) ? document.activeElement.id : "";
  const notSet = h("span", {class: "deal-panel-unset"}, t("dealPanelNotSet"));
  const account = deal.account_name && (deal.account_id
    ? h("a", {href: recordHref("account", deal.account_id)}, deal.account_name) : deal.account_name);
  const weighted = dealFactValue(deal, "weighted_amount");
  part("facts").replaceChildren(
    ...(account ? fact("dealPanelAccount", account) : []),
    ...(state.contact ? fact("dealPanelContact", contactFact(state.contact)) : []),
    ...fact("dealPanelAmount", deal.amount ? formatMoney(deal.amount, deal.currency) : notSet.cloneNode(true)),
    ...(weighted ? fact("dealPanelWeighted", weighted) : []),
    h("dt", {}, h("label", {for: `${PREFIX}stage`}, t("dealPanelStage"))), h("dd", {}, stageMenu()),
    ...(deal.lost_reason ? fact("dealPanelLostReason", lostReasonLabel(deal.lost_reason)) : []),
    ...(deal.owner_name || deal.owner_id ? fact("dealPanelOwner", deal.owner_name || deal.owner_id) : []),
    ...editableFact("expected_close_date", deal.expected_close_date ? formatDay(deal.expected_close_date) : null),
    ...editableFact("deal_type", deal.deal_type ? dealTypeName(deal.deal_type) : null),
    ...(deal.next_task_due_at ? fact("dealPanelNextTask", formatDateTime(deal.next_task_due_at)) : []));
  if (focused) document.getElementById(focused)?.focus();
}

function contactFact(contact) {
  const name = contact.name || contact.email || contact.phone;
  return h("span", {class: "deal-panel-contact"},
    h("a", {"href": recordHref("contact", contact.contact_id), "data-testid": "deal-panel-contact"}, name),
    contact.phone ? h("a", {"href": `tel:${contact.phone.replace(/[^\d+]/g, "")}`, "data-testid": "deal-panel-phone",
      "aria-label": t("dealPanelCallContact", {name}), "dir": "ltr"}, contact.phone) : null,
    contact.email ? h("a", {"href": `mailto:${contact.email}`, "data-testid": "deal-panel-email", "dir": "ltr"},
      contact.email) : null);
}

// ----- the stage menu: a move on an explicit choice (the Move button), a lost stage asks why

function stageMenu() {
  const stages = (state.pipeline?.stages ?? []).filter((stage) => !stage.archived);
  const select = h("select", {"id": `${PREFIX}stage`, "data-testid": "deal-panel-stage"});
  setOptions(select, stages.map((stage) => ({value: stage.id, label: stageName(stage)})),
    state.drafts.stage_id ?? state.deal.stage_id);
  const reasons = state.pipeline?.lost_reasons ?? [];
  const reason = h("select", {"id": `${PREFIX}lost-reason`, "data-testid": "deal-panel-lost-reason"});
  setOptions(reason, reasons.map((text) => ({value: text, label: lostReasonLabel(text)})), state.drafts.lost_reason);
  const reasonField = h("span", {class: "deal-panel-lost", hidden: true},
    h("label", {for: reason.id}, t("dealPanelLostReason")), reason);
  const move = h("button", {"type": "submit", "class": "button", "data-testid": "deal-panel-move"},
    t("dealPanelMove"));
  const chosen = () => stages.find((stage) => stage.id === select.value);
  const showChoice = () => {
    reasonField.hidden = !(chosen()?.kind === "lost" && reasons.length);
    move.disabled = select.value === state.deal.stage_id;
  };
  select.addEventListener("change", () => {
    state.drafts.stage_id = select.value;
    showChoice();
  });
  reason.addEventListener("change", () => { state.drafts.lost_reason = reason.value; });
  showChoice();
  return h("form", {class: "deal-panel-stage", onsubmit: (event) => {
    event.preventDefault();
    const stage = chosen();
    if (stage && stage.id !== state.deal.stage_id) {
      moveTo(stage, stage.kind === "lost" && reasons.length ? reason.value : null);
    }
  }}, select, reasonField, move);
}

async function moveTo(stage, lostReason) {
  await change(() => api(`/deals/${encodeURIComponent(state.dealId)}/move`, {method: "POST",
    body: {stage_id: stage.id, version: state.deal.version, ...(lostReason ? {lost_reason: lostReason} : {})}}),
  t("dealPanelMoved", {stage: stageName(stage)}), `${PREFIX}stage`);
}

/**
 * Sends a change of the deal (a move or an edit) and shows its answer: the fresh card, or on 409 the card as it is
 * now with the news that someone changed it meanwhile. Focus lands on `focusId` once the panel shows it.
 */
async function change(send, done, focusId, onInvalid = null) {
  let card = null;
  try {
    card = await send();
    say(done);
  } catch (error) {
    if (error.status === 409 && error.body.deal) {
      card = error.body.deal;
      say(t("dealPanelStale"), "error");
    } else if (error.status === 422 && onInvalid) {
      onInvalid(error);
      return;
    } else {
      say(error.status === 404 ? t("dealPanelGone") : describeError(error), "error");
      return;
    }
  }
  state.editing = null;
  state.drafts = {};
  state.deal = {...state.deal, ...card};
  renderAll();
  document.getElementById(focusId)?.focus();
  state.onChange(cardOf(state.deal));
  try {
    await load(); // the move's robots and the change itself are on the timeline now
  } catch (error) {
    say(describeError(error), "error");
  }
}

// ----- in-place edits: the expected close date and the deal type

function editableFact(name, shown) {
  const label = t(EDITABLE[name]);
  if (state.editing !== name) {
    return [h("dt", {}, label), h("dd", {class: "deal-panel-editable"},
      shown ? h("span", {"dir": "auto", "data-testid": `deal-panel-${name}`}, shown)
        : h("span", {"class": "deal-panel-unset", "data-testid": `deal-panel-${name}`}, t("dealPanelNotSet")),
      h("button", {"type": "button", "class": "button button--small", "id": `${PREFIX}edit-${name}`,
        "data-testid": `deal-panel-edit-${name}`, "aria-label": t("dealPanelEditLabel", {field: label}),
        "onclick": () => startEditing(name)}, t("dealPanelEdit")))];
  }
  const id = `${PREFIX}${name}-input`;
  const errorId = `${PREFIX}${name}-error`;
  const input = name === "deal_type"
    ? h("select", {id, "data-testid": `${id}`, "aria-describedby": errorId})
    : h("input", {id, "type": "date", "data-testid": `${id}`, "aria-describedby": errorId,
      "value": state.drafts[name] ?? state.deal.expected_close_date ?? ""});
  if (name === "deal_type") {
    setOptions(input, [{value: "", label: t("dealPanelNotSet")},
      ...DEAL_TYPES.map((type) => ({value: type, label: dealTypeName(type)}))],
    state.drafts[name] ?? state.deal.deal_type ?? "");
  }
  input.addEventListener("input", () => { state.drafts[name] = input.value; });
  input.addEventListener("change", () => { state.drafts[name] = input.value; });
  const error = h("p", {"class": "field-error", "id": errorId, "hidden": true, "data-testid": errorId});
  const stopEditing = () => {
    state.editing = null;
    delete state.drafts[name];
    renderFacts();
    document.getElementById(`${PREFIX}edit-${name}`)?.focus();
  };
  return [h("dt", {}, h("label", {for: id}, label)), h("dd", {},
    h("form", {"class": "deal-panel-edit", "data-testid": `deal-panel-${name}-form`, "novalidate": true,
      "onkeydown": (event) => {
        if (event.key !== "Escape") return;
        event.preventDefault(); // Escape leaves the edit, not the panel
        stopEditing();
      },
      "onsubmit": (event) => {
        event.preventDefault();
        save(name, input.value || null, error);
      }},
    input, error,
    h("span", {class: "deal-panel-edit-buttons"},
      h("button", {"type": "submit", "class": "button button--primary button--small",
        "data-testid": `deal-panel-save-${name}`}, t("dealPanelSave")),
      h("button", {type: "button", class: "button button--small", onclick: stopEditing}, t("dealPanelCancel")))))];
}

function startEditing(name) {
  state.editing = name;
  renderFacts();
  document.getElementById(`${PREFIX}${name}-input`)?.focus();
}

async function save(name, value, errorLine) {
  const field = t(EDITABLE[name]);
  await change(() => api(`/deals/${encodeURIComponent(state.dealId)}`, {method: "PATCH",
    body: {version: state.deal.version, [name]: value}}), t("dealPanelSaved", {field}), `${PREFIX}edit-${name}`,
  (error) => {
    errorLine.textContent = error.fieldErrors[name] ?? describeError(error);
    errorLine.hidden = false;
    document.getElementById(`${PREFIX}${name}-input`)?.focus();
  });
}

// ----- open tasks and the latest timeline entries

function renderTasks() {
  const tasks = state.record?.open_tasks ?? [];
  part("tasks").replaceChildren(...(tasks.length ? tasks.map((task) => taskItem(task, reload))
    : [h("li", {class: "record-empty"}, t(state.record ? "recordNoTasks" : "dealPanelLoading"))]));
}

function renderTimeline() {
  const events = (state.record?.timeline.events ?? []).slice(0, LATEST);
  part("timeline").replaceChildren(...(events.length
    ? events.map((event) => timelineItem(event, state.pipeline?.stages))
    : [h("li", {class: "record-empty"}, t(state.record ? "recordNoEvents" : "dealPanelLoading"))]));
}

// ----- quick actions

/** Shows one quick action's form (kept while the panel shows this deal, with what was typed), or none. */
function showAction(action, {focus = false} = {}) {
  state.action = action;
  const area = part("action");
  if (!action) {
    area.replaceChildren();
    renderAll();
    return;
  }
  if (!state.forms.has(action)) {
    state.forms.set(action, actionForm(action, {prefix: PREFIX,
      send: (form, body) => submitAction(form, actionPath("deal", state.dealId, action), body, reload)}));
  }
  area.replaceChildren(h("h4", {class: "deal-panel-action-title"}, t(`dealPanelAction_${action}`)),
    state.forms.get(action));
  renderAll();
  if (action === "email") prepareEmail(focus);
  else if (focus) area.querySelector("select, input, textarea")?.focus();
}

/** The deal's contact is who an email goes to: without one with an address, the panel says why instead. */
function emailBlocker() {
  if (!state.record) return t("dealPanelLoading");
  if (!state.deal.contact_id || !state.contact) return t("dealPanelNoContact");
  if (!state.contact.email) return t("dealPanelNoEmail", {name: state.contact.name});
  return null;
}

async function prepareEmail(focus) {
  if (state.templates === null && !emailBlocker()) {
    try {
      state.me ??= await signedInUser(); // the rep's name and address in the preview, as the email will have them
      state.templates = await api("/email-templates");
    } catch (error) {
      say(describeError(error), "error");
      return;
    }
  }
  renderEmail();
  if (focus) part("action").querySelector("select, [data-testid='deal-panel-email-blocked']")?.focus();
}

function renderEmail() {
  const form = state.forms.get("email");
  const area = part("action");
  const blocker = emailBlocker();
  area.querySelector("[data-testid='deal-panel-email-blocked']")?.remove();
  form.hidden = Boolean(blocker);
  if (blocker) {
    area.append(h("p", {"class": "deal-panel-blocked", "data-testid": "deal-panel-email-blocked", "tabindex": -1},
      blocker));
    return;
  }
  if (state.templates === null) return;
  const contact = state.contact;
  renderTemplates(form, state.templates, {language: contact.language,
    values: previewValues(contact.name, state.deal.account_name, state.me)});
}
