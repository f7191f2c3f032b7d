{{ stage_source_records('walk_ins') }}
