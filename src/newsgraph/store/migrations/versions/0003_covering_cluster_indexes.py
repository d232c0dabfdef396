"""covering indexes for event clustering

Each stored event looks for the events of other documents it may report too:
same type and status, dates near its own, with their parties. Two indexes
answer that without reading the tables: events by (type, date_start) with the
status, end date, cluster and document beside them (it still serves the
timeline's type-and-date queries), and event parties by event with side,
entity and country.

Revision ID: 0003
Revises: 0002
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_events_cluster_match", "events",
                    ["type", "date_start", "status", "date_end", "cluster_id", "document_id"])
    op.drop_index("ix_events_type_date_start", table_name="events")
    op.create_index("ix_event_parties_event_cover", "event_parties", ["event_id", "side", "entity_id", "country"])
    op.drop_index("ix_event_parties_event_id", table_name="event_parties")


def downgrade() -> None:
    op.create_index("ix_event_parties_event_id", "event_parties", ["event_id"])
    op.drop_index("ix_event_parties_event_cover", table_name="event_parties")
    op.create_index("ix_events_type_date_start", "events", ["type", "date_start"])
    op.drop_index("ix_events_cluster_match", table_name="events")
