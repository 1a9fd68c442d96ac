{#- Fails when the model and another relation have different numbers of rows
    (optionally counting only the other relation's rows matching compare_where). -#}
{% test same_row_count(model, compare_to, compare_where='true') %}
with

counts as (
    select
        (select count(*) from {{ model }}) as model_rows,
        (select count(*) from {{ compare_to }} where {{ compare_where }}) as compare_rows
)

select * from counts
where model_rows != compare_rows
{% endtest %}
