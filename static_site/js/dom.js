/** Tiny DOM helpers shared by the pages: elements are built from data, never from HTML strings. */

/**
 * An element with attributes and children: h("li", {class: "x", "data-testid": "y", onclick: fn}, "text", node).
 * Strings become text nodes, so names and titles typed by users can never inject markup.
 * `null`, `undefined` and `false` attributes and children are left out; `true` sets an empty attribute.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  const kept = children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false);
  element.append(...kept);
  return element;
}

/** Replaces the options of a <select> and keeps its value when that value is still offered. */
export function setOptions(select, options, value = select.value) {
  select.replaceChildren(...options.map(({value: optionValue, label, lang}) =>
    h("option", {value: optionValue, lang}, label)));
  select.value = options.some((option) => option.value === value) ? value : (options[0]?.value ?? "");
}

/** Shows a message in the page's live region; `kind` "error" styles it as one (the text says it too). */
export function announce(region, text, kind = "info") {
  region.dataset.kind = kind;
  // Emptying first makes screen readers repeat a message that is the same as the previous one.
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 30);
}

/** Keeps a page's choice (e.g. ?owner=) in its URL without reloading, so a reload or a shared link shows it. */
export function rememberInUrl(name, value) {
  const url = new URL(location.href);
  if (value) url.searchParams.set(name, value);
  else url.searchParams.delete(name);
  history.replaceState(null, "", url);
}
