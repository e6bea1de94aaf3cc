"""GET /v1/search: resources by need, keywords and place."""

from __future__ import annotations

import math

from flask import jsonify
from flask.views import MethodView

from linkage.api.base import Blueprint
from linkage.api.places import resolve_place
from linkage.api.schemas.search import SearchArgs, SearchOut
from linkage.runtime import runtime
from linkage.search import queries, suggest

blp = Blueprint("search", __name__, url_prefix="/v1", description="Search community resources")


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchArgs(), location="query", as_kwargs=True)
    @blp.response(200, SearchOut)
    def get(self, **args):
        """Search resources by need or keywords near a place.

        Results include services within the radius and services without an address
        (phone, online, statewide) that serve the place. Each result says why it matched,
        and its `reach`: local, serving the area, or remote (phone, online or nationwide).
        """
        rt = runtime()
        place = (
            resolve_place(rt, args["near"], "near", location="query") if args.get("near") else None
        )
        req = queries.request_from_args(args, place, rt.taxonomy, rt.settings.default_radius_miles)
        now = rt.clock()
        timezones = rt.index.timezones() if req.open_now else []
        body = queries.build_query(req, now, timezones)
        response = rt.index.search(**body)
        total = response["hits"]["total"]["value"]
        suggestions = None
        if total == 0 and req.q:
            # Only an empty page asks for corrected words: a search stays one request.
            found = rt.index.search(**suggest.suggest_body(req.q))
            suggestions = suggest.suggestions(req.q, found, rt.taxonomy)
        # Shaped by pure functions to match SearchOut (which documents it); returned as a
        # ready response because a marshmallow dump of 100 nested results is the largest
        # cost on this hot path. tests/test_search_api.py checks the shape against SearchOut.
        return jsonify(
            {
                "total": total,
                "page": req.page,
                "per_page": req.per_page,
                "pages": math.ceil(total / req.per_page),
                "place": place.__dict__ if place else None,
                "radius_miles": req.radius_miles if place else None,
                "recognised": [
                    {
                        "category": m.category,
                        "name": rt.taxonomy.categories[m.category].name,
                        "term": m.term,
                    }
                    for m in req.recognised
                ],
                "results": [
                    queries.shape_result(
                        hit["_source"], req, rt.taxonomy, now, hit.get("matched_queries") or ()
                    )
                    for hit in response["hits"]["hits"]
                ],
                "facets": queries.shape_facets(response.get("aggregations"), rt.taxonomy),
                "suggestions": suggestions,
            }
        )
