{{ stage_source_records('ad_leads') }}
