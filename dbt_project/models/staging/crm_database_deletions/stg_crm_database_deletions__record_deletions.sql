{{ stage_source_records('crm_database_deletions') }}
