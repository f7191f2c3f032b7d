{%- set config = er_config() -%}
{{ er_candidate_pairs(ref('int_er_records_prepared'), config.blocking.rules, config.blocking.max_block_size) }}
