/**
 * A record's timeline events as list items, worded in the reader's language: the record page's whole timeline
 * (record.js) and the last entries in the board's deal panel (deal_panel.js).
 */

import "./i18n/lists.js"; // the lead statuses, named as on the lists
import "./i18n/record.js";
import "./i18n/calls.js";
import {api} from "./api.js";
import {dealTypeName, formatDay} from "./deal_fields.js";
import {h} from "./dom.js";
import {formatDateTime, formatNumber, stageName, t, taskTitle} from "./i18n.js";

const EVENT_ICONS = Object.freeze({
  note: "✎", meeting: "◷", call: "☏", task_created: "☐", task_done: "☑", email_sent: "✉", activity: "☎",
  status_changed: "⇄", stage_changed: "➜", converted: "★", converted_from_lead: "★", deal_created: "✚",
  touch: "☛", scored: "◎", assigned: "☺", owner_changed: "☺", email_opened: "✉", email_clicked: "➚",
  deal_updated: "✎", changes_proposed: "✎", changes_applied: "✔", consent_requested: "✉", consent_confirmed: "✔",
});

/** The translation of `key`, or `value` itself when there is none (a source a marketer named, say). */
export function labelOr(key, value) {
  const label = t(key);
  return label === key ? value : label;
}

export const statusName = (status) => labelOr(`listsStatus_${status}`, status);

/** A changed deal field's value as people read it; "–" for a value cleared or not set before. */
function dealValue(name, value) {
  if (value === null || value === undefined || value === "") return "–";
  if (name === "expected_close_date") return formatDay(value);
  if (name === "deal_type") return dealTypeName(value);
  return name === "amount" ? formatNumber(value) : String(value);
}

/**
 * What an edit of a deal changed, "Expected close: – → 15 Jan 2027", one change after another; or the changes a
 * public form post proposed to a lead, "Name: Jonas Weber → Jonas W. Weber", and that its owner applied.
 */
function fieldChanges(changes = {}) {
  return Object.entries(changes).map(([name, {from, to}]) => {
    const label = name === "title" ? t("recordTitleField") : labelOr(`recordFact_${name}`, name);
    return `${label}: ${dealValue(name, from)} → ${dealValue(name, to)}`;
  }).join(" · ");
}

/** A call's length as m:ss (h:mm:ss past an hour). */
function callLength(seconds) {
  const pad = (value) => String(value).padStart(2, "0");
  const [hours, minutes, rest] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  return hours ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${minutes}:${pad(rest)}`;
}

/** "Incoming · Completed · Duration 1:15 · +49 151 …": the call as it stands (the API's data.call), else the event's. */
function callSummary(data) {
  const call = data.call ?? {};
  const direction = call.direction ?? data.direction;
  const status = call.status ?? data.outcome;
  return [direction && labelOr(direction === "inbound" ? "callInbound" : "callOutbound", direction),
    status && labelOr(`callStatus_${String(status).replaceAll("-", "_")}`, status),
    call.duration_seconds ? t("callDuration", {duration: callLength(call.duration_seconds)}) : null,
    call.customer ?? data.customer].filter(Boolean).join(" · ");
}

/**
 * A call's recording: a Play button that asks the API for a short-lived link (GET /api/calls/{id}/recording) and
 * plays it in an <audio> element; each Play asks again, as the link lives minutes.
 */
function callPlayer(event) {
  const callId = event.data?.call_id;
  if (!callId || !event.data?.call?.has_recording) return null;
  const holder = h("div", {class: "timeline-recording"});
  const play = h("button", {type: "button", class: "secondary", "data-testid": "call-play", onclick: async () => {
    play.disabled = true;
    try {
      const {url} = await api(`/calls/${encodeURIComponent(callId)}/recording`);
      const audio = h("audio", {controls: true, preload: "auto", src: url, "aria-label": t("callRecording"),
        "data-testid": "call-audio"});
      holder.replaceChildren(play, audio);
      await audio.play().catch(() => null); // autoplay may be refused: the controls are there
    } catch {
      holder.replaceChildren(play, h("span", {role: "alert", class: "timeline-error"}, t("callPlayFailed")));
    } finally {
      play.disabled = false;
    }
  }}, t("callPlay"));
  holder.append(play);
  return holder;
}

function eventSummary(event, stageLabel) {
  const data = event.data ?? {};
  switch (event.type) {
    case "note": return data.text;
    case "meeting": return [data.title, formatDateTime(data.starts_at), data.location].filter(Boolean).join(" · ");
    case "task_created": case "task_done": return taskTitle(data.title);
    case "email_sent": return t("recordEmailSummary", {subject: data.subject, to: data.to});
    case "activity": return [data.type && t(`recordActivity_${data.type}`), t(`recordOutcome_${data.outcome ?? "none"}`),
      data.note].filter(Boolean).join(" · ");
    case "status_changed": return `${statusName(data.from)} → ${statusName(data.to)}`;
    case "stage_changed": return `${stageLabel(data.from)} → ${stageLabel(data.to)}`;
    case "deal_updated": case "changes_proposed": case "changes_applied": return fieldChanges(data.changes);
    case "email_opened": case "email_clicked": return data.subject;
    case "call": return callSummary(data);
    default: return "";
  }
}

/**
 * One event, with the name of who did it (the API's `by_name`); `stages` (a deal's pipeline's) name the
 * stages a deal moved between; `action(event)` may give the event a control (the record page's "Apply").
 */
export function timelineItem(event, stages = [], action = () => null) {
  const stageLabel = (id) => stageName(stages.find((stage) => stage.id === id) ?? {id, name: id});
  const label = t(`recordEvent_${event.type}`);
  return h("li", {"class": "timeline-event", "data-testid": `event-${event.type}`, "data-event-id": event.id},
    h("span", {"class": "timeline-icon", "aria-hidden": "true"}, EVENT_ICONS[event.type] ?? "•"),
    h("div", {class: "timeline-body"},
      h("p", {class: "timeline-head"},
        h("strong", {}, label.startsWith("recordEvent_") ? event.type : label), " ",
        h("time", {datetime: event.at}, formatDateTime(event.at)),
        event.from ? h("span", {class: "timeline-from"}, t("recordOnLead")) : null,
        event.data?.by ? h("span", {class: "timeline-by"},
          t("recordBy", {who: event.by_name ?? event.data.call?.rep_name ?? event.data.by})) : null),
      h("p", {class: "timeline-text", dir: "auto"}, eventSummary(event, stageLabel)),
      event.type === "call" ? callPlayer(event) : null,
      action(event)));
}
