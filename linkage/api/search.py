"""GET and POST /v1/search: resources by need, keywords and place."""

from __future__ import annotations

from flask import jsonify
from flask.views import MethodView

from linkage.api.base import Blueprint
from linkage.api.places import resolve_place
from linkage.api.schemas.search import SearchArgs, SearchOut
from linkage.runtime import runtime
from linkage.search import queries, results, suggest
from linkage.search.phrases import phrases

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
        return search(args, "query")

    @blp.arguments(SearchArgs(), location="json", as_kwargs=True)
    @blp.response(200, SearchOut)
    def post(self, **args):
        """Search as GET does, the parameters in a JSON body (repeatable ones as lists).

        So that needs and the people a client is (`need`, `serves`, `age`) never travel in a
        URL, which browsers, proxies and server logs keep.
        """
        return search(args, "json")


def search(args: dict, location: str):
    """One search from validated parameters (`location`: where they came from, for errors)."""
    rt = runtime()
    place = resolve_place(rt, args["near"], "near", location=location) if args.get("near") else None
    req = queries.request_from_args(args, place, rt.taxonomy, rt.settings.default_radius_miles)
    now = rt.clock()
    timezones = rt.index.timezones() if req.open_now else []
    response = rt.index.search(**queries.build_query(req, now, timezones))
    suggestions = None
    if response["hits"]["total"]["value"] == 0 and req.q:
        # Only an empty page asks for corrected words: a search stays one request.
        found = rt.index.search(**suggest.suggest_body(req.q))
        suggestions = suggest.suggestions(req.q, found, rt.taxonomy)
    # Shaped by pure functions to match SearchOut (which documents it); returned as a ready
    # response because a marshmallow dump of 100 nested results is the largest cost on this
    # hot path. tests/test_search_api.py checks the shape against SearchOut.
    # `lang` is the case manager's screen language: it changes the words, never the search.
    words = phrases(args["lang"])
    return jsonify(results.search_page(req, response, rt.taxonomy, now, suggestions, words))
