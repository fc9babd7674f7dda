"""The public lead form's and thank-you page's words in every language the CRM speaks (crm.web_form draws them).

English labels and hints live with their fields (crm.models.lead_fields); the other languages give each field's
label and hint here. A test checks every language has every word and no English left in it.
"""

from __future__ import annotations

LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "hu": "Magyar", "el": "Ελληνικά", "fa": "فارسی"}
"""Each language by its own name, for the pages' language switcher."""

PAGE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Get in touch", "error": "Error: ",
        "intro": "Tell us a little about yourself and what you need, and we will get back to you shortly.",
        "required_before": "Questions marked ", "required_after": " are required; everything else is optional.",
        "summary_title": "Please check the form", "about": "About you", "reach": "How can we reach you?",
        "reach_hint": "Give an email address or a phone number, or both: we need at least one.",
        "message": "Your message", "more": "A few more questions (optional): they help us prepare for the call",
        "project": "About your project", "consent": "Keeping in touch", "honeypot": "Leave this field empty",
        "send": "Send", "choose_size": "Choose a size", "size": "{band} people", "language": "Language",
        "consent_text": "Yes, you may email me news, offers and invitations. I can unsubscribe at any time with the "
                        "link in every email.",
        "thanks_title": "Thank you", "thanks": "Thank you, we have your details",
        "thanks_soon": "Someone from our team will get in touch with you soon.",
        "thanks_again": "If you have written to us before, this message joins your earlier ones, so there is no "
                        "need to send it again.",
    },
    "de": {
        "title": "Kontakt aufnehmen", "error": "Fehler: ",
        "intro": "Erzählen Sie uns ein wenig über sich und was Sie brauchen, und wir melden uns in Kürze bei Ihnen.",
        "required_before": "Mit ",
        "required_after": " markierte Fragen sind Pflichtfragen; alles andere ist freiwillig.",
        "summary_title": "Bitte prüfen Sie das Formular", "about": "Über Sie", "reach": "Wie erreichen wir Sie?",
        "reach_hint": "Geben Sie eine E-Mail-Adresse oder eine Telefonnummer an, oder beides: "
                      "Wir brauchen mindestens eines davon.",
        "message": "Ihre Nachricht",
        "more": "Ein paar weitere Fragen (freiwillig): Sie helfen uns, das Gespräch vorzubereiten",
        "project": "Über Ihr Projekt", "consent": "In Kontakt bleiben", "honeypot": "Dieses Feld leer lassen",
        "send": "Senden", "choose_size": "Größe wählen", "size": "{band} Mitarbeitende", "language": "Sprache",
        "consent_text": "Ja, Sie dürfen mir Neuigkeiten, Angebote und Einladungen per E-Mail senden. Ich kann mich "
                        "jederzeit über den Link in jeder E-Mail abmelden.",
        "thanks_title": "Vielen Dank", "thanks": "Vielen Dank, wir haben Ihre Angaben erhalten",
        "thanks_soon": "Jemand aus unserem Team meldet sich bald bei Ihnen.",
        "thanks_again": "Wenn Sie uns schon einmal geschrieben haben, kommt diese Nachricht zu Ihren früheren "
                        "hinzu; Sie müssen sie also nicht erneut senden.",
    },
    "hu": {
        "title": "Kapcsolatfelvétel", "error": "Hiba: ",
        "intro": "Meséljen egy kicsit magáról és arról, mire van szüksége, és hamarosan jelentkezünk.",
        "required_before": "A ", "required_after": " jelölésű kérdések kötelezők, minden más nem kötelező.",
        "summary_title": "Kérjük, ellenőrizze az űrlapot", "about": "Önről", "reach": "Hogyan érhetjük el?",
        "reach_hint": "Adjon meg e-mail-címet vagy telefonszámot, vagy mindkettőt: legalább az egyikre szükségünk "
                      "van.",
        "message": "Az Ön üzenete",
        "more": "Néhány további kérdés (nem kötelező): segítenek felkészülni a beszélgetésre",
        "project": "A projektjéről", "consent": "Kapcsolattartás", "honeypot": "Ezt a mezőt hagyja üresen",
        "send": "Küldés", "choose_size": "Válasszon méretet", "size": "{band} fő", "language": "Nyelv",
        "consent_text": "Igen, küldhetnek nekem e-mailben híreket, ajánlatokat és meghívókat. Bármikor "
                        "leiratkozhatok az e-mailekben található linkkel.",
        "thanks_title": "Köszönjük", "thanks": "Köszönjük, megkaptuk az adatait",
        "thanks_soon": "Csapatunk egyik tagja hamarosan felveszi Önnel a kapcsolatot.",
        "thanks_again": "Ha korábban már írt nekünk, ez az üzenet a korábbiak mellé kerül, így nem kell újra "
                        "elküldenie.",
    },
    "el": {
        "title": "Επικοινωνήστε μαζί μας", "error": "Σφάλμα: ",
        "intro": "Πείτε μας λίγα λόγια για εσάς και για ό,τι χρειάζεστε, και θα επικοινωνήσουμε σύντομα μαζί σας.",
        "required_before": "Οι ερωτήσεις με ", "required_after": " είναι υποχρεωτικές· όλα τα άλλα είναι προαιρετικά.",
        "summary_title": "Ελέγξτε τη φόρμα", "about": "Σχετικά με εσάς",
        "reach": "Πώς μπορούμε να επικοινωνήσουμε μαζί σας;",
        "reach_hint": "Δώστε διεύθυνση email ή αριθμό τηλεφώνου ή και τα δύο: χρειαζόμαστε τουλάχιστον ένα.",
        "message": "Το μήνυμά σας",
        "more": "Μερικές ακόμη ερωτήσεις (προαιρετικές): μας βοηθούν να προετοιμαστούμε για την κλήση",
        "project": "Σχετικά με το έργο σας", "consent": "Μείνετε σε επαφή", "honeypot": "Αφήστε αυτό το πεδίο κενό",
        "send": "Αποστολή", "choose_size": "Επιλέξτε μέγεθος", "size": "{band} άτομα", "language": "Γλώσσα",
        "consent_text": "Ναι, μπορείτε να μου στέλνετε με email νέα, προσφορές και προσκλήσεις. Μπορώ να διαγραφώ "
                        "οποιαδήποτε στιγμή με τον σύνδεσμο που υπάρχει σε κάθε email.",
        "thanks_title": "Ευχαριστούμε", "thanks": "Ευχαριστούμε, λάβαμε τα στοιχεία σας",
        "thanks_soon": "Κάποιος από την ομάδα μας θα επικοινωνήσει σύντομα μαζί σας.",
        "thanks_again": "Αν μας έχετε γράψει ξανά, αυτό το μήνυμα προστίθεται στα προηγούμενα, οπότε δεν χρειάζεται "
                        "να το στείλετε ξανά.",
    },
    "fa": {
        "title": "با ما در تماس باشید", "error": "خطا: ",
        "intro": "کمی دربارهٔ خودتان و آنچه نیاز دارید بگویید تا به‌زودی با شما تماس بگیریم.",
        "required_before": "پرسش‌های دارای ", "required_after": " الزامی‌اند؛ بقیه اختیاری است.",
        "summary_title": "لطفاً فرم را بررسی کنید", "about": "دربارهٔ شما", "reach": "چگونه با شما تماس بگیریم؟",
        "reach_hint": "نشانی ایمیل یا شمارهٔ تلفن یا هر دو را وارد کنید: دست‌کم یکی لازم است.",
        "message": "پیام شما", "more": "چند پرسش دیگر (اختیاری): به ما کمک می‌کنند برای تماس آماده شویم",
        "project": "دربارهٔ پروژهٔ شما", "consent": "در ارتباط ماندن", "honeypot": "این فیلد را خالی بگذارید",
        "send": "ارسال", "choose_size": "اندازه را انتخاب کنید", "size": "{band} نفر", "language": "زبان",
        "consent_text": "بله، می‌توانید اخبار، پیشنهادها و دعوت‌نامه‌ها را برایم ایمیل کنید. هر زمان بخواهم "
                        "می‌توانم با پیوند موجود در هر ایمیل اشتراکم را لغو کنم.",
        "thanks_title": "سپاسگزاریم", "thanks": "سپاسگزاریم، اطلاعات شما به دست ما رسید",
        "thanks_soon": "یکی از اعضای تیم ما به‌زودی با شما تماس می‌گیرد.",
        "thanks_again": "اگر پیش‌تر برای ما نوشته‌اید، این پیام به پیام‌های قبلی شما افزوده می‌شود و نیازی به "
                        "ارسال دوباره نیست.",
    },
}

