{{ stage_source_records('crm_activities') }}
