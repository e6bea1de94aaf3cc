"""Referrals out: chosen resources and the needs they answer → a FHIR R4 transaction Bundle
(SDOHCC ServiceRequest per referral, the need Observations they give as reason, optionally an
SDOHCC Task each), and the same referrals as a plain-text or HTML letter. Pure functions.

Nothing is stored: the patient and requester are references the caller gives, passed through.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

from linkage.config import DATA_DIR
from linkage.screening.fhir import SDOHCC_CODES, observation
from linkage.screening.needs import Need

# Profile URLs as the HL7 SDOH Clinical Care guide (STU 2.x) publishes them.
SERVICE_REQUEST_PROFILE = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest"
)
TASK_PROFILE = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-TaskForReferralManagement"
)
# The Task profile fixes Task.code to this system's "fulfill" and Task.intent to "order".
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
FHIR_DAYS = {
    "MO": "mon",
    "TU": "tue",
    "WE": "wed",
    "TH": "thu",
    "FR": "fri",
    "SA": "sat",
    "SU": "sun",
}
# Ids of the resources a ServiceRequest contains ("#service" etc. in its references).
SERVICE, ORGANIZATION, LOCATION = "service", "organization", "location"


@dataclass(frozen=True)
class Referral:
    """One resource record (the index's document) and the needs it is chosen for."""

    document: dict
    needs: tuple[Need, ...]


def need_of(code: str, vocabulary: dict[str, dict]) -> Need:
    """A need code as the needs engine's Need, with the code system's display."""
    entry = vocabulary[code]
    return Need(code, entry["label"], entry["urgency"], display=entry.get("display"))


def _urn(new_id: Callable[[], uuid.UUID]) -> str:
    return f"urn:uuid:{new_id()}"


def _entry(full_url: str, resource: dict) -> dict:
    return {
        "fullUrl": full_url,
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }


def _coding(need: Need) -> dict:
    return {"system": SDOHCC_CODES, "code": need.code, "display": need.display or need.label}


def _address(doc: dict) -> dict | None:
    # A confidential location's address never leaves, whoever asks.
    address = doc.get("address")
    if doc.get("confidential") or not address:
        return None
    out = {
        "line": [address["street"]] if address.get("street") else None,
        "city": address.get("city"),
        "district": address.get("county"),
        "state": address.get("state"),
        "postalCode": address.get("postal_code"),
        "country": "US",
    }
    return {k: v for k, v in out.items() if v}


def _telecom(doc: dict) -> list[dict]:
    telecom = []
    for phone in doc.get("phones") or ():
        system = "fax" if (phone.get("type") or "").lower() == "fax" else "phone"
        value = phone["number"] + (f" x{phone['extension']}" if phone.get("extension") else "")
        telecom.append({"system": system, "value": value, "use": "work"})
    if doc.get("url"):
        telecom.append({"system": "url", "value": doc["url"]})
    if doc.get("email"):
        telecom.append({"system": "email", "value": doc["email"]})
    return telecom


def _available_times(schedule: list[dict]) -> list[dict]:
    times = []
    for period in schedule or ():
        day = FHIR_DAYS[period["day"]]
        if period["opens"] == period["closes"] == "00:00":  # the schedule's "open 24 hours"
            times.append({"daysOfWeek": [day], "allDay": True})
        else:
            times.append(
                {
                    "daysOfWeek": [day],
                    "availableStartTime": f"{period['opens']}:00",
                    "availableEndTime": "23:59:59"
                    if period["closes"] == "24:00"
                    else f"{period['closes']}:00",
                }
            )
    return times


def organization(doc: dict) -> dict:
    """The service's organisation as a FHIR Organization (id "organization")."""
    org = {"resourceType": "Organization", "id": ORGANIZATION, "active": True}
    organization_id = (doc.get("source_ids") or {}).get("organization")
    if organization_id:
        org["identifier"] = [{"value": f"{doc['source']}:{organization_id}"}]
    # R4's org-1: a name or an identifier; an unnamed organisation is known by the service.
    org["name"] = doc.get("organization_name") or doc["service_name"]
    return org


def contained_service(doc: dict) -> list[dict]:
    """The record as the HealthcareService, Organization and Location a ServiceRequest contains."""
    service = {
        "resourceType": "HealthcareService",
        "id": SERVICE,
        "identifier": [{"value": doc["id"]}],
        "active": doc.get("status", "active") == "active",
        "providedBy": {"reference": f"#{ORGANIZATION}"},
        "name": doc["service_name"],
        "comment": doc.get("description"),
        "telecom": _telecom(doc) or None,
        "availableTime": _available_times(doc.get("schedule")) or None,
        "availabilityExceptions": doc.get("hours_text"),
    }
    resources = [organization(doc)]
    address = _address(doc)
    if address or doc.get("location_name"):
        location = {"resourceType": "Location", "id": LOCATION, "status": "active"}
        location["name"] = doc.get("location_name")
        location["address"] = address
        # Coordinates only with an address: a confidential place is never pinned either.
        if address and doc.get("location"):
            point = doc["location"]
            location["position"] = {"latitude": point["lat"], "longitude": point["lon"]}
        resources.append({k: v for k, v in location.items() if v is not None})
        service["location"] = [{"reference": f"#{LOCATION}"}]
    return [{k: v for k, v in service.items() if v is not None}, *resources]


def service_request(
    referral: Referral,
    patient: str,
    requester: str | None,
    reasons: list[dict],
    issued: datetime,
) -> dict:
    """An SDOHCC ServiceRequest for one referral; `reasons` are references to need resources."""
    doc = referral.document
    contained = contained_service(doc)
    request = {
        "resourceType": "ServiceRequest",
        "meta": {"profile": [SERVICE_REQUEST_PROFILE]},
        "contained": contained,
        "status": "active",
        "intent": "order",
        "category": [{"coding": [_coding(need)]} for need in referral.needs],
        # The guide's procedure codes (SNOMED CT) are not in data/: the referral is named in text.
        "code": {"text": f"Referral to {doc['service_name']}"},
        "subject": {"reference": patient},
        "authoredOn": issued.isoformat(timespec="seconds"),
        "requester": {"reference": requester} if requester else None,
        "performer": [{"reference": f"#{SERVICE}", "display": doc["service_name"]}],
        "reasonReference": reasons,
        "patientInstruction": doc.get("application_process"),
    }
    if any(r["resourceType"] == "Location" for r in contained):
        request["locationReference"] = [{"reference": f"#{LOCATION}"}]
    return {k: v for k, v in request.items() if v is not None}


def task(request_url: str, doc: dict, patient: str, requester: str, issued: datetime) -> dict:
    """An SDOHCC Task asking the service's organisation to fulfil the ServiceRequest."""
    return {
        "resourceType": "Task",
        "meta": {"profile": [TASK_PROFILE]},
        # The owner is the service's organisation, contained here as in the ServiceRequest.
        "contained": [organization(doc)],
        "status": "requested",
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODE, "code": "fulfill"}]},
        "focus": {"reference": request_url},
        "for": {"reference": patient},
        "authoredOn": issued.isoformat(timespec="seconds"),
        "requester": {"reference": requester},
        "owner": {"reference": f"#{ORGANIZATION}", "display": organization(doc)["name"]},
    }


