{%- set compared = [
    'gross_revenue', 'frequency', 'recency_days', 'returned_items',
    'invoice_count', 'avg_order_value', 'line_count',
] %}

with

customers as (
    select * from {{ ref('customers') }}
),

compared as (
    {%- for feature in compared %}
    select
        {{ loop.index }} as feature_order,
        '{{ feature }}' as feature,
        median({{ feature }}) filter (where is_insider) as insiders_median,
        median({{ feature }}) filter (where not is_insider) as rest_median,
        avg({{ feature }}) filter (where is_insider) as insiders_mean,
        avg({{ feature }}) filter (where not is_insider) as rest_mean
    from customers
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        feature_order,
        feature,
        cast(insiders_median as double) as insiders_median,
        cast(rest_median as double) as rest_median,
        -- the uplift is undefined when the rest's median is zero (e.g. returned_items)
        cast(insiders_median as double) / nullif(rest_median, 0) - 1 as median_uplift,
        cast(insiders_mean as double) as insiders_mean,
        cast(rest_mean as double) as rest_mean,
        cast(insiders_mean as double) / nullif(rest_mean, 0) - 1 as mean_uplift
    from compared
)

select * from final
