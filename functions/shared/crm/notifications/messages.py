"""The UI strings of the notifications, one catalogue per language.

`MESSAGES[language][section][key]`: a section is "common" (what CRM users read), "lead_common" (what every
email and SMS to a lead shares), "fields", "temperatures", "sources", "stages", "workflows" or a template's name.
Placeholders use `str.format` syntax ({name}); every translation of a key must use the same placeholders.
A key ending in `_one` / `_other` is a plural pair, chosen by the `count` value.
Never put a placeholder where the language would need to inflect it (Hungarian suffixes, Greek cases):
put it after a colon instead.
"""

from __future__ import annotations

Catalogue = dict[str, dict[str, str]]

EN: Catalogue = {
    "common": {
        "greeting": "Hi {name},",
        "open_lead": "Open the lead",
        "lead_link": "Lead: {url}",
        "details": "Lead details",
        "bant": "Qualification (BANT)",
        "footer": "Sent automatically by your CRM because of your role in the sales team.",
        "within_minutes_one": "within {count} minute",
        "within_minutes_other": "within {count} minutes",
    },
    "fields": {
        "rating": "Rating",
        "lead_id": "Lead ID",
        "name": "Name",
        "email": "Email",
        "phone": "Phone",
        "company": "Company",
        "role": "Role",
        "company_size": "Company size (employees)",
        "country": "Country",
        "source": "Source",
        "utm": "UTM tags",
        "message": "Their message",
        "best_time_to_contact": "Best time to call",
        "need": "Need",
        "budget": "Budget",
        "authority": "Authority",
        "timing": "Timing",
    },
    "temperatures": {
        "hot": "Hot",
        "warm": "Warm",
        "cold": "Cold",
    },
    "sources": {
        "web_page": "Web page",
        "event": "Event",
        "newsletter": "Newsletter",
        "ebook": "E-book",
        "phone_call": "Phone call",
        "referral": "Referral",
        "import": "Import",
        "other": "Other",
    },
    "stages": {  # the default pipeline's stages, by id: shown when a stage keeps its default name
        "unsorted": "Unsorted", "identified": "Identified", "in-discussion": "In discussion",
        "decision-makers-identified": "Decision makers identified", "proposal": "Proposal",
        "negotiation": "Negotiation", "procurement": "Procurement", "closed-won": "Closed won",
        "closed-lost": "Closed lost",
    },
    "workflows": {
        "lead_lifecycle": "lead lifecycle",
        "status_message": "status message",
    },
    "lead_common": {
        "greeting": "Hello {name},",
        "greeting_anonymous": "Hello,",
        "sign_off": "Best regards,",
        "reply": "If you have any questions, just reply to this email — I read every reply myself.",
        "why": "You are receiving this email because you got in touch with us.",
        "unsubscribe": "Unsubscribe",
        "unsubscribe_link": "Unsubscribe: {url}",
        "sms_hello": "Hello {name}, this is {rep}.",
        "sms_hello_anonymous": "Hello, this is {rep}.",
        "sms_call_me": "You can reach me on {phone}.",
        "sms_email_me": "You can reach me at {email}.",
        "sms_opt_out": "Reply STOP to opt out.",
    },
    "new_lead_for_rep": {
        "subject": "New lead: {name} — call {within}",
        "subject_company": "New lead: {name} ({company}) — call {within}",
        "heading": "A new lead is waiting for your call",
        "intro": "A new lead has just been assigned to you: {name}.",
        "deadline": "Please make the first contact by {due}.",
        "why": "Leads reached {within} are far more likely to buy; after an hour they go cold.",
        "due_label": "Call by",
        "sms": "New lead {lead}, {contact}. Call by {due}. {url}",
        "sms_no_contact": "New lead {lead}. Call by {due}. {url}",
        "subject_no_sla": "New lead: {name}",
        "subject_company_no_sla": "New lead: {name} ({company})",
        "no_sla": "This lead is not an expected buyer (yet), so there is no first-contact deadline: "
                  "call when it suits your day.",
    },
    "missed_first_contact_for_manager": {
        "subject": "Missed first contact: {name} (escalation {number})",
        "heading": "A first-contact deadline was missed",
        "intro": "{rep} did not reach the lead {name} by the deadline.",
        "reassigned": "The lead has been passed to {rep} with a new deadline and a new call task.",
        "not_reassigned": "No other rep was available, so the lead stays with {rep}. "
                          "Please step in or reassign it.",
        "escalation_label": "Escalation",
        "received_label": "Received",
        "due_label": "Deadline",
        "previous_rep_label": "Was assigned to",
        "new_rep_label": "Now assigned to",
    },
    "lead_went_cold_for_manager": {
        "subject": "Lead never reached: {name} — no first contact",
        "heading": "A lead was never reached",
        "intro": "All escalations have been used up and nobody contacted {name}. "
                 "The lead is now marked as not reached.",
        "reps_tried": "Reps who had the lead",
        "action": "A personal call today may still win it back.",
    },
    "workflow_failed_for_manager": {
        "subject": "Automation failed for lead {name}",
        "subject_no_lead": "Automation failed: {step}",
        "heading": "A lead’s automated workflow failed",
        "intro": "The automated workflow for {name} stopped at the step “{step}” after all retries.",
        "intro_no_lead": "An automated workflow stopped at the step “{step}” after all retries; "
                         "it could not be linked to a lead.",
        "action": "Automatic follow-up for this lead has stopped. Please check it by hand so it is not forgotten.",
        "action_no_lead": "Please forward this message to whoever maintains the CRM.",
        "technical": "Technical details",
        "step_label": "Step",
        "error_label": "Error",
        "cause_label": "Details",
    },
    "lead_engaged_for_rep": {
        "subject": "Engaged lead: {name} is reading your emails",
        "heading": "A nurtured lead is now an expected buyer",
        "intro": "{name} has been opening your emails and clicking their links, and is now an expected buyer.",
        "deadline": "Please call by {due}.",
        "why": "Interest is at its peak right now: a call while they are still reading makes the difference.",
        "opened": "Emails opened",
        "clicked": "Links clicked",
        "sms": "Engaged lead {lead}, {contact}: reading your emails. Call by {due}. {url}",
        "sms_no_contact": "Engaged lead {lead}: reading your emails. Call by {due}. {url}",
    },
    "nurture_info_pack": {
        "subject": "The information you asked for",
        "preheader": "Everything in one place, and a call from me in the next few days.",
        "intro": "Thank you for your interest in our services and for getting in touch.",
        "pack": "I’ve put the most important information together for you in one place:",
        "pack_company": "I’ve put the most important information together for you and your team at {company} "
                        "in one place:",
        "cta": "See the information",
        "call": "I’ll call you in the next few days to hear what you need and to answer your questions. "
                "If a particular time suits you best, just reply to this email.",
    },
    "nurture_weekly": {
        "subject": "Part {number} of {of}: something useful for this week",
        "preheader": "A five-minute read, picked for you.",
        "intro": "As promised, here is this week’s short email with something useful for you.",
        "read": "This week I’ve picked something worth five minutes of your time:",
        "read_company": "This week I’ve picked something for you and your team at {company}, "
                        "worth five minutes of your time:",
        "cta": "Read it now",
        "series": "This is part {number} of {of} of a short series I’m sending you in the first month after "
                  "your enquiry; after that, you’ll hear from us once a month.",
    },
    "nurture_newsletter": {
        "subject": "Our news this month",
        "preheader": "What’s new, and ideas you can use straight away.",
        "intro": "Here is our monthly newsletter: what’s new with us, and practical ideas you can use "
                 "straight away.",
        "intro_company": "Here is our monthly newsletter: what’s new with us, and practical ideas that you and "
                         "your team at {company} can use straight away.",
        "read": "You will find this month’s news here:",
        "cta": "Read this month’s news",
        "cadence": "You receive this newsletter once a month.",
    },
    "nurture_big_bang": {
        "subject": "Should I close your file?",
        "preheader": "One quick question, and then I’ll leave you in peace.",
        "intro": "I’ve written to you a few times over the past months and haven’t heard back — "
                 "and that’s perfectly fine.",
        "honest": "I don’t want to fill your inbox with emails you don’t need. If the topic is no longer "
                  "relevant, you don’t need to do anything: I’ll close your file and stop writing.",
        "still": "But if it’s still on your mind, one click is enough to keep your file open:",
        "still_company": "But if it’s still on the agenda at {company}, one click is enough to keep your file open:",
        "cta": "Yes, I’m still interested",
        "thanks": "Either way, thank you for your time.",
    },
    "lead_status_attempting": {
        "subject": "I tried to reach you",
        "preheader": "When would be a good time for a short call?",
        "intro": "I tried to reach you about your enquiry, but unfortunately we didn’t manage to connect.",
        "intro_company": "I tried to reach you about your enquiry for {company}, but unfortunately we didn’t "
                         "manage to connect.",
        "ask": "When would be a good time for a short call? Just reply to this email with a time that suits you.",
        "call_me": "Or call me directly: {phone}",
        "sms": "I tried to reach you about your enquiry.",
    },
    "lead_status_contacted": {
        "subject": "Thank you for our conversation",
        "preheader": "A short note on what happens next.",
        "intro": "Thank you for your time and for our conversation.",
        "next": "Next, I’ll go through what we discussed and get back to you shortly with the next steps.",
        "next_company": "Next, I’ll go through what we discussed for {company} and get back to you shortly with "
                        "the next steps.",
        "more": "In the meantime, you can find out more about us here:",
        "cta": "Visit our website",
        "sms": "Thank you for our conversation; I'll be in touch soon about the next steps.",
    },
    "lead_status_not_interested": {
        "subject": "I won’t disturb you again",
        "preheader": "Thank you for your time; my door stays open.",
        "intro": "It seems the timing isn’t right for you at the moment — and that’s perfectly fine.",
        "promise": "I won’t contact you about this again.",
        "door": "If anything changes, just reply to this email; I’ll be glad to help.",
        "door_company": "If anything changes at {company}, just reply to this email; I’ll be glad to help.",
        "thanks": "Thank you for your time.",
        "sms": "It seems the timing isn't right for you now, so I won't contact you again. "
               "If anything changes, I'm here to help.",
    },
    "consent_confirmation": {
        "subject": "Please confirm: emails from us again?",
        "preheader": "One click confirms; if you ignore this email, nothing changes.",
        "intro": "Someone, hopefully you, asked on our website to get our emails at this address again.",
        "intro_company": "Someone, hopefully you, asked on our website to get our emails about {company} at "
                         "this address again.",
        "confirm": "If that was you, please confirm with this link (it works for {days} days):",
        "cta": "Yes, send me emails again",
        "ignore": "If it was not you, ignore this email: you stay unsubscribed.",
    },
    "stalled_deals_for_rep": {
        "subject_one": "{count} deal is stuck: move it on, or lower its priority",
        "subject_other": "{count} deals are stuck: move them on, or lower their priority",
        "heading": "Deals waiting too long in their stage",
        "intro_one": "This deal has been in its stage for longer than your team's limit.",
        "intro_other": "These deals have been in their stage for longer than your team's limit: {count} in all.",
        "action": "Move it on, or lower its priority.",
        "why": "A deal that sits still goes cold; an honest priority keeps the forecast right.",
        "stage_label": "Stage",
        "days_label": "Days in the stage",
        "days_value": "{days} (limit: {max})",
        "open_deal": "Open the deal",
        "see_all_intro": "All your stalled deals are listed here:",
        "see_all": "See the stalled deals",
    },
}