FIELD_WORDS: dict[str, dict[str, tuple[str, str | None]]] = {
    "de": {
        "name": ("Ihr Name", None), "company": ("Firma", None), "role": ("Funktion oder Position", None),
        "company_size": ("Unternehmensgröße", None),
        "country": ("Land", "Zweistelliger Code, zum Beispiel DE, HU, GR oder US."),
        "email": ("E-Mail-Adresse", None), "phone": ("Telefonnummer", None),
        "best_time_to_contact": ("Wann wir Sie am besten erreichen",
                                 "Zum Beispiel: werktags vormittags oder nach 15 Uhr Ihrer Zeit."),
        "message": ("Wie können wir helfen?", "Was brauchen Sie, oder was möchten Sie uns fragen?"),
        "budget": ("Ihr Budget", "Ungefähr, was Sie ausgeben möchten, zum Beispiel unter 5.000 EUR im Jahr."),
        "authority": ("Ihre Rolle bei der Entscheidung",
                      "Zum Beispiel: Ich entscheide, ich empfehle, oder ich sammle Informationen."),
        "need": ("Das zu lösende Problem", "Was soll anders sein, wenn das gelöst ist?"),
        "timing": ("Zeitplan", "Bis wann möchten Sie eine Lösung haben?"),
        "marketing_consent": ("Werbe-E-Mails", None),
    },
    "hu": {
        "name": ("Név", None), "company": ("Cég", None), "role": ("Beosztás", None),
        "company_size": ("Cégméret", None),
        "country": ("Ország", "Kétbetűs kód, például DE, HU, GR vagy US."),
        "email": ("E-mail-cím", None), "phone": ("Telefonszám", None),
        "best_time_to_contact": ("Mikor érhetjük el a legjobban?",
                                 "Például: hétköznap délelőtt, vagy az Ön idejében délután 3 után."),
        "message": ("Miben segíthetünk?", "Mire van szüksége, vagy mit szeretne kérdezni tőlünk?"),
        "budget": ("Költségkeret", "Nagyjából mennyit tervez költeni, például évi 5000 EUR alatt."),
        "authority": ("Az Ön szerepe a döntésben", "Például: én döntök, én javaslom, vagy információt gyűjtök."),
        "need": ("A megoldandó probléma", "Mi legyen másképp, ha ez megoldódik?"),
        "timing": ("Időzítés", "Mikorra szeretne megoldást?"),
        "marketing_consent": ("Marketing e-mailek", None),
    },
    "el": {
        "name": ("Ονοματεπώνυμο", None), "company": ("Εταιρεία", None), "role": ("Ρόλος ή θέση", None),
        "company_size": ("Μέγεθος εταιρείας", None),
        "country": ("Χώρα", "Κωδικός δύο γραμμάτων, για παράδειγμα DE, HU, GR ή US."),
        "email": ("Διεύθυνση email", None), "phone": ("Τηλέφωνο", None),
        "best_time_to_contact": ("Καλύτερη ώρα επικοινωνίας",
                                 "Για παράδειγμα: καθημερινές το πρωί ή μετά τις 3 μ.μ. ώρα σας."),
        "message": ("Πώς μπορούμε να βοηθήσουμε;", "Τι χρειάζεστε ή τι θα θέλατε να μας ρωτήσετε;"),
        "budget": ("Προϋπολογισμός",
                   "Περίπου πόσα σκοπεύετε να διαθέσετε, για παράδειγμα κάτω από 5.000 EUR τον χρόνο."),
        "authority": ("Ο ρόλος σας στην απόφαση", "Για παράδειγμα: αποφασίζω, προτείνω ή συλλέγω πληροφορίες."),
        "need": ("Το πρόβλημα προς επίλυση", "Τι θα πρέπει να αλλάξει όταν λυθεί;"),
        "timing": ("Χρονοδιάγραμμα", "Πότε θα θέλατε να έχετε λύση;"),
        "marketing_consent": ("Διαφημιστικά email", None),
    },
    "fa": {
        "name": ("نام", None), "company": ("شرکت", None), "role": ("نقش یا سمت", None),
        "company_size": ("اندازهٔ شرکت", None),
        "country": ("کشور", "کد دوحرفی، برای نمونه DE، HU، GR یا US."),
        "email": ("ایمیل", None), "phone": ("تلفن", None),
        "best_time_to_contact": ("بهترین زمان تماس با شما",
                                 "برای نمونه: صبح‌های روزهای کاری، یا بعد از ساعت ۳ بعدازظهر به وقت شما."),
        "message": ("چگونه می‌توانیم کمک کنیم؟", "به چه چیزی نیاز دارید یا چه می‌خواهید از ما بپرسید؟"),
        "budget": ("بودجه", "تقریباً چقدر قصد هزینه دارید، برای نمونه کمتر از ۵٬۰۰۰ یورو در سال."),
        "authority": ("نقش شما در تصمیم‌گیری",
                      "برای نمونه: من تصمیم می‌گیرم، من پیشنهاد می‌دهم، یا در حال جمع‌آوری اطلاعات هستم."),
        "need": ("مشکلی که باید حل شود", "وقتی این مشکل حل شود چه چیزی باید تغییر کند؟"),
        "timing": ("زمان‌بندی", "چه زمانی می‌خواهید راه‌حل آماده باشد؟"),
        "marketing_consent": ("ایمیل‌های تبلیغاتی", None),
    },
}
"""Each visible field's (label, hint) outside English; the hint is None where the field has none."""

