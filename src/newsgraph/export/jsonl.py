"""JSON lines of records: one document's record (the contract in ``shared/spec``) per line.

Records are written whole, as stored (with their text, ``url`` and ``source``),
so ``newsgraph ingest --records FILE`` stores them again unchanged.
"""
from __future__ import annotations

import json

from newsgraph.export.output import OutTarget, text_output
from newsgraph.export.selection import Selection
from newsgraph.record import Record


def write(selection: Selection, out: OutTarget, **_) -> dict[str, int]:
    records = 0
    with text_output(out) as fh:
        for bundle in selection.bundles(text=True, record=True):
            data = {**(bundle.doc.record_json or {}), "text": bundle.doc.text}
            record = Record.model_validate(data)  # the stored JSON is checked against the contract again
            fh.write(json.dumps(record.model_dump(mode="json"), ensure_ascii=False) + "\n")
            records += 1
    return {"records": records}