DE: Catalogue = {
    "common": {
        "greeting": "Hallo {name},",
        "open_lead": "Lead öffnen",
        "lead_link": "Lead: {url}",
        "details": "Details zum Lead",
        "bant": "Qualifizierung (BANT)",
        "footer": "Automatisch von Ihrem CRM gesendet, weil Sie zum Vertriebsteam gehören.",
        "within_minutes_one": "innerhalb von {count} Minute",
        "within_minutes_other": "innerhalb von {count} Minuten",
    },
    "fields": {
        "rating": "Einstufung",
        "lead_id": "Lead-ID",
        "name": "Name",
        "email": "E-Mail",
        "phone": "Telefon",
        "company": "Unternehmen",
        "role": "Position",
        "company_size": "Unternehmensgröße (Mitarbeitende)",
        "country": "Land",
        "source": "Quelle",
        "utm": "UTM-Parameter",
        "message": "Nachricht des Interessenten",
        "best_time_to_contact": "Am besten erreichbar",
        "need": "Bedarf",
        "budget": "Budget",
        "authority": "Entscheidungsbefugnis",
        "timing": "Zeitrahmen",
    },
    "temperatures": {
        "hot": "Heiß",
        "warm": "Warm",
        "cold": "Kalt",
    },
    "sources": {
        "web_page": "Webseite",
        "event": "Veranstaltung",
        "newsletter": "Newsletter",
        "ebook": "E-Book",
        "phone_call": "Anruf",
        "referral": "Empfehlung",
        "import": "Import",
        "other": "Sonstiges",
    },
    "stages": {  # the default pipeline's stages, by id: shown when a stage keeps its default name
        "unsorted": "Unsortiert", "identified": "Identifiziert", "in-discussion": "Im Gespräch",
        "decision-makers-identified": "Entscheider identifiziert", "proposal": "Angebot", "negotiation": "Verhandlung",
        "procurement": "Beschaffung", "closed-won": "Gewonnen", "closed-lost": "Verloren",
    },
    "workflows": {
        "lead_lifecycle": "Lead-Lebenszyklus",
        "status_message": "Statusnachricht",
    },
    "lead_common": {
        "greeting": "Guten Tag {name},",
        "greeting_anonymous": "Guten Tag,",
        "sign_off": "Beste Grüße",
        "reply": "Wenn Sie Fragen haben, antworten Sie einfach auf diese E-Mail – ich lese jede Antwort selbst.",
        "why": "Sie erhalten diese E-Mail, weil Sie mit uns Kontakt aufgenommen haben.",
        "unsubscribe": "Abmelden",
        "unsubscribe_link": "Abmelden: {url}",
        "sms_hello": "Guten Tag {name}, hier ist {rep}.",
        "sms_hello_anonymous": "Guten Tag, hier ist {rep}.",
        "sms_call_me": "Sie erreichen mich unter {phone}.",
        "sms_email_me": "Sie erreichen mich unter {email}.",
        "sms_opt_out": "Zum Abmelden mit STOP antworten.",
    },
    "new_lead_for_rep": {
        "subject": "Neuer Lead: {name} – bitte {within} anrufen",
        "subject_company": "Neuer Lead: {name} ({company}) – bitte {within} anrufen",
        "heading": "Ein neuer Lead wartet auf Ihren Anruf",
        "intro": "Ihnen wurde soeben ein neuer Lead zugewiesen: {name}.",
        "deadline": "Bitte nehmen Sie bis {due} den ersten Kontakt auf.",
        "why": "Leads, die {within} erreicht werden, kaufen deutlich häufiger; nach einer Stunde sind sie kalt.",
        "due_label": "Anrufen bis",
        "sms": "Neuer Lead {lead}, {contact}. Anrufen bis {due}. {url}",
        "sms_no_contact": "Neuer Lead {lead}. Anrufen bis {due}. {url}",
        "subject_no_sla": "Neuer Lead: {name}",
        "subject_company_no_sla": "Neuer Lead: {name} ({company})",
        "no_sla": "Dieser Lead ist (noch) kein erwarteter Käufer, daher gibt es keine Frist für den ersten "
                  "Anruf: Rufen Sie an, wenn es in Ihren Tag passt.",
    },
    "missed_first_contact_for_manager": {
        "subject": "Erstkontakt verpasst: {name} (Eskalation {number})",
        "heading": "Eine Frist für den Erstkontakt wurde verpasst",
        "intro": "{rep} hat den Lead {name} nicht rechtzeitig kontaktiert.",
        "reassigned": "Der Lead wurde mit neuer Frist und neuer Anrufaufgabe an {rep} übergeben.",
        "not_reassigned": "Es war niemand sonst im Vertrieb verfügbar, daher bleibt der Lead bei {rep}. "
                          "Bitte greifen Sie ein oder weisen Sie ihn neu zu.",
        "escalation_label": "Eskalation",
        "received_label": "Eingegangen",
        "due_label": "Frist",
        "previous_rep_label": "Bisher zugewiesen an",
        "new_rep_label": "Jetzt zugewiesen an",
    },
    "lead_went_cold_for_manager": {
        "subject": "Lead nie erreicht: {name} – kein Erstkontakt",
        "heading": "Ein Lead wurde nie erreicht",
        "intro": "Alle Eskalationen sind ausgeschöpft, und niemand hat {name} kontaktiert. "
                 "Der Lead ist jetzt als „Nicht erreicht“ markiert.",
        "reps_tried": "Bisher zuständig",
        "action": "Ein persönlicher Anruf noch heute kann ihn vielleicht zurückgewinnen.",
    },
    "workflow_failed_for_manager": {
        "subject": "Automatisierung fehlgeschlagen für Lead {name}",
        "subject_no_lead": "Automatisierung fehlgeschlagen: {step}",
        "heading": "Ein automatischer Lead-Ablauf ist fehlgeschlagen",
        "intro": "Der automatische Ablauf für {name} ist nach allen Wiederholungsversuchen "
                 "beim Schritt „{step}“ abgebrochen.",
        "intro_no_lead": "Ein automatischer Ablauf ist nach allen Wiederholungsversuchen beim Schritt „{step}“ "
                         "abgebrochen; er ließ sich keinem Lead zuordnen.",
        "action": "Die automatische Nachverfolgung dieses Leads ist gestoppt. "
                  "Bitte prüfen Sie ihn von Hand, damit er nicht verloren geht.",
        "action_no_lead": "Bitte leiten Sie diese Nachricht an die Person weiter, die das CRM betreut.",
        "technical": "Technische Details",
        "step_label": "Schritt",
        "error_label": "Fehler",
        "cause_label": "Details",
    },
    "lead_engaged_for_rep": {
        "subject": "Interessierter Lead: {name} liest Ihre E-Mails",
        "heading": "Ein Lead aus dem Nurturing ist jetzt kaufbereit",
        "intro": "{name} öffnet Ihre E-Mails, klickt auf die Links und gilt jetzt als kaufbereit.",
        "deadline": "Bitte rufen Sie bis {due} an.",
        "why": "Das Interesse ist gerade jetzt am größten: Ein Anruf, solange Ihre E-Mails noch frisch sind, "
               "macht den Unterschied.",
        "opened": "Geöffnete E-Mails",
        "clicked": "Angeklickte Links",
        "sms": "Interessierter Lead {lead}, {contact}: liest Ihre E-Mails. Anrufen bis {due}. {url}",
        "sms_no_contact": "Interessierter Lead {lead}: liest Ihre E-Mails. Anrufen bis {due}. {url}",
    },
    "nurture_info_pack": {
        "subject": "Die gewünschten Informationen",
        "preheader": "Alles Wichtige an einem Ort – und in den nächsten Tagen rufe ich Sie an.",
        "intro": "vielen Dank für Ihr Interesse an unseren Leistungen und für Ihre Anfrage.",
        "pack": "Die wichtigsten Informationen habe ich Ihnen hier zusammengestellt:",
        "pack_company": "Die wichtigsten Informationen für Sie und Ihr Team bei {company} habe ich hier "
                        "zusammengestellt:",
        "cta": "Zu den Informationen",
        "call": "In den nächsten Tagen rufe ich Sie an, um zu hören, was Sie brauchen, und Ihre Fragen zu "
                "beantworten. Wenn Ihnen ein bestimmter Zeitpunkt am besten passt, antworten Sie einfach auf "
                "diese E-Mail.",
    },
    "nurture_weekly": {
        "subject": "Teil {number} von {of}: etwas Nützliches für diese Woche",
        "preheader": "Fünf Minuten Lektüre, für Sie ausgewählt.",
        "intro": "wie versprochen kommt hier meine kurze E-Mail dieser Woche mit etwas Nützlichem für Sie.",
        "read": "Diese Woche habe ich etwas ausgesucht, das fünf Minuten Ihrer Zeit wert ist:",
        "read_company": "Diese Woche habe ich für Sie und Ihr Team bei {company} etwas ausgesucht, das fünf "
                        "Minuten Ihrer Zeit wert ist:",
        "cta": "Jetzt lesen",
        "series": "Dies ist Teil {number} von {of} einer kurzen Reihe, die ich Ihnen im ersten Monat nach Ihrer "
                  "Anfrage schicke; danach hören Sie einmal im Monat von uns.",
    },
    "nurture_newsletter": {
        "subject": "Unsere Neuigkeiten des Monats",
        "preheader": "Was es Neues gibt – und Ideen, die Sie sofort umsetzen können.",
        "intro": "hier ist unser monatlicher Newsletter: Neues von uns und praktische Ideen, die Sie sofort "
                 "umsetzen können.",
        "intro_company": "hier ist unser monatlicher Newsletter: Neues von uns und praktische Ideen, die Sie und "
                         "Ihr Team bei {company} sofort umsetzen können.",
        "read": "Die Neuigkeiten dieses Monats finden Sie hier:",
        "cta": "Zu den Neuigkeiten",
        "cadence": "Diesen Newsletter erhalten Sie einmal im Monat.",
    },
    "nurture_big_bang": {
        "subject": "Soll ich Ihre Anfrage schließen?",
        "preheader": "Eine kurze Frage – danach lasse ich Sie in Ruhe.",
        "intro": "ich habe Ihnen in den letzten Monaten einige Male geschrieben und nichts von Ihnen gehört – "
                 "und das ist völlig in Ordnung.",
        "honest": "Ich möchte Ihr Postfach nicht mit E-Mails füllen, die Sie nicht brauchen. Ist das Thema für "
                  "Sie nicht mehr aktuell, müssen Sie nichts tun: Ich schließe Ihre Anfrage und schreibe Ihnen "
                  "nicht mehr.",
        "still": "Ist es für Sie aber noch ein Thema, genügt ein Klick, und Ihre Anfrage bleibt offen:",
        "still_company": "Ist es bei {company} aber noch ein Thema, genügt ein Klick, und Ihre Anfrage bleibt offen:",
        "cta": "Ja, ich habe weiterhin Interesse",
        "thanks": "So oder so – vielen Dank für Ihre Zeit.",
    },
    "lead_status_attempting": {
        "subject": "Ich habe versucht, Sie zu erreichen",
        "preheader": "Wann passt Ihnen ein kurzes Telefonat?",
        "intro": "ich habe versucht, Sie wegen Ihrer Anfrage zu erreichen, leider ohne Erfolg.",
        "intro_company": "ich habe versucht, Sie wegen Ihrer Anfrage für {company} zu erreichen, leider ohne Erfolg.",
        "ask": "Wann passt Ihnen ein kurzes Telefonat? Antworten Sie einfach auf diese E-Mail und nennen Sie mir "
               "einen günstigen Zeitpunkt.",
        "call_me": "Oder rufen Sie mich direkt an: {phone}",
        "sms": "Ich habe versucht, Sie wegen Ihrer Anfrage zu erreichen.",
    },
    "lead_status_contacted": {
        "subject": "Vielen Dank für unser Gespräch",
        "preheader": "Kurz zusammengefasst, wie es weitergeht.",
        "intro": "vielen Dank für Ihre Zeit und unser Gespräch.",
        "next": "Als Nächstes gehe ich durch, was wir besprochen haben, und melde mich in Kürze mit den nächsten "
                "Schritten bei Ihnen.",
        "next_company": "Als Nächstes gehe ich durch, was wir besprochen haben, und melde mich in Kürze mit den "
                        "nächsten Schritten für {company} bei Ihnen.",
        "more": "Bis dahin finden Sie hier mehr über uns:",
        "cta": "Zu unserer Website",
        "sms": "Vielen Dank für unser Gespräch; ich melde mich bald mit den nächsten Schritten.",
    },
    "lead_status_not_interested": {
        "subject": "Ich werde Sie nicht weiter stören",
        "preheader": "Danke für Ihre Zeit – meine Tür bleibt offen.",
        "intro": "es scheint, dass der Zeitpunkt für Sie gerade nicht passt – und das ist völlig in Ordnung.",
        "promise": "Ich werde mich deswegen nicht mehr bei Ihnen melden.",
        "door": "Sollte sich etwas ändern, antworten Sie einfach auf diese E-Mail – ich helfe Ihnen gern.",
        "door_company": "Sollte sich bei {company} etwas ändern, antworten Sie einfach auf diese E-Mail – "
                        "ich helfe Ihnen gern.",
        "thanks": "Vielen Dank für Ihre Zeit.",
        "sms": "Der Zeitpunkt scheint gerade nicht zu passen, daher melde ich mich nicht mehr. "
               "Wenn sich etwas ändert, bin ich gern für Sie da.",
    },
    "consent_confirmation": {
        "subject": "Bitte bestätigen: wieder E-Mails von uns?",
        "preheader": "Ein Klick bestätigt; wenn Sie diese E-Mail ignorieren, ändert sich nichts.",
        "intro": "Jemand – hoffentlich Sie – hat auf unserer Website gebeten, unter dieser Adresse wieder E-Mails "
                 "von uns zu erhalten.",
        "intro_company": "Jemand – hoffentlich Sie – hat auf unserer Website gebeten, unter dieser Adresse wieder "
                         "E-Mails zu {company} zu erhalten.",
        "confirm": "Wenn Sie das waren, bestätigen Sie es bitte mit diesem Link (er gilt {days} Tage):",
        "cta": "Ja, wieder E-Mails erhalten",
        "ignore": "Wenn nicht, ignorieren Sie diese E-Mail: Sie bleiben abgemeldet.",
    },
    "stalled_deals_for_rep": {
        "subject_one": "{count} Deal steckt fest: bringen Sie ihn voran oder senken Sie seine Priorität",
        "subject_other": "{count} Deals stecken fest: bringen Sie sie voran oder senken Sie ihre Priorität",
        "heading": "Deals, die zu lange in ihrer Phase stehen",
        "intro_one": "Dieser Deal steht länger in seiner Phase, als Ihr Team vorsieht.",
        "intro_other": "Diese Deals stehen länger in ihrer Phase, als Ihr Team vorsieht: insgesamt {count}.",
        "action": "Bringen Sie ihn voran oder senken Sie seine Priorität.",
        "why": "Ein Deal, der stillsteht, kühlt ab; eine ehrliche Priorität hält die Prognose richtig.",
        "stage_label": "Phase",
        "days_label": "Tage in der Phase",
        "days_value": "{days} (Grenze: {max})",
        "open_deal": "Deal öffnen",
        "see_all_intro": "Alle Ihre festsitzenden Deals finden Sie hier:",
        "see_all": "Festsitzende Deals ansehen",
    },
}