ERROR_WORDS: dict[str, dict[str, str]] = {
    "de": {"missing": "ist ein Pflichtfeld", "string_pattern_mismatch": "hat nicht das erwartete Format",
           "email_invalid": "ist keine gültige E-Mail-Adresse", "phone_unreadable": "ist keine Telefonnummer",
           "phone_invalid": "ist keine gültige Telefonnummer",
           "phone_country_code": "braucht die Ländervorwahl, z. B. +49 30 901820",
           "email_or_phone": "geben Sie eine E-Mail-Adresse oder eine Telefonnummer an",
           "country_unknown": "{code} ist kein Ländercode (ISO 3166)",
           "company_size_unknown": "muss eine Mitarbeiterzahl oder eine dieser Angaben sein: {bands}",
           "company_size_minimum": "muss mindestens 1 sein",
           "consent_text_required": "mit der Einwilligung ist ihr Wortlaut erforderlich"},
    "hu": {"missing": "kötelező", "string_pattern_mismatch": "nem a várt formátumú",
           "email_invalid": "nem érvényes e-mail-cím", "phone_unreadable": "nem telefonszám",
           "phone_invalid": "nem érvényes telefonszám",
           "phone_country_code": "országhívószámmal kell megadni, pl. +36 1 234 5678",
           "email_or_phone": "adjon meg e-mail-címet vagy telefonszámot",
           "country_unknown": "{code} nem országkód (ISO 3166)",
           "company_size_unknown": "létszám vagy ezek egyike legyen: {bands}",
           "company_size_minimum": "legalább 1 legyen",
           "consent_text_required": "a hozzájárulás mellé a szövege is kell"},
    "el": {"missing": "είναι υποχρεωτικό", "string_pattern_mismatch": "δεν έχει την αναμενόμενη μορφή",
           "email_invalid": "δεν είναι έγκυρη διεύθυνση email", "phone_unreadable": "δεν είναι αριθμός τηλεφώνου",
           "phone_invalid": "δεν είναι έγκυρος αριθμός τηλεφώνου",
           "phone_country_code": "χρειάζεται τον κωδικό χώρας, π.χ. +30 21 0123 4567",
           "email_or_phone": "δώστε διεύθυνση email ή αριθμό τηλεφώνου",
           "country_unknown": "το {code} δεν είναι κωδικός χώρας (ISO 3166)",
           "company_size_unknown": "πρέπει να είναι αριθμός εργαζομένων ή ένα από αυτά: {bands}",
           "company_size_minimum": "πρέπει να είναι τουλάχιστον 1",
           "consent_text_required": "με τη συγκατάθεση απαιτείται και η διατύπωσή της"},
    "fa": {"missing": "الزامی است", "string_pattern_mismatch": "به شکل مورد انتظار نیست",
           "email_invalid": "نشانی ایمیل معتبری نیست", "phone_unreadable": "شمارهٔ تلفن نیست",
           "phone_invalid": "شمارهٔ تلفن معتبری نیست",
           "phone_country_code": "کد کشور لازم دارد، مثلاً \u2066+98 21 1234 5678\u2069",
           "email_or_phone": "نشانی ایمیل یا شمارهٔ تلفن وارد کنید",
           "country_unknown": "{code} کد کشور (ISO 3166) نیست",
           "company_size_unknown": "باید تعداد کارکنان یا یکی از این‌ها باشد: {bands}",
           "company_size_minimum": "باید دست‌کم ۱ باشد",
           "consent_text_required": "همراه با رضایت، متن آن هم لازم است"},
}
"""The refusals a visitor of the form can meet, by reason code (crm.reasons); others are shown in English."""
