/**
 * The kanban board page (D2-D4): columns by stage from GET /api/board/{pipeline}, paged per column, and moves by
 * drag and drop or by each card's stage <select> (a pick from its list, or arrow keys then Enter). A move sends
 * the card's version; a 409 brings the fresh card.
 *
 * URL parameters: ?pipeline= (default "sales") and, for managers and admins, ?owner= (the owner filter).
 */

import {api, loadConfig, localUsers} from "./api.js";
import {columnElement} from "./board_view.js";
import {Column} from "./columns.js";
import {h, rememberInUrl, setOptions} from "./dom.js";
import {describeError, lostReasonLabel, onLanguageChange, stageName, t} from "./i18n.js";
import {isManaging as managing, say, sayError, startPage} from "./page.js";
import {setupQuickCreate} from "./quick_create.js";

const params = new URLSearchParams(location.search);

const state = {
  pipelineId: params.get("pipeline") || "sales",
  owner: params.get("owner") || "",
  me: null,
  pipeline: null,
  stages: [],
  columns: new Map(),
  owners: new Map(), // owner id -> name, the manager's filter options
  busyDeals: new Set(),
  dragging: null,
  generation: 0, // a newer board load makes older answers stale
};

const byId = (id) => document.getElementById(id);
const elements = {
  title: byId("board-title"),
  board: byId("board"),
  ownerField: byId("owner-field"),
  ownerFilter: byId("owner-filter"),
  lostDialog: byId("lost-dialog"),
};

const isManaging = () => managing(state.me);

function stageById(stageId) {
  return state.stages.find((stage) => stage.id === stageId);
}

function findCard(dealId) {
  for (const column of state.columns.values()) {
    const card = column.cards.find((shown) => shown.deal_id === dealId);
    if (card) return {card, column};
  }
  return null;
}

/** Whether a card belongs on the board as filtered now (a manager looking at one rep's deals). */
function matchesFilter(card) {
  return !state.owner || card.owner_id === state.owner;
}

// ----- rendering

function renderColumn(stageId) {
  const stage = stageById(stageId);
  const column = state.columns.get(stageId);
  const shown = elements.board.querySelector(`.column[data-stage-id="${CSS.escape(stageId)}"]`);
  if (!stage || !column || !shown) return;
  shown.replaceWith(columnElement(stage, column, viewOptions()));
}

function viewOptions() {
  return {stages: state.stages, now: Date.now(), busyDeals: state.busyDeals, onLoadMore: loadMore};
}

function renderBoard() {
  elements.title.textContent = t("boardTitle", {name: state.pipeline.name});
  const options = viewOptions();
  elements.board.replaceChildren(...state.stages.map((stage) =>
    columnElement(stage, state.columns.get(stage.id), options)));
}

function renderOwnerFilter() {
  elements.ownerField.hidden = !isManaging();
  if (!isManaging()) return;
  const owners = [...state.owners].sort(([, a], [, b]) => a.localeCompare(b));
  setOptions(elements.ownerFilter, [{value: "", label: t("allOwners")},
    ...owners.map(([value, label]) => ({value, label}))], state.owner);
}

/** Remembers who owns cards, so a manager can filter by them; re-renders the filter only when it changes. */
function learnOwners(cards) {
  let changed = false;
  for (const {owner_id: id, owner_name: name} of cards) {
    // an owner known only by id (from the URL) takes their name from the first card that has it
    if (!id || (state.owners.has(id) && !(name && state.owners.get(id) === id))) continue;
    state.owners.set(id, name || id);
    changed = true;
  }
  if (changed) renderOwnerFilter();
}

function focusAfterChange(dealId, via) {
  const target = byId(via === "select" ? `move-${dealId}` : `card-${dealId}`) ?? elements.title;
  target.focus();
}

// ----- loading

