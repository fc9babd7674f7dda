/**
 * The UI's words in every language the CRM speaks (en, de, hu, el, fa), as data, and Intl formatting per locale.
 *
 * Pages mark static text with data-i18n="key" (text) or data-i18n-attr="attribute:key" (e.g. aria-label);
 * code calls t(key, params). A message with plural forms is an object keyed by Intl.PluralRules categories.
 * The default pipeline's stage names and lost reasons are shown translated while an admin has not renamed them.
 */

import {REASON_MESSAGES} from "./i18n/reasons.js";
import {SYSTEM_TASK_TITLES} from "./i18n/system_tasks.js";

const STORAGE_KEY = "crm.language";
const ISO_MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

export const LANGUAGES = Object.freeze({
  en: {name: "English", dir: "ltr"},
  de: {name: "Deutsch", dir: "ltr"},
  hu: {name: "Magyar", dir: "ltr"},
  el: {name: "Ελληνικά", dir: "ltr"},
  fa: {name: "فارسی", dir: "rtl"},
});

/** The default pipeline's stage names (crm/domain/pipelines.py), by stage id. */
const DEFAULT_STAGE_NAMES = Object.freeze({
  "unsorted": "Unsorted", "identified": "Identified", "in-discussion": "In discussion",
  "decision-makers-identified": "Decision makers identified", "proposal": "Proposal",
  "negotiation": "Negotiation", "procurement": "Procurement", "closed-won": "Closed won",
  "closed-lost": "Closed lost",
});

