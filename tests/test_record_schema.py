"""Records validate against the published contract in shared/spec."""
import json

import jsonschema
import pytest

from newsgraph.record import Record, json_schema


def test_pydantic_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_later_stage_fields_present_and_empty(extract_text):
    data = extract_text("Mali and Russia signed an accord in Bamako.").model_dump(mode="json")
    for key in ("roles", "events", "quotes", "narratives", "signals"):
        assert key in data


def test_records_validate_against_shared_schema(extract_text, shared_dir):
    schema = json.loads((shared_dir / "spec" / "record.schema.json").read_text())
    record = extract_text("Sergei Lavrov visited Ouagadougou on Tuesday, TASS reported.\n\n05.06.2024")
    jsonschema.validate(record.model_dump(mode="json"), schema)


def test_bad_record_rejected():
    with pytest.raises(Exception):
        Record(doc_id="x", text="t", published="June 2024")
