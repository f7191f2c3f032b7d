{#
    Fails on every row where `expression` is not true (false or null). On a column the
    expression is appended to it: `expression: ">= 0"`.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ column_name ~ ' ' if column_name }}{{ expression }}), false)
{% endtest %}
