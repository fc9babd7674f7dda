/** The search box's words (js/search.js), in every language the CRM speaks; its groups use the menu's names. */

import {addMessages} from "../i18n.js";

addMessages({
  en: {
    searchLabel: "Search leads, contacts, accounts and deals",
    searchPlaceholder: "Search name, company, email, phone",
    searchNone: "Nothing found for “{query}”.",
    searchFound: {one: "{count} result", other: "{count} results"},
  },
  de: {
    searchLabel: "Leads, Kontakte, Firmen und Deals suchen",
    searchPlaceholder: "Name, Firma, E-Mail, Telefon suchen",
    searchNone: "Nichts gefunden für „{query}“.",
    searchFound: {one: "{count} Treffer", other: "{count} Treffer"},
  },
  hu: {
    searchLabel: "Érdeklődők, kapcsolatok, cégek és üzletek keresése",
    searchPlaceholder: "Név, cég, e-mail, telefon keresése",
    searchNone: "Nincs találat erre: „{query}”.",
    searchFound: {one: "{count} találat", other: "{count} találat"},
  },
  el: {
    searchLabel: "Αναζήτηση υποψηφίων, επαφών, εταιρειών και συμφωνιών",
    searchPlaceholder: "Αναζήτηση ονόματος, εταιρείας, email, τηλεφώνου",
    searchNone: "Δεν βρέθηκε τίποτα για «{query}».",
    searchFound: {one: "{count} αποτέλεσμα", other: "{count} αποτελέσματα"},
  },
  fa: {
    searchLabel: "جستجوی سرنخ‌ها، مخاطبان، شرکت‌ها و معامله‌ها",
    searchPlaceholder: "جستجوی نام، شرکت، ایمیل، تلفن",
    searchNone: "چیزی برای «{query}» یافت نشد.",
    searchFound: {one: "{count} نتیجه", other: "{count} نتیجه"},
  },
});
