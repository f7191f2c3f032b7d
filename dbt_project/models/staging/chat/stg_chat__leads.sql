{#
    The chat tool records the page the conversation started on as the campaign; without the query
    string, visits of the same page with different tracking parameters share one campaign.
#}
{{ stage_source_records('chat', overrides={'campaign': url_without_query('campaign')}) }}
