{{ stage_source_records('crm_database_status_changes') }}
