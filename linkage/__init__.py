"""Linkage: link people to community resources for their social needs.

The app factory is `linkage.app.create_app`. This file stays empty on purpose: a package's
`__init__` runs on every import of any module in it, and the indexer imports linkage's lower
layers (places, search, jobs); an `__init__` that built the app would pull the web layer, and
through it the indexer, into each of those imports.
"""
