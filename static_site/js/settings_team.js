/**
 * Settings, the team (D3): everyone who works in the CRM in a table; an admin adds a user or edits one in a
 * dialog (PUT /api/users/{user_id}). A user's phone, PBX extension and SIP user are how the telephony webhooks
 * name them (T1): a call is matched to its rep by any of the three. A user is never deleted, only made inactive;
 * the API refuses (409) a change that would leave the CRM without an active admin, and the dialog says so.
 */

import {api} from "./api.js";
import {h, setOptions} from "./dom.js";
import {LANGUAGES, roleName, t} from "./i18n.js";
import {say, sayError} from "./page.js";
import {bindError, clearErrors, showErrors} from "./settings_errors.js";

const ROLES = ["rep", "manager", "admin"];
const USER_ID = /^[a-z0-9][a-z0-9._-]{1,63}$/;
const FIELDS = ["user_id", "name", "email", "role", "language", "phone", "extension", "sip_user", "timezone",
  "active"];

const byId = (id) => document.getElementById(id);
const input = (field) => byId(field === "user_id" ? "user-id" : `user-${field}`);
const state = {users: [], editing: null, canEdit: false};

function cell(value) {
  return h("td", {}, value === null || value === undefined || value === "" ? "–" : value);
}

function renderRows() {
  byId("team-rows").replaceChildren(...state.users.map((user) => h("tr",
    {"data-testid": `team-row-${user.user_id}`, class: user.active ? null : "is-inactive"},
    h("th", {scope: "row"}, user.name),
    cell(user.user_id),
    cell(roleName(user.role)),
    cell(user.email),
    cell(user.phone),
    cell(user.extension),
    cell(user.sip_user),
    cell(LANGUAGES[user.language]?.name ?? user.language),
    cell(user.timezone),
    cell(user.active ? t("settingsTeamYes") : t("settingsTeamNo")),
    state.canEdit ? h("td", {}, h("button", {type: "button", class: "button button--small",
      "data-testid": `team-edit-${user.user_id}`, "aria-label": t("settingsTeamEditLabel", {name: user.name}),
      onclick: () => openDialog(user)}, t("settingsTeamEdit"))) : null)));
}

async function load() {
  try {
    state.users = await api("/users");
  } catch (error) {
    sayError(error, "settingsLoadFailed");
    return;
  }
  renderRows();
}

function fillChoices() {
  setOptions(input("role"), ROLES.map((role) => ({value: role, label: roleName(role)})));
  setOptions(input("language"), Object.entries(LANGUAGES).map(([code, {name}]) => ({value: code, label: name,
    lang: code})));
}

/** The dialog for `user` (null: a new one); a user's id is their sign-in name, so it is set once. */
function openDialog(user) {
  state.editing = user;
  const dialog = byId("user-dialog");
  fillChoices();
  byId("user-dialog-title").textContent = user ? t("settingsTeamEditTitle", {name: user.name}) : t("settingsTeamAdd");
  input("user_id").value = user?.user_id ?? "";
  input("user_id").readOnly = Boolean(user);
  input("name").value = user?.name ?? "";
  input("email").value = user?.email ?? "";
  input("role").value = user?.role ?? "rep";
  input("language").value = user?.language ?? "en";
  input("phone").value = user?.phone ?? "";
  input("extension").value = user?.extension ?? "";
  input("sip_user").value = user?.sip_user ?? "";
  input("timezone").value = user?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
  input("active").checked = user?.active ?? true;
  clearErrors(byId("user-form"), byId("user-form-error"));
  dialog.showModal();
  (user ? input("name") : input("user_id")).focus();
}

function body() {
  return {name: input("name").value, email: input("email").value, role: input("role").value,
    language: input("language").value, phone: input("phone").value.trim() || null,
    extension: input("extension").value.trim() || null, sip_user: input("sip_user").value.trim() || null,
    timezone: input("timezone").value.trim(), active: input("active").checked};
}

function clientErrors(userId) {
  if (state.editing) return [];
  if (!USER_ID.test(userId)) return [{field: "user_id", message: t("settingsTeamUserIdInvalid")}];
  if (state.users.some((user) => user.user_id === userId)) {
    return [{field: "user_id", message: t("settingsTeamUserIdTaken")}];
  }
  return [];
}

async function save(event) {
  event.preventDefault();
  const form = byId("user-form");
  const box = byId("user-form-error");
  const userId = input("user_id").value.trim();
  const refused = clientErrors(userId);
  if (refused.length) return showErrors(form, box, refused);
  const submit = form.querySelector("[type=submit]");
  submit.disabled = true;
  try {
    const saved = await api(`/users/${encodeURIComponent(userId)}`, {method: "PUT", body: body()});
    byId("user-dialog").close();
    say(t(state.editing ? "settingsTeamSaved" : "settingsTeamAdded", {name: saved.name}), "success");
    await load();
    byId(`team-edit-${saved.user_id}`)?.focus();
  } catch (error) {
    if (error.status === 422) {
      showErrors(form, box, error.body.errors ?? []);
    } else if (error.status === 409) {
      clearErrors(form, box);
      box.replaceChildren(t("settingsTeamLastAdmin"));
      box.hidden = false;
      input("role").focus();
    } else {
      sayError(error, "settingsSaveFailed");
    }
  } finally {
    submit.disabled = false;
  }
}

/** Loads the team; `canEdit` (admins) adds "Add user" and the edit buttons. */
export async function mountTeam(canEdit) {
  state.canEdit = canEdit;
  for (const field of FIELDS) bindError(input(field), byId(`${input(field).id}-error`), field);
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  byId("timezones").replaceChildren(...[...new Set(["UTC", ...zones])].map((zone) => h("option", {value: zone})));
  byId("team-add").addEventListener("click", () => openDialog(null));
  byId("user-form").addEventListener("submit", save);
  byId("user-form").querySelector("[data-role=cancel]").addEventListener("click", () => byId("user-dialog").close());
  await load();
}

export function rerenderTeam() {
  renderRows();
}
