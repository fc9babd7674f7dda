/**
 * The kanban board page (D2-D4): a column per open stage from GET /api/board/{pipeline}, paged per column, and the
 * closing stages (won, lost) as drop zones in a bar under the board. A card moves by drag and drop, or by its Move
 * button: a menu of stages that moves on an explicit choice (Enter or a click), never while arrow keys browse it.
 * A move sends the card's version; a 409 brings the fresh card. A plain click on a card's title, or one of its quick
 * actions (log a call, email, task), opens the deal's side panel (js/deal_panel.js); the title's link stays the
 * record's address, so a ctrl- or middle-click opens the record page. The quick action "Call" dials the deal's
 * person at once (js/record_actions.js: click-to-call, or a tel: link without a telephony provider).
 *
 * URL parameters: ?pipeline= (default "sales") and the filters (js/board_filters.js): q, type, closing, stalled,
 * overdue and, for managers and admins, owner.
 */

import {api, loadConfig, localUsers} from "./api.js";
import {setupFilters, activeCount, filterQuery, filtersFrom, matches} from "./board_filters.js";
import {columnElement, zoneElement} from "./board_view.js";
import {Column} from "./columns.js";
import {h, setOptions} from "./dom.js";
import {describeError, lostReasonLabel, onLanguageChange, stageName, t} from "./i18n.js";
import {recordHref} from "./links.js";
import {isManaging as managing, say, sayError, startPage} from "./page.js";
import {setupQuickCreate} from "./quick_create.js";
import {callRecord, signedInUser} from "./record_actions.js";

const params = new URLSearchParams(location.search);
const CLOSING_KINDS = new Set(["won", "lost"]);

const state = {
  pipelineId: params.get("pipeline") || "sales",
  filters: filtersFrom(params),
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
  zones: byId("close-zones"),
  zonesTitle: byId("close-zones-title"),
  menu: byId("move-menu"),
  ownerField: byId("owner-field"),
  ownerFilter: byId("owner-filter"),
  lostDialog: byId("lost-dialog"),
};

const isManaging = () => managing(state.me);
const isClosing = (stage) => CLOSING_KINDS.has(stage.kind);

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

/** Whether a card belongs on the board as filtered now. */
function matchesFilter(card) {
  return matches(card, state.filters, stageById(card.stage_id), Date.now());
}

// ----- rendering

function viewOptions() {
  return {stages: state.stages, now: Date.now(), busyDeals: state.busyDeals, onLoadMore: loadMore,
    filtered: activeCount(state.filters) > 0};
}

function stageElement(stage, options) {
  const column = state.columns.get(stage.id);
  return isClosing(stage) ? zoneElement(stage, column) : columnElement(stage, column, options);
}

function renderColumn(stageId) {
  const stage = stageById(stageId);
  const shown = document.querySelector(`[data-stage-id="${CSS.escape(stageId)}"]:is(.column, .drop-zone)`);
  if (stage && state.columns.has(stageId) && shown) shown.replaceWith(stageElement(stage, viewOptions()));
}

function renderBoard() {
  elements.title.textContent = t("boardTitle", {name: state.pipeline.name});
  const options = viewOptions();
  elements.board.replaceChildren(...state.stages.filter((stage) => !isClosing(stage))
    .map((stage) => stageElement(stage, options)));
  elements.zones.replaceChildren(elements.zonesTitle, ...state.stages.filter(isClosing)
    .map((stage) => stageElement(stage, options)));
}

