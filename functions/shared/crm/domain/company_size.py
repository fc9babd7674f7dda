"""Company size arrives as a head count or as a band from a select; both become one band."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

from crm.reasons import invalid

BANDS: tuple[tuple[int, int | None, str], ...] = (
    (1, 10, "1-10"),
    (11, 50, "11-50"),
    (51, 200, "51-200"),
    (201, 1000, "201-1000"),
    (1001, None, "1000+"),
)


def band_for(head_count: int) -> str:
    for low, high, label in BANDS:
        if head_count >= low and (high is None or head_count <= high):
            return label
    raise invalid("company_size_minimum")


def band_minimum(label: str) -> int:
    """The smallest head count of a band, for rules like 'company size at least 200'."""
    for low, _high, known in BANDS:
        if known == label:
            return low
    raise ValueError(f"unknown company size band {label!r}")


def _to_band(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return band_for(value)
    text = str(value).strip()
    if text.isdigit():
        return band_for(int(text))
    if any(label == text for _low, _high, label in BANDS):
        return text
    raise invalid("company_size_unknown", bands=", ".join(label for *_rest, label in BANDS))


CompanySize = Annotated[str, BeforeValidator(_to_band)]
