"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_id', sa.String(length=255), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('url_key', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('published', sa.String(length=10), nullable=True),
    sa.Column('outlet', sa.String(length=255), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('record_json', sa.JSON(), nullable=False),
    sa.Column('minhash', sa.LargeBinary(), nullable=True),
    sa.Column('ingested_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['previous_id'], ['documents.id'], name=op.f('fk_documents_previous_id_documents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_documents_content_hash'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_doc_id'), ['doc_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_outlet'), ['outlet'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_published'), ['published'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_story_id'), ['story_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_text_hash'), ['text_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_url_key'), ['url_key'], unique=False)

    op.create_table('entities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('name_key', sa.String(length=512), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('country', sa.String(length=3), nullable=True),
    sa.Column('kb_id', sa.String(length=255), nullable=True),
    sa.Column('doc_count', sa.Integer(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['entities.id'], name=op.f('fk_entities_merged_into_id_entities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entities')),
    sa.UniqueConstraint('kb_id', name=op.f('uq_entities_kb_id'))
    )
    with op.batch_alter_table('entities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entities_name_key'), ['name_key'], unique=False)

    op.create_table('entity_edges',
    sa.Column('a', sa.Integer(), nullable=False),
    sa.Column('b', sa.Integer(), nullable=False),
    sa.Column('doc_count', sa.Integer(), nullable=False),
    sa.Column('story_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('a', 'b', name=op.f('pk_entity_edges')),
    sqlite_with_rowid=False
    )
    op.create_table('entity_narratives',
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('narrative_id', sa.String(length=128), nullable=False),
    sa.Column('doc_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('entity_id', 'narrative_id', name=op.f('pk_entity_narratives')),
    sqlite_with_rowid=False
    )
    op.create_table('event_clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_clusters'))
    )
    op.create_table('judgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('key_a', sa.String(length=600), nullable=False),
    sa.Column('key_b', sa.String(length=600), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judgements'))
    )
    with op.batch_alter_table('judgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judgements_key_a'), ['key_a'], unique=False)
        batch_op.create_index(batch_op.f('ix_judgements_key_b'), ['key_b'], unique=False)

    op.create_table('doc_entities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('key', sa.String(length=600), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('country', sa.String(length=3), nullable=True),
    sa.Column('kb_id', sa.String(length=255), nullable=True),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('mention_count', sa.Integer(), nullable=False),
    sa.Column('implicit', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_doc_entities_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_doc_entities_entity_id_entities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_entities'))
    )
    with op.batch_alter_table('doc_entities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_entities_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_doc_entities_entity_id_document_id', ['entity_id', 'document_id'], unique=False)

    op.create_table('doc_narratives',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('narrative_id', sa.String(length=128), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_doc_narratives_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'narrative_id', name=op.f('pk_doc_narratives')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('doc_narratives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_narratives_narrative_id'), ['narrative_id'], unique=False)

    op.create_table('document_raw',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=32), nullable=True),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_raw_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_document_raw'))
    )
    op.create_table('entity_aliases',
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=512), nullable=False),
    sa.Column('alias_key', sa.String(length=512), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_entity_aliases_entity_id_entities')),
    sa.PrimaryKeyConstraint('entity_id', 'alias', name=op.f('pk_entity_aliases')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('entity_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_aliases_alias_key'), ['alias_key'], unique=False)

    op.create_table('entity_keys',
    sa.Column('key', sa.String(length=600), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_entity_keys_entity_id_entities')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_entity_keys')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('entity_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_keys_entity_id'), ['entity_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('mode', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.Column('date_start', sa.Date(), nullable=True),
    sa.Column('date_end', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.String(length=8), nullable=True),
    sa.Column('date_from', sa.String(length=16), nullable=True),
    sa.Column('location', sa.String(length=512), nullable=True),
    sa.Column('start', sa.Integer(), nullable=True),
    sa.Column('end', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['cluster_id'], ['event_clusters.id'], name=op.f('fk_events_cluster_id_event_clusters')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_events_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_date_start'), ['date_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_events_type_date_start', ['type', 'date_start'], unique=False)

    op.create_table('lsh_bands',
    sa.Column('key', sa.BigInteger(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_lsh_bands_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', 'document_id', name=op.f('pk_lsh_bands')),
    sqlite_with_rowid=False
    )
    op.create_table('mentions',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('doc_entity_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_mentions_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_mentions_entity_id_entities')),
    sa.PrimaryKeyConstraint('document_id', 'start', 'end', 'doc_entity_id', name=op.f('pk_mentions')),
    sqlite_with_rowid=False
    )
    op.create_table('near_duplicates',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_near_duplicates_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['documents.id'], name=op.f('fk_near_duplicates_duplicate_of_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'duplicate_of_id', name=op.f('pk_near_duplicates'))
    )
    with op.batch_alter_table('near_duplicates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_near_duplicates_duplicate_of_id'), ['duplicate_of_id'], unique=False)

    op.create_table('quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('speaker_id', sa.Integer(), nullable=False),
    sa.Column('speaker_name', sa.String(length=512), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('direct', sa.Boolean(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=True),
    sa.Column('end', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_quotes_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['speaker_id'], ['entities.id'], name=op.f('fk_quotes_speaker_id_entities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotes'))
    )
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quotes_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotes_speaker_id'), ['speaker_id'], unique=False)

    op.create_table('roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('person_name', sa.String(length=512), nullable=False),
    sa.Column('title', sa.String(length=512), nullable=False),
    sa.Column('title_key', sa.String(length=512), nullable=False),
    sa.Column('of_id', sa.Integer(), nullable=True),
    sa.Column('of_name', sa.String(length=512), nullable=True),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.Column('date_start', sa.Date(), nullable=True),
    sa.Column('start', sa.Integer(), nullable=True),
    sa.Column('end', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_roles_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['of_id'], ['entities.id'], name=op.f('fk_roles_of_id_entities')),
    sa.ForeignKeyConstraint(['person_id'], ['entities.id'], name=op.f('fk_roles_person_id_entities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roles'))
    )
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roles_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roles_of_id'), ['of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roles_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roles_title_key'), ['title_key'], unique=False)

    op.create_table('signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=True),
    sa.Column('end', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_signals_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signals'))
    )
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signals_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signals_kind'), ['kind'], unique=False)

    op.create_table('event_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('country', sa.String(length=3), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('date_start', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_event_parties_entity_id_entities')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_parties_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_parties'))
    )
    with op.batch_alter_table('event_parties', schema=None) as batch_op:
        batch_op.create_index('ix_event_parties_entity_side_date', ['entity_id', 'side', 'date_start'], unique=False)
        batch_op.create_index('ix_event_parties_entity_side_type', ['entity_id', 'side', 'type'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_parties_event_id'), ['event_id'], unique=False)

    op.create_table('quote_mentions',
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_quote_mentions_entity_id_entities')),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_quote_mentions_quote_id_quotes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quote_id', 'entity_id', name=op.f('pk_quote_mentions')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('quote_mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_mentions_entity_id'), ['entity_id'], unique=False)

    


def downgrade() -> None:
    """Downgrade schema."""
    
    with op.batch_alter_table('quote_mentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_mentions_entity_id'))

    op.drop_table('quote_mentions')
    with op.batch_alter_table('event_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_parties_event_id'))
        batch_op.drop_index('ix_event_parties_entity_side_type')
        batch_op.drop_index('ix_event_parties_entity_side_date')

    op.drop_table('event_parties')
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signals_kind'))
        batch_op.drop_index(batch_op.f('ix_signals_document_id'))

    op.drop_table('signals')
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roles_title_key'))
        batch_op.drop_index(batch_op.f('ix_roles_person_id'))
        batch_op.drop_index(batch_op.f('ix_roles_of_id'))
        batch_op.drop_index(batch_op.f('ix_roles_document_id'))

    op.drop_table('roles')
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quotes_speaker_id'))
        batch_op.drop_index(batch_op.f('ix_quotes_document_id'))

    op.drop_table('quotes')
    with op.batch_alter_table('near_duplicates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_near_duplicates_duplicate_of_id'))

    op.drop_table('near_duplicates')
    op.drop_table('mentions')
    op.drop_table('lsh_bands')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_type_date_start')
        batch_op.drop_index(batch_op.f('ix_events_document_id'))
        batch_op.drop_index(batch_op.f('ix_events_date_start'))
        batch_op.drop_index(batch_op.f('ix_events_cluster_id'))

    op.drop_table('events')
    with op.batch_alter_table('entity_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entity_keys_entity_id'))

    op.drop_table('entity_keys')
    with op.batch_alter_table('entity_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entity_aliases_alias_key'))

    op.drop_table('entity_aliases')
    op.drop_table('document_raw')
    with op.batch_alter_table('doc_narratives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_narratives_narrative_id'))

    op.drop_table('doc_narratives')
    with op.batch_alter_table('doc_entities', schema=None) as batch_op:
        batch_op.drop_index('ix_doc_entities_entity_id_document_id')
        batch_op.drop_index(batch_op.f('ix_doc_entities_document_id'))

    op.drop_table('doc_entities')
    with op.batch_alter_table('judgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judgements_key_b'))
        batch_op.drop_index(batch_op.f('ix_judgements_key_a'))

    op.drop_table('judgements')
    op.drop_table('event_clusters')
    op.drop_table('entity_narratives')
    op.drop_table('entity_edges')
    with op.batch_alter_table('entities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entities_name_key'))

    op.drop_table('entities')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_url_key'))
        batch_op.drop_index(batch_op.f('ix_documents_text_hash'))
        batch_op.drop_index(batch_op.f('ix_documents_story_id'))
        batch_op.drop_index(batch_op.f('ix_documents_published'))
        batch_op.drop_index(batch_op.f('ix_documents_outlet'))
        batch_op.drop_index(batch_op.f('ix_documents_doc_id'))

    op.drop_table('documents')
    
