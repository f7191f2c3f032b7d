{#
    What staging selects for each entity: (column, expression over the raw row) pairs, in order.
    Every staging model of an entity has exactly these columns, so the unions downstream can list
    them. Per-source cleaning replaces an expression (see `stage_source_records`).
#}
{% macro staged_columns(entity) -%}
    {%- set lineage = [
        ('attributes', 'attributes'),
        ('_file', '_file'),
        ('_file_sha256', '_file_sha256'),
        ('_file_version', '_file_version'),
        ('_row_number', '_row_number'),
        ('_batch_id', '_batch_id'),
        ('_ingested_at', '_ingested_at'),
    ] -%}
    {%- set by_entity = {
        'lead': [
            ('source', 'source'),
            ('source_record_id', 'source_record_id'),
            ('first_name', clean_text('first_name')),
            ('last_name', clean_text('last_name')),
            ('email', 'lower(' ~ clean_text('email') ~ ')'),
            ('phone', clean_text('phone')),
            ('phone_is_valid', 'phone_is_valid'),
            ('company', clean_text('company')),
            ('job_title', clean_text('job_title')),
            ('industry', 'lower(' ~ clean_text('industry') ~ ')'),
            ('company_size', 'company_size'),
            ('budget', 'budget'),
            ('timeline', clean_text('timeline')),
            ('city', clean_text('city')),
            ('region', clean_text('region')),
            ('country', clean_text('country')),
            ('postal_code', clean_text('postal_code')),
            ('channel', 'coalesce(' ~ clean_text('channel') ~ ", 'other')"),
            ('campaign', clean_text('campaign')),
            ('referrer', clean_text('referrer')),
            ('created_at', 'created_at'),
            ('do_not_email', 'do_not_email'),
            ('do_not_call', 'do_not_call'),
        ],
        'match_decision': [
            ('source', 'source'),
            ('source_record_id', 'source_record_id'),
            ('left_source', clean_text('left_source')),
            ('left_record_id', clean_text('left_record_id')),
            ('right_source', clean_text('right_source')),
            ('right_record_id', clean_text('right_record_id')),
            ('decision', 'lower(' ~ clean_text('decision') ~ ')'),
            ('reviewer', clean_text('reviewer')),
            ('decided_at', 'decided_at'),
            ('note', clean_text('note')),
        ],
        'activity': [
            ('source', 'source'),
            ('source_record_id', 'source_record_id'),
            ('lead_record_source', clean_text('lead_record_source')),
            ('lead_record_id', clean_text('lead_record_id')),
            ('activity_type', clean_text('activity_type')),
            ('occurred_at', 'occurred_at'),
            ('detail', clean_text('detail')),
            ('duration_seconds', 'duration_seconds'),
        ],
        'status_change': [
            ('source', 'source'),
            ('source_record_id', 'source_record_id'),
            ('lead_record_source', clean_text('lead_record_source')),
            ('lead_record_id', clean_text('lead_record_id')),
            ('status', clean_text('status')),
            ('changed_at', 'changed_at'),
            ('agent_id', clean_text('agent_id')),
            ('deal_amount', 'deal_amount'),
            ('reason', clean_text('reason')),
        ],
        'agent': [
            ('source', 'source'),
            ('agent_id', 'source_record_id'),
            ('agent_name', clean_text('agent_name')),
            ('email', 'lower(' ~ clean_text('email') ~ ')'),
            ('territory', clean_text('territory')),
            ('specializations', clean_text('specializations')),
            ('price_min', 'price_min'),
            ('price_max', 'price_max'),
            ('capacity', 'capacity'),
            ('is_active', 'active'),
        ],
        'ad_spend': [
            ('source', 'source'),
            ('source_record_id', 'source_record_id'),
            ('spend_date', 'spend_date'),
            ('channel', 'coalesce(' ~ clean_text('channel') ~ ", 'other')"),
            ('platform', 'lower(' ~ clean_text('platform') ~ ')'),
            ('campaign', clean_text('campaign')),
            ('spend', 'spend'),
            ('currency', 'upper(' ~ clean_text('currency') ~ ')'),
            ('impressions', 'impressions'),
            ('clicks', 'clicks'),
        ],
    } -%}
    {%- do raw_entity(entity) -%}
    {{ return(by_entity[entity] + lineage) }}
{%- endmacro %}

{# Column names only, for selecting the staged columns of an entity from any staging model. #}
{% macro staged_column_names(entity) -%}
    {{ return(staged_columns(entity) | map(attribute=0) | list) }}
{%- endmacro %}

{# Blank or whitespace-only text is missing text. #}
{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
