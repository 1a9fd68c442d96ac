{#- Fails on every row whose value is below min_value (nulls pass: pair with not_null). With
    rule_set, only when the column mapping chose that rule set (a rule of the study's data). -#}
{% test at_least(model, column_name, min_value, rule_set=none) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }}
{%- if rule_set %}
    and (select rule_set from {{ ref('stg_retail__mapping') }}) = '{{ rule_set }}'
{%- endif %}
{% endtest %}
