/**
 * The forms that add to a record (log a call or email, a note, a task, a meeting, an email from a template), built
 * and sent the same way wherever they appear: the record page (record.js) and the board's deal panel
 * (deal_panel.js). Each form is built from data with its labels marked data-i18n, so a language change re-words it;
 * `prefix` keeps the ids of two copies on one page apart ("" gives the record page's ids: call-form, task-title...).
 *
 * Every add is sent with an Idempotency-Key kept until it succeeds, so a retry after a lost answer adds once; a 422
 * shows each field's reason under that field.
 *
 * Click-to-call (T4) is here too, for the record page, the deal panel and the board's cards alike: "Call" dials the
 * record's number (the provider rings the rep's own phone first), while "Log a call" only writes down a call made
 * elsewhere.
 */

import "./i18n/record.js";
import {ApiError, api} from "./api.js";
import {h, setOptions} from "./dom.js";
import {describeError, formatDateTime, reasonText, t, taskTitle} from "./i18n.js";
import {say, sayError} from "./page.js";

export const ACTIONS = Object.freeze(["call", "note", "task", "meeting", "email"]);
const OUTCOMES = Object.freeze({call: ["no_answer", "answered", "voicemail"], email: ["sent", "replied"]});

/** A labelled field: [label, error line, control]; `required` marks the label and ties the error to the control. */
function field(prefix, action, name, labelKey, control, {required = false} = {}) {
  const id = `${prefix}${action}-${name}`;
  const errorId = `${prefix}${action}-${name}-error`;
  if (!control.id) control.id = id;
  control.setAttribute("aria-describedby", errorId);
  return h("div", {class: "field"},
    h("label", {for: control.id}, h("span", {"data-i18n": labelKey}, t(labelKey)), required
      ? [" ", h("span", {class: "required"}, "(", h("span", {"data-i18n": "required"}, t("required")), ")")] : null),
    h("p", {"class": "field-error", "id": errorId, "hidden": true, "data-testid": errorId}),
    control);
}

function submitButton(prefix, testId, labelKey) {
  return h("button", {"type": "submit", "class": "button button--primary", "data-testid": `${prefix}${testId}`,
    "data-i18n": labelKey}, t(labelKey));
}

const BUILDERS = Object.freeze({
  call: (prefix) => [
    field(prefix, "call", "type", "recordActivityType",
      h("select", {"name": "type", "data-testid": `${prefix}call-type`})),
    field(prefix, "call", "outcome", "recordOutcome",
      h("select", {"name": "outcome", "data-testid": `${prefix}call-outcome`})),
    field(prefix, "call", "note", "recordNote",
      h("textarea", {"name": "note", "rows": 2, "maxlength": 4000, "data-testid": `${prefix}call-note`})),
    submitButton(prefix, "call-submit", "recordLogCall"),
  ],
  note: (prefix) => [
    field(prefix, "note", "text", "recordNote", h("textarea", {"name": "text", "rows": 3, "maxlength": 10000,
      "required": true, "data-testid": `${prefix}note-text`}), {required: true}),
    submitButton(prefix, "note-submit", "recordSaveNote"),
  ],
  task: (prefix) => [
    field(prefix, "task", "title", "recordTitleField", h("input", {"type": "text", "name": "title",
      "maxlength": 200, "required": true, "data-testid": `${prefix}task-title`}), {required: true}),
    field(prefix, "task", "due_at", "recordDue", h("input", {"type": "datetime-local", "name": "due_at",
      "required": true, "data-testid": `${prefix}task-due`, "id": `${prefix}task-due`}), {required: true}),
    field(prefix, "task", "notes", "recordNotes", h("textarea", {name: "notes", rows: 2, maxlength: 10000})),
    submitButton(prefix, "task-submit", "recordSaveTask"),
  ],
  meeting: (prefix) => [
    field(prefix, "meeting", "title", "recordTitleField", h("input", {"type": "text", "name": "title",
      "maxlength": 200, "required": true, "data-testid": `${prefix}meeting-title`}), {required: true}),
    h("div", {class: "field-row"},
      field(prefix, "meeting", "starts_at", "recordStarts", h("input", {"type": "datetime-local",
        "name": "starts_at", "required": true, "id": `${prefix}meeting-start`,
        "data-testid": `${prefix}meeting-start`}), {required: true}),
      field(prefix, "meeting", "duration_minutes", "recordDuration", h("input", {"type": "number",
        "name": "duration_minutes", "min": 1, "max": 1440, "value": 30, "required": true,
        "id": `${prefix}meeting-duration`}))),
    field(prefix, "meeting", "location", "recordLocation", h("input", {type: "text", name: "location",
      maxlength: 200})),
    field(prefix, "meeting", "notes", "recordNotes", h("textarea", {name: "notes", rows: 2, maxlength: 10000})),
    submitButton(prefix, "meeting-submit", "recordSaveMeeting"),
  ],
  email: (prefix) => [
    field(prefix, "email", "recipient", "recordTemplate", h("select", {"name": "template_id",
      "id": `${prefix}email-template`, "data-testid": `${prefix}email-template`})),
    h("figure", {"class": "email-preview", "aria-labelledby": `${prefix}email-preview-caption`},
      h("figcaption", {"id": `${prefix}email-preview-caption`, "data-i18n": "recordPreview"}, t("recordPreview")),
      h("p", {"class": "email-preview-subject", "data-testid": `${prefix}email-preview-subject`}),
      h("pre", {class: "email-preview-body"})),
    submitButton(prefix, "email-send", "recordSend"),
  ],
});

