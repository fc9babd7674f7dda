"""The public form as a browser posts it (urlencoded, every input of static_site/form.html with its own value) through
the lead intake handler on DynamoDB Local: what a visitor's answers make of the lead (L1, L5) and a source label the
CRM does not name, kept as given and listed under "other" (L1, D3)."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlencode

from local.template import REPO_ROOT
from tests.integration.conftest import api_event, lead_id_of
from tests.integration.test_board_api import MANAGER, board  # noqa: F401  # board: a fixture

# The best answers the form allows: budget, authority, need and timing positive, a CEO of a 51-200 company.
BEST_ANSWERS = {"name": "Jonas Weber", "company": "Weber GmbH", "role": "CEO", "company_size": "51-200",
                "country": "DE", "email": "jonas@weber.example", "message": "We need a CRM for our sales team",
                "budget": "Budget approved", "authority": "I decide",
                "need": "Our spreadsheets no longer keep up with the leads", "timing": "Buying now"}


class _FormInputs(HTMLParser):
    """The form's inputs by name, each with the value the page gives it (what a browser posts when left alone)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.checkboxes: set[str] = set()  # posted only when ticked
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "input" and attributes.get("type") == "checkbox":
            self.checkboxes.add(attributes["name"])
        elif tag in {"input", "textarea"}:
            self.values[attributes["name"]] = attributes.get("value", "")
        elif tag == "select":
            self._select = attributes["name"]
            self.values[self._select] = ""
            self.options[self._select] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_post(crm, answers: dict[str, str], page: str = "form.html") -> str:
    """Fills the published form `page` with `answers` (each must be one of its inputs) and posts it; the new lead's
    id."""
    from crm.data.leads import contact_point_owners

    form = _FormInputs()
    form.feed((REPO_ROOT / "static_site" / page).read_text(encoding="utf-8"))
    assert set(answers) <= set(form.values) | form.checkboxes, set(answers) - set(form.values) - form.checkboxes
    for name, value in answers.items():
        assert name not in form.options or value in form.options[name], (name, value)
    response = crm.invoke("lead_intake", "app.handler", api_event(urlencode({**form.values, **answers}),
                                                                  "application/x-www-form-urlencoded"))
    assert response["statusCode"] == 303, response
    [lead_id] = contact_point_owners(answers["email"], None).values()
    return lead_id


def test_a_visitor_giving_the_forms_best_answers_is_a_hot_expected_buyer_on_the_personal_route(crm):
    from crm.data.leads import get_lead
    from crm.services.nurture import choose_route

    # Given a visitor who fills every question of the form with its best answers
    lead_id = form_post(crm, BEST_ANSWERS)

    # Then the lead is hot, an expected buyer, because budget, authority, need and timing were all positive
    lead = get_lead(lead_id)
    assert (lead.temperature, lead.cycle) == ("hot", "expected_buyer") and lead.score >= 70
    assert lead.first_touch.source == "web_page"
    assert "bant_complete" in {part["signal"] for part in lead.score_parts}
    # And its workflow takes the personal route (first-contact deadline, the rep's SMS, escalation)
    assert choose_route(lead_id)["route"] == "personal"


def test_typical_form_answers_make_a_warm_lead_for_nurture(crm):
    from crm.data.leads import get_lead
    from crm.services.nurture import choose_route

    # Given a visitor who is interested but not decided, not buying soon
    lead_id = form_post(crm, {**BEST_ANSWERS, "budget": "Not sure yet", "authority": "I recommend",
                              "timing": "in 6 months", "role": "Sales Manager", "company_size": "11-50"})

    # Then the lead is warm and nurtured, not put on the personal route
    lead = get_lead(lead_id)
    assert (lead.temperature, lead.cycle) == ("warm", "nurturable")
    assert choose_route(lead_id)["route"] == "nurture"


