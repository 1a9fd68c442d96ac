{#- Fails on every row whose value is below min_value (nulls pass: pair with not_null). -#}
{% test at_least(model, column_name, min_value) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }}
{% endtest %}
