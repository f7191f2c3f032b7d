{{ stage_source_records('events') }}
