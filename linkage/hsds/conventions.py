"""Linkage's conventions on top of plain HSDS 3.0, each named once.

What a directory states beyond HSDS's standard fields is written as `attributes[]` whose
`taxonomy_term` names one of these vocabularies and codes (data/README.md, "How Linkage reads
HSDS 3.0 service records", tells directory owners). The indexer reads them, the readers of
other formats and the synthetic generator write them, and the HSDS export writes them back.

Two neighbouring schemes live lower down, because search uses them too: service-area keys
(`zip:60623`, `county:IL:Cook`, `state:IL`, `nationwide`) in linkage.places, and a source's
name (`linkage.jobs.SOURCE_NAME_PATTERN`). Identifiers of exported objects are in linkage.hsds.ids.
"""

from __future__ import annotations

from linkage.search.document import ACTIVE

HSDS_VERSION = "3.0"

# Vocabularies (`taxonomy_term.taxonomy`).
CATEGORIES = "linkage"  # codes of data/taxonomy.json
ELIGIBILITY = "linkage-eligibility"  # codes of data/eligibility.json, and INCOME
FEES = "linkage-fees"  # the document's fee codes (linkage.search.document.FEES)
FLAGS = "linkage-flags"  # CONFIDENTIAL, NOTICE_STARTS, NOTICE_ENDS
# Linkage's own vocabularies (the HSDS export's /hsds/taxonomies, in this order), and those
# of them that carry conventions rather than categories.
TAXONOMIES = (CATEGORIES, ELIGIBILITY, FEES, FLAGS)
CONVENTION_TAXONOMIES = frozenset({ELIGIBILITY, FEES, FLAGS})
# Other directories' vocabularies, mapped to categories on import (indexer/crosswalk.py).
TAXONOMY_211 = "211"
OPEN_ELIGIBILITY = "open-eligibility"
# Of those, the ones whose codes documents keep (the HSDS export lists and writes them back).
SOURCE_TAXONOMIES = (TAXONOMY_211, OPEN_ELIGIBILITY)

# Codes with a meaning of their own.
INCOME = "income-max-fpl"  # in ELIGIBILITY; value: percent of the federal poverty guideline
CONFIDENTIAL = "confidential-address"  # in FLAGS: the address is never disclosed
NOTICE_STARTS = "notice-starts"  # in FLAGS; value: first day the service's alert holds
NOTICE_ENDS = "notice-ends"  # in FLAGS; value: last day it holds

# HSDS 3.0's service statuses; a record without one is ACTIVE (named with the document's
# fields, as search keeps to it).
INACTIVE = "inactive"
DEFUNCT = "defunct"
TEMPORARILY_CLOSED = "temporarily closed"
STATUSES = (ACTIVE, INACTIVE, DEFUNCT, TEMPORARILY_CLOSED)
