"""What every request schema shares: strictness, and codes checked against the app's data."""

from __future__ import annotations

from collections.abc import Callable, Collection

from marshmallow import RAISE, Schema, ValidationError, validate

from linkage.runtime import runtime
from linkage.taxonomy import Taxonomy

LANGUAGE_CODE = validate.Regexp(r"^[a-z]{2,3}$", error="an ISO 639 code such as 'es'")


class StrictSchema(Schema):
    """The base of every request schema."""

    class Meta:
        # An unknown parameter is an error, never silently ignored.
        unknown = RAISE


def one_of(choices: Collection[str], what: str) -> validate.OneOf:
    return validate.OneOf(choices, error=f"unknown {what}: {{input}}")


class TaxonomyCode(validate.Validator):
    """One of the codes of the app's taxonomy: the one in its data directory
    (`Settings.data_dir`), read through the Runtime when a request is checked, and when the
    OpenAPI document is built, which lists the codes as an enum (so clients and schemathesis
    know them). Needs an app context for both."""

    def __init__(self, codes: Callable[[Taxonomy], list[str]], what: str):
        self._codes = codes
        self.error = f"unknown {what}: {{input}}"

    @property
    def choices(self) -> list[str]:
        # apispec reads a validator's `choices` as the field's enum.
        return self._codes(runtime().taxonomy)

    def __call__(self, value: str) -> str:
        if value not in self.choices:
            raise ValidationError(self.error.format(input=value))
        return value


def category_code() -> TaxonomyCode:
    return TaxonomyCode(lambda t: sorted(t.categories), "category")


def need_code() -> TaxonomyCode:
    return TaxonomyCode(lambda t: sorted(t.all_needs()), "need code")


def need_or_category_code() -> TaxonomyCode:
    return TaxonomyCode(
        lambda t: [*sorted(t.categories), *sorted(t.all_needs())], "need or category"
    )


def eligibility_tag() -> TaxonomyCode:
    return TaxonomyCode(lambda t: sorted(t.eligibility_tags), "eligibility tag")