const MESSAGES = {
  en: {
    navLabel: "Main",
    navHome: "Home",
    navBoard: "Board",
    navLeads: "Leads",
    navContacts: "Contacts",
    navAccounts: "Accounts",
    navDeals: "Deals",
    navTasks: "My tasks",
    navStalled: "Stalled deals",
    navImport: "Import",
    navSettings: "Settings",
    navReview: "Deletion requests",
    pageTitleBoard: "Deals board – Serverless CRM",
    pageTitleLogin: "Sign in – Serverless CRM",
    language: "Language",
    skipToBoard: "Skip to the board",
    signOut: "Sign out",
    signedInAs: "Signed in as {name} ({role})",
    boardTitle: "Deals: {name}",
    newDeal: "New deal",
    owner: "Owner",
    allOwners: "All owners",
    loading: "Loading the board…",
    loadFailed: "The board could not be loaded: {message}",
    dealCount: {one: "{count} deal", other: "{count} deals"},
    noDeals: "No deals here yet.",
    loadMore: "Load more",
    loadingMore: "Loading…",
    account: "Account",
    amount: "Amount",
    overdue: "Overdue",
    stalled: "Stalled",
    stage: "Stage",
    moved: "“{title}” moved to {stage}.",
    stale: "Someone else changed “{title}” meanwhile. The card now shows the latest version; check it and move "
      + "it again if needed.",
    gone: "“{title}” is no longer on your board.",
    moveFailed: "“{title}” could not be moved: {message}",
    offline: "The CRM could not be reached. Check your connection and try again.",
    notFound: "It is not there: it was deleted, or it belongs to someone else.",
    unavailable: "The CRM is busy right now; nothing was changed. Try again in a moment.",
    forbidden: "You are not allowed to do that.",
    somethingWrong: "Something went wrong ({status}).",
    dealCreated: "Deal “{title}” created in {stage}.",
    dealCreatedHidden: "Deal “{title}” created; the current owner filter does not show it.",
    dealTitle: "Title",
    required: "required",
    dealAccount: "Account",
    dealAmount: "Amount",
    amountHint: "For example 1200.50",
    dealCurrency: "Currency",
    createDeal: "Create deal",
    cancel: "Cancel",
    titleRequired: "Enter a title for the deal.",
    amountInvalid: "Enter the amount as a number above zero, for example 1200.50.",
    fixFields: "Check the fields marked below.",
    createFailed: "The deal could not be created: {message}",
    lostTitle: "Why was “{title}” lost?",
    lostReason: "Lost reason",
    markLost: "Mark as lost",
    signInTitle: "Sign in",
    signInIntro: "Pick a demo user. The local CRM signs you in without a password.",
    signingIn: "Signing in as {name}…",
    signInFailed: "Sign-in failed: {message}",
    localOnly: "This page signs in the demo users of the local CRM only; this deployment has its own sign-in.",
    role_admin: "Admin",
    role_manager: "Manager",
    role_rep: "Sales rep",
    stages: {},
    reasons: {},
  },
  de: {
    navLabel: "Hauptmenü",
    navHome: "Start",
    navBoard: "Board",
    navLeads: "Leads",
    navContacts: "Kontakte",
    navAccounts: "Firmen",
    navDeals: "Deals",
    navTasks: "Meine Aufgaben",
    navStalled: "Festgefahrene Deals",
    navImport: "Import",
    navSettings: "Einstellungen",
    navReview: "Löschanträge",
    pageTitleBoard: "Deal-Board – Serverless CRM",
    pageTitleLogin: "Anmelden – Serverless CRM",
    language: "Sprache",
    skipToBoard: "Zum Board springen",
    signOut: "Abmelden",
    signedInAs: "Angemeldet als {name} ({role})",
    boardTitle: "Deals: {name}",
    newDeal: "Neuer Deal",
    owner: "Verantwortlich",
    allOwners: "Alle",
    loading: "Board wird geladen …",
    loadFailed: "Das Board konnte nicht geladen werden: {message}",
    dealCount: {one: "{count} Deal", other: "{count} Deals"},
    noDeals: "Hier gibt es noch keine Deals.",
    loadMore: "Mehr laden",
    loadingMore: "Wird geladen …",
    account: "Firma",
    amount: "Betrag",
    overdue: "Überfällig",
    stalled: "Stockt",
    stage: "Phase",
    moved: "„{title}“ nach {stage} verschoben.",
    stale: "Jemand anderes hat „{title}“ inzwischen geändert. Die Karte zeigt jetzt den aktuellen Stand; prüfen "
      + "Sie ihn und verschieben Sie die Karte bei Bedarf erneut.",
    gone: "„{title}“ ist nicht mehr auf Ihrem Board.",
    moveFailed: "„{title}“ konnte nicht verschoben werden: {message}",
    offline: "Das CRM ist nicht erreichbar. Prüfen Sie die Verbindung und versuchen Sie es erneut.",
    notFound: "Nicht vorhanden: Es wurde gelöscht oder gehört jemand anderem.",
    unavailable: "Das CRM ist gerade ausgelastet; nichts wurde geändert. Versuchen Sie es gleich noch einmal.",
    forbidden: "Dazu sind Sie nicht berechtigt.",
    somethingWrong: "Etwas ist schiefgelaufen ({status}).",
    dealCreated: "Deal „{title}“ in {stage} angelegt.",
    dealCreatedHidden: "Deal „{title}“ angelegt; mit dem aktuellen Filter wird er nicht angezeigt.",
    dealTitle: "Titel",
    required: "Pflichtfeld",
    dealAccount: "Firma",
    dealAmount: "Betrag",
    amountHint: "Zum Beispiel 1200,50",
    dealCurrency: "Währung",
    createDeal: "Deal anlegen",
    cancel: "Abbrechen",
    titleRequired: "Geben Sie einen Titel für den Deal ein.",
    amountInvalid: "Geben Sie den Betrag als Zahl über null ein, zum Beispiel 1200,50.",
    fixFields: "Bitte prüfen Sie die markierten Felder.",
    createFailed: "Der Deal konnte nicht angelegt werden: {message}",
    lostTitle: "Warum wurde „{title}“ verloren?",
    lostReason: "Verlustgrund",
    markLost: "Als verloren markieren",
    signInTitle: "Anmelden",
    signInIntro: "Wählen Sie einen Demo-Benutzer. Das lokale CRM meldet Sie ohne Passwort an.",
    signingIn: "Anmeldung als {name} …",
    signInFailed: "Anmeldung fehlgeschlagen: {message}",
    localOnly: "Diese Seite meldet nur die Demo-Benutzer des lokalen CRM an; diese Installation hat eine eigene "
      + "Anmeldung.",
    role_admin: "Administration",
    role_manager: "Vertriebsleitung",
    role_rep: "Vertrieb",
    stages: {
      "unsorted": "Unsortiert", "identified": "Identifiziert", "in-discussion": "Im Gespräch",
      "decision-makers-identified": "Entscheider identifiziert", "proposal": "Angebot", "negotiation": "Verhandlung",
      "procurement": "Beschaffung", "closed-won": "Gewonnen", "closed-lost": "Verloren",
    },
    reasons: {
      "Price": "Preis", "Chose a competitor": "Wettbewerber gewählt", "No budget": "Kein Budget",
      "No decision": "Keine Entscheidung", "Timing": "Zeitpunkt", "Other": "Sonstiges",
    },
  },
  hu: {
    navLabel: "Főmenü",
    navHome: "Kezdőlap",
    navBoard: "Tábla",
    navLeads: "Érdeklődők",
    navContacts: "Kapcsolatok",
    navAccounts: "Cégek",
    navDeals: "Üzletek",
    navTasks: "Feladataim",
    navStalled: "Elakadt üzletek",
    navImport: "Importálás",
    navSettings: "Beállítások",
    navReview: "Törlési kérések",
    pageTitleBoard: "Üzletek táblája – Serverless CRM",
    pageTitleLogin: "Bejelentkezés – Serverless CRM",
    language: "Nyelv",
    skipToBoard: "Ugrás a táblára",
    signOut: "Kijelentkezés",
    signedInAs: "Bejelentkezve: {name} ({role})",
    boardTitle: "Üzletek: {name}",
    newDeal: "Új üzlet",
    owner: "Felelős",
    allOwners: "Mindenki",
    loading: "A tábla betöltése…",
    loadFailed: "A táblát nem sikerült betölteni: {message}",
    dealCount: {one: "{count} üzlet", other: "{count} üzlet"},
    noDeals: "Itt még nincs üzlet.",
    loadMore: "Továbbiak betöltése",
    loadingMore: "Betöltés…",
    account: "Cég",
    amount: "Összeg",
    overdue: "Lejárt",
    stalled: "Elakadt",
    stage: "Szakasz",
    moved: "„{title}” áthelyezve ide: {stage}.",
    stale: "Időközben valaki más módosította ezt: „{title}”. A kártya most a legfrissebb állapotot mutatja; "
      + "ellenőrizze, és ha kell, helyezze át újra.",
    gone: "„{title}” már nincs az Ön tábláján.",
    moveFailed: "„{title}” áthelyezése nem sikerült: {message}",
    offline: "A CRM nem érhető el. Ellenőrizze a kapcsolatot, és próbálja újra.",
    notFound: "Nem található: törölték, vagy valaki másé.",
    unavailable: "A CRM most túlterhelt; semmi sem változott. Próbálja újra egy kicsit később.",
    forbidden: "Ehhez nincs jogosultsága.",
    somethingWrong: "Hiba történt ({status}).",
    dealCreated: "„{title}” üzlet létrehozva itt: {stage}.",
    dealCreatedHidden: "„{title}” üzlet létrehozva; a jelenlegi szűrővel nem látszik.",
    dealTitle: "Megnevezés",
    required: "kötelező",
    dealAccount: "Cég",
    dealAmount: "Összeg",
    amountHint: "Például 1200,50",
    dealCurrency: "Pénznem",
    createDeal: "Üzlet létrehozása",
    cancel: "Mégse",
    titleRequired: "Adja meg az üzlet megnevezését.",
    amountInvalid: "Az összeget nullánál nagyobb számként adja meg, például 1200,50.",
    fixFields: "Ellenőrizze a megjelölt mezőket.",
    createFailed: "Az üzletet nem sikerült létrehozni: {message}",
    lostTitle: "Miért veszett el: „{title}”?",
    lostReason: "Az elvesztés oka",
    markLost: "Elveszettnek jelölés",
    signInTitle: "Bejelentkezés",
    signInIntro: "Válasszon egy bemutató felhasználót. A helyi CRM jelszó nélkül jelentkezteti be.",
    signingIn: "Bejelentkezés mint {name}…",
    signInFailed: "A bejelentkezés nem sikerült: {message}",
    localOnly: "Ez az oldal csak a helyi CRM bemutató felhasználóit jelentkezteti be; ennek a telepítésnek saját "
      + "bejelentkezése van.",
    role_admin: "Adminisztrátor",
    role_manager: "Értékesítési vezető",
    role_rep: "Értékesítő",
    stages: {
      "unsorted": "Besorolatlan", "identified": "Azonosítva", "in-discussion": "Egyeztetés alatt",
      "decision-makers-identified": "Döntéshozók azonosítva", "proposal": "Ajánlat", "negotiation": "Tárgyalás",
      "procurement": "Beszerzés", "closed-won": "Megnyert", "closed-lost": "Elvesztett",
    },
    reasons: {
      "Price": "Ár", "Chose a competitor": "Versenytársat választott", "No budget": "Nincs keret",
      "No decision": "Nem született döntés", "Timing": "Időzítés", "Other": "Egyéb",
    },
  },
  el: {
    navLabel: "Κύριο μενού",
    navHome: "Αρχική",
    navBoard: "Πίνακας",
    navLeads: "Υποψήφιοι",
    navContacts: "Επαφές",
    navAccounts: "Εταιρείες",
    navDeals: "Συμφωνίες",
    navTasks: "Οι εργασίες μου",
    navStalled: "Κολλημένες συμφωνίες",
    navImport: "Εισαγωγή",
    navSettings: "Ρυθμίσεις",
    navReview: "Αιτήματα διαγραφής",
    pageTitleBoard: "Πίνακας συμφωνιών – Serverless CRM",
    pageTitleLogin: "Σύνδεση – Serverless CRM",
    language: "Γλώσσα",
    skipToBoard: "Μετάβαση στον πίνακα",
    signOut: "Αποσύνδεση",
    signedInAs: "Σύνδεση ως {name} ({role})",
    boardTitle: "Συμφωνίες: {name}",
    newDeal: "Νέα συμφωνία",
    owner: "Υπεύθυνος",
    allOwners: "Όλοι",
    loading: "Φόρτωση του πίνακα…",
    loadFailed: "Δεν ήταν δυνατή η φόρτωση του πίνακα: {message}",
    dealCount: {one: "{count} συμφωνία", other: "{count} συμφωνίες"},
    noDeals: "Δεν υπάρχουν ακόμη συμφωνίες εδώ.",
    loadMore: "Περισσότερες",
    loadingMore: "Φόρτωση…",
    account: "Εταιρεία",
    amount: "Ποσό",
    overdue: "Εκπρόθεσμη",
    stalled: "Σε στασιμότητα",
    stage: "Στάδιο",
    moved: "Η «{title}» μετακινήθηκε στο στάδιο {stage}.",
    stale: "Κάποιος άλλος άλλαξε στο μεταξύ την «{title}». Η κάρτα δείχνει τώρα την πιο πρόσφατη έκδοση· "
      + "ελέγξτε την και μετακινήστε την ξανά αν χρειάζεται.",
    gone: "Η «{title}» δεν βρίσκεται πια στον πίνακά σας.",
    moveFailed: "Δεν ήταν δυνατή η μετακίνηση της «{title}»: {message}",
    offline: "Δεν ήταν δυνατή η σύνδεση με το CRM. Ελέγξτε τη σύνδεσή σας και δοκιμάστε ξανά.",
    notFound: "Δεν υπάρχει: διαγράφηκε ή ανήκει σε κάποιον άλλο.",
    unavailable: "Το CRM είναι απασχολημένο αυτή τη στιγμή· δεν άλλαξε τίποτα. Δοκιμάστε ξανά σε λίγο.",
    forbidden: "Δεν έχετε δικαίωμα για αυτή την ενέργεια.",
    somethingWrong: "Κάτι πήγε στραβά ({status}).",
    dealCreated: "Η συμφωνία «{title}» δημιουργήθηκε στο στάδιο {stage}.",
    dealCreatedHidden: "Η συμφωνία «{title}» δημιουργήθηκε· δεν εμφανίζεται με το τρέχον φίλτρο.",
    dealTitle: "Τίτλος",
    required: "υποχρεωτικό",
    dealAccount: "Εταιρεία",
    dealAmount: "Ποσό",
    amountHint: "Για παράδειγμα 1200,50",
    dealCurrency: "Νόμισμα",
    createDeal: "Δημιουργία συμφωνίας",
    cancel: "Ακύρωση",
    titleRequired: "Εισαγάγετε τίτλο για τη συμφωνία.",
    amountInvalid: "Εισαγάγετε το ποσό ως αριθμό μεγαλύτερο του μηδενός, για παράδειγμα 1200,50.",
    fixFields: "Ελέγξτε τα πεδία που επισημαίνονται παρακάτω.",
    createFailed: "Δεν ήταν δυνατή η δημιουργία της συμφωνίας: {message}",
    lostTitle: "Γιατί χάθηκε η «{title}»;",
    lostReason: "Λόγος απώλειας",
    markLost: "Σήμανση ως χαμένη",
    signInTitle: "Σύνδεση",
    signInIntro: "Επιλέξτε έναν χρήστη επίδειξης. Το τοπικό CRM σας συνδέει χωρίς κωδικό.",
    signingIn: "Σύνδεση ως {name}…",
    signInFailed: "Η σύνδεση απέτυχε: {message}",
    localOnly: "Αυτή η σελίδα συνδέει μόνο τους χρήστες επίδειξης του τοπικού CRM· αυτή η εγκατάσταση έχει δική "
      + "της σύνδεση.",
    role_admin: "Διαχειριστής",
    role_manager: "Διευθυντής πωλήσεων",
    role_rep: "Πωλητής",
    stages: {
      "unsorted": "Χωρίς ταξινόμηση", "identified": "Εντοπίστηκε", "in-discussion": "Σε συζήτηση",
      "decision-makers-identified": "Εντοπίστηκαν οι αποφασίζοντες", "proposal": "Πρόταση",
      "negotiation": "Διαπραγμάτευση", "procurement": "Προμήθεια", "closed-won": "Κερδήθηκε",
      "closed-lost": "Χάθηκε",
    },
    reasons: {
      "Price": "Τιμή", "Chose a competitor": "Επέλεξε ανταγωνιστή", "No budget": "Χωρίς προϋπολογισμό",
      "No decision": "Καμία απόφαση", "Timing": "Χρονισμός", "Other": "Άλλο",
    },
  },
  fa: {
    navLabel: "منوی اصلی",
    navHome: "خانه",
    navBoard: "تابلو",
    navLeads: "سرنخ‌ها",
    navContacts: "مخاطبان",
    navAccounts: "شرکت‌ها",
    navDeals: "معامله‌ها",
    navTasks: "کارهای من",
    navStalled: "معامله‌های متوقف",
    navImport: "درون‌ریزی",
    navSettings: "تنظیمات",
    navReview: "درخواست‌های حذف",
    pageTitleBoard: "تابلوی معامله‌ها – Serverless CRM",
    pageTitleLogin: "ورود – Serverless CRM",
    language: "زبان",
    skipToBoard: "رفتن به تابلو",
    signOut: "خروج",
    signedInAs: "واردشده به‌عنوان {name} ({role})",
    boardTitle: "معامله‌ها: {name}",
    newDeal: "معاملهٔ جدید",
    owner: "مسئول",
    allOwners: "همه",
    loading: "در حال بارگذاری تابلو…",
    loadFailed: "تابلو بارگذاری نشد: {message}",
    dealCount: {one: "{count} معامله", other: "{count} معامله"},
    noDeals: "هنوز معامله‌ای اینجا نیست.",
    loadMore: "نمایش بیشتر",
    loadingMore: "در حال بارگذاری…",
    account: "شرکت",
    amount: "مبلغ",
    overdue: "سررسید گذشته",
    stalled: "متوقف",
    stage: "مرحله",
    moved: "«{title}» به {stage} منتقل شد.",
    stale: "شخص دیگری در این فاصله «{title}» را تغییر داده است. کارت اکنون آخرین نسخه را نشان می‌دهد؛ آن را "
      + "بررسی کنید و در صورت نیاز دوباره جابه‌جا کنید.",
    gone: "«{title}» دیگر در تابلوی شما نیست.",
    moveFailed: "«{title}» جابه‌جا نشد: {message}",
    offline: "دسترسی به CRM ممکن نیست. اتصال خود را بررسی کنید و دوباره تلاش کنید.",
    notFound: "پیدا نشد: حذف شده یا متعلق به شخص دیگری است.",
    unavailable: "CRM در حال حاضر مشغول است؛ چیزی تغییر نکرد. کمی بعد دوباره تلاش کنید.",
    forbidden: "اجازهٔ این کار را ندارید.",
    somethingWrong: "خطایی رخ داد ({status}).",
    dealCreated: "معاملهٔ «{title}» در {stage} ایجاد شد.",
    dealCreatedHidden: "معاملهٔ «{title}» ایجاد شد؛ با فیلتر فعلی نمایش داده نمی‌شود.",
    dealTitle: "عنوان",
    required: "الزامی",
    dealAccount: "شرکت",
    dealAmount: "مبلغ",
    amountHint: "برای مثال 1200.50",
    dealCurrency: "واحد پول",
    createDeal: "ایجاد معامله",
    cancel: "انصراف",
    titleRequired: "عنوانی برای معامله وارد کنید.",
    amountInvalid: "مبلغ را به صورت عددی بزرگ‌تر از صفر وارد کنید، برای مثال 1200.50.",
    fixFields: "فیلدهای مشخص‌شده را بررسی کنید.",
    createFailed: "معامله ایجاد نشد: {message}",
    lostTitle: "چرا «{title}» از دست رفت؟",
    lostReason: "دلیل از دست رفتن",
    markLost: "ثبت به‌عنوان از دست رفته",
    signInTitle: "ورود",
    signInIntro: "یک کاربر نمایشی انتخاب کنید. CRM محلی شما را بدون گذرواژه وارد می‌کند.",
    signingIn: "در حال ورود به‌عنوان {name}…",
    signInFailed: "ورود ناموفق بود: {message}",
    localOnly: "این صفحه فقط کاربران نمایشی CRM محلی را وارد می‌کند؛ این نصب روش ورود خودش را دارد.",
    role_admin: "مدیر سیستم",
    role_manager: "مدیر فروش",
    role_rep: "کارشناس فروش",
    stages: {
      "unsorted": "دسته‌بندی‌نشده", "identified": "شناسایی‌شده", "in-discussion": "در حال گفتگو",
      "decision-makers-identified": "تصمیم‌گیرندگان شناسایی شدند", "proposal": "پیشنهاد", "negotiation": "مذاکره",
      "procurement": "تدارکات", "closed-won": "برنده‌شده", "closed-lost": "از دست رفته",
    },
    reasons: {
      "Price": "قیمت", "Chose a competitor": "رقیب را انتخاب کرد", "No budget": "بودجه ندارد",
      "No decision": "تصمیمی گرفته نشد", "Timing": "زمان‌بندی", "Other": "سایر",
    },
  },
};

