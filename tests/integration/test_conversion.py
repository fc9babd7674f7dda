"""Lead conversion through the board API against DynamoDB Local (L10): account, contact, deal and task made once, by
the right people."""

import json

import boto3
import pytest

from tests.integration.conftest import api_event, lead_id_of
from tests.integration.test_board_api import board  # noqa: F401

JONAS = {"name": "Jonas Weber", "email": "jonas@example.de", "phone": "+49 30 901820", "company": "Weber GmbH",
         "role": "CTO", "country": "DE", "language": "de", "timezone": "Europe/Berlin", "source": "ebook",
         "utm_campaign": "spring"}  # DE: routed to rep-anna
DEAL_AND_TASK = {"deal": {"amount": "12000", "currency": "EUR"},
                 "task": {"title": "Send the proposal", "due_at": "2030-03-02T09:00:00+01:00"}}


def new_lead(crm, **fields):
    payload = {**JONAS, **fields}
    response = crm.invoke("lead_intake", "app.handler", api_event(json.dumps(payload)))
    assert response["statusCode"] == 201
    return lead_id_of(payload)


def convert(board, lead_id, body=None, user="rep-anna", key=None):
    response = board.call("POST", f"/api/leads/{lead_id}/convert", user, body or {},
                          headers={"Idempotency-Key": key} if key else None)
    return response.status_code, response.json()


def items(kind):
    """The records of one kind (ACCOUNT, CONTACT ...), not their timeline events nor an account's members."""
    from crm.data.table import CrmItem

    return [item for item in CrmItem.scan()
            if item.PK.startswith(f"{kind}#") and not item.SK.startswith(("EVENT#", "MEMBER#"))]


def members(account_id: str) -> list[tuple[str, str, str]]:
    """What the account lists: (kind, id, owner) of each contact, then each deal."""
    from crm.data.accounts import account_members

    return [(member.member_kind, member.member_id, member.owner_id)
            for kind in ("contact", "deal") for member in account_members(account_id, kind, 100)]


def count_items():
    from crm.data.table import CrmItem

    return sum(1 for _ in CrmItem.scan())


def test_conversion_makes_account_contact_deal_and_task_once_and_a_second_one_is_409(crm, board):
    from crm.data.accounts import AccountItem, ContactItem, DealItem
    from crm.data.board_columns import ColumnTotals, column_totals
    from crm.data.leads import get_lead
    from crm.data.tasks import TaskItem

    # Given Anna's lead from Weber GmbH
    lead_id = new_lead(crm)
    # When she converts it with a deal and a first task
    status, body = convert(board, lead_id, DEAL_AND_TASK, key="convert-1")
    # Then one account, one contact (linked to the account, carrying the lead's data), one deal and one task exist
    assert status == 201 and body["lead_id"] == lead_id and body["account_created"] is True
    account = AccountItem.get(*AccountItem.key(body["account_id"]))
    assert (account.name, account.owner_id, account.country) == ("Weber GmbH", "rep-anna", "DE")
    contact = ContactItem.get(*ContactItem.key(body["contact_id"]))
    assert (contact.account_id, contact.name, contact.email, contact.phone, contact.role, contact.language,
            contact.timezone, contact.lead_id, contact.owner_id) == (
        account.account_id, "Jonas Weber", "jonas@example.de", "+4930901820", "CTO", "de", "Europe/Berlin", lead_id,
        "rep-anna")
    assert (contact.first_touch.source, contact.first_touch.utm) == ("ebook", {"utm_campaign": "spring"})
    lead = get_lead(lead_id)
    deal = DealItem.get(*DealItem.key(body["deal_id"]))
    assert (deal.title, deal.pipeline_id, deal.stage_id, deal.amount, deal.currency, deal.owner_id, deal.account_id,
            deal.account_name, deal.contact_id, deal.lead_id, deal.version) == (
        "Weber GmbH deal", "sales", "unsorted", "12000.00", "EUR", "rep-anna", account.account_id, "Weber GmbH",
        contact.contact_id, lead_id, 1)
    assert deal.stage_entered_at == deal.last_activity_at == deal.created_at == lead.converted_at
    task = TaskItem.get(*TaskItem.key(body["task_id"]))
    assert (task.title, task.owner_id, task.due_at, task.related_type, task.related_id, task.status) == (
        "Send the proposal", "rep-anna", "2030-03-02T08:00:00Z", "deal", deal.deal_id, "open")
    # And each sits in its owner's index: the deal in the rep's Unsorted column (D4), counted in its header (the
    # whole column's and the rep's), and the rep's contacts, accounts and open tasks
    assert [item.deal_id for item in DealItem.owner_index.query("OWNER#rep-anna#BOARD#sales#unsorted")] == [
        deal.deal_id]
    assert [item.deal_id for item in DealItem.state_index.query("BOARD#sales#unsorted")] == [deal.deal_id]
    assert column_totals("sales", "unsorted") == column_totals("sales", "unsorted", "rep-anna") == ColumnTotals(
        1, {"EUR": "12000.00"})
    assert [item.contact_id for item in ContactItem.owner_index.query("OWNER#rep-anna#CONTACTS")] == [
        contact.contact_id]
    assert [item.account_id for item in AccountItem.owner_index.query("OWNER#rep-anna#ACCOUNTS")] == [
        account.account_id]
    assert task.task_id in {item.task_id for item in TaskItem.owner_index.query("OWNER#rep-anna#TASKS")}
    # And the lead points at what it became
    assert (lead.status, lead.account_id, lead.contact_id, lead.deal_id) == (
        "converted", account.account_id, contact.contact_id, deal.deal_id)
    assert lead.converted_at and lead.GSI2PK is None
    # And the account lists its new contact and deal
    assert members(account.account_id) == [("contact", contact.contact_id, "rep-anna"),
                                           ("deal", deal.deal_id, "rep-anna")]

    # When it is converted again (a new request, not a retry)
    before = count_items()
    again, refusal = convert(board, lead_id, DEAL_AND_TASK, key="convert-2")
    # Then 409 says when and into which contact, and nothing more is written
    assert again == 409
    assert (refusal["converted_at"], refusal["contact_id"]) == (lead.converted_at, contact.contact_id)
    assert lead.converted_at in refusal["message"] and contact.contact_id in refusal["message"]
    assert count_items() == before
    first_task = 1 if lead.call_task_id else 0  # the lead's own first task, if its temperature gave it one
    assert [len(items(kind)) for kind in ("ACCOUNT", "CONTACT", "DEAL", "TASK")] == [1, 1, 1, 1 + first_task]
    assert column_totals("sales", "unsorted").count == 1


