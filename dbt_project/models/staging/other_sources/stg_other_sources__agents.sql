{{ stage_other_sources('agent') }}