let current = "en";
const listeners = new Set();
const formatters = new Map();

function remembered() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function supported(code) {
  const base = String(code ?? "").toLowerCase().split("-")[0];
  return Object.hasOwn(LANGUAGES, base) ? base : null;
}

/** The language to start with: the one picked before, else the user's own (`preferred`), the browser's, English. */
export function initialLanguage(preferred = null) {
  return supported(remembered()) ?? supported(preferred)
    ?? (navigator.languages ?? []).map(supported).find(Boolean) ?? "en";
}

/** True when the user picked a language on this browser (then their profile's language does not override it). */
export function hasRememberedLanguage() {
  return supported(remembered()) !== null;
}

/** Switches the UI language: <html lang dir>, every data-i18n text, and whoever subscribed with onLanguageChange. */
export function setLanguage(code, {remember = false} = {}) {
  current = supported(code) ?? "en";
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, current);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }
  document.documentElement.lang = current;
  document.documentElement.dir = LANGUAGES[current].dir;
  translatePage();
  for (const listener of listeners) listener(current);
}

/**
 * Adds a page's own messages ({en: {...}, de: {...}, ...}) to the catalog, so each page module keeps its words
 * beside it (js/i18n/<page>.js); a key may be defined once only.
 */
export function addMessages(catalog) {
  for (const [code, messages] of Object.entries(catalog)) {
    if (!Object.hasOwn(MESSAGES, code)) throw new Error(`unknown language ${code}`);
    for (const key of Object.keys(messages)) {
      if (Object.hasOwn(MESSAGES[code], key)) throw new Error(`message ${key} is defined twice`);
    }
    Object.assign(MESSAGES[code], messages);
  }
}

