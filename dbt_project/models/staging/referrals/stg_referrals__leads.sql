{{ stage_source_records('referrals') }}
