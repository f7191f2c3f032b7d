{{ stage_other_sources('lead') }}