HU: Catalogue = {
    "common": {
        "greeting": "Kedves {name}!",
        "open_lead": "Érdeklődő megnyitása",
        "lead_link": "Az érdeklődő adatlapja: {url}",
        "details": "Az érdeklődő adatai",
        "bant": "Minősítés (BANT)",
        "footer": "Ezt az üzenetet a CRM automatikusan küldte, mert az értékesítési csapat tagja vagy.",
        "within_minutes_one": "{count} percen belül",
        "within_minutes_other": "{count} percen belül",
    },
    "fields": {
        "rating": "Minősítés",
        "lead_id": "Azonosító",
        "name": "Név",
        "email": "E-mail",
        "phone": "Telefon",
        "company": "Cég",
        "role": "Beosztás",
        "company_size": "Cégméret (fő)",
        "country": "Ország",
        "source": "Forrás",
        "utm": "UTM-címkék",
        "message": "Az érdeklődő üzenete",
        "best_time_to_contact": "Mikor hívható",
        "need": "Igény",
        "budget": "Költségkeret",
        "authority": "Döntési jogkör",
        "timing": "Időzítés",
    },
    "temperatures": {
        "hot": "Forró",
        "warm": "Langyos",
        "cold": "Hideg",
    },
    "sources": {
        "web_page": "Weboldal",
        "event": "Rendezvény",
        "newsletter": "Hírlevél",
        "ebook": "E-könyv",
        "phone_call": "Telefonhívás",
        "referral": "Ajánlás",
        "import": "Importálás",
        "other": "Egyéb",
    },
    "stages": {  # the default pipeline's stages, by id: shown when a stage keeps its default name
        "unsorted": "Besorolatlan", "identified": "Azonosítva", "in-discussion": "Egyeztetés alatt",
        "decision-makers-identified": "Döntéshozók azonosítva", "proposal": "Ajánlat", "negotiation": "Tárgyalás",
        "procurement": "Beszerzés", "closed-won": "Megnyert", "closed-lost": "Elvesztett",
    },
    "workflows": {
        "lead_lifecycle": "érdeklődő életciklusa",
        "status_message": "állapotüzenet",
    },
    "lead_common": {
        "greeting": "Kedves {name}!",
        "greeting_anonymous": "Kedves Érdeklődő!",
        "sign_off": "Üdvözlettel:",
        "reply": "Ha kérdése van, egyszerűen válaszoljon erre a levélre – minden választ személyesen olvasok el.",
        "why": "Azért kapja ezt a levelet, mert felvette velünk a kapcsolatot.",
        "unsubscribe": "Leiratkozás",
        "unsubscribe_link": "Leiratkozás: {url}",
        "sms_hello": "Kedves {name}! {rep} vagyok.",
        "sms_hello_anonymous": "Jó napot kívánok! {rep} vagyok.",
        "sms_call_me": "Ezen a számon érhet el: {phone}.",
        "sms_email_me": "Ezen a címen érhet el: {email}.",
        "sms_opt_out": "Leiratkozáshoz válaszoljon STOP üzenettel.",
    },
    "new_lead_for_rep": {
        "subject": "Új érdeklődő: {name} – hívd {within}",
        "subject_company": "Új érdeklődő: {name} ({company}) – hívd {within}",
        "heading": "Új érdeklődő várja a hívásodat",
        "intro": "Új érdeklődőt kaptál: {name}.",
        "deadline": "Kérlek, eddig vedd fel vele a kapcsolatot: {due}.",
        "why": "A {within} elért érdeklődők sokkal nagyobb eséllyel vásárolnak; egy óra után kihűlnek.",
        "due_label": "Hívd eddig",
        "sms": "Új érdeklődő: {lead}, {contact}. Hívd eddig: {due}. {url}",
        "sms_no_contact": "Új érdeklődő: {lead}. Hívd eddig: {due}. {url}",
        "subject_no_sla": "Új érdeklődő: {name}",
        "subject_company_no_sla": "Új érdeklődő: {name} ({company})",
        "no_sla": "Ez az érdeklődő (még) nem várható vásárló, ezért nincs határidő az első hívásra: "
                  "hívd, amikor belefér a napodba.",
    },
    "missed_first_contact_for_manager": {
        "subject": "Elmaradt az első kapcsolatfelvétel: {name} ({number}. eszkaláció)",
        "heading": "Lejárt az első kapcsolatfelvétel határideje",
        "intro": "Határidőre senki sem kereste ezt az érdeklődőt: {name}. Felelős: {rep}.",
        "reassigned": "Az érdeklődő új határidővel és új hívási feladattal új felelőshöz került: {rep}.",
        "not_reassigned": "Nem volt más elérhető értékesítő, így az érdeklődő felelőse továbbra is: {rep}. "
                          "Kérlek, lépj közbe, vagy add át valaki másnak.",
        "escalation_label": "Eszkaláció",
        "received_label": "Beérkezett",
        "due_label": "Határidő",
        "previous_rep_label": "Korábbi felelős",
        "new_rep_label": "Új felelős",
    },
    "lead_went_cold_for_manager": {
        "subject": "Eléretlen érdeklődő: {name} – senki sem kereste",
        "heading": "Egy érdeklődőt senki sem ért el",
        "intro": "Minden eszkaláció elfogyott, és senki sem vette fel a kapcsolatot ezzel az érdeklődővel: "
                 "{name}. Mostantól „Nem sikerült elérni” állapotú.",
        "reps_tried": "Akiknél az érdeklődő volt",
        "action": "Egy még mai személyes hívással talán visszanyerhető.",
    },
    "workflow_failed_for_manager": {
        "subject": "Hiba az automatizálásban, érdeklődő: {name}",
        "subject_no_lead": "Hiba az automatizálásban: {step}",
        "heading": "Leállt egy érdeklődő automatikus folyamata",
        "intro": "Az automatikus folyamat minden újrapróbálkozás után leállt ennél a lépésnél: „{step}”. "
                 "Érintett érdeklődő: {name}.",
        "intro_no_lead": "Egy automatikus folyamat minden újrapróbálkozás után leállt ennél a lépésnél: "
                         "„{step}”. Egyetlen érdeklődőhöz sem köthető.",
        "action": "Az érdeklődő automatikus követése leállt. Kérlek, nézd át kézzel, hogy ne merüljön feledésbe.",
        "action_no_lead": "Kérlek, továbbítsd ezt az üzenetet a CRM üzemeltetőjének.",
        "technical": "Technikai részletek",
        "step_label": "Lépés",
        "error_label": "Hiba",
        "cause_label": "Részletek",
    },
    "lead_engaged_for_rep": {
        "subject": "Aktív érdeklődő: {name} olvassa a leveleidet",
        "heading": "Egy gondozott érdeklődő várható vásárló lett",
        "intro": "Ez az érdeklődő megnyitja a leveleidet és rákattint a linkekre, ezért mostantól várható "
                 "vásárlóként szerepel: {name}.",
        "deadline": "Kérlek, eddig hívd fel: {due}.",
        "why": "Az érdeklődése most a legnagyobb: egy hívás, amíg még a leveleidet olvassa, sokat számít.",
        "opened": "Megnyitott levelek",
        "clicked": "Kattintott linkek",
        "sms": "Aktív érdeklődő: {lead}, {contact}. Olvassa a leveleidet. Hívd eddig: {due}. {url}",
        "sms_no_contact": "Aktív érdeklődő: {lead}. Olvassa a leveleidet. Hívd eddig: {due}. {url}",
    },
    "nurture_info_pack": {
        "subject": "A kért információk",
        "preheader": "Minden fontos egy helyen – és a következő napokban fel is hívom.",
        "intro": "Köszönöm, hogy érdeklődik szolgáltatásaink iránt, és felvette velünk a kapcsolatot.",
        "pack": "A legfontosabb tudnivalókat egy helyen gyűjtöttem össze Önnek:",
        "pack_company": "A legfontosabb tudnivalókat egy helyen gyűjtöttem össze Önnek és csapatának ({company}):",
        "cta": "Megnézem az információkat",
        "call": "A következő napokban felhívom, hogy megtudjam, mire van szüksége, és válaszoljak a kérdéseire. "
                "Ha egy bizonyos időpont Önnek a legalkalmasabb, egyszerűen írja meg válaszlevélben.",
    },
    "nurture_weekly": {
        "subject": "Hasznos olvasnivaló erre a hétre ({number}/{of})",
        "preheader": "Öt perc olvasnivaló, Önnek válogatva.",
        "intro": "Ahogy ígértem, küldöm a heti rövid levelet, benne valami hasznossal Önnek.",
        "read": "Erre a hétre olyasmit választottam, ami megér öt percet az idejéből:",
        "read_company": "Erre a hétre olyasmit választottam Önnek és csapatának ({company}), ami megér öt percet "
                        "az idejéből:",
        "cta": "Elolvasom",
        "series": "Ez a levél egy rövid, összesen {of} részes sorozat {number}. része, amelyet a megkeresését "
                  "követő első hónapban küldök Önnek; utána havonta egyszer jelentkezünk.",
    },
    "nurture_newsletter": {
        "subject": "Havi hírlevelünk",
        "preheader": "Újdonságok és azonnal hasznosítható ötletek.",
        "intro": "Itt a havi hírlevelünk: újdonságok rólunk, és gyakorlati ötletek, amelyeket azonnal "
                 "hasznosíthat.",
        "intro_company": "Itt a havi hírlevelünk: újdonságok rólunk, és gyakorlati ötletek, amelyeket Ön és "
                         "csapata ({company}) azonnal hasznosíthat.",
        "read": "A hónap híreit itt találja:",
        "cta": "Elolvasom a híreket",
        "cadence": "Ezt a hírlevelet havonta egyszer kapja meg.",
    },
    "nurture_big_bang": {
        "subject": "Lezárjam a megkeresését?",
        "preheader": "Egy gyors kérdés, és utána nem zavarom tovább.",
        "intro": "Az elmúlt hónapokban többször írtam Önnek, de nem kaptam választ – és ez teljesen rendben van.",
        "honest": "Nem szeretném felesleges levelekkel teletömni a postafiókját. Ha a téma már nem aktuális, "
                  "nincs teendője: lezárom a megkeresését, és nem írok többet.",
        "still": "Ha viszont még foglalkoztatja a téma, egy kattintás elég, és nyitva tartom a megkeresését:",
        "still_company": "Ha viszont az Önök cégénél ({company}) még napirenden van a téma, egy kattintás elég, "
                         "és nyitva tartom a megkeresését:",
        "cta": "Igen, továbbra is érdekel",
        "thanks": "Akárhogy dönt, köszönöm a figyelmét.",
    },
    "lead_status_attempting": {
        "subject": "Próbáltam elérni Önt",
        "preheader": "Mikor lenne alkalmas egy rövid beszélgetés?",
        "intro": "Próbáltam elérni Önt a megkeresésével kapcsolatban, de sajnos nem sikerült.",
        "intro_company": "Próbáltam elérni Önt a cége ({company}) nevében küldött megkeresésével kapcsolatban, "
                         "de sajnos nem sikerült.",
        "ask": "Mikor lenne alkalmas egy rövid telefonbeszélgetés? Egyszerűen válaszoljon erre a levélre egy Önnek "
               "megfelelő időponttal.",
        "call_me": "Vagy hívjon közvetlenül: {phone}",
        "sms": "Próbáltam elérni Önt a megkeresésével kapcsolatban.",
    },
    "lead_status_contacted": {
        "subject": "Köszönöm a beszélgetést",
        "preheader": "Röviden arról, hogyan tovább.",
        "intro": "Köszönöm az idejét és a beszélgetést.",
        "next": "Következő lépésként átnézem, amit megbeszéltünk, és hamarosan jelentkezem a további teendőkkel.",
        "next_company": "Következő lépésként átnézem, amit megbeszéltünk, és hamarosan jelentkezem a javaslatommal "
                        "arról, hogyan tovább az Önök cégénél ({company}).",
        "more": "Addig is itt többet megtudhat rólunk:",
        "cta": "Megnézem a weboldalt",
        "sms": "Köszönöm a beszélgetést; hamarosan jelentkezem a következő lépésekkel.",
    },
    "lead_status_not_interested": {
        "subject": "Nem zavarom tovább",
        "preheader": "Köszönöm az idejét – bármikor kereshet.",
        "intro": "Úgy tűnik, most nem ez a megfelelő időszak Önnek – és ez teljesen rendben van.",
        "promise": "Ezzel kapcsolatban többet nem keresem.",
        "door": "Ha változik a helyzet, egyszerűen válaszoljon erre a levélre – szívesen segítek.",
        "door_company": "Ha az Önök cégénél ({company}) változik a helyzet, egyszerűen válaszoljon erre a levélre – "
                        "szívesen segítek.",
        "thanks": "Köszönöm az idejét.",
        "sms": "Úgy tűnik, most nem ez a megfelelő időszak, ezért többet nem keresem. Ha változik a helyzet, "
               "szívesen segítek.",
    },
    "consent_confirmation": {
        "subject": "Kérjük, erősítse meg: ismét kér e-maileket tőlünk?",
        "preheader": "Egy kattintás megerősíti; ha nem foglalkozik ezzel az e-maillel, semmi sem változik.",
        "intro": "Valaki – reméljük, Ön – a weboldalunkon azt kérte, hogy erre a címre ismét küldjünk e-maileket.",
        "intro_company": "Valaki – reméljük, Ön – a weboldalunkon azt kérte, hogy erre a címre ismét küldjünk "
                         "e-maileket a(z) {company} ügyében.",
        "confirm": "Ha Ön volt, kérjük, erősítse meg ezzel a linkkel ({days} napig érvényes):",
        "cta": "Igen, kérek ismét e-maileket",
        "ignore": "Ha nem Ön volt, hagyja figyelmen kívül ezt az e-mailt: leiratkozva marad.",
    },
    "stalled_deals_for_rep": {
        "subject_one": "Elakadt üzletek: {count} — vigye tovább, vagy csökkentse a prioritását",
        "subject_other": "Elakadt üzletek: {count} — vigye tovább őket, vagy csökkentse a prioritásukat",
        "heading": "Túl régóta egy szakaszban álló üzletek",
        "intro_one": "Ez az üzlet a csapat által megszabott időnél tovább áll a szakaszában.",
        "intro_other": "Ezek az üzletek a csapat által megszabott időnél tovább állnak a szakaszukban. "
                       "Összesen: {count}.",
        "action": "Vigye tovább, vagy csökkentse a prioritását.",
        "why": "Az egy helyben álló üzlet kihűl; az őszinte prioritás pontosan tartja az előrejelzést.",
        "stage_label": "Szakasz",
        "days_label": "Napok a szakaszban",
        "days_value": "{days} (határ: {max})",
        "open_deal": "Üzlet megnyitása",
        "see_all_intro": "Az összes elakadt üzlete itt található:",
        "see_all": "Elakadt üzletek megtekintése",
    },
}

