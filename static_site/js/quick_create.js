/**
 * The "New deal" quick-create dialog (D2): title, account, amount and currency, expected close date and deal type
 * -> POST /api/deals.
 *
 * The deal lands in the pipeline's Unsorted stage and is the creator's own; the caller puts the card on the board.
 * A native modal <dialog> keeps focus inside, closes on Escape and gives focus back to the "New deal" button.
 */

import "./i18n/board.js";
import {api} from "./api.js";
import {DEAL_TYPES, dealTypeName} from "./deal_fields.js";
import {setOptions} from "./dom.js";
import {currencyName, describeError, onLanguageChange, t} from "./i18n.js";

const CURRENCIES = ["EUR", "USD", "GBP", "CHF", "HUF"];
const CURRENCY_KEY = "crm.currency";
const FIELDS = ["title", "account_name", "amount", "currency", "expected_close_date", "deal_type"];
const NATIVE_DIGITS = /[\u06F0-\u06F9\u0660-\u0669]/g;

/**
 * An amount as typed ("1200.50", "1.200,50", "1,200", "۱۲۰۰٫۵") -> the API's decimal string, or null when it
 * is not a positive amount with at most two decimals. A separator followed by exactly three digits groups
 * thousands; one followed by one or two digits at the end is the decimal point, whatever the locale.
 */
export function parseAmount(text) {
  const ascii = text
    // Arabic-Indic digits start at U+0660, the Persian ones 0x90 later at U+06F0
    .replace(NATIVE_DIGITS, (digit) => String((digit.charCodeAt(0) - 0x0660) % 0x90))
    .replace(/\u066B/g, ".").replace(/\u066C/g, ",")
    .replace(/[\s\u00A0\u202F'’]/g, "");
  const match = ascii.match(/^(\d{1,3}(?:([.,])\d{3}(?:\2\d{3})*)?|\d+)(?:([.,])(\d{1,2}))?$/);
  if (!match || (match[2] && match[2] === match[3])) return null;
  const whole = match[1].replace(/[.,]/g, "").replace(/^0+(?=\d)/, "");
  const amount = match[4] ? `${whole}.${match[4]}` : whole;
  return Number(amount) > 0 && whole.length <= 13 ? amount : null;
}

function rememberedCurrency() {
  try {
    return localStorage.getItem(CURRENCY_KEY) || "EUR";
  } catch {
    return "EUR";
  }
}

/** Wires the dialog; `onCreated(card)` gets the new deal's card from the API. */
export function setupQuickCreate({button, dialog, onCreated}) {
  const form = dialog.querySelector("form");
  const summary = dialog.querySelector("[data-role=form-error]");
  const submit = form.querySelector("button[type=submit]");
  const fields = Object.fromEntries(FIELDS.map((name) => [name, form.elements.namedItem(name)]));

  const fillOptions = () => {
    setOptions(fields.currency, CURRENCIES.map((code) => ({value: code, label: `${code} – ${currencyName(code)}`})));
    setOptions(fields.deal_type, [{value: "", label: t("boardDealTypeNone")},
      ...DEAL_TYPES.map((value) => ({value, label: dealTypeName(value)}))]);
  };
  fillOptions();
  onLanguageChange(fillOptions);

  function fieldError(name) {
    return dialog.querySelector(`#${fields[name].id}-error`);
  }

  function clearErrors() {
    summary.textContent = "";
    summary.hidden = true;
    for (const name of FIELDS) {
      fields[name].removeAttribute("aria-invalid");
      fieldError(name).textContent = "";
      fieldError(name).hidden = true;
    }
  }

  /** Marks each field the client or the API refused and focuses the first; other problems go in the summary. */
  function showErrors(errors, fallback) {
    const marked = FIELDS.filter((name) => errors[name]);
    for (const name of marked) {
      fields[name].setAttribute("aria-invalid", "true");
      fieldError(name).textContent = errors[name];
      fieldError(name).hidden = false;
    }
    const others = Object.entries(errors).filter(([name]) => !FIELDS.includes(name)).map(([, message]) => message);
    summary.textContent = [marked.length ? t("fixFields") : fallback, ...others].filter(Boolean).join(" ");
    summary.hidden = false;
    (marked.length ? fields[marked[0]] : fields.title).focus();
  }

  button.addEventListener("click", () => {
    form.reset();
    clearErrors();
    fields.currency.value = CURRENCIES.includes(rememberedCurrency()) ? rememberedCurrency() : "EUR";
    dialog.showModal();
    fields.title.focus();
  });
  form.querySelector("[data-role=cancel]").addEventListener("click", () => dialog.close());

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const title = fields.title.value.trim();
    const amountText = fields.amount.value.trim();
    const amount = amountText ? parseAmount(amountText) : null;
    const errors = {
      ...(title ? {} : {title: t("titleRequired")}),
      ...(amountText && amount === null ? {amount: t("amountInvalid")} : {}),
    };
    if (Object.keys(errors).length) {
      showErrors(errors);
      return;
    }
    submit.disabled = true;
    try {
      const card = await api("/deals", {method: "POST", body: {
        title,
        account_name: fields.account_name.value.trim() || null,
        amount,
        currency: amount ? fields.currency.value : null,
        expected_close_date: fields.expected_close_date.value || null,
        deal_type: fields.deal_type.value || null,
      }});
      try {
        localStorage.setItem(CURRENCY_KEY, fields.currency.value);
      } catch {
        // private mode: EUR again next time
      }
      dialog.close();
      onCreated(card);
    } catch (error) {
      if (error.status === 401) return;
      const message = t("createFailed", {message: describeError(error)});
      if (error.status === 422) showErrors(error.fieldErrors, message);
      else showErrors({}, message);
    } finally {
      submit.disabled = false;
    }
  });
}