def test_a_source_label_the_crm_does_not_name_is_kept_and_listed_under_other(crm, board):
    from crm.data.leads import get_lead

    # Given a marketer's form whose hidden source is "webinar"
    lead_id = form_post(crm, {"name": "Wanda Webinar", "email": "wanda@example.com", "source": "webinar"})

    # Then the lead is stored with the source as given
    assert get_lead(lead_id).first_touch.source == "webinar"
    # And the leads list finds it under "other" (and only there), showing the label as given
    other = board.call("GET", "/api/lists/leads", MANAGER, source="other")
    assert other.status_code == 200, other.text
    assert [(row["id"], row["source"]) for row in other.json()["items"]] == [(lead_id, "webinar")]
    web = board.call("GET", "/api/lists/leads", MANAGER, source="web_page")
    assert lead_id not in {row["id"] for row in web.json()["items"]}
    # And its record shows the source as given
    record = board.call("GET", f"/api/records/lead/{lead_id}", MANAGER)
    assert record.status_code == 200 and record.json()["fields"]["first_touch"]["source"] == "webinar"


def test_a_json_post_with_any_source_label_is_accepted(crm):
    import json

    from crm.data.leads import get_lead

    sam = {"name": "Sam Summit", "email": "sam@example.com", "source": "Partner summit 2027"}
    response = crm.invoke("lead_intake", "app.handler", api_event(json.dumps(sam)))
    assert response["statusCode"] == 201, response
    assert get_lead(lead_id_of(sam)).first_touch.source == "Partner summit 2027"


def test_a_visitor_of_the_german_form_is_a_german_lead_whose_emails_are_german(crm):
    from email import message_from_string, policy

    from crm.data.leads import get_lead
    from crm.notifications.messages import MESSAGES
    from crm.services.nurture import nurture_step

    # Given a visitor of the German form, interested but not decided, who agrees to marketing email
    form = _FormInputs()
    form.feed((REPO_ROOT / "static_site" / "form.de.html").read_text(encoding="utf-8"))
    lead_id = form_post(crm, {"name": "Greta Graf", "email": "greta@graf.example", "company": "Graf KG",
                              "message": "Wir brauchen ein CRM", "marketing_consent": "on"}, page="form.de.html")

    # Then the lead speaks German, with the German page's consent wording on record
    lead = get_lead(lead_id)
    assert lead.language == "de"
    assert lead.consent.wording == form.values["consent_text"] and lead.consent.wording.startswith("Ja, Sie dürfen")
    # And the info pack the nurture sends at once is the German one
    assert lead.cycle == "nurturable"
    nurture_step(lead_id, datetime.fromisoformat(lead.created_at.replace("Z", "+00:00")))
    [sent] = [message_from_string(message.raw_data, policy=policy.default) for message in crm.emails()
              if "greta@graf.example" in message.destinations]
    assert sent["Subject"] == MESSAGES["de"]["nurture_info_pack"]["subject"]


def test_the_german_forms_thank_you_page_is_german(crm):
    response = crm.invoke("lead_intake", "app.handler", api_event(urlencode(
        {"name": "Greta Graf", "email": "greta@example.de", "language": "de"}), "application/x-www-form-urlencoded"))
    assert response["statusCode"] == 303 and response["headers"]["Location"] == "thank-you?lang=de"
    page = crm.invoke("lead_intake", "app.handler", {"httpMethod": "GET", "path": "/thank-you",
                                                     "queryStringParameters": {"lang": "de"}, "headers": {}})
    assert page["statusCode"] == 200 and '<html lang="de">' in page["body"] and "Vielen Dank" in page["body"]


def test_an_invalid_post_from_the_greek_form_answers_in_greek(crm):
    response = crm.invoke("lead_intake", "app.handler", api_event(urlencode(
        {"name": "Eleni", "email": "not-an-address", "language": "el"}), "application/x-www-form-urlencoded"))
    assert response["statusCode"] == 422
    assert '<html lang="el">' in response["body"] and "δεν είναι έγκυρη διεύθυνση email" in response["body"]
