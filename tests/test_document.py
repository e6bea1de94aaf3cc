"""The resource document: one field list gives the schema the indexer checks and the mapping."""

import pytest
from marshmallow import fields

from linkage.search.document import (
    MAPPINGS,
    EligibilitySchema,
    InvalidDocument,
    ResourceSchema,
    check_document,
)


def _fields_and_properties(schema, mapping, path=""):
    """Pairs (schema field names, mapping property names) of every object the mapping lists."""
    yield path or "document", set(schema._declared_fields), set(mapping["properties"])
    for name, sub in mapping["properties"].items():
        field = schema._declared_fields.get(name)
        if "properties" in sub and isinstance(field, fields.Nested):
            yield from _fields_and_properties(field.nested, sub, f"{path}{name}.")


def test_every_checked_field_is_indexed_and_every_indexed_field_is_checked():
    # The index is strict: a field the schema lets through but the mapping lacks fails a load.
    pairs = list(_fields_and_properties(ResourceSchema, MAPPINGS))
    assert {path for path, _, _ in pairs} == {"document", "address.", "eligibility."}
    for path, checked, indexed in pairs:
        assert checked == indexed, path
    assert MAPPINGS["dynamic"] == "strict"


def test_the_mapping_indexes_each_kind_of_value_for_its_use():
    props = MAPPINGS["properties"]
    assert props["location"] == {"type": "geo_point"}
    assert props["service_name"]["fields"]["raw"] == {"type": "keyword"}
    assert set(props["description"]["fields"]) == {"exact", "es"}
    assert props["eligibility"]["properties"]["min_age"] == {"type": "integer"}
    assert props["phones"] == {"type": "object", "enabled": False}
    assert props["address"]["properties"]["street"]["index"] is False


DOC = {
    "id": "s1",
    "source": "test",
    "service_name": "Pantry",
    "categories": ["food-pantry"],
    "category_tree": ["food", "food-pantry"],
    "status": "active",
}


@pytest.mark.parametrize(
    "ages, refused", [((70, 18), True), ((18, 70), False), ((18, None), False)]
)
def test_the_age_rule_is_the_same_for_the_indexer_and_the_schema(ages, refused):
    eligibility = {"min_age": ages[0], "max_age": ages[1]}
    errors = EligibilitySchema().validate(eligibility)
    if refused:
        assert errors == {"min_age": ["min_age is above max_age"]}
        with pytest.raises(InvalidDocument) as exc:
            check_document({**DOC, "eligibility": eligibility})
        assert (exc.value.field, exc.value.message) == ("eligibility.min_age", errors["min_age"][0])
    else:
        assert errors == {}
        check_document({**DOC, "eligibility": eligibility})


def test_a_field_outside_the_list_is_refused():
    with pytest.raises(InvalidDocument):
        check_document({**DOC, "colour": "blue"})


@pytest.mark.parametrize(
    "part, field",
    [
        ({"phones": [{"number": "312-555-0100"}, {"type": "voice"}]}, "phones[1]"),
        ({"schedule": [{"day": "Funday", "opens": "09:00", "closes": "17:00"}]}, "schedule[0].day"),
        ({"location": {"lat": 91, "lon": 0}}, "location"),  # a point or null: named as a whole
    ],
)
def test_a_bad_item_inside_a_list_or_object_is_refused_by_name(part, field):
    # The nested rules (phones, opening periods, points) hold inside the compiled check too.
    with pytest.raises(InvalidDocument) as exc:
        check_document({**DOC, **part})
    assert exc.value.field == field
    check_document({**DOC, "phones": [{"number": "312-555-0100"}]})
