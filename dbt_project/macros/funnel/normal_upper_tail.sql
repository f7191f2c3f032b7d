{#
    P(Z > x) for a standard normal Z and x >= 0 (an expression), by Abramowitz & Stegun 26.2.17
    (absolute error under 7.5e-8): plain arithmetic and exp, the same on every engine.
#}
{% macro normal_upper_tail(x) -%}
    (exp(-0.5 * ({{ x }}) * ({{ x }})) / 2.5066282746310002 * (
        (1.0 / (1.0 + 0.2316419 * ({{ x }}))) * (0.319381530
        + (1.0 / (1.0 + 0.2316419 * ({{ x }}))) * (-0.356563782
        + (1.0 / (1.0 + 0.2316419 * ({{ x }}))) * (1.781477937
        + (1.0 / (1.0 + 0.2316419 * ({{ x }}))) * (-1.821255978
        + (1.0 / (1.0 + 0.2316419 * ({{ x }}))) * 1.330274429))))
    ))
{%- endmacro %}
