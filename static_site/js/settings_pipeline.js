/**
 * Settings, pipelines (D1, D4, D5): pick or start a pipeline and edit a draft of it here (stages renamed, moved,
 * given a kind, a stall limit and entry tasks, archived or added; lost reasons), then PUT it whole. A stage's id
 * is its identity (deals name it), so a saved stage can only be archived, never removed, and Unsorted stays first.
 */

import {api} from "./api.js";
import {h, setOptions} from "./dom.js";
import {t} from "./i18n.js";
import {say, sayError} from "./page.js";
import {clearErrors, errorLine, showErrors} from "./settings_errors.js";

const DEFAULT_PIPELINE_ID = "sales";
const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KINDS = ["open", "won", "lost"];
const MAX_ENTRY_ACTIONS = 5;

const byId = (id) => document.getElementById(id);
const state = {pipelines: [], id: null, draft: null, savedStageIds: new Set(), isNew: false, canEdit: false};

/** A stage id from its name, as the API makes them ('Decision makers' -> 'decision-makers'), unique here. */
function stageId(name) {
  const base = name.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "").slice(0, 56) || "stage";
  const taken = new Set(state.draft.stages.map((stage) => stage.id));
  let candidate = base;
  for (let n = 2; taken.has(candidate); n += 1) candidate = `${base}-${n}`;
  return candidate;
}

const copy = (value) => structuredClone(value);
const isClosed = (stage) => stage.kind === "won" || stage.kind === "lost";
const numberOrNull = (value) => (value.trim() === "" ? null : Number(value));

function edit(draft, {isNew = false, id = null} = {}) {
  state.draft = draft;
  state.id = id;
  state.isNew = isNew;
  state.savedStageIds = new Set(isNew ? [] : draft.stages.map((stage) => stage.id));
  render();
}

function open(id) {
  const found = state.pipelines.find((pipeline) => pipeline.id === id) ?? state.pipelines[0];
  const {id: pipelineId, name, stages, lost_reasons: lostReasons} = copy(found);
  edit({name, stages, lost_reasons: lostReasons}, {id: pipelineId});
}

/** A new pipeline starts as a copy of the default one's stages and reasons; its id and name are the admin's. */
function startNew() {
  const template = state.pipelines.find((pipeline) => pipeline.id === DEFAULT_PIPELINE_ID) ?? state.pipelines[0];
  const stages = copy(template.stages).filter((stage) => !stage.archived);
  edit({name: "", stages, lost_reasons: copy(template.lost_reasons)}, {isNew: true, id: ""});
  byId("pipeline-id")?.focus();
}

function renderPicker() {
  const select = byId("pipeline-select");
  setOptions(select, state.pipelines.map(({id, name}) => ({value: id, label: `${name} (${id})`})), state.id);
  if (state.isNew) select.value = "";
}

/** Re-draws the editor and gives focus back to the control with `focusTestId` (it moved, or was re-made). */
function render(focusTestId = null) {
  renderPicker();
  const editor = byId("pipeline-editor");
  editor.replaceChildren(
    pipelineFields(),
    h("h3", {id: "stages-heading"}, t("settingsPipelineStages")),
    errorLine("stages"),
    h("ol", {class: "stage-list", "aria-labelledby": "stages-heading"},
      state.draft.stages.map((stage, index) => stageItem(stage, index))),
    ...(state.canEdit ? [addStage()] : []), // replaceChildren would write a null as the text "null"
    lostReasons());
  clearErrors(byId("pipeline-form"), byId("pipeline-form-error"));
  if (focusTestId) editor.querySelector(`[data-testid="${focusTestId}"]`)?.focus();
}

function field(labelText, input, path, hint = null) {
  input.id ||= `pipeline-field-${path.replaceAll(".", "-")}`;
  const hintLine = hint ? h("p", {class: "hint", id: `${input.id}-hint`}, hint) : null;
  if (hintLine) input.setAttribute("aria-describedby", hintLine.id);
  const line = errorLine(path, input);
  return h("div", {class: "field"}, h("label", {for: input.id}, labelText), hintLine, line, input);
}

