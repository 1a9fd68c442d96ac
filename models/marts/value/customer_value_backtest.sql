{#- The customer-value model scored against what happened: fitted at the reference date minus
    forecast_period_days, it predicts each customer's revenue over the period held back, and so
    do two simple rules (each customer's average daily revenue so far, and the last period's
    revenue again). Same customers for all three: those who had bought by the cutoff. -#}
{%- set period_days = var('forecast_period_days') %}

with

windows as (
    select * from {{ ref('int_customer_value_windows') }}
    where calibration = 'backtest'
),

predictions as (
    select * from {{ ref('customer_value_predictions') }}
    where calibration = 'backtest'
),

scored as (
    select
        'bg_nbd_gamma_gamma' as forecast_method,
        1 as method_order,
        windows.customer_id,
        windows.cutoff_date,
        predictions.expected_revenue_next_period as predicted_revenue,
        predictions.revenue_next_period_variance as predicted_variance,
        windows.revenue_next_period as actual_revenue
    from windows
    inner join predictions
        on windows.customer_id = predictions.customer_id
    union all
    select
        'average_daily_revenue' as forecast_method,
        2 as method_order,
        customer_id,
        cutoff_date,
        revenue_to_date / ({{ adapter.quote('T') }} + 1) * {{ period_days }}
            as predicted_revenue,
        null as predicted_variance,
        revenue_next_period as actual_revenue
    from windows
    union all
    select
        'run_rate' as forecast_method,
        3 as method_order,
        customer_id,
        cutoff_date,
        revenue_last_period as predicted_revenue,
        null as predicted_variance,
        revenue_next_period as actual_revenue
    from windows
),

-- Spearman's rho is Pearson's correlation of the ranks, tied values sharing their mean rank.
ranked as (
    select
        *,
        rank() over (partition by forecast_method order by predicted_revenue)
        + (count(*) over (partition by forecast_method, predicted_revenue) - 1) / 2.0
            as predicted_rank,
        rank() over (partition by forecast_method order by actual_revenue)
        + (count(*) over (partition by forecast_method, actual_revenue) - 1) / 2.0
            as actual_rank,
        row_number() over (
            partition by forecast_method order by predicted_revenue desc, customer_id asc
        ) as predicted_order,
        count(*) over (partition by forecast_method) as customer_count
    from scored
),

summarised as (
    select
        forecast_method,
        method_order,
        min(cutoff_date) as cutoff_date,
        count(*) as customers,
        sum(predicted_revenue) as predicted_revenue,
        sum(actual_revenue) as actual_revenue,
        sum(predicted_variance) as predicted_variance,
        corr(predicted_rank, actual_rank) as spearman,
        sum(actual_revenue) filter (
            where predicted_order <= ceil(0.1 * customer_count)
        ) / nullif(sum(actual_revenue), 0) as top_decile_revenue_share
    from ranked
    group by forecast_method, method_order
),

final as (
    select
        cast(forecast_method as {{ dbt.type_string() }}) as forecast_method,
        cast(method_order as integer) as method_order,
        cast(cutoff_date + 1 as date) as period_start_date,
        cast(cutoff_date + {{ period_days }} as date) as period_end_date,
        cast({{ period_days }} as integer) as period_days,
        cast(customers as bigint) as customers,
        cast(predicted_revenue as double) as predicted_revenue,
        cast(predicted_revenue - 1.96 * sqrt(predicted_variance) as double)
            as predicted_revenue_low,
        cast(predicted_revenue + 1.96 * sqrt(predicted_variance) as double)
            as predicted_revenue_high,
        cast(actual_revenue as double) as actual_revenue,
        cast(predicted_revenue / nullif(actual_revenue, 0) - 1 as double) as revenue_error,
        cast(spearman as double) as spearman,
        cast(top_decile_revenue_share as double) as top_decile_revenue_share
    from summarised
)

select * from final