addMessages(REASON_MESSAGES);

export function onLanguageChange(listener) {
  listeners.add(listener);
}

/** The message `key` in the current language (English when missing), with {name} placeholders filled in. */
export function t(key, params = {}) {
  let message = MESSAGES[current][key] ?? MESSAGES.en[key] ?? key;
  if (typeof message === "object") {
    message = message[cached("plural", () => new Intl.PluralRules(current)).select(params.count)] ?? message.other;
  }
  return message.replace(/\{(\w+)\}/g, (placeholder, name) => {
    if (!(name in params)) return placeholder;
    return name === "count" ? formatNumber(params.count) : String(params[name]);
  });
}

/** Fills in [data-i18n] texts and [data-i18n-attr="attribute:key; ..."] attributes under `root`. */
export function translatePage(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of element.dataset.i18nAttr.split(";")) {
      const [attribute, key] = pair.split(":").map((part) => part.trim());
      if (attribute && key) element.setAttribute(attribute, t(key));
    }
  }
  const titleKey = document.documentElement.dataset.titleKey;
  if (titleKey) document.title = t(titleKey);
}

/** A language <select> listing every language in its own name; the choice is remembered on this browser. */
export function languagePicker(select) {
  select.replaceChildren(...Object.entries(LANGUAGES).map(([code, {name}]) => {
    const option = document.createElement("option");
    option.value = code;
    option.lang = code;
    option.textContent = name;
    return option;
  }));
  select.value = current;
  select.addEventListener("change", () => setLanguage(select.value, {remember: true}));
  onLanguageChange((code) => { select.value = code; });
}

