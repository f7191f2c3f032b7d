{{ stage_source_records('match_reviews') }}
