{#
    Clustering in SQL, for engines that run no Python model (Spark's session method): the same
    clusters as entity_resolution.clustering.cluster_pairs, computed where the pairs are, never
    collected to one process.

    1. Connected components of the match links and the reviewer-confirmed pairs: every record
       takes the smallest id among its neighbours' labels, then the label of its label (pointer
       jumping), until no label changes (as Splink does on Spark; a few iterations, the number
       growing with the log of a component's diameter).
    2. Components holding a pair with evidence against (a cannot_link pair, a reviewer's
       no_match) are clustered greedily, as in Python: confirmed pairs joined first, then links
       from the most probable down (ties by record ids), a link refused when any record of one
       cluster has evidence against any record of the other. Components are independent, so
       every conflicted component takes its next link in the same round: the rounds are the
       links of the largest conflicted component, each a few small queries.

    er_cluster_records() runs both as statements (a pre-hook) and leaves the working table
    working_table('er_clusters') (record_id, cluster_label); the model reads it and its
    post-hook drops it.
#}

{% macro er_scalar(sql) %}
    {% set table = run_query(sql) %}
    {{ return(table.columns[0].values()[0]) }}
{% endmacro %}

{% macro er_cluster_records(scored, review_decisions, records, max_iterations=200) %}
    {% if not execute %}{{ return('') }}{% endif %}
    {% set T = working_table %}
    {#- A reviewer's decision naming a record that no longer exists links nothing (as in Python). #}
    {% call statement('er_reviews') %}
        create or replace temporary view er_reviews as
        select d.record_id_l, d.record_id_r, d.decision
        from {{ review_decisions }} as d
        inner join {{ records }} as l on l.record_id = d.record_id_l
        inner join {{ records }} as r on r.record_id = d.record_id_r
    {% endcall %}
    {% set reviews = 'er_reviews' %}

    {# Edges of the components: links and confirmed pairs, both directions. #}
    {% call statement('er_edges') %}
        create or replace temporary view er_edges as
        select record_id_l as a, record_id_r as b from {{ scored }} where decision = 'match'
        union select record_id_l, record_id_r from {{ reviews }} where decision = 'match'
    {% endcall %}
    {% set sql %}select a, b from er_edges union select b, a from er_edges{% endset %}
    {{ create_working_table('er_edges_both', sql) }}
    {% set sql %}select a as node, least(a, min(b)) as label from {{ T('er_edges_both') }} group by a{% endset %}
    {{ create_working_table('er_cc_0', sql) }}

    {% set ns = namespace(current='er_cc_0', done=false, iterations=0) %}
    {% for i in range(1, max_iterations + 1) if not ns.done %}
        {% set next = 'er_cc_' ~ i %}
        {% set sql %}
            with hop as (
                select e.a as node, min(c.label) as label
                from {{ T('er_edges_both') }} as e
                inner join {{ T(ns.current) }} as c on c.node = e.b
                group by e.a
            ),
            merged as (
                select c.node, least(c.label, coalesce(h.label, c.label)) as label
                from {{ T(ns.current) }} as c
                left join hop as h on h.node = c.node
            )
            -- pointer jumping: a node takes the label of its label
            select m.node, least(m.label, coalesce(j.label, m.label)) as label
            from merged as m
            left join merged as j on j.node = m.label
        {% endset %}
        {{ create_working_table(next, sql) }}
        {% set changed = er_scalar('select count(*) from ' ~ T(next) ~ ' as n inner join ' ~ T(ns.current) ~ ' as c on c.node = n.node where n.label <> c.label') %}
        {{ drop_working_tables([ns.current]) }}
        {% set ns.current = next %}
        {% set ns.iterations = i %}
        {% if changed | int == 0 %}{% set ns.done = true %}{% endif %}
    {% endfor %}
    {% if not ns.done %}
        {{ exceptions.raise_compiler_error('connected components did not converge in ' ~ max_iterations ~ ' iterations') }}
    {% endif %}
    {% do log('entity resolution: connected components in ' ~ ns.iterations ~ ' iterations', info=true) %}
    {{ create_working_table('er_components', 'select node, label as component from ' ~ T(ns.current)) }}
    {{ drop_working_tables([ns.current]) }}

    {# Evidence against, inside one component: only there can a link be refused. #}
    {% set against_sql %}
        with pairs as (
            select record_id_l as x, record_id_r as y from {{ scored }} where decision = 'cannot_link'
            union select record_id_l, record_id_r from {{ reviews }} where decision = 'no_match'
        )
        select p.x, p.y, cx.component
        from pairs as p
        inner join {{ T('er_components') }} as cx on cx.node = p.x
        inner join {{ T('er_components') }} as cy on cy.node = p.y
        where cx.component = cy.component
    {% endset %}
    {{ create_working_table('er_against', against_sql) }}
    {% set sql %}select x, y, component from {{ T('er_against') }} union select y, x, component from {{ T('er_against') }}{% endset %}
    {{ create_working_table('er_against_both', sql) }}
    {{ create_working_table('er_conflicted', 'select distinct component from ' ~ T('er_against')) }}

    {# The greedy's start: the components of the confirmed pairs alone, inside conflicted components. #}
    {% set start_sql %}
        select c.node, c.component, c.node as cluster
        from {{ T('er_components') }} as c
        inner join {{ T('er_conflicted') }} as k on k.component = c.component
    {% endset %}
    {{ create_working_table('er_greedy_0', start_sql) }}
    {# Confirmed pairs are joined unconditionally: their own connected components (a few rounds). #}
    {% set gs = namespace(current='er_greedy_0', done=false) %}
    {% for i in range(1, max_iterations + 1) if not gs.done %}
        {% set next = 'er_greedy_c' ~ i %}
        {% set sql %}
            with confirmed as (
                select r.record_id_l as a, r.record_id_r as b
                from {{ reviews }} as r
                where r.decision = 'match'
                union
                select r.record_id_r, r.record_id_l
                from {{ reviews }} as r
                where r.decision = 'match'
            ),
            hop as (
                select c.a as node, min(g.cluster) as cluster
                from confirmed as c
                inner join {{ T(gs.current) }} as g on g.node = c.b
                group by c.a
            )
            select g.node, g.component, least(g.cluster, coalesce(h.cluster, g.cluster)) as cluster
            from {{ T(gs.current) }} as g
            left join hop as h on h.node = g.node
        {% endset %}
        {{ create_working_table(next, sql) }}
        {% set changed = er_scalar('select count(*) from ' ~ T(next) ~ ' as n inner join ' ~ T(gs.current) ~ ' as c on c.node = n.node where n.cluster <> c.cluster') %}
        {{ drop_working_tables([gs.current]) }}
        {% set gs.current = next %}
        {% if changed | int == 0 %}{% set gs.done = true %}{% endif %}
    {% endfor %}
    {% if not gs.done %}
        {{ exceptions.raise_compiler_error('confirmed pairs did not converge in ' ~ max_iterations ~ ' iterations') }}
    {% endif %}

    {# The links of conflicted components, in the greedy's order, numbered per component. #}
    {% set links_sql %}
        select s.record_id_l as a, s.record_id_r as b, c.component,
            row_number() over (
                partition by c.component
                order by s.match_probability desc, s.record_id_l, s.record_id_r
            ) as rank
        from {{ scored }} as s
        inner join {{ T('er_components') }} as c on c.node = s.record_id_l
        inner join {{ T('er_conflicted') }} as k on k.component = c.component
        where s.decision = 'match'
    {% endset %}
    {{ create_working_table('er_greedy_links', links_sql) }}
    {% set rounds = er_scalar('select coalesce(max(rank), 0) from ' ~ T('er_greedy_links')) | int %}
    {% do log('entity resolution: ' ~ rounds ~ ' greedy rounds over the components with evidence against', info=true) %}

    {% for i in range(1, rounds + 1) %}
        {% set next = 'er_greedy_' ~ i %}
        {% set sql %}
            with step as (
                select l.component, ga.cluster as keep, gb.cluster as absorb
                from {{ T('er_greedy_links') }} as l
                inner join {{ T(gs.current) }} as ga on ga.node = l.a
                inner join {{ T(gs.current) }} as gb on gb.node = l.b
                where l.rank = {{ i }} and ga.cluster <> gb.cluster
            ),
            refused as (
                select distinct s.component
                from step as s
                inner join {{ T(gs.current) }} as gx on gx.cluster = s.keep
                inner join {{ T('er_against_both') }} as x on x.x = gx.node
                inner join {{ T(gs.current) }} as gy on gy.node = x.y
                where gy.cluster = s.absorb
            ),
            accepted as (
                select s.keep, s.absorb
                from step as s
                left join refused as r on r.component = s.component
                where r.component is null
            )
            select g.node, g.component, coalesce(a.keep, g.cluster) as cluster
            from {{ T(gs.current) }} as g
            left join accepted as a on a.absorb = g.cluster
        {% endset %}
        {{ create_working_table(next, sql) }}
        {{ drop_working_tables([gs.current]) }}
        {% set gs.current = next %}
    {% endfor %}

    {# Every linked record's cluster: the greedy's inside conflicted components, else its component. #}
    {% set clusters_sql %}
        select c.node as record_id,
            case when g.node is null then c.component else g.cluster end as cluster_label,
            g.node is not null as conflicted
        from {{ T('er_components') }} as c
        left join {{ T(gs.current) }} as g on g.node = c.node
    {% endset %}
    {{ create_working_table('er_clusters', clusters_sql) }}
    {{ drop_working_tables([gs.current, 'er_greedy_links', 'er_against', 'er_against_both', 'er_edges_both', 'er_conflicted', 'er_components']) }}
    {{ return('') }}
{% endmacro %}

{# A new lead's id from its cluster key: entity_resolution.identity.new_lead_id, in SQL. #}
{% macro er_new_lead_id(expression) -%}
    {{ dbt.concat(["'ld_'", 'substr(md5(' ~ expression ~ '), 1, 16)']) }}
{%- endmacro %}

{#
    The clustered table is rebuilt whole on this path, and its lead ids must carry over: before
    the build, the pre-hook copies record_key -> lead_id to <table>__previous_ids (left as it is
    when the table is missing, so ids survive a failed build); the model reads that copy.
#}
{% macro er_previous_ids_relation(this) -%}
    {{ this.incorporate(path={"identifier": this.identifier ~ '__previous_ids'}) }}
{%- endmacro %}

{% macro er_keep_previous_ids(this) %}
    {% if not execute %}{{ return('') }}{% endif %}
    {% set previous = er_previous_ids_relation(this) %}
    {% set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) %}
    {% if flags.FULL_REFRESH %}
        {#- As the incremental Python model: a full refresh derives every id afresh. #}
        {% do run_query('drop table if exists ' ~ previous) %}
        {% do run_query('create table ' ~ previous ~ ' (record_key ' ~ dbt.type_string() ~ ', lead_id ' ~ dbt.type_string() ~ ')') %}
    {% elif existing is not none %}
        {% do run_query('drop table if exists ' ~ previous) %}
        {% do run_query('create table ' ~ previous ~ ' as select record_key, lead_id from ' ~ existing) %}
    {% else %}
        {% do run_query('create table if not exists ' ~ previous ~ ' (record_key ' ~ dbt.type_string() ~ ', lead_id ' ~ dbt.type_string() ~ ')') %}
    {% endif %}
    {{ return('') }}
{% endmacro %}
