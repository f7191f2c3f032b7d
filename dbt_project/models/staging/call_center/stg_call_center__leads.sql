{{ stage_source_records('call_center') }}