async function loadBoard() {
  const generation = ++state.generation;
  elements.board.setAttribute("aria-busy", "true");
  try {
    const data = await api(`/board/${encodeURIComponent(state.pipelineId)}`, {query: {owner: state.owner}});
    if (generation !== state.generation) return;
    state.pipeline = data.pipeline;
    state.stages = (data.pipeline?.stages ?? []).filter((stage) => !stage.archived);
    const answered = new Map((data.columns ?? []).map((column) => [column.stage_id, column]));
    state.columns = new Map(state.stages.map((stage) =>
      [stage.id, new Column(answered.get(stage.id) ?? {stage_id: stage.id})]));
    learnOwners([...state.columns.values()].flatMap((column) => column.cards));
    renderBoard();
  } catch (error) {
    if (generation !== state.generation) return;
    sayError(error, "loadFailed");
    if (!state.pipeline && error.status !== 401) {
      elements.board.replaceChildren(h("p", {class: "board-status"}, t("loadFailed", {message: describeError(error)})));
    }
  } finally {
    if (generation === state.generation) elements.board.removeAttribute("aria-busy");
  }
}

/** The next page of one column; focus goes to the first card it brought, for keyboard and screen reader users. */
async function loadMore(stageId, button) {
  const column = state.columns.get(stageId);
  if (!column?.nextCursor || button.getAttribute("aria-disabled") === "true") return;
  const generation = state.generation;
  const shownBefore = column.cards.length;
  button.setAttribute("aria-disabled", "true");
  button.textContent = t("loadingMore");
  try {
    const page = await api(
      `/board/${encodeURIComponent(state.pipelineId)}/columns/${encodeURIComponent(stageId)}`,
      {query: {owner: state.owner, cursor: column.nextCursor}});
    if (generation !== state.generation) return;
    column.appendPage(page);
    learnOwners(page.cards ?? []);
    renderColumn(stageId);
    const first = column.cards[shownBefore];
    (first ? byId(`card-${first.deal_id}`) : elements.board.querySelector(`[data-testid="column-${stageId}"] h2`))
      ?.focus();
  } catch (error) {
    sayError(error);
    renderColumn(stageId);
  }
}

// ----- changes

/** Puts the API's card where it now belongs: out of the column showing it, into its stage's column. */
function place(card) {
  const found = findCard(card.deal_id);
  found?.column.remove(found.card);
  const target = state.columns.get(card.stage_id);
  if (target && matchesFilter(card)) target.add(card);
  learnOwners([card]);
  for (const stageId of new Set([found?.column.stageId, card.stage_id])) if (stageId) renderColumn(stageId);
}

function askLostReason(card) {
  const dialog = elements.lostDialog;
  const select = dialog.querySelector("select");
  dialog.querySelector("h2").textContent = t("lostTitle", {title: card.title});
  setOptions(select, state.pipeline.lost_reasons.map((reason) => ({value: reason, label: lostReasonLabel(reason)})));
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close",
    () => resolve(dialog.returnValue === "confirm" ? select.value : null), {once: true}));
}

/** Moves a deal to another stage; `via` ("select" or "drag") decides where focus lands afterwards. */
async function moveDeal(dealId, stageId, via) {
  const found = findCard(dealId);
  if (!found || state.busyDeals.has(dealId)) return;
  const {card, column} = found;
  const stage = stageById(stageId);
  if (!stage || stage.id === card.stage_id) {
    renderColumn(column.stageId);
    return;
  }
  let lostReason = null;
  if (stage.kind === "lost" && state.pipeline.lost_reasons?.length) {
    lostReason = await askLostReason(card);
    if (!lostReason) {
      renderColumn(column.stageId); // the select shows the card's stage again
      focusAfterChange(dealId, via);
      return;
    }
  }
  state.busyDeals.add(dealId);
  renderColumn(column.stageId);
  try {
    const moved = await api(`/deals/${encodeURIComponent(dealId)}/move`, {method: "POST",
      body: {stage_id: stage.id, version: card.version, ...(lostReason ? {lost_reason: lostReason} : {})}});
    state.busyDeals.delete(dealId);
    place(moved);
    say(t("moved", {title: moved.title, stage: stageName(stage)}));
  } catch (error) {
    state.busyDeals.delete(dealId);
    if (error.status === 409 && error.body.deal) {
      place(error.body.deal);
      say(t("stale", {title: card.title}), "error");
    } else if (error.status === 404) {
      column.remove(card);
      renderColumn(column.stageId);
      say(t("gone", {title: card.title}), "error");
    } else {
      renderColumn(column.stageId);
      sayError(error, "moveFailed", {title: card.title});
    }
  }
  focusAfterChange(dealId, via);
}

