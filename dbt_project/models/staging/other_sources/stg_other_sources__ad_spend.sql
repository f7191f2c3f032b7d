{{ stage_other_sources('ad_spend') }}