def transaction_bundle(
    referrals: list[Referral],
    patient: str,
    requester: str | None,
    with_tasks: bool,
    issued: datetime,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> dict:
    """The referrals as one FHIR R4 transaction Bundle. A need named by several referrals gets
    one Observation, which each of their ServiceRequests gives as its reason."""
    entries: list[dict] = []
    reason_of: dict[str, dict] = {}
    for need in (n for r in referrals for n in r.needs):
        if need.key in reason_of:
            continue
        url = _urn(new_id)
        entries.append(_entry(url, observation(need, issued, subject=patient)))
        reason_of[need.key] = {"reference": url, "display": need.display or need.label}
    for referral in referrals:
        reasons = [reason_of[n.key] for n in referral.needs]
        url = _urn(new_id)
        entries.append(_entry(url, service_request(referral, patient, requester, reasons, issued)))
        if with_tasks and requester:
            entries.append(
                _entry(_urn(new_id), task(url, referral.document, patient, requester, issued))
            )
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "timestamp": issued.isoformat(timespec="seconds"),
        "entry": entries,
    }


# --- The letter: text/plain and text/html ---------------------------------------------------


@cache
def letter_words(data_dir: Path = DATA_DIR) -> dict[str, dict]:
    """The letter's words by language (data/referral-text.json)."""
    raw = json.loads((data_dir / "referral-text.json").read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if k != "about"}


