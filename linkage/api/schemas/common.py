"""What every request schema shares: strictness, and codes checked against the app's data."""

from __future__ import annotations

from collections.abc import Callable, Collection

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from linkage.languages import LANGUAGE_FORMS, language_code
from linkage.runtime import runtime
from linkage.search.phrases import DEFAULT_LANG, LANGS
from linkage.taxonomy import Taxonomy


class StrictSchema(Schema):
    """The base of every request schema."""

    class Meta:
        # An unknown parameter is an error, never silently ignored.
        unknown = RAISE


class LanguageField(fields.String):
    """A language given as any of LANGUAGE_FORMS (or a BCP 47 tag such as 'es-MX'), loaded as
    the code Linkage uses: ISO 639-1 where one exists, else 639-3 (`spa`, `Spanish` → `es`).
    Read through the app's data directory (its language aliases), so it needs an app context.
    `only` limits it to some codes (a language the app writes in, say)."""

    def __init__(self, *, only: Collection[str] | None = None, **kwargs):
        self.only = tuple(only) if only else None
        metadata = kwargs.pop("metadata", {})
        description = metadata.get("description", "A language.")
        accepted = f"one of {', '.join(self.only)} as " if self.only else ""
        metadata = {
            **metadata,
            "description": f"{description} Give {accepted}{LANGUAGE_FORMS}.",
            "example": "es",
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        given = super()._deserialize(value, attr, data, **kwargs)
        code = language_code(given, runtime().settings.data_dir)
        if code is None:
            raise ValidationError(f"unknown language {given[:100]!r}: give {LANGUAGE_FORMS}")
        if self.only and code not in self.only:
            raise ValidationError(f"language {given[:100]!r} is not one of {', '.join(self.only)}")
        return code


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


def display_lang() -> fields.String:
    """`lang`: the case manager's screen language, for the words the API writes (never codes)."""
    return fields.String(
        load_default=DEFAULT_LANG,
        validate=one_of(LANGS, "lang"),
        metadata={
            "description": "The display language of the words in the response (category, "
            "need and facet names, `why`, eligibility notes and messages): `en` or `es`. "
            "Codes and ids are the same in every language."
        },
    )
