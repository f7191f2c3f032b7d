{{ stage_source_records('ad_spend') }}
