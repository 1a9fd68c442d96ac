{#- The inverse of `relationships`: fails on every row whose value IS listed in another
    relation, e.g. a cleaned line whose stock code is in the excluded_stock_codes seed. With
    rule_set, only when the column mapping chose that rule set (the study's lists). -#}
{% test not_in_relation(model, column_name, to, field, rule_set=none) %}
select model_rows.{{ column_name }}
from {{ model }} as model_rows
inner join {{ to }} as listed
    on model_rows.{{ column_name }} = listed.{{ field }}
{%- if rule_set %}
where (select rule_set from {{ ref('stg_retail__mapping') }}) = '{{ rule_set }}'
{%- endif %}
{% endtest %}
