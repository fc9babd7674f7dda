/** The sign-in page's words for a deployed CRM (Cognito's sign-in), in every language the CRM speaks. */

import {addMessages} from "../i18n.js";

addMessages({
  en: {
    loginCognitoIntro: "Sign in with your CRM account. You will come back here once you are signed in.",
    loginCognitoButton: "Sign in",
    loginFinishing: "Finishing the sign-in…",
    loginStateMismatch: "This sign-in was not started on this page, or it expired. Please sign in again.",
    loginRefused: "The sign-in was refused: {message}",
  },
  de: {
    loginCognitoIntro: "Melden Sie sich mit Ihrem CRM-Konto an. Danach kommen Sie hierher zurück.",
    loginCognitoButton: "Anmelden",
    loginFinishing: "Die Anmeldung wird abgeschlossen…",
    loginStateMismatch: "Diese Anmeldung wurde nicht auf dieser Seite begonnen oder ist abgelaufen. Bitte melden "
      + "Sie sich erneut an.",
    loginRefused: "Die Anmeldung wurde abgelehnt: {message}",
  },
  hu: {
    loginCognitoIntro: "Jelentkezzen be a CRM-fiókjával. A bejelentkezés után visszakerül ide.",
    loginCognitoButton: "Bejelentkezés",
    loginFinishing: "A bejelentkezés befejezése…",
    loginStateMismatch: "Ez a bejelentkezés nem ezen az oldalon indult, vagy lejárt. Kérjük, jelentkezzen be újra.",
    loginRefused: "A bejelentkezés elutasítva: {message}",
  },
  el: {
    loginCognitoIntro: "Συνδεθείτε με τον λογαριασμό σας στο CRM. Μετά τη σύνδεση θα επιστρέψετε εδώ.",
    loginCognitoButton: "Σύνδεση",
    loginFinishing: "Ολοκλήρωση της σύνδεσης…",
    loginStateMismatch: "Αυτή η σύνδεση δεν ξεκίνησε από αυτή τη σελίδα ή έληξε. Συνδεθείτε ξανά.",
    loginRefused: "Η σύνδεση απορρίφθηκε: {message}",
  },
  fa: {
    loginCognitoIntro: "با حساب CRM خود وارد شوید. پس از ورود به این صفحه بازمی‌گردید.",
    loginCognitoButton: "ورود",
    loginFinishing: "در حال تکمیل ورود…",
    loginStateMismatch: "این ورود از این صفحه آغاز نشده یا منقضی شده است. لطفاً دوباره وارد شوید.",
    loginRefused: "ورود رد شد: {message}",
  },
});