function textInput(value, onValue, attributes = {}) {
  return h("input", {type: "text", value: value ?? "", autocomplete: "off", ...attributes,
    oninput: (event) => onValue(event.target.value)});
}

function pipelineFields() {
  const name = field(t("settingsPipelineName"), textInput(state.draft.name, (value) => { state.draft.name = value; },
    {"data-testid": "pipeline-name", maxlength: 80}), "name");
  if (!state.isNew) return name;
  const id = field(t("settingsPipelineId"), textInput(state.id, (value) => { state.id = value.trim(); },
    {id: "pipeline-id", "data-testid": "pipeline-id", maxlength: 64, spellcheck: "false"}), "pipeline_id",
  t("settingsPipelineIdHint"));
  return h("div", {class: "field-row"}, id, name);
}

function button(label, onclick, attributes = {}) {
  return h("button", {type: "button", class: "button button--small", onclick, ...attributes}, label);
}

function move(index, by) {
  const {stages} = state.draft;
  [stages[index], stages[index + by]] = [stages[index + by], stages[index]];
  const target = index + by;
  const edge = (by < 0 && target === 1) || (by > 0 && target === stages.length - 1);
  // at the edge its own button is disabled: focus its other one, so the keyboard user keeps their place
  const direction = edge ? (by < 0 ? "down" : "up") : (by < 0 ? "up" : "down");
  render(`stage-${direction}-${stages[target].id}`);
  say(t("settingsPipelineStageMoved", {name: stages[target].name, position: target + 1}));
}

function stageItem(stage, index) {
  const {stages} = state.draft;
  const path = `stages.${index}`;
  const unsorted = stage.kind === "unsorted";
  const update = (changes, focus = null) => {
    stages[index] = {...stages[index], ...changes};
    if (focus) render(focus);
  };
  const kind = unsorted
    ? h("p", {class: "stage-kind-fixed"}, t("settingsPipelineKind_unsorted"))
    : field(t("settingsPipelineKind"), h("select", {"data-testid": `stage-kind-${stage.id}`,
      onchange: (event) => update({kind: event.target.value,
        max_days_in_stage: isClosed({kind: event.target.value}) ? null : stage.max_days_in_stage},
      `stage-kind-${stage.id}`)},
    KINDS.map((value) => h("option", {value, selected: value === stage.kind}, t(`settingsPipelineKind_${value}`)))),
    `${path}.kind`);
  const maxDays = isClosed(stage) ? null : field(t("settingsPipelineMaxDays"), h("input", {
    type: "number", min: 1, max: 3650, step: 1, inputmode: "numeric", value: stage.max_days_in_stage ?? "",
    "data-testid": `stage-max-days-${stage.id}`,
    oninput: (event) => update({max_days_in_stage: numberOrNull(event.target.value)})}),
  `${path}.max_days_in_stage`, t("settingsPipelineMaxDaysHint"));
  const probability = field(t("settingsPipelineProbability"), h("input", {
    type: "number", min: 0, max: 100, step: 1, inputmode: "numeric", value: stage.probability ?? "",
    "data-testid": `stage-probability-${stage.id}`,
    oninput: (event) => update({probability: numberOrNull(event.target.value)})}),
  `${path}.probability`, t("settingsPipelineProbabilityHint"));
  const archived = unsorted ? null : h("div", {class: "field"},
    h("label", {class: "settings-check"}, h("input", {type: "checkbox", checked: stage.archived,
      "data-testid": `stage-archived-${stage.id}`,
      onchange: (event) => update({archived: event.target.checked}, `stage-archived-${stage.id}`)}),
    " ", t("settingsPipelineArchived")), errorLine(`${path}.archived`));
  const legend = t("settingsPipelineStageLegend", {position: index + 1, id: `\u2068${stage.id}\u2069`});
  return h("li", {class: `stage-item stage-item--${stage.kind}${stage.archived ? " is-archived" : ""}`,
    "data-testid": `stage-${stage.id}`},
  h("fieldset", {class: "stage-fieldset"},
    h("legend", {}, legend, stage.archived ? ` – ${t("settingsPipelineArchivedBadge")}` : ""),
    errorLine(path),
    h("div", {class: "stage-fields"},
      field(t("settingsPipelineStageName"), textInput(stage.name, (value) => update({name: value}),
        {maxlength: 80, "data-testid": `stage-name-${stage.id}`}), `${path}.name`),
      kind, maxDays, probability, archived),
    entryActions(stage, index),
    state.canEdit && !unsorted ? h("div", {class: "stage-buttons"},
      button(t("settingsPipelineMoveUp"), () => move(index, -1), {"data-testid": `stage-up-${stage.id}`,
        disabled: index <= 1, "aria-label": t("settingsPipelineMoveUpLabel", {name: stage.name})}),
      button(t("settingsPipelineMoveDown"), () => move(index, 1), {"data-testid": `stage-down-${stage.id}`,
        disabled: index === stages.length - 1, "aria-label": t("settingsPipelineMoveDownLabel", {name: stage.name})}),
      state.savedStageIds.has(stage.id) ? null : button(t("settingsPipelineRemoveStage"), () => {
        stages.splice(index, 1);
        render("stage-new-name");
      }, {"data-testid": `stage-remove-${stage.id}`})) : null));
}