function onCreated(card) {
  const stage = stageById(card.stage_id);
  if (matchesFilter(card) && stage) {
    place(card);
    say(t("dealCreated", {title: card.title, stage: stageName(stage)}));
  } else {
    learnOwners([card]);
    say(t("dealCreatedHidden", {title: card.title}));
  }
}

// ----- events

function clearDrag() {
  state.dragging = null;
  for (const marked of elements.board.querySelectorAll(".is-dragging, .is-drop-target")) {
    marked.classList.remove("is-dragging", "is-drop-target");
  }
}

const BROWSING_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp",
  "PageDown"]);

/** A stage list the keyboard browsed without choosing shows the card's own stage again. */
function showCardStage(select) {
  delete select.dataset.browsing;
  select.value = [...select.options].find((option) => option.defaultSelected)?.value ?? select.value;
}

function bindBoardEvents() {
  const {board} = elements;
  // Arrow keys and typing change a closed <select> and fire "change" on each key: while the keyboard browses the
  // stages nothing moves; Enter moves the card to the chosen stage, Escape or leaving the list puts its stage back.
  // A pick from the open list (pointer, touch, or Enter inside it) fires "change" after no browsing key: it moves.
  board.addEventListener("keydown", (event) => {
    const select = event.target.closest?.("select[data-deal-id]");
    if (!select) return;
    if (event.key === "Enter") {
      event.preventDefault();
      delete select.dataset.browsing;
      moveDeal(select.dataset.dealId, select.value, "select");
    } else if (event.key === "Escape") {
      showCardStage(select);
    } else if (!event.altKey && (BROWSING_KEYS.has(event.key) || (event.key.length === 1 && event.key !== " "))) {
      select.dataset.browsing = "true";
    }
  });
  board.addEventListener("mousedown", (event) => {
    const select = event.target.closest?.("select[data-deal-id]");
    if (select) delete select.dataset.browsing;
  });
  board.addEventListener("focusout", (event) => {
    const select = event.target.closest?.("select[data-deal-id]");
    if (select?.dataset.browsing) showCardStage(select);
  });
  board.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-deal-id]");
    if (select && !select.dataset.browsing) moveDeal(select.dataset.dealId, select.value, "select");
  });
  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest?.(".card[draggable=true]");
    if (!card) return;
    state.dragging = card.dataset.dealId;
    event.dataTransfer.setData("text/plain", card.dataset.dealId);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("is-dragging");
  });
  board.addEventListener("dragover", (event) => {
    const column = event.target.closest?.(".column");
    if (!column || !state.dragging) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("is-drop-target");
  });
  board.addEventListener("dragleave", (event) => {
    const column = event.target.closest?.(".column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("is-drop-target");
  });
  board.addEventListener("drop", (event) => {
    const column = event.target.closest?.(".column");
    const dealId = state.dragging || event.dataTransfer.getData("text/plain");
    clearDrag();
    if (!column || !dealId) return;
    event.preventDefault();
    moveDeal(dealId, column.dataset.stageId, "drag");
  });
  board.addEventListener("dragend", clearDrag);
}

function bindToolbar() {
  elements.ownerFilter.addEventListener("change", () => {
    state.owner = elements.ownerFilter.value;
    rememberInUrl("owner", state.owner);
    loadBoard();
  });
  setupQuickCreate({button: byId("new-deal"), dialog: byId("quick-create"), onCreated});
  onLanguageChange(() => {
    renderOwnerFilter();
    if (state.pipeline) renderBoard();
  });
}

/** Who is signed in decides the owner filter. */
async function loadMe() {
  state.me = await startPage();
  if (!isManaging()) return;
  if (state.owner) state.owners.set(state.owner, state.owners.get(state.owner) ?? state.owner);
  if ((await loadConfig()).auth === "local") {
    for (const user of await localUsers()) state.owners.set(user.user_id, user.name || user.user_id);
  }
  renderOwnerFilter();
}

function start() {
  const signedIn = loadMe(); // sets the page's language before anything is drawn
  elements.board.replaceChildren(h("p", {class: "board-status"}, t("loading")));
  bindBoardEvents();
  bindToolbar();
  signedIn.then(() => loadBoard());
}

start();