def test_conversion_without_deal_or_task(crm, board):
    from crm.data.leads import get_lead

    lead_id = new_lead(crm)
    status, body = convert(board, lead_id)
    assert status == 201 and (body["deal_id"], body["task_id"]) == (None, None)
    assert get_lead(lead_id).deal_id is None
    assert items("DEAL") == []


def test_a_lead_without_company_becomes_an_account_named_after_the_person(crm, board):
    from crm.data.accounts import AccountItem, DealItem

    lead_id = new_lead(crm, company=None)
    status, body = convert(board, lead_id, {"deal": {"amount": 500, "currency": "eur"}})
    assert status == 201
    assert AccountItem.get(*AccountItem.key(body["account_id"])).name == "Jonas Weber"
    assert DealItem.get(*DealItem.key(body["deal_id"])).title == "Jonas Weber deal"


def test_a_second_lead_from_the_same_company_joins_its_account(crm, board):
    # Given Weber GmbH is already an account
    first = convert(board, new_lead(crm))[1]
    # When a colleague from "weber  gmbh" converts
    second_lead = new_lead(crm, name="Petra Weber", email="petra@example.de", phone=None, company=" weber  GMBH")
    status, second = convert(board, second_lead)
    # Then the account is reused: one account, two contacts in it
    assert status == 201 and second["account_created"] is False
    assert second["account_id"] == first["account_id"]
    assert len(items("ACCOUNT")) == 1 and len(items("ACCOUNT_NAME")) == 1
    from crm.data.accounts import ContactItem

    assert {ContactItem.get(*ContactItem.key(body["contact_id"])).account_id for body in (first, second)} == {
        first["account_id"]}
    assert members(first["account_id"]) == [("contact", first["contact_id"], "rep-anna"),
                                            ("contact", second["contact_id"], "rep-anna")]


def test_an_account_created_at_the_same_moment_is_reused_not_doubled(crm, board, monkeypatch):
    import crm.data.accounts as accounts
    from crm.data.accounts import account_id_by_name

    # Given Weber GmbH became an account after this conversion looked for it (the lookup saw nothing)
    existing = convert(board, new_lead(crm))[1]["account_id"]
    lookups = []

    def late_lookup(name):
        lookups.append(name)
        return None if len(lookups) == 1 else account_id_by_name(name)

    monkeypatch.setattr(accounts, "account_id_by_name", late_lookup)
    # When the conversion writes its own Weber GmbH
    status, body = convert(board, new_lead(crm, name="Petra", email="petra@example.de", phone=None))
    # Then the name item refuses it, the conversion reads again and joins the existing account
    assert status == 201 and len(lookups) == 2
    assert (body["account_id"], body["account_created"]) == (existing, False)
    assert len(items("ACCOUNT")) == 1 and len(items("CONTACT")) == 2
    assert [kind for kind, *_ in members(existing)] == ["contact", "contact"]


