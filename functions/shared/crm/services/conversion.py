"""Converting a lead (L10): one transaction makes the account, the contact, the deal and the first task, and the
contact's and deal's memberships of the account (so the account page lists them).

The deal lands in the Unsorted column of the default pipeline (D4), owned by the lead's rep, and its column
counters, its stage clock and the tasks of Unsorted's entry actions (D5) are written in the same transaction.

The lead stays as the record of how the person came to us: it is marked converted and points at what it
became, and the contact's timeline points back at it, so the lead's history moves with the person.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite
from ulid import ULID

from crm.clock import to_iso
from crm.data import search
from crm.data.accounts import AccountMemberItem, CompanyAccount, ContactItem, DealItem
from crm.data.board import Placement, StageClock, counter_changes, update_counters
from crm.data.leads import FirstTouch, LeadItem, LeadNotFoundError, TimelineEventItem, get_lead, lead_pk
from crm.data.people import UserItem
from crm.data.tasks import TaskItem
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.follow_up import CONVERTED
from crm.domain.pipelines import DEFAULT_PIPELINE_ID, UNSORTED_STAGE_ID
from crm.errors import ConflictError
from crm.models.conversion import ConversionRequest
from crm.observability import count, logger
from crm.reasons import Reason
from crm.services.actors import ensure_visible
from crm.services.board import StageEntry, get_pipeline, stage_entry

# a lost race (the same company created, or the lead changed, at that moment) is settled by reading again
_ATTEMPTS = 3


class ConversionRefusedError(ConflictError):
    """409: the lead cannot be converted (already converted, erased, junk); `body` says into what, or since when."""


@dataclass(frozen=True)
class ConversionResult:
    lead_id: str
    account_id: str
    account_created: bool
    contact_id: str
    deal_id: str | None
    task_id: str | None


def convert_lead(lead_id: str, request: ConversionRequest, actor: UserItem, now: datetime) -> ConversionResult:
    """Convert the lead once, then stop its automation (best effort: the workflow re-reads the lead anyway)."""
    for attempt in range(_ATTEMPTS):
        lead = _convertible_lead(lead_id, actor)
        plan = _Plan.of(lead, request, actor, to_iso(now))
        try:
            write_transaction(plan.write)
            break
        except TransactWriteError as error:
            if attempt == _ATTEMPTS - 1 or not condition_failed(error):
                raise
            logger.info("conversion lost a race; reading again", extra={"lead_id": lead_id})
    count("LeadConverted")
    logger.info("lead converted", extra=asdict(plan.result))
    _stop_automation(lead_id)
    return plan.result


def _convertible_lead(lead_id: str, actor: UserItem) -> LeadItem:
    """The lead, if this actor may convert it now: 404 unknown, 403 a rep's colleague's lead, 409 not convertible."""
    lead = get_lead(lead_id)
    if lead is None:
        raise LeadNotFoundError(f"lead {lead_id} not found")
    ensure_visible(actor, lead.owner_id, f"lead {lead.lead_id}")
    if lead.converted_at:
        raise ConversionRefusedError(
            Reason("lead_converted", lead_id=lead_id, at=lead.converted_at, contact_id=lead.contact_id or ""),
            {"converted_at": lead.converted_at, "account_id": lead.account_id, "contact_id": lead.contact_id,
             "deal_id": lead.deal_id})
    if lead.erased_at:
        raise ConversionRefusedError(Reason("lead_erased", lead_id=lead_id, at=lead.erased_at),
                                     {"erased_at": lead.erased_at})
    if lead.junk:
        raise ConversionRefusedError(Reason("lead_junk", lead_id=lead_id),
                                     {"junk": lead.junk})
    return lead


def _unchanged_since_read(lead: LeadItem) -> Condition:
    """What `_convertible_lead` checked still holds when the transaction commits."""
    return (LeadItem.converted_at.does_not_exist() & LeadItem.erased_at.does_not_exist()
            & LeadItem.junk.does_not_exist() & (LeadItem.owner_id == lead.owner_id))


@dataclass(frozen=True)
class _Plan:
    """Every item one conversion writes, built from one read of the lead and of the company name."""

    lead: LeadItem
    account: CompanyAccount
    account_name: str  # as the conversion names the company: what the contact is found by
    contact: ContactItem
    deal: DealItem | None
    entry: StageEntry | None  # what the deal entering Unsorted brings
    task: TaskItem | None
    events: tuple[TimelineEventItem, ...]
    at: str

    @classmethod
    def of(cls, lead: LeadItem, request: ConversionRequest, actor: UserItem, at: str) -> _Plan:
        owner = lead.owner_id
        account_name = request.account_name or lead.company or lead.name
        account = CompanyAccount.named(account_name, owner_id=owner, created_at=at, lead_id=lead.lead_id,
                                       industry=lead.industry, company_size=lead.company_size, country=lead.country)
        account_id = account.account_id
        contact = ContactItem.build(
            account_id=account_id, name=lead.name, owner_id=owner, created_at=at, lead_id=lead.lead_id,
            first_touch=FirstTouch(**lead.first_touch.as_dict()), email=lead.email, phone=lead.phone,
            role=lead.role, language=lead.language, timezone=lead.timezone)
        deal = None
        if request.deal is not None:
            deal = DealItem.build(title=request.deal.title or f"{account_name} deal", owner_id=owner,
                                  pipeline_id=DEFAULT_PIPELINE_ID, stage_id=UNSORTED_STAGE_ID, created_at=at,
                                  amount=str(request.deal.amount), currency=request.deal.currency,
                                  account_id=account_id, account_name=account_name, contact_id=contact.contact_id,
                                  lead_id=lead.lead_id)
        task = None
        if request.task is not None:
            task_id, due_at = str(ULID()), to_iso(request.task.due_at)
            related_type, related_id = ("deal", deal.deal_id) if deal else ("contact", contact.contact_id)
            task = TaskItem(*TaskItem.key(task_id), task_id=task_id, title=request.task.title, owner_id=owner,
                            due_at=due_at, related_type=related_type, related_id=related_id, created_at=at,
                            **TaskItem.open_keys(owner, due_at))
        entry = None
        if deal is not None:
            entry = stage_entry(get_pipeline(DEFAULT_PIPELINE_ID), StageClock.of(deal))
            deal.next_task_due_at = entry.next_task_due_at(task.due_at if task else None)
        made = {"account_id": account_id, "account_created": account.new is not None,
                "contact_id": contact.contact_id, "deal_id": deal.deal_id if deal else None,
                "task_id": task.task_id if task else None, "by": actor.user_id}
        events = (TimelineEventItem.build(lead_pk(lead.lead_id), "converted", at, made),
                  TimelineEventItem.build(contact.PK, "converted_from_lead", at, {"lead_id": lead.lead_id, **made}))
        if deal is not None:
            events += (TimelineEventItem.build(deal.PK, "deal_created", at, {
                "by": actor.user_id, "owner_id": owner, "stage_id": deal.stage_id, "lead_id": lead.lead_id,
                **(entry.timeline_data if entry else {})}),)
        return cls(lead, account, account_name, contact, deal, entry, task, events, at)

    def write(self, transaction: TransactWrite) -> None:
        # two conversions naming the same company at once: one name item wins, the other re-reads it
        self.account.write(transaction)
        deal_member = AccountMemberItem.of_deal(self.deal) if self.deal else None
        for item in (self.contact, self.deal, self.task, *self.events, AccountMemberItem.of_contact(self.contact),
                     deal_member):
            if item is not None:
                transaction.save(item)
        search.save_all(transaction, search.of_contact(self.contact, self.account_name))
        if self.deal is not None:
            search.save_all(transaction, search.of_deal(self.deal))
        if self.deal is not None:
            update_counters(transaction, counter_changes(None, Placement.of(self.deal)))
        if self.entry is not None:
            self.entry.write(transaction)
        transaction.update(self.lead, actions=[
            LeadItem.status.set(CONVERTED), LeadItem.converted_at.set(self.at),
            LeadItem.account_id.set(self.account.account_id), LeadItem.contact_id.set(self.contact.contact_id),
            *([LeadItem.deal_id.set(self.deal.deal_id)] if self.deal else []),
            *LeadItem.leave_pending_queue(),
        ], condition=_unchanged_since_read(self.lead), add_version_condition=False)

    @property
    def result(self) -> ConversionResult:
        return ConversionResult(lead_id=self.lead.lead_id, account_id=self.account.account_id,
                                account_created=self.account.new is not None, contact_id=self.contact.contact_id,
                                deal_id=self.deal.deal_id if self.deal else None,
                                task_id=self.task.task_id if self.task else None)


def _stop_automation(lead_id: str) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    from crm.integrations.workflows import stop_lead_lifecycle

    try:
        stop_lead_lifecycle(lead_id, "converted")
    except (BotoCoreError, ClientError):
        logger.warning("lead converted but its workflow was not stopped; it stops on its next wake-up",
                       extra={"lead_id": lead_id}, exc_info=True)
