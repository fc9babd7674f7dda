"""Pipelines as data (D1, D4), what the board accepts as a deal or a move, and how writes change column counters."""

import pytest
from pydantic import ValidationError

from crm.data.board import Placement, counter_changes
from crm.domain.pipelines import DEFAULT_PIPELINE, DEFAULT_PIPELINE_ID, Pipeline, PipelineRuleError, slugify
from crm.models.board import DealCreate, MoveRequest


def document(**changes):
    """The default pipeline as an admin would PUT it, with some changes."""
    return {**DEFAULT_PIPELINE.model_dump(mode="json"), **changes}


def stages(*changed):
    """The default stages, each updated by the (id, fields) pairs given."""
    updates = dict(changed)
    return [{**stage, **updates.get(stage["id"], {})} for stage in document()["stages"]]


def refusal(data):
    with pytest.raises(ValidationError) as caught:
        Pipeline.model_validate(data)
    return " ".join(error["msg"] for error in caught.value.errors())


def test_the_default_pipeline_is_unsorted_then_the_stages_of_d1():
    assert DEFAULT_PIPELINE_ID == "sales"
    assert [(stage.id, stage.name, stage.kind) for stage in DEFAULT_PIPELINE.stages] == [
        ("unsorted", "Unsorted", "unsorted"),
        ("identified", "Identified", "open"),
        ("in-discussion", "In discussion", "open"),
        ("decision-makers-identified", "Decision makers identified", "open"),
        ("proposal", "Proposal", "open"),
        ("negotiation", "Negotiation", "open"),
        ("procurement", "Procurement", "open"),
        ("closed-won", "Closed won", "won"),
        ("closed-lost", "Closed lost", "lost"),
    ]
    assert DEFAULT_PIPELINE.board_stages == DEFAULT_PIPELINE.stages
    assert DEFAULT_PIPELINE.lost_reasons and not any(stage.archived for stage in DEFAULT_PIPELINE.stages)
    # and it survives its own JSON, as it is stored
    assert Pipeline.model_validate(document()) == DEFAULT_PIPELINE


def test_a_pipeline_needs_unsorted_first_and_a_won_and_a_lost_stage():
    without_unsorted = [stage for stage in document()["stages"] if stage["kind"] != "unsorted"]
    assert "first stage must be the unsorted stage" in refusal(document(stages=without_unsorted))
    unsorted_last = [*without_unsorted, document()["stages"][0]]
    assert "first stage must be the unsorted stage" in refusal(document(stages=unsorted_last))
    second_unsorted = stages(("identified", {"kind": "unsorted"}))
    assert "exactly one unsorted stage" in refusal(document(stages=second_unsorted))
    assert "not archived" in refusal(document(stages=stages(("unsorted", {"archived": True}))))
    for kind, stage_id in (("won", "closed-won"), ("lost", "closed-lost")):
        assert f"needs a {kind} stage" in refusal(document(stages=stages((stage_id, {"kind": "open"}))))
        assert f"needs a {kind} stage" in refusal(document(stages=stages((stage_id, {"archived": True}))))


def test_stage_ids_are_unique_slugs_and_lost_reasons_unique():
    assert "repeated: proposal" in refusal(document(stages=stages(("negotiation", {"id": "proposal"}))))
    assert "should match pattern" in refusal(document(stages=stages(("proposal", {"id": "Proposal Sent"}))))
    assert "lost reasons must be unique" in refusal(document(lost_reasons=["Price", "price"]))
    assert "at least 1 item" in refusal(document(lost_reasons=[]))
    assert "Extra inputs" in refusal(document(stages=stages(("proposal", {"colour": "red"}))))
    assert slugify("Décision makers  identified!") == "decision-makers-identified"


def test_renaming_and_reordering_keep_ids_and_removing_a_stage_is_refused():
    # Given the default pipeline, When an admin renames a stage and swaps two, Then the ids stay and it may replace it
    renamed = stages(("proposal", {"name": "Offer sent"}))
    renamed[4], renamed[5] = renamed[5], renamed[4]
    changed = Pipeline.model_validate(document(stages=renamed))
    changed.ensure_replaces(DEFAULT_PIPELINE)
    assert [stage.id for stage in changed.stages][4:6] == ["negotiation", "proposal"]
    assert changed.stage("proposal").name == "Offer sent"
    # When a stage is left out, Then the change is refused, naming it
    removed = Pipeline.model_validate(document(stages=[stage for stage in renamed if stage["id"] != "procurement"]))
    with pytest.raises(PipelineRuleError) as refused:
        removed.ensure_replaces(DEFAULT_PIPELINE)
    assert refused.value.field == "stages" and "procurement" in refused.value.reason