def _hours(schedule: list[dict], words: dict) -> str | None:
    parts = []
    for period in schedule or ():
        day = words["days"][period["day"]]
        if period["opens"] == period["closes"] == "00:00":
            parts.append(f"{day} {words['open_24_hours']}")
        else:
            parts.append(f"{day} {period['opens']}–{period['closes']}")
    return ", ".join(parts) or None


def _lines(referral: Referral, words: dict, vocabulary: dict[str, dict], lang: str):
    """(label, value) pairs of one referral, in the letter's language."""
    doc = referral.document
    label_key = "label_es" if lang == "es" else "label"
    needs = ", ".join(vocabulary.get(n.code, {}).get(label_key) or n.label for n in referral.needs)
    yield words["for_needs"], needs
    if doc.get("organization_name"):
        yield words["organization"], doc["organization_name"]
    address = _address(doc)
    if address:
        street = ", ".join(address.get("line") or [])
        place = " ".join(p for p in (address.get("state"), address.get("postalCode")) if p)
        yield words["address"], ", ".join(p for p in (street, address.get("city"), place) if p)
    elif doc.get("confidential"):
        yield words["address"], words["address_confidential"]
    for phone in doc.get("phones") or ():
        yield words["phone"], phone["number"]
    if doc.get("url"):
        yield words["website"], doc["url"]
    if doc.get("email"):
        yield words["email"], doc["email"]
    hours = _hours(doc.get("schedule"), words) or doc.get("hours_text")
    if hours:
        yield words["hours"], hours
    if doc.get("application_process"):
        yield words["how_to_apply"], doc["application_process"]


def as_text(referrals: list[Referral], lang: str, vocabulary: dict[str, dict]) -> str:
    """The referrals as a plain-text letter to print or paste."""
    words = letter_words()[lang]
    out = [words["title"], ""]
    for number, referral in enumerate(referrals, 1):
        out.append(f"{number}. {referral.document['service_name']}")
        out.extend(
            f"   {label}: {value}" for label, value in _lines(referral, words, vocabulary, lang)
        )
        out.append("")
    return "\n".join(out)


def as_html(referrals: list[Referral], lang: str, vocabulary: dict[str, dict]) -> str:
    """The referrals as a small standalone HTML page (every value escaped)."""
    words = letter_words()[lang]
    items = []
    for referral in referrals:
        rows = "".join(
            Markup("<dt>{}</dt><dd>{}</dd>").format(label, value)
            for label, value in _lines(referral, words, vocabulary, lang)
        )
        items.append(
            Markup("<li><h2>{}</h2><dl>{}</dl></li>").format(
                referral.document["service_name"], Markup(rows)
            )
        )
    return str(
        Markup(
            '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            "<title>{title}</title></head><body><h1>{title}</h1><ol>{items}</ol></body></html>"
        ).format(lang=escape(lang), title=words["title"], items=Markup("".join(items)))
    )
