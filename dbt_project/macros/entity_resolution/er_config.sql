{#
    The entity-resolution settings (vars.entity_resolution in dbt_project.yml), checked once so a
    typo fails the build with the key and the fix instead of producing a silently different model.
#}
{% macro er_config() -%}
    {%- set config = var('entity_resolution', none) -%}
    {%- set where = "dbt_project.yml: vars.entity_resolution" -%}
    {%- if config is none -%}
        {{ exceptions.raise_compiler_error(where ~ " is missing; restore it from the repository's dbt_project.yml") }}
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
