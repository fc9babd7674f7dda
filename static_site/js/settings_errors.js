/**
 * Field errors on the settings forms. The API names each refused field by its path in the body it was sent
 * ("stages.2.name", "translations.de.body", "email"); an error line tagged with that path (data-error-for) shows
 * the message, and the control tagged with it (data-field) is marked invalid and described by that line.
 * A rule about a whole part ("stages.2": a won stage has no limit) lands on the nearest enclosing part's line.
 */

import {h} from "./dom.js";
import {reasonText, t} from "./i18n.js";

let lines = 0;

/** Tags `input` and its error `line` with the API's `path` for them; the line describes the input. */
export function bindError(input, line, path) {
  line.dataset.errorFor = path;
  line.id ||= `settings-error-${++lines}`;
  if (!input) return line;
  input.dataset.field = path;
  const described = (input.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
  if (!described.includes(line.id)) input.setAttribute("aria-describedby", [...described, line.id].join(" "));
  return line;
}

/** A new, hidden error line for `path`, describing `input` when given. */
export function errorLine(path, input = null) {
  return bindError(input, h("p", {class: "field-error", hidden: true}), path);
}

export function clearErrors(form, box) {
  for (const line of form.querySelectorAll("[data-error-for]")) {
    line.hidden = true;
    line.textContent = "";
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  box.hidden = true;
  box.replaceChildren();
}

function nearestLine(form, field) {
  const byPath = new Map([...form.querySelectorAll("[data-error-for]")].map((line) => [line.dataset.errorFor, line]));
  for (let path = field; path; path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "") {
    if (byPath.has(path)) return byPath.get(path);
  }
  return null;
}

/**
 * Shows a 422's errors ([{field, message}]) beside their fields and the ones no field shows in `box`, with a
 * summary; focuses the first invalid control so a keyboard user lands on it. `label` names a loose field.
 */
export function showErrors(form, box, errors, label = (field) => field) {
  clearErrors(form, box);
  const loose = [];
  let first = null;
  for (const error of errors) {
    const {field} = error;
    const message = reasonText(error);
    const line = nearestLine(form, field);
    if (!line) {
      loose.push(h("li", {}, field && field !== "body" ? `${label(field)}: ${message}` : message));
      continue;
    }
    line.textContent = line.textContent ? `${line.textContent} ${message}` : message;
    line.hidden = false;
    const input = [...form.querySelectorAll("[data-field]")].find((c) => c.dataset.field === line.dataset.errorFor);
    input?.setAttribute("aria-invalid", "true");
    first ??= input;
  }
  box.replaceChildren(h("span", {}, t("settingsFixFields")), ...(loose.length ? [h("ul", {}, loose)] : []));
  box.hidden = false;
  first?.focus();
}
