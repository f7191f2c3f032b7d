{{ stage_source_records('crm_agents') }}