/** A stage's name: translated while it is still the default pipeline's English name, else the admin's text. */
export function stageName(stage) {
  if (DEFAULT_STAGE_NAMES[stage.id] !== stage.name) return stage.name;
  return MESSAGES[current].stages[stage.id] ?? stage.name;
}

/** A lost reason for display; the value sent to the API stays the pipeline's own text. */
export function lostReasonLabel(reason) {
  return MESSAGES[current].reasons[reason] ?? reason;
}

/** A task's title: translated when the CRM made the task (its stored English title), else as its author wrote it. */
export function taskTitle(title) {
  return SYSTEM_TASK_TITLES[current]?.[title] ?? title;
}

export function roleName(role) {
  return role ? t(`role_${role}`) : "";
}

function cached(kind, make) {
  const key = `${current}|${kind}`;
  if (!formatters.has(key)) formatters.set(key, make());
  return formatters.get(key);
}

export function formatNumber(value) {
  return cached("number", () => new Intl.NumberFormat(current)).format(Number(value));
}

/** Money from the API's decimal string; an unknown currency code still shows, as number and code. */
export function formatMoney(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return "";
  if (!currency) return formatNumber(amount);
  try {
    return cached(`money:${currency}`, () => new Intl.NumberFormat(current, {style: "currency", currency}))
      .format(Number(amount));
  } catch {
    return `${formatNumber(amount)} ${currency}`;
  }
}