function entryActions(stage, index) {
  const path = `stages.${index}.entry_actions`;
  const actions = stage.entry_actions;
  const save = (next, focus) => {
    state.draft.stages[index] = {...state.draft.stages[index], entry_actions: next};
    if (focus) render(focus);
  };
  return h("div", {class: "entry-actions"},
    h("h4", {}, t("settingsPipelineEntryActions")),
    errorLine(path),
    actions.length ? null : h("p", {class: "hint"}, t("settingsPipelineNoEntryActions")),
    h("ul", {class: "entry-action-list"}, actions.map((action, position) => {
      const replace = (changes) => save(actions.map((item, at) => (at === position ? {...item, ...changes} : item)));
      return h("li", {class: "entry-action"},
        field(t("settingsPipelineTaskTitle"), textInput(action.title, (value) => replace({title: value}),
          {maxlength: 80, "data-testid": `action-title-${stage.id}-${position}`}), `${path}.${position}.title`),
        field(t("settingsPipelineTaskDue"), h("input", {type: "number", min: 0, max: 365, step: 1, inputmode: "numeric",
          value: action.due_in_days, "data-testid": `action-due-${stage.id}-${position}`,
          oninput: (event) => replace({due_in_days: numberOrNull(event.target.value)})}),
        `${path}.${position}.due_in_days`),
        state.canEdit ? button(t("settingsPipelineRemoveTask"), () => save(actions.filter((_, at) => at !== position),
          `action-add-${stage.id}`), {"data-testid": `action-remove-${stage.id}-${position}`,
          "aria-label": t("settingsPipelineRemoveTaskLabel", {title: action.title, stage: stage.name})}) : null);
    })),
    state.canEdit && actions.length < MAX_ENTRY_ACTIONS ? button(t("settingsPipelineAddTask"),
      () => save([...actions, {type: "create_task", title: "", due_in_days: 1}],
        `action-title-${stage.id}-${actions.length}`),
      {"data-testid": `action-add-${stage.id}`, "aria-label": t("settingsPipelineAddTaskLabel", {stage: stage.name})})
      : null);
}

/** A new open stage goes after the last open one, before won and lost, so the board still ends with them. */
function addStage() {
  const input = h("input", {type: "text", id: "stage-new-name", "data-testid": "stage-new-name", maxlength: 80,
    autocomplete: "off"});
  const line = errorLine("new_stage", input);
  const add = () => {
    const name = input.value.trim();
    if (!name) {
      line.textContent = t("settingsPipelineStageNameNeeded");
      line.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    const {stages} = state.draft;
    const stage = {id: stageId(name), name, kind: "open", archived: false, max_days_in_stage: null,
      probability: null, entry_actions: []};
    const lastOpen = stages.findLastIndex((item) => !isClosed(item));
    stages.splice(lastOpen + 1, 0, stage);
    render(`stage-name-${stage.id}`);
    say(t("settingsPipelineStageAdded", {name}));
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      add();
    }
  });
  return h("div", {class: "add-row"},
    h("div", {class: "field"}, h("label", {for: input.id}, t("settingsPipelineNewStage")), line, input),
    button(t("settingsPipelineAddStage"), add, {"data-testid": "stage-add"}));
}

