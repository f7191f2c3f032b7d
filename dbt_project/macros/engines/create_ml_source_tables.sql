{#
    The conversion model's output tables, the source `ml` (models/staging/ml/): written by the
    scoring asset (ml/workflow.py, which creates them the same way), read by marts/ml/ and the work
    queue. Created empty here when missing, so that the project builds before the first scoring
    and on an engine no model has scored on. Their columns are ml.scoring.LEAD_SCORE_COLUMNS
    (tests/ml/test_warehouse_tables.py keeps the two equal). Called by on-run-start.
#}
{% macro ml_source_columns() %}
    {{ return([
        ('lead_id', 'string'),
        ('conversion_probability', 'double'),
        ('decile', 'integer'),
        ('model_grade', 'string'),
        ('model_version', 'string'),
        ('scored_by', 'string'),
        ('top_positive_factors', 'string'),
        ('top_negative_factors', 'string'),
        ('scoring_note', 'string'),
        ('scored_at', 'timestamp'),
    ]) }}
{% endmacro %}

{% macro create_ml_source_tables() %}
    {% if execute %}
        {% do run_query(adapter.dispatch('create_ml_schema', 'leadhouse')()) %}
        {% for node in graph.sources.values() if node.source_name == 'ml' %}
            {% set columns = [] %}
            {% for name, type in ml_source_columns() %}
                {% do columns.append(name ~ ' ' ~ api.Column.translate_type(type)) %}
            {% endfor %}
            {% do run_query(
                'create table if not exists ' ~ node.schema ~ '.' ~ node.identifier
                ~ ' (' ~ columns | join(', ') ~ ')' ~ adapter.dispatch('ml_table_options', 'leadhouse')()
            ) %}
        {% endfor %}
    {% endif %}
{% endmacro %}

{% macro default__create_ml_schema() %}create schema if not exists ml{% endmacro %}
{% macro spark__create_ml_schema() %}create database if not exists ml{% endmacro %}

{% macro default__ml_table_options() %}{% endmacro %}
{% macro spark__ml_table_options() %} using parquet{% endmacro %}