function renderOwnerFilter() {
  elements.ownerField.hidden = !isManaging();
  if (!isManaging()) return;
  const owners = [...state.owners].sort(([, a], [, b]) => a.localeCompare(b));
  setOptions(elements.ownerFilter, [{value: "", label: t("allOwners")},
    ...owners.map(([value, label]) => ({value, label}))], state.filters.owner);
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

/** After a move: the card's Move button (menu) or the card (drag); a card that left the board, its old column. */
function focusAfterChange(dealId, via, fromStageId) {
  const target = byId(via === "menu" ? `move-${dealId}` : `card-${dealId}`)
    ?? byId(`column-title-${fromStageId}`) ?? elements.title;
  target.focus();
}

// ----- loading

function boardQuery(extra = {}) {
  return {...filterQuery(state.filters), ...extra};
}

async function loadBoard() {
  const generation = ++state.generation;
  elements.board.setAttribute("aria-busy", "true");
  try {
    const data = await api(`/board/${encodeURIComponent(state.pipelineId)}`, {query: boardQuery()});
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
      {query: boardQuery({cursor: column.nextCursor})});
    if (generation !== state.generation) return;
    column.appendPage(page);
    learnOwners(page.cards ?? []);
    renderColumn(stageId);
    const first = column.cards[shownBefore];
    (first ? byId(`card-${first.deal_id}`) : byId(`column-title-${stageId}`))?.focus();
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

/** Moves a deal to another stage; `via` ("menu" or "drag") decides where focus lands afterwards. */
async function moveDeal(dealId, stageId, via) {
  const found = findCard(dealId);
  if (!found || state.busyDeals.has(dealId)) return;
  const {card, column} = found;
  const from = column.stageId;
  const stage = stageById(stageId);
  if (!stage || stage.id === card.stage_id) {
    focusAfterChange(dealId, via, from);
    return;
  }
  let lostReason = null;
  if (stage.kind === "lost" && state.pipeline.lost_reasons?.length) {
    lostReason = await askLostReason(card);
    if (!lostReason) {
      focusAfterChange(dealId, via, from);
      return;
    }
  }
  state.busyDeals.add(dealId);
  renderColumn(from);
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
      renderColumn(from);
      say(t("gone", {title: card.title}), "error");
    } else {
      renderColumn(from);
      sayError(error, "moveFailed", {title: card.title});
    }
  }
  focusAfterChange(dealId, via, from);
}

function onCreated(card) {
  const stage = stageById(card.stage_id);
  if (stage && matchesFilter(card)) {
    place(card);
    say(t("dealCreated", {title: card.title, stage: stageName(stage)}));
  } else {
    learnOwners([card]);
    say(t("dealCreatedHidden", {title: card.title}));
  }
}

/** The deal's side panel (js/deal_panel.js), optionally at one of its actions; without it, the record page. */
async function openPanel(dealId, action = null) {
  const found = findCard(dealId);
  if (!found) return;
  let panel;
  try {
    panel = await import("./deal_panel.js");
  } catch {
    location.assign(recordHref("deal", dealId));
    return;
  }
  panel.openDealPanel({dealId, card: found.card, pipeline: state.pipeline, action, onChange: place});
}

// ----- the move menu: one list of stages for the card whose Move button opened it

const menuState = {button: null, chosen: false};

function menuItems() {
  return [...elements.menu.querySelectorAll("[role=menuitem]")];
}

/** Under the button (above it when there is no room below), its end edge on the button's, inside the window. */
function placeMenu(button) {
  const anchor = button.getBoundingClientRect();
  const {offsetWidth: width, offsetHeight: height} = elements.menu;
  const rtl = document.documentElement.dir === "rtl";
  const left = rtl ? anchor.left : anchor.right - width;
  const below = anchor.bottom + 4;
  const top = below + height <= innerHeight - 4 ? below : Math.max(4, anchor.top - height - 4);
  elements.menu.style.left = `${Math.min(Math.max(4, left), innerWidth - width - 4)}px`;
  elements.menu.style.top = `${top}px`;
}

function openMoveMenu(button) {
  const found = findCard(button.dataset.dealId);
  if (!found) return;
  const {card} = found;
  const item = (stage) => {
    const current = stage.id === card.stage_id;
    const name = stageName(stage);
    return h("button", {"type": "button", "role": "menuitem", "tabindex": "-1",
      "class": `move-option move-option--${stage.kind}`, "data-stage-id": stage.id,
      "data-testid": `move-to-${stage.id}`, "aria-current": current ? "true" : null},
    current ? t("boardCurrentStage", {stage: name}) : name);
  };
  const open = state.stages.filter((stage) => !isClosing(stage));
  const closing = state.stages.filter(isClosing);
  elements.menu.setAttribute("aria-label", t("boardMoveTo", {title: card.title}));
  elements.menu.dataset.dealId = card.deal_id;
  elements.menu.replaceChildren(
    h("p", {"class": "move-menu-title", "aria-hidden": "true"}, t("boardMoveTo", {title: card.title})),
    ...open.map(item), h("div", {role: "separator", class: "move-separator"}), ...closing.map(item));
  menuState.button = button;
  menuState.chosen = false;
  elements.menu.showPopover();
  button.setAttribute("aria-expanded", "true");
  placeMenu(button);
  (elements.menu.querySelector("[aria-current=true]") ?? menuItems()[0])?.focus();
}

function closeMoveMenu() {
  if (elements.menu.matches(":popover-open")) elements.menu.hidePopover();
}

