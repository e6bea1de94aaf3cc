"""Loads community resource directories into Elasticsearch."""
