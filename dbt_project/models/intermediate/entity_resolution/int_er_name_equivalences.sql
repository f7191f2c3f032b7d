{#
    Pairs of first names that are the same name (Robert ~ Bob ~ Rob): every nickname with its full
    name, both ways, and nicknames of one full name with each other. From the `nicknames` seed.
#}

with

nicknames as (
    select nickname, canonical_name
    from {{ ref('nicknames') }}
),

pairs as (
    select nickname as name_a, canonical_name as name_b from nicknames
    union all
    select canonical_name as name_a, nickname as name_b from nicknames
    union all
    select a.nickname as name_a, b.nickname as name_b
    from nicknames as a
    inner join nicknames as b
        on a.canonical_name = b.canonical_name
        and a.nickname <> b.nickname
)

select distinct name_a, name_b
from pairs
