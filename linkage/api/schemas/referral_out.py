"""Referrals out: POST /v1/referrals (chosen resources → a FHIR transaction Bundle or a letter)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linkage.api.schemas.common import LanguageField, StrictSchema
from linkage.runtime import runtime
from linkage.search.phrases import LANGS

# A FHIR literal reference: relative (`Patient/123`), absolute (`https://ehr.example/fhir/
# Patient/123`) or a bundle-local `urn:uuid:`; the resource type is checked for each role.
_ID = r"[A-Za-z0-9\-.]{1,64}"
_UUID = r"urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def reference(types: tuple[str, ...], what: str) -> validate.Regexp:
    kinds = "|".join(types)
    return validate.Regexp(
        rf"^(?:(?:https?://[^\s/]+(?:/[^\s/]+)*/)?(?:{kinds})/{_ID}|{_UUID})$",
        error=f"a FHIR reference to {what}, such as '{types[0]}/123'",
    )


class NeedCode(validate.Validator):
    """An SDOH need code of the app's data/needs.json (listed as an enum in the OpenAPI)."""

    error = "unknown need code: {input}"

    @property
    def choices(self) -> list[str]:
        return sorted(runtime().need_vocabulary)

    def __call__(self, value: str) -> str:
        if value not in runtime().need_vocabulary:
            raise ValidationError(self.error.format(input=value))
        return value


class ReferralIn(StrictSchema):
    resource = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "A resource id, as search and match results give it."},
    )
    needs = fields.List(
        fields.String(validate=NeedCode()),
        required=True,
        validate=validate.Length(min=1, max=10),
        metadata={"description": "The SDOH need codes this referral is for."},
    )


class ReferralsIn(StrictSchema):
    patient = fields.String(
        required=True,
        validate=reference(("Patient", "Group"), "the patient (or a Group)"),
        metadata={
            "description": "The patient as a FHIR reference in the caller's system, passed "
            "through and never stored (ServiceRequest.subject, Task.for).",
            "example": "Patient/123",
        },
    )
    requester = fields.String(
        validate=reference(
            ("Practitioner", "PractitionerRole", "Organization"), "who refers the patient"
        ),
        metadata={
            "description": "Who refers (ServiceRequest.requester, Task.requester).",
            "example": "Practitioner/456",
        },
    )
    referrals = fields.List(
        fields.Nested(ReferralIn), required=True, validate=validate.Length(min=1, max=20)
    )
    task = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Also an SDOHCC Task per referral, owned by the service's "
            "organisation (needs `requester`)."
        },
    )
    language = LanguageField(
        only=LANGS,  # the languages Linkage writes in (data/referral-text.json has each)
        load_default="en",
        metadata={"description": "Language of the text/plain and text/html letter."},
    )

    @validates_schema
    def task_needs_requester(self, data, **kwargs):
        if data.get("task") and not data.get("requester"):
            raise ValidationError("a Task needs a requester (Task.requester is 1..1)", "requester")


class BundleOut(Schema):
    """A FHIR R4 transaction Bundle (resources shaped by the HL7 SDOHCC profiles)."""

    resourceType = fields.String(metadata={"example": "Bundle"})
    type = fields.String(metadata={"example": "transaction"})
    timestamp = fields.String()
    entry = fields.List(
        fields.Dict(),
        metadata={
            "description": "Per need an SDOHCC Observation; per referral an SDOHCC "
            "ServiceRequest (the service as contained HealthcareService, Organization and "
            "Location) and, with `task`, an SDOHCC Task For Referral Management."
        },
    )
