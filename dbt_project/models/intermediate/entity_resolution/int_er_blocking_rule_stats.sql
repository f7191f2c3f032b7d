{%- set config = er_config() -%}
{{ er_blocking_rule_stats(ref('int_er_records_prepared'), config.blocking.rules, config.blocking.max_block_size) }}
