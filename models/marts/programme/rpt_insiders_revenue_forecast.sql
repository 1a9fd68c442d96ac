{#- Question 5: the Insiders' expected revenue next period, from the customer-value model (BG/NBD
    + Gamma-Gamma): the sum of the members' expected revenue over forecast_period_days, with a
    95% interval from the sum of their variances. Beside it, the model's back-test over all
    customers (customer_value_backtest) and the two simple rules it must beat. -#}
{%- set period_days = var('forecast_period_days') %}

with

customers as (
    select * from {{ ref('customers') }}
),

customer_value as (
    select * from {{ ref('customer_value') }}
),

backtest as (
    select * from {{ ref('customer_value_backtest') }}
),

lines_as_of as (
    select * from {{ ref('int_invoice_lines_as_of') }}
),

reference as (
    select max(reference_date) as reference_date from lines_as_of
),

members as (
    select customer_value.*
    from customer_value
    inner join customers
        on customer_value.customer_id = customers.customer_id
    where customers.is_insider
),

forecast as (
    select
        count(*) as insiders,
        coalesce(sum(expected_revenue_next_period), 0) as forecast_revenue,
        coalesce(sum(revenue_next_period_variance), 0) as forecast_variance
    from members
),

-- the run rate for the members, as question 5 was answered before the model
member_last_period as (
    select coalesce(sum(lines_as_of.line_revenue), 0) as last_period_revenue
    from lines_as_of
    inner join customers
        on lines_as_of.customer_id = customers.customer_id
    where
        customers.is_insider
        and lines_as_of.is_purchase
        and lines_as_of.invoiced_on > lines_as_of.reference_date - {{ period_days }}
),

scores as (
    select
        max(period_start_date) as backtest_start_date,
        max(period_end_date) as backtest_end_date,
        max(customers) as backtest_customers,
        max(predicted_revenue) filter (
            where forecast_method = 'bg_nbd_gamma_gamma'
        ) as backtest_predicted_revenue,
        max(predicted_revenue_low) filter (
            where forecast_method = 'bg_nbd_gamma_gamma'
        ) as backtest_predicted_revenue_low,
        max(predicted_revenue_high) filter (
            where forecast_method = 'bg_nbd_gamma_gamma'
        ) as backtest_predicted_revenue_high,
        max(actual_revenue) as backtest_actual_revenue,
        max(revenue_error) filter (
            where forecast_method = 'bg_nbd_gamma_gamma'
        ) as backtest_error,
        max(spearman) filter (
            where forecast_method = 'bg_nbd_gamma_gamma'
        ) as backtest_spearman,
        max(top_decile_revenue_share) filter (
            where forecast_method = 'bg_nbd_gamma_gamma'
        ) as backtest_top_decile_revenue_share,
        max(revenue_error) filter (where forecast_method = 'run_rate') as run_rate_backtest_error,
        max(spearman) filter (where forecast_method = 'run_rate') as run_rate_backtest_spearman,
        max(revenue_error) filter (
            where forecast_method = 'average_daily_revenue'
        ) as average_daily_backtest_error,
        max(spearman) filter (
            where forecast_method = 'average_daily_revenue'
        ) as average_daily_backtest_spearman
    from backtest
),

final as (
    select
        cast('BG/NBD + Gamma-Gamma (customer_value)' as {{ dbt.type_string() }}) as forecast_method,
        cast({{ period_days }} as integer) as period_days,
        cast(reference.reference_date + 1 as date) as forecast_start_date,
        cast(reference.reference_date + {{ period_days }} as date) as forecast_end_date,
        cast(forecast.insiders as bigint) as insiders,
        cast(forecast.forecast_revenue as double) as forecast_revenue,
        cast(
            greatest(forecast.forecast_revenue - 1.96 * sqrt(forecast.forecast_variance), 0)
            as double
        ) as forecast_revenue_low,
        cast(
            forecast.forecast_revenue + 1.96 * sqrt(forecast.forecast_variance) as double
        ) as forecast_revenue_high,
        cast(member_last_period.last_period_revenue as double) as run_rate_forecast_revenue,
        cast(scores.backtest_start_date as date) as backtest_start_date,
        cast(scores.backtest_end_date as date) as backtest_end_date,
        cast(scores.backtest_customers as bigint) as backtest_customers,
        cast(scores.backtest_predicted_revenue as double) as backtest_predicted_revenue,
        cast(scores.backtest_predicted_revenue_low as double) as backtest_predicted_revenue_low,
        cast(scores.backtest_predicted_revenue_high as double) as backtest_predicted_revenue_high,
        cast(scores.backtest_actual_revenue as double) as backtest_actual_revenue,
        cast(scores.backtest_error as double) as backtest_error,
        cast(scores.backtest_spearman as double) as backtest_spearman,
        cast(scores.backtest_top_decile_revenue_share as double)
            as backtest_top_decile_revenue_share,
        cast(scores.run_rate_backtest_error as double) as run_rate_backtest_error,
        cast(scores.run_rate_backtest_spearman as double) as run_rate_backtest_spearman,
        cast(scores.average_daily_backtest_error as double) as average_daily_backtest_error,
        cast(scores.average_daily_backtest_spearman as double) as average_daily_backtest_spearman
    from reference
    cross join forecast
    cross join member_last_period
    cross join scores
)

select * from final
