{{ stage_source_records('crm_status_changes') }}