function lostReasons() {
  const reasons = state.draft.lost_reasons;
  const input = h("input", {type: "text", id: "lost-reason-new", "data-testid": "lost-reason-new", maxlength: 80,
    autocomplete: "off"});
  const add = () => {
    const reason = input.value.trim();
    if (!reason) return input.focus();
    reasons.push(reason);
    render("lost-reason-new");
    say(t("settingsPipelineReasonAdded", {reason}));
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      add();
    }
  });
  return h("div", {class: "lost-reasons"},
    h("h3", {id: "lost-reasons-heading"}, t("settingsPipelineLostReasons")),
    errorLine("lost_reasons"),
    h("ul", {class: "lost-reason-list", "aria-labelledby": "lost-reasons-heading"}, reasons.map((reason, index) =>
      h("li", {class: "lost-reason"},
        field(t("settingsPipelineReason", {position: index + 1}),
          textInput(reason, (value) => { reasons[index] = value; },
            {maxlength: 80, "data-testid": `lost-reason-${index}`}), `lost_reasons.${index}`),
        state.canEdit ? button(t("settingsPipelineRemoveReason"), () => {
          reasons.splice(index, 1);
          render("lost-reason-new");
        }, {"data-testid": `lost-reason-remove-${index}`,
          "aria-label": t("settingsPipelineRemoveReasonLabel", {reason})}) : null))),
    state.canEdit ? h("div", {class: "add-row"},
      h("div", {class: "field"}, h("label", {for: input.id}, t("settingsPipelineNewReason")), input),
      button(t("settingsPipelineAddReason"), add, {"data-testid": "lost-reason-add"})) : null);
}

function clientErrors() {
  if (!state.isNew) return [];
  if (!SLUG.test(state.id)) return [{field: "pipeline_id", message: t("settingsPipelineIdInvalid")}];
  if (state.pipelines.some((pipeline) => pipeline.id === state.id)) {
    return [{field: "pipeline_id", message: t("settingsPipelineIdTaken")}];
  }
  return [];
}

async function save(event) {
  event.preventDefault();
  const form = byId("pipeline-form");
  const box = byId("pipeline-form-error");
  const refused = clientErrors();
  if (refused.length) return showErrors(form, box, refused);
  form.setAttribute("aria-busy", "true");
  try {
    const saved = await api(`/pipelines/${encodeURIComponent(state.id)}`, {method: "PUT", body: state.draft});
    state.pipelines = [...state.pipelines.filter((pipeline) => pipeline.id !== saved.id), saved];
    open(saved.id);
    say(t("settingsPipelineSaved", {name: saved.name}), "success");
  } catch (error) {
    if (error.status === 422) {
      showErrors(form, box, error.body.errors ?? [], (path) => path);
      say(t("settingsNotSaved"), "error");
    } else {
      sayError(error, "settingsSaveFailed");
    }
  } finally {
    form.removeAttribute("aria-busy");
  }
}

/** Loads the pipelines and shows the default one; `canEdit` (admins) adds the controls that change it. */
export async function mountPipelines(canEdit) {
  state.canEdit = canEdit;
  byId("pipeline-fieldset").disabled = !canEdit;
  byId("pipeline-select").addEventListener("change", (event) => open(event.target.value));
  byId("pipeline-new").addEventListener("click", startNew);
  byId("pipeline-form").addEventListener("submit", save);
  try {
    state.pipelines = await api("/pipelines");
  } catch (error) {
    sayError(error, "settingsLoadFailed");
    return;
  }
  open(DEFAULT_PIPELINE_ID);
  byId("pipeline-form").removeAttribute("aria-busy");
}

/** Redraws in the new language, keeping the draft being edited. */
export function rerenderPipelines() {
  if (state.draft) render();
}
