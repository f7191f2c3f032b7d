{{ stage_other_sources('record_deletion') }}
