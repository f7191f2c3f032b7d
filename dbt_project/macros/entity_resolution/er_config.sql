{#
    The entity-resolution settings: var('entity_resolution'), which the orchestration and the
    benchmark pass from config/entity_resolution.yml (validated in full by entity_resolution/
    config.py) and which dbt run by hand reads from dbt_project.yml's generated copy. Checked
    again here, in part, for settings that do not come from that file (a dbt unit test's
    overrides, bench/er/febrl_dbt/dbt_project.yml): a typo fails the build with the key and the
    fix instead of producing a silently different model.
#}
{% macro er_config() -%}
    {%- set config = var('entity_resolution', none) -%}
    {%- set where = "vars.entity_resolution (config/entity_resolution.yml)" -%}
    {%- if config is none -%}
        {{ exceptions.raise_compiler_error(where ~ " is missing; run .venv/bin/python -m entity_resolution.config to restore dbt_project.yml's copy") }}
    {%- endif -%}
    {%- for key in ['version', 'mode', 'thresholds', 'blocking', 'comparisons', 'em'] -%}
        {%- if key not in config -%}
            {{ exceptions.raise_compiler_error(where ~ "." ~ key ~ " is missing") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if config.mode == 'baseline' and not config.get('baseline') -%}
        {{ exceptions.raise_compiler_error(where ~ ".mode is baseline but .baseline (the points rule) is not set") }}
    {%- endif -%}
    {%- if config.mode not in ['probabilistic', 'baseline'] -%}
        {{ exceptions.raise_compiler_error(where ~ ".mode is '" ~ config.mode ~ "'; use probabilistic or baseline") }}
    {%- endif -%}
    {%- set t = config.thresholds -%}
    {%- if not (0 <= t.cannot_link_below < t.review_low <= t.match <= 1) -%}
        {{ exceptions.raise_compiler_error(where ~ ".thresholds must satisfy 0 <= cannot_link_below < review_low <= match <= 1") }}
    {%- endif -%}
    {%- for comparison in config.comparisons -%}
        {%- if comparison.type not in ['email', 'phone', 'email_name', 'name', 'string', 'exact'] -%}
            {{ exceptions.raise_compiler_error(
                where ~ ".comparisons." ~ comparison.name ~ ".type is '" ~ comparison.type
                ~ "'; use email, phone, email_name, name, string or exact") }}
        {%- endif -%}
        {%- if comparison.type in ['name', 'string', 'exact'] and not comparison.column -%}
            {{ exceptions.raise_compiler_error(where ~ ".comparisons." ~ comparison.name ~ " needs a column") }}
        {%- endif -%}
    {%- endfor -%}
    {%- for rule in config.blocking.rules -%}
        {%- if not rule['keys'] -%}
            {{ exceptions.raise_compiler_error(where ~ ".blocking.rules." ~ rule.name ~ " needs keys") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(config) }}
{%- endmacro %}