EL: Catalogue = {
    "common": {
        "greeting": "Γεια σας {name},",
        "open_lead": "Άνοιγμα δυνητικού πελάτη",
        "lead_link": "Δυνητικός πελάτης: {url}",
        "details": "Στοιχεία δυνητικού πελάτη",
        "bant": "Αξιολόγηση (BANT)",
        "footer": "Αυτόματο μήνυμα από το CRM σας, λόγω του ρόλου σας στην ομάδα πωλήσεων.",
        "within_minutes_one": "μέσα σε {count} λεπτό",
        "within_minutes_other": "μέσα σε {count} λεπτά",
    },
    "fields": {
        "rating": "Αξιολόγηση",
        "lead_id": "Κωδικός",
        "name": "Όνομα",
        "email": "Διεύθυνση email",
        "phone": "Τηλέφωνο",
        "company": "Εταιρεία",
        "role": "Θέση",
        "company_size": "Μέγεθος εταιρείας (εργαζόμενοι)",
        "country": "Χώρα",
        "source": "Πηγή",
        "utm": "Ετικέτες UTM",
        "message": "Το μήνυμά του",
        "best_time_to_contact": "Καλύτερη ώρα επικοινωνίας",
        "need": "Ανάγκη",
        "budget": "Προϋπολογισμός",
        "authority": "Αρμοδιότητα απόφασης",
        "timing": "Χρονοδιάγραμμα",
    },
    "temperatures": {
        "hot": "Θερμός",
        "warm": "Χλιαρός",
        "cold": "Ψυχρός",
    },
    "sources": {
        "web_page": "Ιστοσελίδα",
        "event": "Εκδήλωση",
        "newsletter": "Ενημερωτικό δελτίο",
        "ebook": "Ηλεκτρονικό βιβλίο",
        "phone_call": "Τηλεφωνική κλήση",
        "referral": "Σύσταση",
        "import": "Εισαγωγή",
        "other": "Άλλο",
    },
    "stages": {  # the default pipeline's stages, by id: shown when a stage keeps its default name
        "unsorted": "Χωρίς ταξινόμηση", "identified": "Εντοπίστηκε", "in-discussion": "Σε συζήτηση",
        "decision-makers-identified": "Εντοπίστηκαν οι αποφασίζοντες", "proposal": "Πρόταση",
        "negotiation": "Διαπραγμάτευση", "procurement": "Προμήθεια", "closed-won": "Κερδήθηκε", "closed-lost": "Χάθηκε",
    },
    "workflows": {
        "lead_lifecycle": "κύκλος ζωής υποψήφιου",
        "status_message": "μήνυμα κατάστασης",
    },
    "lead_common": {
        "greeting": "Γεια σας {name},",
        "greeting_anonymous": "Γεια σας,",
        "sign_off": "Με εκτίμηση,",
        "reply": "Αν έχετε οποιαδήποτε ερώτηση, απαντήστε απλώς σε αυτό το email· διαβάζω προσωπικά κάθε απάντηση.",
        "why": "Λαμβάνετε αυτό το email επειδή επικοινωνήσατε μαζί μας.",
        "unsubscribe": "Κατάργηση εγγραφής",
        "unsubscribe_link": "Κατάργηση εγγραφής: {url}",
        "sms_hello": "Γεια σας {name}, σας γράφει {rep}.",
        "sms_hello_anonymous": "Γεια σας, σας γράφει {rep}.",
        "sms_call_me": "Μπορείτε να με βρείτε στο {phone}.",
        "sms_email_me": "Μπορείτε να μου γράψετε στο {email}.",
        "sms_opt_out": "Για διαγραφή απαντήστε STOP.",
    },
    "new_lead_for_rep": {
        "subject": "Νέος δυνητικός πελάτης: {name} — καλέστε {within}",
        "subject_company": "Νέος δυνητικός πελάτης: {name} ({company}) — καλέστε {within}",
        "heading": "Ένας νέος δυνητικός πελάτης περιμένει την κλήση σας",
        "intro": "Σας ανατέθηκε μόλις ένας νέος δυνητικός πελάτης: {name}.",
        "deadline": "Παρακαλούμε κάντε την πρώτη επαφή έως {due}.",
        "why": "Οι δυνητικοί πελάτες που προσεγγίζονται {within} αγοράζουν πολύ συχνότερα· "
               "μετά από μία ώρα «κρυώνουν».",
        "due_label": "Κλήση έως",
        "sms": "Νέος δυνητικός πελάτης {lead}, {contact}. Καλέστε έως {due}. {url}",
        "sms_no_contact": "Νέος δυνητικός πελάτης {lead}. Καλέστε έως {due}. {url}",
        "subject_no_sla": "Νέος δυνητικός πελάτης: {name}",
        "subject_company_no_sla": "Νέος δυνητικός πελάτης: {name} ({company})",
        "no_sla": "Αυτός ο δυνητικός πελάτης δεν είναι (ακόμη) πιθανός αγοραστής, οπότε δεν υπάρχει "
                  "προθεσμία για την πρώτη κλήση: καλέστε όταν σας βολεύει.",
    },
    "missed_first_contact_for_manager": {
        "subject": "Χάθηκε η πρώτη επαφή: {name} (κλιμάκωση {number})",
        "heading": "Έληξε η προθεσμία πρώτης επαφής",
        "intro": "Η πρώτη επαφή με τον δυνητικό πελάτη {name} δεν έγινε εντός της προθεσμίας. "
                 "Ήταν ανατεθειμένος σε: {rep}.",
        "reassigned": "Ανατέθηκε πλέον σε: {rep}, με νέα προθεσμία και νέα εργασία κλήσης.",
        "not_reassigned": "Δεν υπήρχε άλλο διαθέσιμο μέλος της ομάδας πωλήσεων, οπότε παραμένει "
                          "ανατεθειμένος σε: {rep}. Παρακαλούμε παρέμβετε ή αναθέστε τον σε κάποιον άλλον.",
        "escalation_label": "Κλιμάκωση",
        "received_label": "Παραλαβή",
        "due_label": "Προθεσμία",
        "previous_rep_label": "Προηγούμενη ανάθεση",
        "new_rep_label": "Νέα ανάθεση",
    },
    "lead_went_cold_for_manager": {
        "subject": "Δυνητικός πελάτης χωρίς επαφή: {name} — δεν προσεγγίστηκε",
        "heading": "Ένας δυνητικός πελάτης δεν προσεγγίστηκε ποτέ",
        "intro": "Όλες οι κλιμακώσεις εξαντλήθηκαν και κανείς δεν επικοινώνησε με τον δυνητικό πελάτη {name}. "
                 "Πλέον έχει χαρακτηριστεί «Δεν προσεγγίστηκε».",
        "reps_tried": "Είχε ανατεθεί σε",
        "action": "Μια προσωπική κλήση σήμερα ίσως τον κερδίσει ακόμη.",
    },
    "workflow_failed_for_manager": {
        "subject": "Αποτυχία αυτοματισμού για τον δυνητικό πελάτη {name}",
        "subject_no_lead": "Αποτυχία αυτοματισμού: {step}",
        "heading": "Απέτυχε η αυτοματοποιημένη ροή ενός δυνητικού πελάτη",
        "intro": "Η αυτοματοποιημένη ροή για τον δυνητικό πελάτη {name} σταμάτησε στο βήμα «{step}» "
                 "μετά από όλες τις επαναληπτικές προσπάθειες.",
        "intro_no_lead": "Μια αυτοματοποιημένη ροή σταμάτησε στο βήμα «{step}» μετά από όλες τις "
                         "επαναληπτικές προσπάθειες· δεν ήταν δυνατό να συνδεθεί με κάποιον δυνητικό πελάτη.",
        "action": "Η αυτόματη παρακολούθηση αυτού του δυνητικού πελάτη σταμάτησε. "
                  "Ελέγξτε τον χειροκίνητα, ώστε να μην ξεχαστεί.",
        "action_no_lead": "Προωθήστε αυτό το μήνυμα σε όποιον συντηρεί το CRM.",
        "technical": "Τεχνικές λεπτομέρειες",
        "step_label": "Βήμα",
        "error_label": "Σφάλμα",
        "cause_label": "Λεπτομέρειες",
    },
    "lead_engaged_for_rep": {
        "subject": "Ενεργός δυνητικός πελάτης: {name} — διαβάζει τα email σας",
        "heading": "Ένας δυνητικός πελάτης υπό καλλιέργεια είναι πλέον πιθανός αγοραστής",
        "intro": "Ο δυνητικός πελάτης {name} ανοίγει τα email σας και κάνει κλικ στους συνδέσμους τους· "
                 "πλέον θεωρείται πιθανός αγοραστής.",
        "deadline": "Παρακαλούμε καλέστε έως {due}.",
        "why": "Το ενδιαφέρον βρίσκεται τώρα στο αποκορύφωμά του: ένα τηλεφώνημα όσο ακόμη διαβάζει τα "
               "email σας κάνει τη διαφορά.",
        "opened": "Email που άνοιξε",
        "clicked": "Σύνδεσμοι που επέλεξε",
        "sms": "Ενεργός δυνητικός πελάτης {lead}, {contact}: διαβάζει τα email σας. Καλέστε έως {due}. {url}",
        "sms_no_contact": "Ενεργός δυνητικός πελάτης {lead}: διαβάζει τα email σας. Καλέστε έως {due}. {url}",
    },
    "nurture_info_pack": {
        "subject": "Οι πληροφορίες που ζητήσατε",
        "preheader": "Όλα σε ένα σημείο — και θα σας τηλεφωνήσω τις επόμενες μέρες.",
        "intro": "Σας ευχαριστώ για το ενδιαφέρον σας για τις υπηρεσίες μας και για την επικοινωνία σας.",
        "pack": "Συγκέντρωσα για εσάς τις πιο σημαντικές πληροφορίες σε ένα σημείο:",
        "pack_company": "Συγκέντρωσα σε ένα σημείο τις πιο σημαντικές πληροφορίες για εσάς και την ομάδα σας "
                        "στην {company}:",
        "cta": "Δείτε τις πληροφορίες",
        "call": "Τις επόμενες μέρες θα σας τηλεφωνήσω για να ακούσω τι χρειάζεστε και να απαντήσω στις ερωτήσεις "
                "σας. Αν σας βολεύει κάποια συγκεκριμένη ώρα, απαντήστε απλώς σε αυτό το email.",
    },
    "nurture_weekly": {
        "subject": "Μέρος {number} από {of}: κάτι χρήσιμο για αυτή την εβδομάδα",
        "preheader": "Πέντε λεπτά ανάγνωσης, επιλεγμένα για εσάς.",
        "intro": "Όπως σας υποσχέθηκα, ιδού το σύντομο email της εβδομάδας με κάτι χρήσιμο για εσάς.",
        "read": "Αυτή την εβδομάδα επέλεξα κάτι που αξίζει πέντε λεπτά από τον χρόνο σας:",
        "read_company": "Αυτή την εβδομάδα επέλεξα για εσάς και την ομάδα σας στην {company} κάτι που αξίζει "
                        "πέντε λεπτά από τον χρόνο σας:",
        "cta": "Διαβάστε το τώρα",
        "series": "Αυτό είναι το μέρος {number} από {of} μιας σύντομης σειράς email που σας στέλνω τον πρώτο "
                  "μήνα μετά το αίτημά σας· στη συνέχεια θα έχετε νέα μας μία φορά τον μήνα.",
    },
    "nurture_newsletter": {
        "subject": "Τα νέα μας αυτόν τον μήνα",
        "preheader": "Τι νέο υπάρχει και ιδέες που μπορείτε να εφαρμόσετε αμέσως.",
        "intro": "Ιδού το μηνιαίο ενημερωτικό μας δελτίο: τα νέα μας και πρακτικές ιδέες που μπορείτε να "
                 "εφαρμόσετε αμέσως.",
        "intro_company": "Ιδού το μηνιαίο ενημερωτικό μας δελτίο: τα νέα μας και πρακτικές ιδέες που εσείς και "
                         "η ομάδα σας στην {company} μπορείτε να εφαρμόσετε αμέσως.",
        "read": "Τα νέα του μήνα θα τα βρείτε εδώ:",
        "cta": "Διαβάστε τα νέα του μήνα",
        "cadence": "Λαμβάνετε αυτό το ενημερωτικό δελτίο μία φορά τον μήνα.",
    },
    "nurture_big_bang": {
        "subject": "Να κλείσω τον φάκελό σας;",
        "preheader": "Μια γρήγορη ερώτηση, και μετά δεν θα σας ενοχλήσω άλλο.",
        "intro": "Τους τελευταίους μήνες σας έγραψα μερικές φορές και δεν έλαβα απάντηση — και αυτό είναι "
                 "απολύτως εντάξει.",
        "honest": "Δεν θέλω να γεμίζω το γραμματοκιβώτιό σας με email που δεν χρειάζεστε. Αν το θέμα δεν σας "
                  "αφορά πια, δεν χρειάζεται να κάνετε τίποτα: θα κλείσω τον φάκελό σας και δεν θα σας ξαναγράψω.",
        "still": "Αν όμως σας απασχολεί ακόμη, αρκεί ένα κλικ για να μείνει ο φάκελός σας ανοιχτός:",
        "still_company": "Αν όμως το θέμα είναι ακόμη επίκαιρο για την {company}, αρκεί ένα κλικ για να μείνει "
                         "ο φάκελός σας ανοιχτός:",
        "cta": "Ναι, με ενδιαφέρει ακόμη",
        "thanks": "Σε κάθε περίπτωση, σας ευχαριστώ για τον χρόνο σας.",
    },
    "lead_status_attempting": {
        "subject": "Προσπάθησα να επικοινωνήσω μαζί σας",
        "preheader": "Πότε σας βολεύει για ένα σύντομο τηλεφώνημα;",
        "intro": "Προσπάθησα να επικοινωνήσω μαζί σας σχετικά με το αίτημά σας, αλλά δυστυχώς δεν σας βρήκα.",
        "intro_company": "Προσπάθησα να επικοινωνήσω μαζί σας σχετικά με το αίτημά σας για την {company}, "
                         "αλλά δυστυχώς δεν σας βρήκα.",
        "ask": "Πότε σας βολεύει για ένα σύντομο τηλεφώνημα; Απαντήστε απλώς σε αυτό το email με μια ώρα που "
               "σας εξυπηρετεί.",
        "call_me": "Ή καλέστε με απευθείας: {phone}",
        "sms": "Προσπάθησα να επικοινωνήσω μαζί σας σχετικά με το αίτημά σας.",
    },
    "lead_status_contacted": {
        "subject": "Σας ευχαριστώ για τη συζήτησή μας",
        "preheader": "Με λίγα λόγια, τα επόμενα βήματα.",
        "intro": "Σας ευχαριστώ για τον χρόνο σας και για τη συζήτησή μας.",
        "next": "Στη συνέχεια θα εξετάσω όσα συζητήσαμε και θα επανέλθω σύντομα με τα επόμενα βήματα.",
        "next_company": "Στη συνέχεια θα εξετάσω όσα συζητήσαμε για την {company} και θα επανέλθω σύντομα με "
                        "τα επόμενα βήματα.",
        "more": "Μέχρι τότε, μπορείτε να μάθετε περισσότερα για εμάς εδώ:",
        "cta": "Επισκεφθείτε την ιστοσελίδα μας",
        "sms": "Σας ευχαριστώ για τη συζήτησή μας· θα επανέλθω σύντομα με τα επόμενα βήματα.",
    },
    "lead_status_not_interested": {
        "subject": "Δεν θα σας ενοχλήσω ξανά",
        "preheader": "Σας ευχαριστώ για τον χρόνο σας — η πόρτα μου μένει ανοιχτή.",
        "intro": "Φαίνεται ότι αυτή την περίοδο δεν είναι η κατάλληλη στιγμή για εσάς — και αυτό είναι απολύτως "
                 "εντάξει.",
        "promise": "Δεν θα επικοινωνήσω ξανά μαζί σας για αυτό το θέμα.",
        "door": "Αν αλλάξει κάτι, απαντήστε απλώς σε αυτό το email· θα χαρώ να βοηθήσω.",
        "door_company": "Αν αλλάξει κάτι στην {company}, απαντήστε απλώς σε αυτό το email· θα χαρώ να βοηθήσω.",
        "thanks": "Σας ευχαριστώ για τον χρόνο σας.",
        "sms": "Φαίνεται ότι δεν είναι η κατάλληλη στιγμή, οπότε δεν θα σας ενοχλήσω ξανά. Αν αλλάξει κάτι, "
               "είμαι εδώ για να βοηθήσω.",
    },
    "consent_confirmation": {
        "subject": "Παρακαλούμε επιβεβαιώστε: θέλετε ξανά email από εμάς;",
        "preheader": "Ένα κλικ αρκεί· αν αγνοήσετε αυτό το email, τίποτα δεν αλλάζει.",
        "intro": "Κάποιος, ελπίζουμε εσείς, ζήτησε στον ιστότοπό μας να λαμβάνει ξανά τα email μας σε αυτή τη "
                 "διεύθυνση.",
        "intro_company": "Κάποιος, ελπίζουμε εσείς, ζήτησε στον ιστότοπό μας να λαμβάνει ξανά τα email μας για την "
                         "{company} σε αυτή τη διεύθυνση.",
        "confirm": "Αν ήσασταν εσείς, επιβεβαιώστε με αυτόν τον σύνδεσμο (ισχύει {days} ημέρες):",
        "cta": "Ναι, θέλω ξανά email",
        "ignore": "Αν δεν ήσασταν εσείς, αγνοήστε αυτό το email: η διαγραφή σας παραμένει.",
    },
    "stalled_deals_for_rep": {
        "subject_one": "Κολλημένες συμφωνίες: {count} — προχωρήστε τη ή μειώστε την προτεραιότητά της",
        "subject_other": "Κολλημένες συμφωνίες: {count} — προχωρήστε τες ή μειώστε την προτεραιότητά τους",
        "heading": "Συμφωνίες που μένουν πολύ καιρό στο ίδιο στάδιο",
        "intro_one": "Αυτή η συμφωνία βρίσκεται στο στάδιό της περισσότερο από το όριο της ομάδας σας.",
        "intro_other": "Αυτές οι συμφωνίες βρίσκονται στο στάδιό τους περισσότερο από το όριο της ομάδας σας. "
                       "Σύνολο: {count}.",
        "action": "Προχωρήστε τη ή μειώστε την προτεραιότητά της.",
        "why": "Μια συμφωνία που μένει ακίνητη κρυώνει· μια ειλικρινής προτεραιότητα κρατά την πρόβλεψη σωστή.",
        "stage_label": "Στάδιο",
        "days_label": "Ημέρες στο στάδιο",
        "days_value": "{days} (όριο: {max})",
        "open_deal": "Άνοιγμα της συμφωνίας",
        "see_all_intro": "Όλες οι κολλημένες συμφωνίες σας είναι εδώ:",
        "see_all": "Δείτε τις κολλημένες συμφωνίες",
    },
}