function bindMoveMenu() {
  const {menu} = elements;
  menu.addEventListener("toggle", (event) => {
    if (event.newState !== "closed" || !menuState.button) return;
    const button = menuState.button;
    menuState.button = null;
    button.setAttribute("aria-expanded", "false");
    // Escape, Tab or a click elsewhere: focus back on the button (unless a choice moves it, or it went elsewhere)
    if (!menuState.chosen && (menu.contains(document.activeElement) || document.activeElement === document.body)) {
      button.focus();
    }
  });
  // Arrow keys only move the focus in the list; nothing moves until Enter, Space or a click chooses a stage.
  menu.addEventListener("keydown", (event) => {
    const items = menuItems();
    const at = items.indexOf(document.activeElement);
    const next = {ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1}[event.key];
    if (next !== undefined) {
      event.preventDefault();
      items[(next + items.length) % items.length].focus();
    } else if (event.key === "Tab") {
      event.preventDefault();
      closeMoveMenu();
    }
  });
  menu.addEventListener("click", (event) => {
    const option = event.target.closest("[role=menuitem]");
    if (!option) return;
    menuState.chosen = true;
    const dealId = menu.dataset.dealId;
    closeMoveMenu();
    moveDeal(dealId, option.dataset.stageId, "menu");
  });
  addEventListener("resize", closeMoveMenu);
}

// ----- events

function clearDrag() {
  state.dragging = null;
  for (const marked of document.querySelectorAll(".is-dragging, .is-drop-target")) {
    marked.classList.remove("is-dragging", "is-drop-target");
  }
}

const DROP_TARGETS = ".column, .drop-zone";

function bindDropTargets(container) {
  container.addEventListener("dragover", (event) => {
    const target = event.target.closest?.(DROP_TARGETS);
    if (!target || !state.dragging) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    target.classList.add("is-drop-target");
  });
  container.addEventListener("dragleave", (event) => {
    const target = event.target.closest?.(DROP_TARGETS);
    if (target && !target.contains(event.relatedTarget)) target.classList.remove("is-drop-target");
  });
  container.addEventListener("drop", (event) => {
    const target = event.target.closest?.(DROP_TARGETS);
    const dealId = state.dragging || event.dataTransfer.getData("text/plain");
    clearDrag();
    if (!target || !dealId) return;
    event.preventDefault();
    moveDeal(dealId, target.dataset.stageId, "drag");
  });
}

function bindBoardEvents() {
  const {board} = elements;
  board.addEventListener("click", (event) => {
    const move = event.target.closest("button.card-move");
    if (move) {
      openMoveMenu(move);
      return;
    }
    const action = event.target.closest("button.quick-action");
    if (action) {
      if (action.dataset.action === "dial") callRecord("deal", action.dataset.dealId, say);
      else openPanel(action.dataset.dealId, action.dataset.action);
      return;
    }
    const link = event.target.closest("a.card-link");
    if (link && event.button === 0 && !(event.ctrlKey || event.metaKey || event.shiftKey || event.altKey)) {
      event.preventDefault();
      openPanel(link.dataset.dealId);
    }
  });
  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest?.(".card[draggable=true]");
    if (!card) return;
    closeMoveMenu();
    state.dragging = card.dataset.dealId;
    event.dataTransfer.setData("text/plain", card.dataset.dealId);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("is-dragging");
    document.body.classList.add("is-dragging-card");
  });
  document.addEventListener("dragend", () => {
    clearDrag();
    document.body.classList.remove("is-dragging-card");
  });
  bindDropTargets(board);
  bindDropTargets(elements.zones);
  bindMoveMenu();
}

function bindToolbar() {
  setupFilters({form: byId("filter-bar"), toggle: byId("filters-toggle"), filters: state.filters, onChange: () => {
    closeMoveMenu();
    loadBoard();
  }});
  setupQuickCreate({button: byId("new-deal"), dialog: byId("quick-create"), onCreated});
  onLanguageChange(() => {
    closeMoveMenu();
    renderOwnerFilter();
    if (state.pipeline) renderBoard();
  });
}

/** Who is signed in decides the owner filter. */
async function loadMe() {
  state.me = await startPage();
  if (state.me) signedInUser(state.me);
  if (!isManaging()) {
    state.filters.owner = ""; // a rep's board is their own
    return;
  }
  const {owner} = state.filters;
  if (owner) state.owners.set(owner, state.owners.get(owner) ?? owner);
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
