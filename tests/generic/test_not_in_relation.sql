{#- The inverse of `relationships`: fails on every row whose value IS listed in another
    relation, e.g. a cleaned line whose stock code is in the excluded_stock_codes seed. -#}
{% test not_in_relation(model, column_name, to, field) %}
select model_rows.{{ column_name }}
from {{ model }} as model_rows
inner join {{ to }} as listed
    on model_rows.{{ column_name }} = listed.{{ field }}
{% endtest %}
