{#
    int_er_records_clustered on engines without Python models (Spark): the same table as
    ../int_er_records_clustered.py, in SQL. The pre-hooks keep the last run's lead ids
    (er_keep_previous_ids: the table is rebuilt whole) and cluster the scored pairs
    (macros/entity_resolution/er_clustering_sql.sql: connected components, then the guarded
    greedy where there is evidence against); this query keys the clusters, carries lead ids over
    (entity_resolution.identity's rules) and explains each record by its strongest link
    (entity_resolution.clustering.strongest_links). Enabled where the Python model is not
    (dbt_project.yml).
#}
{{ config(
    materialized='table',
    pre_hook=[
        "{{ er_keep_previous_ids(this) }}",
        "{{ er_cluster_records(ref('int_er_pairs_scored'), ref('int_er_review_decisions'), ref('int_er_records_prepared')) }}",
    ],
    post_hook="{{ drop_working_tables(['er_clusters']) }}",
) }}

with

records as (
    select record_id, record_key, first_seen_at
    from {{ ref('int_er_records_prepared') }}
),

labelled as (
    select
        records.record_id,
        records.record_key,
        records.first_seen_at,
        coalesce(er_clusters.cluster_label, records.record_id) as cluster_label
    from records
    left join {{ working_table('er_clusters') }} as er_clusters
        on er_clusters.record_id = records.record_id
),

clustered as (
    select
        record_id,
        record_key,
        first_seen_at,
        cluster_label,
        count(*) over (partition by cluster_label) as cluster_size,
        min(record_key) over (partition by cluster_label) as cluster_key
    from labelled
),

previous as (
    select record_key, lead_id
    from {{ er_previous_ids_relation(this) }}
),

joined as (
    select clustered.*, previous.lead_id as previous_lead_id
    from clustered
    left join previous
        on previous.record_key = clustered.record_key
),

-- Each previous id goes to one heir: the cluster holding most of its records (ties: the
-- smallest cluster key); a cluster heir to several keeps the one seen first (ties: the
-- smallest id), the others merged into it.
claims as (
    select
        cluster_key,
        previous_lead_id,
        count(*) as records,
        min(first_seen_at) as seen
    from joined
    where previous_lead_id is not null
    group by cluster_key, previous_lead_id
),

heirs as (
    select *
    from (
        select
            cluster_key,
            previous_lead_id,
            min(seen) over (partition by previous_lead_id) as lead_first_seen_at,
            row_number() over (partition by previous_lead_id order by records desc, cluster_key) as heir_rank
        from claims
    ) as ranked
    where heir_rank = 1
),

survivors as (
    select cluster_key, previous_lead_id as kept_lead_id
    from (
        select
            cluster_key,
            previous_lead_id,
            row_number() over (
                partition by cluster_key order by lead_first_seen_at nulls last, previous_lead_id
            ) as survivor_rank
        from heirs
    ) as ranked
    where survivor_rank = 1
),

used as (
    select distinct lead_id from previous
),

cluster_ids as (
    select
        keys.cluster_key,
        survivors.kept_lead_id,
        {% for n in range(1, 9) -%}
        {{ er_new_lead_id('keys.cluster_key' if n == 1 else dbt.concat(['keys.cluster_key', "'#" ~ n ~ "'"])) }} as candidate_{{ n }}
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from (select distinct cluster_key from clustered) as keys
    left join survivors
        on survivors.cluster_key = keys.cluster_key
),

lead_ids as (
    select
        cluster_ids.cluster_key,
        coalesce(
            cluster_ids.kept_lead_id,
            {#- The first free candidate (Python counts on; eight splits of one key is the limit
                here, and the not_null test on lead_id fails the build past it). #}
            case
                {%- for n in range(1, 9) %}
                when u{{ n }}.lead_id is null then cluster_ids.candidate_{{ n }}
                {%- endfor %}
            end
        ) as lead_id
    from cluster_ids
    {%- for n in range(1, 9) %}
    left join used as u{{ n }} on u{{ n }}.lead_id = cluster_ids.candidate_{{ n }}
    {%- endfor %}
),

-- The most probable link holding each record in its cluster (a reviewer's confirmation counts
-- as 1.0); ties go to the evidence first in alphabetical order.
evidence as (
    select record_id_l, record_id_r, match_probability, evidence
    from {{ ref('int_er_pairs_scored') }}
    where decision = 'match'
    union all
    select
        record_id_l,
        record_id_r,
        1.0 as match_probability,
        {{ dbt.concat(["'confirmed by reviewer '", "coalesce(reviewer, 'unknown')"]) }} as evidence
    from {{ ref('int_er_review_decisions') }}
    where decision = 'match'
),

inside as (
    select evidence.*
    from evidence
    inner join labelled as l on l.record_id = evidence.record_id_l
    inner join labelled as r on r.record_id = evidence.record_id_r
    where l.cluster_label = r.cluster_label
),

strongest as (
    select record_id, match_probability, evidence as matched_by
    from (
        select
            record_id,
            match_probability,
            evidence,
            row_number() over (partition by record_id order by match_probability desc, evidence) as link_rank
        from (
            select record_id_l as record_id, match_probability, evidence from inside
            union all
            select record_id_r, match_probability, evidence from inside
        ) as both_ends
    ) as ranked
    where link_rank = 1
)

select
    joined.record_key,
    lead_ids.lead_id,
    joined.previous_lead_id,
    cast(joined.cluster_size as bigint) as cluster_size,
    cast(strongest.match_probability as double) as match_probability,
    strongest.matched_by,
    joined.first_seen_at,
    cast(current_timestamp() as timestamp) as resolved_at
from joined
inner join lead_ids
    on lead_ids.cluster_key = joined.cluster_key
left join strongest
    on strongest.record_id = joined.record_id
