{#- One row per customer: the model's inputs at the reference date and its predictions, with a
    value tier by percentile of the expected revenue over the next 365 days. -#}
{%- set period_days = var('forecast_period_days') %}

with

windows as (
    select * from {{ ref('int_customer_value_windows') }}
    where calibration = 'forecast'
),

predictions as (
    select * from {{ ref('customer_value_predictions') }}
    where calibration = 'forecast'
),

joined as (
    select
        windows.customer_id,
        windows.cutoff_date,
        windows.frequency,
        windows.recency,
        windows.{{ adapter.quote('T') }},  -- noqa: RF06
        windows.monetary_value,
        predictions.p_alive,
        predictions.expected_purchases_next_period,
        predictions.expected_spend_per_purchase,
        predictions.expected_revenue_next_period,
        predictions.revenue_next_period_variance,
        predictions.expected_revenue_365d
    from windows
    inner join predictions
        on windows.customer_id = predictions.customer_id
),

ranked as (
    select
        *,
        row_number() over (
            order by expected_revenue_365d desc, customer_id asc
        ) as value_rank,
        count(*) over () as customer_count
    from joined
),

final as (
    select
        cast(customer_id as bigint) as customer_id,
        cast(cutoff_date as date) as as_of_date,
        cast(frequency as integer) as frequency,
        cast(recency as integer) as recency,
        cast({{ adapter.quote('T') }} as integer) as {{ adapter.quote('T') }},  -- noqa: RF06
        cast(monetary_value as double) as monetary_value,
        cast(p_alive as double) as p_alive,
        cast({{ period_days }} as integer) as forecast_period_days,
        cast(expected_purchases_next_period as double) as expected_purchases_next_period,
        cast(expected_spend_per_purchase as double) as expected_spend_per_purchase,
        cast(expected_revenue_next_period as double) as expected_revenue_next_period,
        cast(revenue_next_period_variance as double) as revenue_next_period_variance,
        cast(expected_revenue_365d as double) as expected_revenue_365d,
        cast(value_rank as bigint) as value_rank,
        cast(
            case
                when value_rank <= 0.01 * customer_count then 'top 1%'
                when value_rank <= 0.05 * customer_count then 'top 5%'
                when value_rank <= 0.10 * customer_count then 'top 10%'
                when value_rank <= 0.25 * customer_count then 'top 25%'
                when value_rank <= 0.50 * customer_count then 'top 50%'
                else 'rest'
            end as {{ dbt.type_string() }}
        ) as value_tier
    from ranked
)

select * from final
