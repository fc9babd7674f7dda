/**
 * Settings, email templates (D6): a template's name, subject and text per language, with its placeholders and a
 * preview filled in with sample values. The preview is only a picture: the CRM renders the real email on the
 * server (in a sandbox, with the recipient's values), and refuses on save a placeholder it does not know.
 */

import {api} from "./api.js";
import {h, setOptions} from "./dom.js";
import {LANGUAGES, t} from "./i18n.js";
import {say, sayError} from "./page.js";
import {bindError, clearErrors, showErrors} from "./settings_errors.js";

const PLACEHOLDERS = ["first_name", "name", "company", "rep_name", "rep_email", "rep_phone"];
const PARTS = ["name", "subject", "body"];
const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

const byId = (id) => document.getElementById(id);
const uiLanguage = () => document.documentElement.lang || "en";
const input = (part) => byId(`template-${part}`);
const state = {templates: [], id: null, language: "en", draft: {}, me: null, lastText: "body"};

const isEmpty = (text) => !text || PARTS.every((part) => !text[part]?.trim());

function templateLabel(template) {
  return (template.translations[uiLanguage()] ?? template.translations.en)?.name ?? template.id;
}

function renderPicker() {
  setOptions(byId("template-select"), state.templates.map((template) => ({value: template.id,
    label: templateLabel(template)})), state.id);
  setOptions(byId("template-language"), Object.entries(LANGUAGES).map(([code, {name}]) => ({value: code,
    label: isEmpty(state.draft[code]) ? t("settingsTemplateLanguageMissing", {language: name}) : name, lang: code})),
  state.language);
}

/** Fills the fields with the draft's text in the chosen language; their error paths name that language. */
function showLanguage(language) {
  state.language = language;
  const text = state.draft[language] ?? {};
  for (const part of PARTS) {
    input(part).value = text[part] ?? "";
    input(part).lang = language;
    input(part).dir = LANGUAGES[language].dir;
    bindError(input(part), byId(`template-${part}-error`), `translations.${language}.${part}`);
  }
  byId("template-fallback").hidden = language === "en" || !isEmpty(state.draft[language]);
  clearErrors(byId("template-form"), byId("template-form-error"));
  renderPicker();
  renderPreview();
}

function open(id) {
  const template = state.templates.find((item) => item.id === id) ?? state.templates[0];
  if (!template) return;
  state.id = template.id;
  state.draft = structuredClone(template.translations);
  showLanguage(state.language);
}

function sampleValues() {
  const {me} = state;
  return {first_name: t("settingsTemplateSampleFirstName"), name: t("settingsTemplateSampleName"),
    company: t("settingsTemplateSampleCompany"), rep_name: me?.name ?? "", rep_email: me?.email ?? "",
    rep_phone: me?.phone ?? ""};
}

/** The text with each known placeholder replaced by its sample; an unknown one stays as typed, to be seen. */
function fill(text, values) {
  return text.replace(PLACEHOLDER, (placeholder, name) => (Object.hasOwn(values, name) ? values[name] : placeholder));
}

function renderPreview() {
  const values = sampleValues();
  const {language} = state;
  const text = isEmpty(state.draft[language]) ? state.draft.en ?? {} : state.draft[language];
  const shown = isEmpty(state.draft[language]) ? "en" : language;
  for (const id of ["template-preview-subject", "template-preview-body"]) {
    byId(id).lang = shown;
    byId(id).dir = LANGUAGES[shown].dir;
  }
  byId("template-preview-subject").textContent = fill(text.subject ?? "", values);
  byId("template-preview-body").replaceChildren(...fill(text.body ?? "", values).split(/\n{2,}/)
    .filter((paragraph) => paragraph.trim()).map((paragraph) => h("p", {}, paragraph)));
}

function onInput(part) {
  const text = {name: "", subject: "", body: "", ...state.draft[state.language]};
  text[part] = input(part).value;
  state.draft[state.language] = text;
  renderPreview();
}

/** Puts `{{ name }}` where the cursor is in the subject or text last edited, and keeps the cursor after it. */
function insertPlaceholder(name) {
  const target = input(state.lastText);
  const code = `{{ ${name} }}`;
  const start = target.selectionStart ?? target.value.length;
  target.setRangeText(code, start, target.selectionEnd ?? start, "end");
  target.focus();
  onInput(state.lastText);
}

function renderPlaceholders() {
  byId("template-placeholders").replaceChildren(...PLACEHOLDERS.map((name) => h("button", {type: "button",
    class: "button button--small placeholder", "data-testid": `template-placeholder-${name}`,
    title: t(`settingsTemplatePh_${name}`),
    "aria-label": t("settingsTemplateInsert", {meaning: t(`settingsTemplatePh_${name}`)}),
    onclick: () => insertPlaceholder(name)}, `{{ ${name} }}`)));
}

/** The languages that have any text: an empty one is left out, so its readers get English. */
function body() {
  return {translations: Object.fromEntries(Object.entries(state.draft).filter(([, text]) => !isEmpty(text)))};
}

function fieldLabel(path) {
  const [, language, part] = path.split(".");
  if (!LANGUAGES[language]) return path;
  return `${LANGUAGES[language].name} – ${part ? t(`settingsTemplatePart_${part}`) : ""}`;
}

async function save(event) {
  event.preventDefault();
  const form = byId("template-form");
  const box = byId("template-form-error");
  const submit = form.querySelector("[type=submit]");
  submit.disabled = true;
  try {
    const saved = await api(`/email-templates/${encodeURIComponent(state.id)}`, {method: "PUT", body: body()});
    state.templates = state.templates.map((template) => (template.id === saved.id ? saved : template));
    open(saved.id);
    say(t("settingsTemplateSaved", {name: templateLabel(saved)}), "success");
  } catch (error) {
    if (error.status !== 422) {
      sayError(error, "settingsSaveFailed");
      return;
    }
    const errors = error.body.errors ?? [];
    // show the language the first error is in, so its fields (and their errors) are on screen
    const language = errors.map(({field}) => field.split(".")[1]).find((code) => LANGUAGES[code]);
    if (language && language !== state.language) showLanguage(language);
    showErrors(form, box, errors, fieldLabel);
    say(t("settingsNotSaved"), "error");
  } finally {
    submit.disabled = false;
  }
}

/** Loads the templates; `canEdit` (admins) lets the fields be changed and saved. */
export async function mountTemplates(me, canEdit) {
  state.me = me;
  state.language = uiLanguage();
  byId("template-fieldset").disabled = !canEdit;
  for (const part of PARTS) input(part).addEventListener("input", () => onInput(part));
  for (const part of ["subject", "body"]) input(part).addEventListener("focus", () => { state.lastText = part; });
  byId("template-select").addEventListener("change", (event) => open(event.target.value));
  byId("template-language").addEventListener("change", (event) => showLanguage(event.target.value));
  byId("template-form").addEventListener("submit", save);
  renderPlaceholders();
  try {
    state.templates = await api("/email-templates");
  } catch (error) {
    sayError(error, "settingsLoadFailed");
    return;
  }
  open(state.templates[0]?.id);
}

/** New UI language: labels and sample values follow it; the template's own language stays as picked. */
export function rerenderTemplates() {
  renderPlaceholders();
  if (state.id) {
    renderPicker();
    renderPreview();
  }
}
