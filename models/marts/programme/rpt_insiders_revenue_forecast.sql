{#- Run rate: the Insiders' next period of forecast_period_days brings what their last period of
    the same length brought. Backtest: the same rule one period earlier, against the actual
    revenue of the period held back. -#}
{%- set period_days = var('forecast_period_days') %}

with

customers as (
    select * from {{ ref('customers') }}
),

lines_as_of as (
    select * from {{ ref('int_invoice_lines_as_of') }}
),

reference as (
    select max(reference_date) as reference_date from lines_as_of
),

windows as (
    select
        reference_date,
        reference_date - {{ period_days }} as backtest_cutoff_date,
        reference_date - 2 * {{ period_days }} as backtest_fit_start_date
    from reference
),

insider_purchases as (
    select
        lines_as_of.invoiced_on,
        cast(lines_as_of.line_revenue as double) as line_revenue
    from lines_as_of
    inner join customers
        on lines_as_of.customer_id = customers.customer_id
    where customers.is_insider and lines_as_of.is_purchase
),

period_revenue as (
    select
        coalesce(sum(insider_purchases.line_revenue) filter (
            where
            insider_purchases.invoiced_on > windows.backtest_fit_start_date
            and insider_purchases.invoiced_on <= windows.backtest_cutoff_date
        ), 0) as backtest_predicted_revenue,
        coalesce(sum(insider_purchases.line_revenue) filter (
            where
            insider_purchases.invoiced_on > windows.backtest_cutoff_date
            and insider_purchases.invoiced_on <= windows.reference_date
        ), 0) as last_period_revenue
    from windows
    left join insider_purchases
        on true
),

final as (
    select
        'run rate: next period = the last period of the same length' as forecast_method,
        {{ period_days }} as period_days,
        windows.backtest_fit_start_date + 1 as backtest_fit_start_date,
        windows.backtest_cutoff_date,
        windows.reference_date as backtest_actual_end_date,
        period_revenue.backtest_predicted_revenue,
        period_revenue.last_period_revenue as backtest_actual_revenue,
        period_revenue.backtest_predicted_revenue
        / nullif(period_revenue.last_period_revenue, 0) - 1 as backtest_error,
        windows.reference_date + 1 as forecast_start_date,
        windows.reference_date + {{ period_days }} as forecast_end_date,
        period_revenue.last_period_revenue as forecast_revenue
    from windows
    cross join period_revenue
)

select * from final
