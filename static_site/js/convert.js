/**
 * The Convert dialog (L8), shared by a lead's row on the lists and the lead's own page: the account's name, an
 * optional deal and an optional first task, posted to /api/leads/{id}/convert. The dialog is built when opened, so
 * it always speaks the page's current language, and removed when it closes.
 */

import "./i18n/lists.js"; // the dialog's words are the lists page's
import {api} from "./api.js";
import {h, setOptions} from "./dom.js";
import {describeError, t} from "./i18n.js";

const CURRENCIES = ["EUR", "USD", "GBP", "CHF", "HUF"];

function field(id, key, control) {
  return h("div", {class: "field"}, h("label", {for: id}, t(key)), control);
}

function input(id, attributes = {}) {
  return h("input", {type: "text", id, "data-testid": id, autocomplete: "off", ...attributes});
}

function dialogFor(lead) {
  const currency = h("select", {id: "convert-currency", "data-testid": "convert-currency"});
  setOptions(currency, CURRENCIES.map((code) => ({value: code, label: code})), "EUR");
  return h("dialog", {id: "convert-dialog", class: "dialog", "aria-labelledby": "convert-title"},
    h("form", {novalidate: true},
      h("h2", {id: "convert-title"}, t("listsConvertTitle", {name: lead.name})),
      h("p", {class: "form-error", "data-role": "form-error", role: "alert", hidden: true}),
      field("convert-account", "listsAccountName", input("convert-account", {maxlength: "200",
        autocomplete: "organization", value: lead.company || lead.name})),
      h("fieldset", {class: "convert-group"}, h("legend", {}, t("listsDealOptional")),
        field("convert-deal-title", "listsDealTitle", input("convert-deal-title", {maxlength: "200"})),
        h("div", {class: "field-row"},
          field("convert-amount", "listsAmount", input("convert-amount", {inputmode: "decimal"})),
          field("convert-currency", "listsCurrency", currency))),
      h("fieldset", {class: "convert-group"}, h("legend", {}, t("listsTaskOptional")),
        field("convert-task-title", "listsTaskTitle", input("convert-task-title", {maxlength: "200"})),
        field("convert-task-due", "listsTaskDue", input("convert-task-due", {type: "datetime-local"}))),
      h("div", {class: "dialog-actions"},
        h("button", {type: "submit", class: "button button--primary", "data-testid": "convert-submit"},
          t("listsConvert")),
        h("button", {type: "button", class: "button", "data-role": "cancel"}, t("listsCancel")))));
}

/** What the dialog's fields ask for; a task needs its due date and time. */
function conversionBody(dialog) {
  const value = (id) => dialog.querySelector(`#${id}`).value.trim();
  const body = {account_name: value("convert-account") || null};
  if (value("convert-amount")) {
    body.deal = {amount: value("convert-amount"), currency: value("convert-currency"),
      title: value("convert-deal-title") || null};
  }
  if (value("convert-task-title")) {
    if (!value("convert-task-due")) throw new Error(t("listsTaskDueNeeded"));
    body.task = {title: value("convert-task-title"), due_at: new Date(value("convert-task-due")).toISOString()};
  }
  return body;
}

/**
 * Opens the dialog for `lead` ({id, name, company}); resolves with the API's answer (contact_id, account_id,
 * deal_id...) once converted, or null when the user closed the dialog without converting.
 */
export function convertLead(lead) {
  const dialog = dialogFor(lead);
  const form = dialog.querySelector("form");
  const error = form.querySelector("[data-role=form-error]");
  const submit = form.querySelector("[type=submit]");
  document.body.append(dialog);
  return new Promise((resolve) => {
    let result = null;
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(result);
    });
    form.querySelector("[data-role=cancel]").addEventListener("click", () => dialog.close());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const body = conversionBody(dialog);
        submit.disabled = true;
        result = await api(`/leads/${encodeURIComponent(lead.id)}/convert`, {method: "POST", body,
          headers: {"Idempotency-Key": `convert-${lead.id}-${crypto.randomUUID()}`}});
        dialog.close();
      } catch (failure) {
        error.textContent = t("listsConvertFailed", {name: lead.name, message: describeError(failure)});
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    });
    dialog.showModal();
    dialog.querySelector("#convert-account").focus();
  });
}
