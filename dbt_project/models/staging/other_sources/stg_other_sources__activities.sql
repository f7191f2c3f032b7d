{{ stage_other_sources('activity') }}
