/**
 * The deletion review (L9, review.html), for managers and admins: the leads reps asked to delete, oldest first,
 * each with who asked, when and why. Approving erases the person for good, so it asks once more; rejecting keeps
 * the lead. An optional note goes with either decision onto the lead's timeline.
 */

import "./i18n/review.js";
import {api} from "./api.js";
import {h} from "./dom.js";
import {recordHref} from "./links.js";
import {formatDateTime, onLanguageChange, t} from "./i18n.js";
import {isManaging, say, sayError, startPage} from "./page.js";

const byId = (id) => document.getElementById(id);
const state = {requests: null, names: new Map(), notes: new Map()};

const nameOf = (userId) => state.names.get(userId) || userId;

function requestItem(request) {
  const noteId = `review-note-${request.lead_id}`;
  const decision = (name, primary) => h("button", {type: "button", class: primary ? "button button--primary" : "button",
    "data-testid": `review-${name}`, "aria-label": t(`review_${name}Label`, {name: request.name}),
    onclick: (event) => decide(request, name, event.currentTarget)}, t(`review_${name}`));
  return h("li", {"class": "review-request", "data-testid": "review-request", "data-lead-id": request.lead_id},
    h("h2", {class: "review-request-title"}, h("a", {href: recordHref("lead", request.lead_id)}, request.name)),
    h("p", {class: "review-meta", dir: "auto"},
      [request.company, t("reviewOwner", {name: nameOf(request.owner_id)})].filter(Boolean).join(" · ")),
    h("p", {class: "review-asked"},
      t("reviewAsked", {name: nameOf(request.requested_by), when: formatDateTime(request.requested_at)})),
    h("p", {"class": "review-reason", "dir": "auto", "data-testid": "review-reason"}, request.reason),
    h("div", {class: "field"}, h("label", {for: noteId}, t("reviewNote")),
      h("textarea", {"id": noteId, "rows": "2", "maxlength": "1000", "data-testid": "review-note",
        "oninput": (event) => state.notes.set(request.lead_id, event.currentTarget.value)},
      state.notes.get(request.lead_id) ?? "")),
    h("div", {class: "dialog-actions"}, decision("approve", true), decision("reject", false)));
}

function render() {
  if (state.requests === null) return;
  byId("review-summary").textContent = state.requests.length
    ? t("reviewCount", {count: state.requests.length}) : t("reviewNone");
  byId("review-list").replaceChildren(...state.requests.map(requestItem));
}

async function decide(request, decision, button) {
  if (decision === "approve" && !confirm(t("reviewConfirmErase", {name: request.name}))) return;
  const note = (state.notes.get(request.lead_id) ?? "").trim();
  button.disabled = true;
  try {
    await api(`/admin/deletion-requests/${encodeURIComponent(request.lead_id)}/${decision}`,
      {method: "POST", body: note ? {note} : {}});
    state.requests = state.requests.filter((each) => each !== request);
    state.notes.delete(request.lead_id);
    render();
    say(t(decision === "approve" ? "reviewErased" : "reviewKept", {name: request.name}));
  } catch (error) {
    button.disabled = false;
    sayError(error, "reviewDecisionFailed", {name: request.name});
  }
}

async function main() {
  const me = await startPage();
  const page = byId("review");
  if (!me) return;
  if (!isManaging(me)) {
    say(t("reviewManagersOnly"), "error");
    page.setAttribute("aria-busy", "false");
    return;
  }
  onLanguageChange(render);
  try {
    const [pending, team] = await Promise.all([api("/admin/deletion-requests"), api("/users")]);
    for (const user of team) state.names.set(user.user_id, user.name);
    state.requests = pending.requests;
    render();
  } catch (error) {
    sayError(error, "reviewLoadFailed");
  } finally {
    page.setAttribute("aria-busy", "false");
  }
}

main();
