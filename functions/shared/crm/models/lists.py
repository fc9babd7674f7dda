"""What a list may be filtered by (D3, D6, L5, L8): one model for the list page, its CSV export and mass email.

Each kind has its own filters: a filter that does not apply to the kind is refused rather than ignored, so a
client never believes a list is narrower than it is.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator

from crm.domain.follow_up import CONVERTED, STATUSES
from crm.domain.pipelines import DEFAULT_PIPELINE_ID, SLUG
from crm.domain.qualification import CYCLES
from crm.domain.search import MAX_QUERY, MIN_QUERY
from crm.errors import InvalidError
from crm.models.leads import LEAD_SOURCES
from crm.reasons import Reason, invalid, refusals

ListKind = Literal["leads", "contacts", "accounts", "deals"]
LIST_KINDS: tuple[str, ...] = ("leads", "contacts", "accounts", "deals")
SINGULAR = {"leads": "lead", "contacts": "contact", "accounts": "account", "deals": "deal"}
LEAD_STATUSES = (*STATUSES, CONVERTED)
DEAL_STATES = ("open", "won", "lost")

Slug = Annotated[str, StringConstraints(pattern=SLUG)]
UserId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
# what the list's text box holds: a name, company, email or phone the search index finds (crm.domain.search)
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=MIN_QUERY, max_length=MAX_QUERY)]

# which filters each kind takes (owner and q, the text: every kind)
KIND_FILTERS: dict[str, frozenset[str]] = {
    "leads": frozenset({"owner", "q", "cycle", "status", "source"}),
    "contacts": frozenset({"owner", "q"}),
    "accounts": frozenset({"owner", "q"}),
    "deals": frozenset({"owner", "q", "pipeline", "stage", "state"}),
}
FILTER_NAMES: tuple[str, ...] = ("owner", "q", "cycle", "status", "source", "pipeline", "stage", "state")


class ListFilters(BaseModel):
    """The filters of a list; all optional. `pipeline` defaults to the default pipeline for deals."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: UserId | None = None
    q: SearchText | None = None
    cycle: Literal[CYCLES] | None = None  # type: ignore[valid-type]
    status: Literal[LEAD_STATUSES] | None = None  # type: ignore[valid-type]
    source: Literal[LEAD_SOURCES] | None = None  # type: ignore[valid-type]
    pipeline: Slug | None = None
    stage: Slug | None = None
    state: Literal[DEAL_STATES] | None = None  # type: ignore[valid-type]

    @property
    def pipeline_id(self) -> str:
        return self.pipeline or DEFAULT_PIPELINE_ID

    def given(self) -> dict[str, str]:
        """The filters set, as a query string would carry them."""
        return self.model_dump(exclude_none=True)


class MassEmailRequest(BaseModel):
    """Email one template to every lead or contact a list's filters select."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["leads", "contacts"]
    filters: ListFilters = ListFilters()
    template_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

    @model_validator(mode="after")
    def _filters_fit_the_kind(self) -> MassEmailRequest:
        misfit = sorted(set(self.filters.given()) - KIND_FILTERS[self.kind])
        if misfit:
            raise invalid("filters_misfit", filters=", ".join(misfit), kind=self.kind)
        return self


def parse_filters(kind: str, given: dict[str, Any]) -> ListFilters:
    """The filters of a `kind` list from query parameters; 422 naming the first filter that is wrong or misplaced."""
    for name in given:
        if name not in KIND_FILTERS[kind]:
            raise InvalidError(name, Reason("filter_unknown", kind=kind,
                                                    filters=", ".join(sorted(KIND_FILTERS[kind]))))
    try:
        return ListFilters.model_validate(given)
    except ValidationError as error:
        field, reason = refusals(error, whole="filters")[0]
        raise InvalidError(field, reason) from error