def test_a_retry_with_the_same_idempotency_key_returns_the_same_ids(crm, board):
    lead_id = new_lead(crm)
    first = convert(board, lead_id, DEAL_AND_TASK, key="retry-me")
    retry = convert(board, lead_id, DEAL_AND_TASK, key="retry-me")
    assert first[0] == retry[0] == 201 and first[1] == retry[1]
    assert len(items("CONTACT")) == 1 and len(items("DEAL")) == 1


def test_a_rep_converts_only_their_own_leads_a_manager_any(crm, board):
    from crm.data.accounts import ContactItem
    from crm.data.leads import get_lead

    lead_id = new_lead(crm)  # Anna's
    assert convert(board, lead_id, user="rep-bela")[0] == 404  # to Béla, Anna's lead does not exist
    assert get_lead(lead_id).converted_at is None and items("CONTACT") == []
    status, body = convert(board, lead_id, user="mgr-maria")
    assert status == 201
    # owned by the lead's rep, not by the manager who converted it
    assert ContactItem.get(*ContactItem.key(body["contact_id"])).owner_id == "rep-anna"


def test_the_timelines_record_the_conversion_and_link_contact_and_lead(crm, board):
    from crm.data.accounts import contact_pk
    from crm.data.leads import lead_pk, timeline

    lead_id = new_lead(crm)
    body = convert(board, lead_id, DEAL_AND_TASK)[1]
    converted = [event for event in timeline(lead_pk(lead_id)) if event.event_type == "converted"]
    assert len(converted) == 1
    assert converted[0].data == {**{key: value for key, value in body.items() if key != "lead_id"}, "by": "rep-anna"}
    # the contact's timeline leads back to the lead, whose history (the first touch) is still there
    linked = [event for event in timeline(contact_pk(body["contact_id"])) if event.event_type == "converted_from_lead"]
    assert [event.data["lead_id"] for event in linked] == [lead_id]
    assert "touch" in {event.event_type for event in timeline(lead_pk(linked[0].data["lead_id"]))}


def test_conversion_stops_the_leads_workflow(crm, board):
    lead_id = new_lead(crm)
    assert convert(board, lead_id)[0] == 201
    (execution,) = crm.executions()
    assert execution["name"] == f"lead-{lead_id}"
    assert boto3.client("stepfunctions").describe_execution(
        executionArn=execution["executionArn"])["status"] == "ABORTED"


@pytest.mark.parametrize("mark", [{"erased_at": "2030-01-01T00:00:00Z"},
                                  {"junk": {"reason": "spam", "by": "mgr-maria", "at": "2030-01-01T00:00:00Z"}}])
def test_erased_and_junk_leads_are_not_converted(crm, board, mark):
    from crm.data.leads import LeadItem, get_lead

    lead_id = new_lead(crm)
    lead = get_lead(lead_id)
    lead.update(actions=[getattr(LeadItem, name).set(value) for name, value in mark.items()],
                add_version_condition=False)
    status, body = convert(board, lead_id)
    assert status == 409 and next(iter(mark)) in body
    assert items("CONTACT") == [] and get_lead(lead_id).converted_at is None


def test_unknown_lead_bad_fields_and_no_signed_in_user(crm, board):
    assert convert(board, "nope")[0] == 404
    lead_id = new_lead(crm)
    status, body = convert(board, lead_id, {"deal": {"amount": -1, "currency": "EUR"}, "colour": "red"})
    fields = {error["field"] for error in body["errors"]}
    assert status == 422 and "colour" in fields and any(field.startswith("deal") for field in fields)
    assert convert(board, lead_id, user=None)[0] == 401  # an inactive user's claims: test_board_api's claims test
    assert items("CONTACT") == []



def test_a_conversion_that_read_the_lead_before_another_one_committed_is_409(crm, board, monkeypatch):
    import crm.services.conversion as conversion
    from crm.data.leads import get_lead

    # Given a conversion read the lead, and another conversion committed before this one wrote
    lead_id = new_lead(crm)
    stale = get_lead(lead_id)
    first = convert(board, lead_id, DEAL_AND_TASK, key="first")[1]
    reads = []

    def stale_then_fresh(wanted):
        reads.append(wanted)
        return stale if len(reads) == 1 else get_lead(wanted)

    monkeypatch.setattr(conversion, "get_lead", stale_then_fresh)
    before = count_items()
    # When it writes, Then the lead's condition refuses it, the re-read answers 409 and nothing more is written
    status, refusal = convert(board, lead_id, DEAL_AND_TASK, key="second")
    assert (status, refusal["contact_id"], len(reads)) == (409, first["contact_id"], 2)
    assert count_items() == before
