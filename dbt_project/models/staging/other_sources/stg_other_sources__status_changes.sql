{{ stage_other_sources('status_change') }}
