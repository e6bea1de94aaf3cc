"""Build data/crosswalks/open-eligibility.csv: Open Eligibility ids → Linkage categories.

    .venv/bin/python scripts/make_open_eligibility_crosswalk.py [--taxonomy XML] [--out FILE]

Reads the Open Eligibility taxonomy v2.0 (`taxonomy.xml`, Aunt Bertha, Inc., CC BY-SA 3.0;
default: ../shared/reference/open-eligibility/taxonomy.xml) and maps each service id by its
name through the project's by-name lookup (`indexer.crosswalk.Crosswalk`, i.e. the
`open_eligibility` counterparts and words of data/taxonomy.json), else by its parent's name,
and so on up to its top level. The output keeps ids and Linkage codes only (no names from the
taxonomy): `oe_id,categories`, categories `;`-separated, or `-` where no name on the way up
maps (and for every "situation" id: those say who a service is for, not what it is).

Deterministic (ids in the file's order); run it again when data/taxonomy.json changes, and
review the result by hand (`git diff`).
"""

from __future__ import annotations

import argparse
import csv
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.crosswalk import SHIPPED_OPEN_ELIGIBILITY, Crosswalk  # noqa: E402
from linkage.config import DATA_DIR  # noqa: E402
from linkage.hsds.conventions import OPEN_ELIGIBILITY  # noqa: E402
from linkage.taxonomy import load_taxonomy  # noqa: E402

DEFAULT_XML = ROOT.parent / "shared" / "reference" / "open-eligibility" / "taxonomy.xml"
LEVELS = ("top_level", "second_level", "third_level", "fourth_level", "fifth_level")


def walk(node: ET.Element, ancestors: tuple[str, ...] = ()):
    """(id, its title and its ancestors' titles, nearest first) for every level under node."""
    for child in node:
        if child.tag not in LEVELS:
            continue
        titles = (child.get("title") or "", *ancestors)
        yield child.get("id") or "", titles
        yield from walk(child, titles)


def by_name(crosswalk: Crosswalk, title: str) -> list[str]:
    return crosswalk.categories({"taxonomy": OPEN_ELIGIBILITY, "name": title})


def categories_for(crosswalk: Crosswalk, titles: tuple[str, ...]) -> list[str]:
    """The categories of the nearest title the crosswalk knows by name, narrowed where a name
    is the counterpart of several categories (`Help Find Housing`: housing search, but also
    veteran housing): those in the tree the id's top level maps to, and of a category and its
    children the category (a general name is the general category)."""
    found = next((f for t in titles if (f := by_name(crosswalk, t))), [])
    tax = crosswalk.taxonomy
    top = {tax.ancestors_and_self(c)[-1] for c in by_name(crosswalk, titles[-1])}
    if in_tree := [c for c in found if tax.ancestors_and_self(c)[-1] in top]:
        found = in_tree
    return [c for c in found if not set(tax.ancestors_and_self(c)[1:]) & set(found)]


# Reviewed by hand (ids only: the taxonomy's names stay out of the repository): where the rules
# above give a wrong or a group-specific category, the right one.
REVIEWED = {
    **dict.fromkeys(("1119", "1138", "1244"), "utility-assistance"),  # paying a bill
    **dict.fromkeys(("1121", "1135", "1152"), "emergency-shelter"),  # not only for youth
    "1124": "domestic-violence-services",
    **dict.fromkeys(("1147", "1149", "1153"), "housing"),  # care homes: no closer category
    **dict.fromkeys(("1200", "1385"), "benefits-help"),  # for anyone, not only veterans
    "1295": "housing-search",
    "1296": "education",  # finding a school, not a drop-in centre
    **dict.fromkeys(("1220", "1304"), "counseling"),
    "1305": "crisis-lines",
    "1362": "benefits-help",  # retirement benefits, not work clothing
    **dict.fromkeys(("1287", "1288", "1289", "1290", "1291"), "health"),  # as 1185-1189
}


def rows(xml_path: Path, crosswalk: Crosswalk) -> list[tuple[str, str]]:
    root = ET.parse(xml_path).getroot()
    out: list[tuple[str, str]] = []
    services, situations = root.find("services"), root.find("situations")
    for oe_id, titles in walk(services if services is not None else ET.Element("x")):
        made = REVIEWED.get(oe_id) or ";".join(categories_for(crosswalk, titles)) or "-"
        out.append((oe_id, made))
    for oe_id, _ in walk(situations if situations is not None else ET.Element("x")):
        out.append((oe_id, "-"))
    if not all(i.isdigit() for i, _ in out):
        raise SystemExit(f"{xml_path}: an id that is not a number")
    # v2.0 gives one id twice (1206: a second level and its first child): the first, the
    # broader term, is kept, so a source's 1206 never gets the narrower category wrongly.
    kept: dict[str, str] = {}
    for oe_id, categories in out:
        if oe_id in kept:
            print(f"{xml_path}: id {oe_id} given twice; the first kept", file=sys.stderr)
            continue
        kept[oe_id] = categories
    return list(kept.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taxonomy", type=Path, default=DEFAULT_XML)
    parser.add_argument("--out", type=Path, default=DATA_DIR / SHIPPED_OPEN_ELIGIBILITY)
    args = parser.parse_args()
    crosswalk = Crosswalk(load_taxonomy(), oe_ids={})  # names only
    made = rows(args.taxonomy, crosswalk)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["oe_id", "categories"])
        writer.writerows(made)
    mapped = sum(1 for _, c in made if c != "-")
    print(f"{args.out}: {len(made)} ids, {mapped} mapped to categories, {len(made) - mapped} '-'")


if __name__ == "__main__":
    main()
