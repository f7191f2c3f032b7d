{{ stage_source_records('web_forms') }}
