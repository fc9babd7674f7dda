/**
 * The titles of the tasks the CRM makes itself, by their stored English title (crm.data.tasks, crm.services.first_task,
 * crm.services.nurture, crm.services.email_events, and the default pipeline's stage-entry robots in
 * crm.domain.pipelines): shown in the reader's language by taskTitle() in i18n.js. A title a person or an admin
 * wrote is shown as written.
 * A unit test keeps this list equal to the Python side's titles, in every language.
 */

export const SYSTEM_TASK_TITLES = Object.freeze({
  de: {
    "Call new lead": "Neuen Lead anrufen",
    "Follow up new lead": "Neuen Lead nachfassen",
    "Nurture call": "Nurture-Anruf",
    "Call engaged lead": "Interessierten Lead anrufen",
    "Make the first call": "Den ersten Anruf machen",
    "Book a needs-analysis meeting": "Termin für die Bedarfsanalyse vereinbaren",
    "Meet the decision makers": "Die Entscheider treffen",
    "Send the proposal": "Das Angebot senden",
    "Follow up on the proposal": "Beim Angebot nachfassen",
    "Agree the final terms": "Die endgültigen Konditionen vereinbaren",
    "Check the purchase order and contract": "Bestellung und Vertrag prüfen",
  },
  hu: {
    "Call new lead": "Új érdeklődő felhívása",
    "Follow up new lead": "Új érdeklődő utánkövetése",
    "Nurture call": "Gondozó hívás",
    "Call engaged lead": "Aktív érdeklődő felhívása",
    "Make the first call": "Az első hívás",
    "Book a needs-analysis meeting": "Igényfelmérő megbeszélés egyeztetése",
    "Meet the decision makers": "Találkozó a döntéshozókkal",
    "Send the proposal": "Az ajánlat elküldése",
    "Follow up on the proposal": "Az ajánlat utánkövetése",
    "Agree the final terms": "A végleges feltételek egyeztetése",
    "Check the purchase order and contract": "A megrendelés és a szerződés ellenőrzése",
  },
  el: {
    "Call new lead": "Κλήση νέου υποψήφιου",
    "Follow up new lead": "Παρακολούθηση νέου υποψήφιου",
    "Nurture call": "Κλήση καλλιέργειας",
    "Call engaged lead": "Κλήση ενεργού υποψήφιου",
    "Make the first call": "Πρώτη κλήση",
    "Book a needs-analysis meeting": "Κλείσιμο συνάντησης ανάλυσης αναγκών",
    "Meet the decision makers": "Συνάντηση με τους αποφασίζοντες",
    "Send the proposal": "Αποστολή της πρότασης",
    "Follow up on the proposal": "Παρακολούθηση της πρότασης",
    "Agree the final terms": "Συμφωνία των τελικών όρων",
    "Check the purchase order and contract": "Έλεγχος της παραγγελίας και της σύμβασης",
  },
  fa: {
    "Call new lead": "با سرنخ جدید تماس بگیرید",
    "Follow up new lead": "پیگیری سرنخ جدید",
    "Nurture call": "تماس پرورش سرنخ",
    "Call engaged lead": "با سرنخ علاقه‌مند تماس بگیرید",
    "Make the first call": "نخستین تماس را بگیرید",
    "Book a needs-analysis meeting": "جلسهٔ نیازسنجی را تنظیم کنید",
    "Meet the decision makers": "با تصمیم‌گیرندگان دیدار کنید",
    "Send the proposal": "پیشنهاد را بفرستید",
    "Follow up on the proposal": "پیشنهاد را پیگیری کنید",
    "Agree the final terms": "بر سر شرایط نهایی توافق کنید",
    "Check the purchase order and contract": "سفارش خرید و قرارداد را بررسی کنید",
  },
});