def test_an_archived_stage_leaves_the_board_and_takes_no_new_deals():
    archived = Pipeline.model_validate(document(stages=stages(("procurement", {"archived": True}))))
    assert "procurement" not in [stage.id for stage in archived.board_stages]
    assert archived.stage("procurement").archived  # still known: its deals keep their stage
    archived.ensure_replaces(DEFAULT_PIPELINE)
    with pytest.raises(PipelineRuleError) as refused:
        archived.ensure_can_enter("procurement", None)
    assert refused.value.field == "stage_id"


def test_only_a_lost_stage_takes_a_lost_reason_and_only_a_listed_one():
    assert DEFAULT_PIPELINE.ensure_can_enter("closed-lost", "Price").kind == "lost"
    assert DEFAULT_PIPELINE.ensure_can_enter("proposal", None).id == "proposal"
    for stage_id, reason in (("closed-lost", None), ("closed-lost", "Bad luck"), ("closed-won", "Price")):
        with pytest.raises(PipelineRuleError) as refused:
            DEFAULT_PIPELINE.ensure_can_enter(stage_id, reason)
        assert refused.value.field == "lost_reason"


def test_a_quick_created_deal_needs_a_title_and_money_exact_in_a_known_currency():
    deal = DealCreate.model_validate({"title": " Weber ", "amount": "99.5", "currency": "eur", "owner_id": None})
    assert (deal.title, str(deal.amount), deal.currency, deal.stage_id, deal.pipeline_id, deal.owner_id) == (
        "Weber", "99.50", "EUR", "unsorted", "sales", None)
    assert DealCreate.model_validate({"title": "No money", "amount": None, "currency": None}).amount is None

    def errors(data):
        with pytest.raises(ValidationError) as caught:
            DealCreate.model_validate(data)
        return {".".join(map(str, error["loc"])): error["msg"] for error in caught.value.errors()}

    assert "needs a currency" in errors({"title": "x", "amount": "10"})["amount"]
    assert set(errors({"title": "x", "amount": "10", "currency": "XYZ"})) == {"currency"}
    assert set(errors({"title": "x", "amount": "1.005", "currency": "EUR"})) == {"amount"}
    assert set(errors({"title": " ", "stage_id": "Not A Slug", "colour": "red"})) == {"title", "stage_id", "colour"}
    assert MoveRequest.model_validate({"stage_id": "proposal", "version": 3, "lost_reason": None}).lost_reason is None
    with pytest.raises(ValidationError):
        MoveRequest.model_validate({"stage_id": "proposal", "version": 0})


def placement(stage_id="unsorted", owner_id="rep-anna", amount="100.50", currency="EUR"):
    return Placement("sales", stage_id, owner_id, amount, currency)


def flat(changes):
    return {sort_key: (change.count, change.amounts) for (pk, sort_key), change in changes.items()
            if pk == "BOARD_COUNT#sales"}


def test_a_new_deal_counts_in_its_stage_and_its_owners_stage_in_minor_units():
    assert flat(counter_changes(None, placement())) == {"unsorted": (1, {"EUR": 10050}),
                                                        "unsorted#OWNER#rep-anna": (1, {"EUR": 10050})}
    assert flat(counter_changes(None, placement(amount="150000", currency="JPY")))["unsorted"] == (1, {"JPY": 150000})
    assert flat(counter_changes(None, placement(amount=None, currency=None)))["unsorted"] == (1, {})


def test_a_move_and_a_reassignment_change_each_counter_once_net():
    assert flat(counter_changes(placement(), placement(stage_id="proposal"))) == {
        "unsorted": (-1, {"EUR": -10050}), "unsorted#OWNER#rep-anna": (-1, {"EUR": -10050}),
        "proposal": (1, {"EUR": 10050}), "proposal#OWNER#rep-anna": (1, {"EUR": 10050})}
    # a reassignment within the stage leaves the stage's count alone, but names its item once: the card changed
    assert flat(counter_changes(placement(), placement(owner_id="rep-bela"))) == {
        "unsorted": (0, {}), "unsorted#OWNER#rep-anna": (-1, {"EUR": -10050}),
        "unsorted#OWNER#rep-bela": (1, {"EUR": 10050})}
    # a write that leaves the card where it was still names its columns: their heads show the card as it was
    assert flat(counter_changes(placement(), placement())) == {"unsorted": (0, {}), "unsorted#OWNER#rep-anna": (0, {})}