FA: Catalogue = {
    "common": {
        "greeting": "سلام {name}،",
        "open_lead": "باز کردن سرنخ",
        "lead_link": "سرنخ: {url}",
        "details": "جزئیات سرنخ",
        "bant": "ارزیابی (BANT)",
        "footer": "این پیام به‌طور خودکار از سوی CRM شما و به دلیل نقش‌تان در تیم فروش فرستاده شده است.",
        "within_minutes_one": "ظرف {count} دقیقه",
        "within_minutes_other": "ظرف {count} دقیقه",
    },
    "fields": {
        "rating": "رتبه‌بندی",
        "lead_id": "شناسه",
        "name": "نام",
        "email": "ایمیل",
        "phone": "تلفن",
        "company": "شرکت",
        "role": "سمت",
        "company_size": "اندازهٔ شرکت (تعداد کارکنان)",
        "country": "کشور",
        "source": "منبع",
        "utm": "برچسب‌های UTM",
        "message": "پیام او",
        "best_time_to_contact": "بهترین زمان تماس",
        "need": "نیاز",
        "budget": "بودجه",
        "authority": "اختیار تصمیم‌گیری",
        "timing": "زمان‌بندی",
    },
    "temperatures": {
        "hot": "داغ",
        "warm": "گرم",
        "cold": "سرد",
    },
    "sources": {
        "web_page": "صفحهٔ وب",
        "event": "رویداد",
        "newsletter": "خبرنامه",
        "ebook": "کتاب الکترونیکی",
        "phone_call": "تماس تلفنی",
        "referral": "معرفی",
        "import": "درون‌ریزی",
        "other": "سایر",
    },
    "stages": {  # the default pipeline's stages, by id: shown when a stage keeps its default name
        "unsorted": "دسته‌بندی‌نشده", "identified": "شناسایی‌شده", "in-discussion": "در حال گفتگو",
        "decision-makers-identified": "تصمیم‌گیرندگان شناسایی شدند", "proposal": "پیشنهاد", "negotiation": "مذاکره",
        "procurement": "تدارکات", "closed-won": "برنده‌شده", "closed-lost": "از دست رفته",
    },
    "workflows": {
        "lead_lifecycle": "چرخهٔ عمر سرنخ",
        "status_message": "پیام وضعیت",
    },
    "lead_common": {
        "greeting": "{name} گرامی،",
        "greeting_anonymous": "با سلام،",
        "sign_off": "با احترام،",
        "reply": "اگر پرسشی دارید، کافی است به همین ایمیل پاسخ دهید؛ همهٔ پاسخ‌ها را خودم می‌خوانم.",
        "why": "این ایمیل را دریافت می‌کنید، چون با ما تماس گرفته بودید.",
        "unsubscribe": "لغو اشتراک",
        "unsubscribe_link": "لغو اشتراک: {url}",
        "sms_hello": "سلام {name}، {rep} هستم.",
        "sms_hello_anonymous": "سلام، {rep} هستم.",
        "sms_call_me": "می‌توانید با شمارهٔ {phone} با من تماس بگیرید.",
        "sms_email_me": "می‌توانید به نشانی {email} به من ایمیل بزنید.",
        "sms_opt_out": "برای لغو دریافت پیامک، STOP را بفرستید.",
    },
    "new_lead_for_rep": {
        "subject": "سرنخ جدید: {name} — {within} تماس بگیرید",
        "subject_company": "سرنخ جدید: {name} ({company}) — {within} تماس بگیرید",
        "heading": "یک سرنخ جدید منتظر تماس شماست",
        "intro": "یک سرنخ جدید همین حالا به شما واگذار شد: {name}.",
        "deadline": "لطفاً تا {due} نخستین تماس را برقرار کنید.",
        "why": "احتمال خرید سرنخ‌هایی که {within} با آن‌ها تماس گرفته شود بسیار بیشتر است؛ "
               "پس از یک ساعت سرد می‌شوند.",
        "due_label": "تماس تا",
        "sms": "سرنخ جدید {lead}، {contact}. تا {due} تماس بگیرید. {url}",
        "sms_no_contact": "سرنخ جدید {lead}. تا {due} تماس بگیرید. {url}",
        "subject_no_sla": "سرنخ جدید: {name}",
        "subject_company_no_sla": "سرنخ جدید: {name} ({company})",
        "no_sla": "این سرنخ (هنوز) خریدار احتمالی نیست، پس برای نخستین تماس مهلتی وجود ندارد: "
                  "هر وقت برایتان مناسب بود تماس بگیرید.",
    },
    "missed_first_contact_for_manager": {
        "subject": "نخستین تماس انجام نشد: {name} (ارجاع شمارهٔ {number})",
        "heading": "مهلت نخستین تماس از دست رفت",
        "intro": "{rep} تا پایان مهلت با سرنخ {name} تماس نگرفت.",
        "reassigned": "این سرنخ با مهلت و وظیفهٔ تماس جدید به {rep} واگذار شد.",
        "not_reassigned": "فروشندهٔ دیگری در دسترس نبود، بنابراین سرنخ نزد {rep} می‌ماند. "
                          "لطفاً خودتان پیگیری کنید یا آن را به فرد دیگری واگذار کنید.",
        "escalation_label": "ارجاع",
        "received_label": "زمان دریافت",
        "due_label": "مهلت",
        "previous_rep_label": "مسئول قبلی",
        "new_rep_label": "مسئول جدید",
    },
    "lead_went_cold_for_manager": {
        "subject": "هیچ‌کس با سرنخ تماس نگرفت: {name}",
        "heading": "هیچ‌کس با یک سرنخ تماس نگرفت",
        "intro": "همهٔ ارجاع‌ها به پایان رسید و هیچ‌کس با {name} تماس نگرفت. "
                 "این سرنخ اکنون «تماس برقرار نشد» علامت خورده است.",
        "reps_tried": "فروشندگانی که سرنخ به آن‌ها واگذار شده بود",
        "action": "شاید یک تماس شخصی همین امروز هنوز بتواند آن را نجات دهد.",
    },
    "workflow_failed_for_manager": {
        "subject": "خطا در فرایند خودکار سرنخ {name}",
        "subject_no_lead": "خطا در فرایند خودکار: {step}",
        "heading": "فرایند خودکار یک سرنخ با خطا متوقف شد",
        "intro": "فرایند خودکار سرنخ {name} پس از همهٔ تلاش‌های دوباره در مرحلهٔ «{step}» متوقف شد.",
        "intro_no_lead": "یک فرایند خودکار پس از همهٔ تلاش‌های دوباره در مرحلهٔ «{step}» متوقف شد "
                         "و به هیچ سرنخی مرتبط نبود.",
        "action": "پیگیری خودکار این سرنخ متوقف شده است. لطفاً آن را دستی بررسی کنید تا فراموش نشود.",
        "action_no_lead": "لطفاً این پیام را برای مسئول نگهداری CRM بفرستید.",
        "technical": "جزئیات فنی",
        "step_label": "مرحله",
        "error_label": "خطا",
        "cause_label": "جزئیات",
    },
    "lead_engaged_for_rep": {
        "subject": "سرنخ فعال: {name} ایمیل‌های شما را می‌خواند",
        "heading": "یک سرنخ در حال پرورش، اکنون خریدار احتمالی است",
        "intro": "{name} ایمیل‌های شما را باز می‌کند و روی پیوندهایشان کلیک می‌کند و اکنون خریدار احتمالی "
                 "به شمار می‌آید.",
        "deadline": "لطفاً تا {due} تماس بگیرید.",
        "why": "علاقهٔ او همین حالا در اوج است: تماسی در همان روزهایی که ایمیل‌هایتان را می‌خواند، "
               "همه‌چیز را تغییر می‌دهد.",
        "opened": "ایمیل‌های بازشده",
        "clicked": "پیوندهای کلیک‌شده",
        "sms": "سرنخ فعال {lead}، {contact}: ایمیل‌های شما را می‌خواند. تا {due} تماس بگیرید. {url}",
        "sms_no_contact": "سرنخ فعال {lead}: ایمیل‌های شما را می‌خواند. تا {due} تماس بگیرید. {url}",
    },
    "nurture_info_pack": {
        "subject": "اطلاعاتی که درخواست کرده بودید",
        "preheader": "همه‌چیز در یک جا، و تا چند روز آینده با شما تماس می‌گیرم.",
        "intro": "از علاقه‌تان به خدمات ما و از اینکه با ما تماس گرفتید سپاسگزارم.",
        "pack": "مهم‌ترین اطلاعات را برایتان در یک جا گرد آورده‌ام:",
        "pack_company": "مهم‌ترین اطلاعات را برای شما و همکارانتان در {company} در یک جا گرد آورده‌ام:",
        "cta": "دیدن اطلاعات",
        "call": "تا چند روز آینده با شما تماس می‌گیرم تا بشنوم به چه چیزی نیاز دارید و به پرسش‌هایتان پاسخ دهم. "
                "اگر زمان خاصی برایتان مناسب‌تر است، کافی است به همین ایمیل پاسخ دهید.",
    },
    "nurture_weekly": {
        "subject": "بخش {number} از {of}: مطلبی مفید برای این هفته",
        "preheader": "پنج دقیقه خواندنی، برگزیده برای شما.",
        "intro": "همان‌طور که قول داده بودم، ایمیل کوتاه این هفته را با مطلبی مفید برایتان می‌فرستم.",
        "read": "این هفته مطلبی را برگزیده‌ام که ارزش پنج دقیقه از وقتتان را دارد:",
        "read_company": "این هفته برای شما و همکارانتان در {company} مطلبی را برگزیده‌ام که ارزش پنج دقیقه از "
                        "وقتتان را دارد:",
        "cta": "همین حالا بخوانید",
        "series": "این ایمیل بخش {number} از {of} مجموعهٔ کوتاهی است که در نخستین ماه پس از درخواستتان برایتان "
                  "می‌فرستم؛ پس از آن، ماهی یک بار خبرنامهٔ ما را دریافت می‌کنید.",
    },
    "nurture_newsletter": {
        "subject": "خبرهای این ماه ما",
        "preheader": "تازه‌ها و ایده‌هایی که بی‌درنگ می‌توانید به کار ببرید.",
        "intro": "این هم خبرنامهٔ ماهانهٔ ما: تازه‌ترین خبرها و ایده‌های کاربردی که بی‌درنگ می‌توانید "
                 "به کار ببرید.",
        "intro_company": "این هم خبرنامهٔ ماهانهٔ ما: تازه‌ترین خبرها و ایده‌های کاربردی که شما و همکارانتان "
                         "در {company} بی‌درنگ می‌توانید به کار ببرید.",
        "read": "خبرهای این ماه را اینجا می‌یابید:",
        "cta": "خواندن خبرهای این ماه",
        "cadence": "این خبرنامه را ماهی یک بار دریافت می‌کنید.",
    },
    "nurture_big_bang": {
        "subject": "پرونده‌تان را ببندم؟",
        "preheader": "یک پرسش کوتاه، و پس از آن دیگر مزاحمتان نمی‌شوم.",
        "intro": "در ماه‌های گذشته چند بار برایتان نوشتم و پاسخی نگرفتم؛ و این هیچ اشکالی ندارد.",
        "honest": "نمی‌خواهم صندوق ایمیلتان را با نامه‌هایی پر کنم که به کارتان نمی‌آیند. اگر این موضوع دیگر "
                  "برایتان مطرح نیست، لازم نیست کاری بکنید: پرونده‌تان را می‌بندم و دیگر برایتان نمی‌نویسم.",
        "still": "اما اگر هنوز به این موضوع فکر می‌کنید، یک کلیک کافی است تا پرونده‌تان باز بماند:",
        "still_company": "اما اگر این موضوع هنوز در {company} مطرح است، یک کلیک کافی است تا پرونده‌تان "
                         "باز بماند:",
        "cta": "بله، هنوز علاقه‌مندم",
        "thanks": "در هر حال، از وقتی که گذاشتید سپاسگزارم.",
    },
    "lead_status_attempting": {
        "subject": "تلاش کردم با شما تماس بگیرم",
        "preheader": "چه زمانی برای یک گفت‌وگوی کوتاه تلفنی مناسب است؟",
        "intro": "دربارهٔ درخواستتان تلاش کردم با شما تماس بگیرم، اما متأسفانه موفق نشدم.",
        "intro_company": "دربارهٔ درخواستتان برای {company} تلاش کردم با شما تماس بگیرم، اما متأسفانه موفق نشدم.",
        "ask": "چه زمانی برای یک گفت‌وگوی کوتاه تلفنی مناسب است؟ کافی است در پاسخ به همین ایمیل، زمانی را که "
               "برایتان مناسب است بنویسید.",
        "call_me": "یا مستقیم با من تماس بگیرید: {phone}",
        "sms": "دربارهٔ درخواستتان تلاش کردم با شما تماس بگیرم.",
    },
    "lead_status_contacted": {
        "subject": "از گفت‌وگویمان سپاسگزارم",
        "preheader": "خلاصه‌ای از گام‌های بعدی.",
        "intro": "از وقتی که گذاشتید و از گفت‌وگویمان سپاسگزارم.",
        "next": "اکنون آنچه را با هم گفتیم مرور می‌کنم و به‌زودی با گام‌های بعدی با شما در تماس خواهم بود.",
        "next_company": "اکنون آنچه را با هم گفتیم مرور می‌کنم و به‌زودی با گام‌های بعدی برای {company} با شما "
                        "در تماس خواهم بود.",
        "more": "تا آن زمان، می‌توانید اینجا بیشتر با ما آشنا شوید:",
        "cta": "دیدن وب‌سایت ما",
        "sms": "از گفت‌وگویمان سپاسگزارم؛ به‌زودی دربارهٔ گام‌های بعدی با شما در تماس خواهم بود.",
    },
    "lead_status_not_interested": {
        "subject": "دیگر مزاحمتان نمی‌شوم",
        "preheader": "از وقتی که گذاشتید سپاسگزارم؛ درِ ما همیشه به روی شما باز است.",
        "intro": "به نظر می‌رسد اکنون زمان مناسبی برای شما نیست؛ و این هیچ اشکالی ندارد.",
        "promise": "دیگر در این باره با شما تماس نمی‌گیرم.",
        "door": "اگر چیزی تغییر کرد، کافی است به همین ایمیل پاسخ دهید؛ با کمال میل کمک می‌کنم.",
        "door_company": "اگر در {company} چیزی تغییر کرد، کافی است به همین ایمیل پاسخ دهید؛ با کمال میل کمک "
                        "می‌کنم.",
        "thanks": "از وقتی که گذاشتید سپاسگزارم.",
        "sms": "به نظر می‌رسد اکنون زمان مناسبی نیست، پس دیگر تماس نمی‌گیرم. اگر چیزی تغییر کرد، با کمال میل "
               "کمک می‌کنم.",
    },
    "consent_confirmation": {
        "subject": "لطفاً تأیید کنید: دوباره از ما ایمیل می‌خواهید؟",
        "preheader": "یک کلیک کافی است؛ اگر این ایمیل را نادیده بگیرید، چیزی تغییر نمی‌کند.",
        "intro": "کسی، امیدواریم شما، در وب‌سایت ما خواسته است که دوباره ایمیل‌های ما به این نشانی فرستاده شود.",
        "intro_company": "کسی، امیدواریم شما، در وب‌سایت ما خواسته است که دوباره ایمیل‌های ما دربارهٔ {company} به این "
                         "نشانی فرستاده شود.",
        "confirm": "اگر شما بودید، لطفاً با این پیوند تأیید کنید ({days} روز معتبر است):",
        "cta": "بله، دوباره برایم ایمیل بفرستید",
        "ignore": "اگر شما نبودید، این ایمیل را نادیده بگیرید: اشتراک شما لغو شده باقی می‌ماند.",
    },
    "stalled_deals_for_rep": {
        "subject_one": "معاملهٔ متوقف: {count} — آن را پیش ببرید یا اولویتش را پایین بیاورید",
        "subject_other": "معاملات متوقف: {count} — آن‌ها را پیش ببرید یا اولویتشان را پایین بیاورید",
        "heading": "معاملاتی که بیش از حد در یک مرحله مانده‌اند",
        "intro_one": "این معامله بیش از حد مجاز تیم شما در مرحلهٔ خود مانده است.",
        "intro_other": "این معاملات بیش از حد مجاز تیم شما در مرحلهٔ خود مانده‌اند. تعداد کل: {count}.",
        "action": "آن را پیش ببرید یا اولویتش را پایین بیاورید.",
        "why": "معامله‌ای که راکد بماند سرد می‌شود؛ اولویت واقع‌بینانه پیش‌بینی فروش را درست نگه می‌دارد.",
        "stage_label": "مرحله",
        "days_label": "روزها در این مرحله",
        "days_value": "{days} (حد مجاز: {max})",
        "open_deal": "باز کردن معامله",
        "see_all_intro": "همهٔ معاملات متوقف شما اینجاست:",
        "see_all": "دیدن معاملات متوقف",
    },
}

MESSAGES: dict[str, Catalogue] = {"en": EN, "de": DE, "hu": HU, "el": EL, "fa": FA}

RTL_LANGUAGES = frozenset({"fa"})