/**
 * A new form for `action` (one of ACTIONS). `send(form, body)` is called with the checked body on submit and
 * answers whether it was sent (see submitAction); a call form re-lists its outcomes when its type changes.
 */
export function actionForm(action, {prefix = "", send}) {
  const form = h("form", {"id": `${prefix}${action}-form`, "class": "action-form",
    "data-testid": `${prefix}${action}-form`, "novalidate": true}, BUILDERS[action](prefix));
  if (action === "call") {
    form.elements.type.addEventListener("change", () => renderOutcomes(form));
    renderOutcomes(form);
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const {body, missing} = readAction(action, form);
    if (missing.length) {
      showFieldErrors(form, Object.fromEntries(missing.map((name) => [name, t("recordRequired")])));
      return;
    }
    if (await send(form, body)) say(t(doneMessage(action, body)));
  });
  return form;
}

function doneMessage(action, body) {
  if (action === "call") return body.type === "email" ? "recordEmailLogged" : "recordCallLogged";
  return {note: "recordNoteSaved", task: "recordTaskSaved", meeting: "recordMeetingSaved",
    email: "recordEmailSent"}[action];
}

function isoFrom(localValue) {
  return localValue ? new Date(localValue).toISOString() : null;
}

function optional(value) {
  return value.trim() || null;
}

/** The request body a form's fields make, and the required fields left empty. */
function readAction(action, form) {
  const fields = form.elements;
  const bodies = {
    call: () => ({type: fields.type.value, outcome: fields.outcome.value, note: optional(fields.note.value)}),
    note: () => ({text: fields.text.value.trim()}),
    task: () => ({title: fields.title.value.trim(), due_at: isoFrom(fields.due_at.value),
      notes: optional(fields.notes.value)}),
    meeting: () => ({title: fields.title.value.trim(), starts_at: isoFrom(fields.starts_at.value),
      duration_minutes: Number(fields.duration_minutes.value) || null, location: optional(fields.location.value),
      notes: optional(fields.notes.value)}),
    email: () => ({template_id: fields.template_id.value}),
  };
  const required = {note: ["text"], task: ["title", "due_at"], meeting: ["title", "starts_at"]}[action] ?? [];
  const body = bodies[action]();
  return {body, missing: required.filter((name) => !body[name])};
}

