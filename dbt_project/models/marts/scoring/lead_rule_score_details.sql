{#
    Why each lead has its score: one row per lead and rule that fired as of `as_of`, with the
    points it gave (before the category cap; marts.lead_rule_scores applies the caps).
    A table, like every mart: the marts have a database file of their own, published as a copy
    of that file, which a view reading int_lead_rule_hits in the warehouse could not be part of.
#}

select
    lead_id,
    rule_id,
    rule_name,
    rule_kind,
    category,
    points,
    events,
    {{ as_of() }} as scored_as_of
from {{ ref('int_lead_rule_hits') }}