/** A currency's name in the current language ("Euro", "Forint"), falling back to its code. */
export function currencyName(code) {
  try {
    return cached("currency-names", () => new Intl.DisplayNames(current, {type: "currency"})).of(code) ?? code;
  } catch {
    return code;
  }
}

export function formatDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return cached("datetime", () => new Intl.DateTimeFormat(current, {dateStyle: "medium", timeStyle: "short"}))
    .format(date);
}

/**
 * Why the API refused something ({message, code, params}: an answer, or one of its field errors) in the current
 * language: the site's words for the code (js/i18n/reasons.js), else the API's own (English) message.
 * A parameter that is a moment ("converted at …") is shown as a local date and time.
 */
export function reasonText({message, code, params = {}}) {
  if (!code || !Object.hasOwn(MESSAGES.en, `reason_${code}`)) return message;
  const shown = Object.fromEntries(Object.entries(params).map(([name, value]) =>
    [name, typeof value === "string" && ISO_MOMENT.test(value) ? formatDateTime(value) : value]));
  return t(`reason_${code}`, shown);
}

/** What went wrong with an API call, for people: no connection, not allowed, not there, busy, or the reason. */
export function describeError(error) {
  const status = error?.status;
  if (status === 0) return t("offline");
  if (status === 403) return t("forbidden");
  if (status === 404) return t("notFound");
  if (status === 503) return t("unavailable");
  const body = error?.body ?? {};
  if (body.errors?.length) {
    return body.errors.map((item) => (item.field && item.field !== "body" ? `${item.field}: ` : "") + reasonText(item))
      .join("; ");
  }
  return body.message ? reasonText(body) : t("somethingWrong", {status: status ?? "?"});
}