/** The path a record's action posts to: a lead's calls go through its follow-up rules, the rest to the record. */
export function actionPath(kind, recordId, action) {
  const record = `/records/${encodeURIComponent(kind)}/${encodeURIComponent(recordId)}`;
  if (action === "call") return kind === "lead" ? `/leads/${encodeURIComponent(recordId)}/activities`
    : `${record}/activities`;
  return `${record}/${{note: "notes", task: "tasks", meeting: "meetings", email: "email"}[action]}`;
}

/**
 * Sends a form once: its Idempotency-Key stays until the post succeeds, so a retry never adds twice. On success
 * the form is emptied and `then()` (the caller's reload) awaited; a 422 shows each field's reason under it.
 */
export async function submitAction(form, path, body, then = async () => {}) {
  form.dataset.key ||= crypto.randomUUID();
  clearFieldErrors(form);
  try {
    await api(path, {method: "POST", body, headers: {"Idempotency-Key": form.dataset.key}});
    delete form.dataset.key;
    form.reset();
    if (form.elements.type && form.elements.outcome) renderOutcomes(form);
    await then();
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

function clearFieldErrors(form) {
  for (const error of form.querySelectorAll(".field-error")) error.hidden = true;
}

/** Each field's reason under that field; reasons for fields the form does not show go to the page's message. */
export function showFieldErrors(form, errors) {
  let shown = false;
  for (const [name, message] of Object.entries(errors)) {
    const element = form.querySelector(`[id$="-${name}-error"]`);
    if (element) {
      element.textContent = message;
      element.hidden = false;
      shown = true;
    }
  }
  if (!shown) say(Object.values(errors).join(" "), "error");
}

/** A call's outcomes or an email's, for the kind of activity picked. */
export function renderOutcomes(form) {
  const {type, outcome} = form.elements;
  setOptions(type, ["call", "email"].map((value) => ({value, label: t(`recordActivity_${value}`)})));
  setOptions(outcome, OUTCOMES[type.value].map((value) => ({value, label: t(`recordOutcome_${value}`)})));
}

/**
 * The templates in an email form's list, and the preview of the picked one: what the recipient will read in their
 * `language`, its placeholders filled in from `values` ({first_name, name, company, rep_name, ...}).
 */
export function renderTemplates(form, templates, {language, values}) {
  const picker = form.elements.template_id;
  setOptions(picker, templates.map((template) => ({value: template.id,
    label: (template.translations[document.documentElement.lang] ?? template.translations.en).name})));
  const preview = () => {
    const template = templates.find((each) => each.id === picker.value);
    if (!template) return;
    const text = template.translations[language] ?? template.translations.en;
    const fill = (source) => source.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => values[name] ?? "");
    const subject = form.querySelector(".email-preview-subject");
    const body = form.querySelector(".email-preview-body");
    subject.textContent = fill(text.subject);
    body.textContent = fill(text.body);
    subject.lang = body.lang = language ?? "en";
  };
  picker.onchange = preview;
  preview();
}

/** What a template's placeholders are filled with for a person (`name`, `company`) written to by `me`. */
export function previewValues(name, company, me) {
  return {first_name: (name ?? "").split(/\s+/)[0] ?? "", name: name ?? "", company: company ?? "",
    rep_name: me?.name ?? "", rep_email: me?.email ?? "", rep_phone: ""};
}

/** An open task with its due time and a button marking it done; `then()` (the caller's reload) follows. */
export function taskItem(task, then) {
  const done = async () => {
    try {
      await api(`/tasks/${encodeURIComponent(task.task_id)}/done`, {method: "POST"});
      say(t("recordTaskDone", {title: taskTitle(task.title)}));
      await then();
    } catch (error) {
      sayError(error);
    }
  };
  return h("li", {"class": "record-task", "data-testid": `record-task-${task.task_id}`},
    h("span", {class: "record-task-title", dir: "auto"}, taskTitle(task.title)),
    h("span", {class: "record-task-due"}, t("recordDueAt", {when: formatDateTime(task.due_at)})),
    task.overdue ? h("span", {class: "badge badge--overdue"}, t("overdue")) : null,
    h("button", {"type": "button", "class": "button", "data-testid": `task-done-${task.task_id}`,
      "aria-label": t("recordMarkDoneLabel", {title: taskTitle(task.title)}), "onclick": done}, t("recordMarkDone")));
}

// ----- click-to-call

const ISOLATE = (text) => `\u2066${text}\u2069`; // a number reads left to right inside a Persian sentence too
let signedIn = null;

/**
 * Who is signed in (GET /api/me: click_to_call names the configured provider, or null), asked once per page; a page
 * that has it from startPage() hands it over as `known`.
 */
export function signedInUser(known = null) {
  if (known) signedIn = Promise.resolve(known);
  signedIn ??= api("/me").catch((error) => {
    signedIn = null; // a failed answer is asked again next time, not kept
    throw error;
  });
  return signedIn;
}

/** A tel: link's target: the number's digits and its leading +. */
export function telHref(phone) {
  return `tel:${String(phone).replace(/[^\d+]/g, "")}`;
}

/**
 * The number a call from a record dials, as the API picks it (crm.services.click_to_call.record_phone): a lead's or
 * a contact's own; a deal's contact's, else its lead's. Null when there is none, or that person is not the viewer's.
 */
export async function recordPhone(kind, fields) {
  if (kind !== "deal" || fields.phone) return fields.phone ?? null;
  const [personKind, personId] = fields.contact_id ? ["contact", fields.contact_id] : ["lead", fields.lead_id];
  if (!personId) return null;
  return api(`/records/${personKind}/${encodeURIComponent(personId)}`).then((found) => found.fields.phone ?? null,
    () => null);
}

/**
 * Asks the provider to ring the rep's phone, then connect the record's number (POST
 * /api/records/{kind}/{id}/call); `tell(text, kind)` says what happens. A 409 with a tel: link (no provider any
 * more) dials from this device instead.
 */
export async function startCall(kind, recordId, tell) {
  try {
    const answer = await api(`/records/${encodeURIComponent(kind)}/${encodeURIComponent(recordId)}/call`,
      {method: "POST"});
    tell(t("recordCalling", {number: ISOLATE(answer.customer)}));
  } catch (error) {
    if (error.status === 401) return;
    if (error.status === 409 && error.body.tel) {
      tell(reasonText(error.body));
      location.assign(error.body.tel);
      return;
    }
    const reason = error.status === 422 ? error.fieldErrors.phone ?? describeError(error) : describeError(error);
    tell(t("recordCallFailed", {message: reason}), "error");
  }
}

/**
 * A record's Call control for `phone` (null: nothing to call, no control): with a provider configured (`me` from
 * signedInUser) a button starting the call, else a plain tel: link to the number.
 */
export function callControl({kind, recordId, phone, me, tell, testId = "call-record"}) {
  if (!phone) return null;
  const words = [h("span", {}, t("recordCall")), " ",
    h("bdi", {class: "record-call-number", dir: "ltr"}, phone)];
  if (!me?.click_to_call) {
    return h("a", {"class": "button record-call", "href": telHref(phone), "data-testid": testId,
      "data-mode": "tel"}, words);
  }
  return h("button", {"type": "button", "class": "button button--primary record-call", "data-testid": testId,
    "data-mode": me.click_to_call, "onclick": async (event) => {
      const button = event.currentTarget;
      button.disabled = true; // one click, one call
      try {
        await startCall(kind, recordId, tell);
      } finally {
        button.disabled = false;
      }
    }}, words);
}

/**
 * Call from where the number is not at hand (a board card): through the provider when one is configured, else the
 * record's number read first and dialled from this device.
 */
export async function callRecord(kind, recordId, tell) {
  try {
    const me = await signedInUser();
    if (me.click_to_call) return await startCall(kind, recordId, tell);
    const record = await api(`/records/${encodeURIComponent(kind)}/${encodeURIComponent(recordId)}`);
    const phone = await recordPhone(kind, record.fields);
    if (phone) location.assign(telHref(phone));
    else tell(t("recordCallFailed", {message: reasonText({code: "record_has_no_phone"})}), "error");
  } catch (error) {
    if (error.status !== 401) tell(t("recordCallFailed", {message: describeError(error)}), "error");
  }
}
