{#
    The lead of each record (int_lead_records_matched) and how entity resolution linked it
    (int_er_records_clustered: the strongest link holding it in its lead, as this run's match
    weights score it).
#}

{%- set mode = er_config().mode %}

select
    matched.source,
    matched.source_record_id,
    matched.lead_id,
    case
        when clustered.cluster_size = 1 then 'single_record'
        when clustered.matched_by like 'confirmed by reviewer%' then 'reviewer'
        {%- if mode == 'baseline' %}
        else 'baseline_rule'
        {%- else %}
        else 'fellegi_sunter'
        {%- endif %}
    end as match_rule,
    clustered.match_probability,
    clustered.matched_by,
    matched.is_deleted,
    matched.deleted_at
from {{ ref('int_lead_records_matched') }} as matched
inner join {{ ref('int_er_records_clustered') }} as clustered
    on clustered.record_key = {{ dbt.concat(['matched.source', "':'", 'matched.source_record_id']) }}
