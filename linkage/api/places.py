"""Resolving a `near` parameter in a view: a Place, or the API's error for it."""

from __future__ import annotations

from flask_smorest import abort

from linkage.places import AmbiguousPlace, GeocoderUnavailable, Place, PlaceError
from linkage.runtime import Runtime


def resolve_place(rt: Runtime, near: str, field: str, location: str = "json") -> Place:
    """400 naming the field when `near` is no place; 422 naming the candidates when it is a
    city in several states; 503 when the address geocoder is down."""
    try:
        return rt.places.resolve(near)
    except AmbiguousPlace as exc:
        abort(422, message=f"{field}: {exc}", errors={location: {field: [str(exc)]}})
    except PlaceError as exc:
        abort(400, message=f"{field}: {exc}", errors={location: {field: [str(exc)]}})
    except GeocoderUnavailable:
        abort(503, message="the address geocoder is not answering; try a ZIP code")
