"""event clustering probes events from the side of a shared party

An event looks for the events of other documents it may report too. Read by
type and date first, it scanned every event of its type in a seven-week
window and checked each one's parties: a number that grows with the store
(about 450 events an event at 100,000 documents). Read from the parties
instead, by the entity or country they share, side, type and date, it reads
only events that can match. The index by entity, side and type grows by the
date and event; one by country is new.

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_event_parties_entity_side_type_date", "event_parties",
                    ["entity_id", "side", "type", "date_start", "event_id"])
    op.drop_index("ix_event_parties_entity_side_type", table_name="event_parties")
    op.create_index("ix_event_parties_country_side_type_date", "event_parties",
                    ["country", "side", "type", "date_start", "event_id"])


def downgrade() -> None:
    op.drop_index("ix_event_parties_country_side_type_date", table_name="event_parties")
    op.create_index("ix_event_parties_entity_side_type", "event_parties", ["entity_id", "side", "type"])
    op.drop_index("ix_event_parties_entity_side_type_date", table_name="event_parties")
