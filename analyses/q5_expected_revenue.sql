-- Question 5: what revenue can we expect from the Insiders next period?
-- Method (run rate): the next period of forecast_period_days (var, default 90) brings what the
-- last period of the same length brought. Checked by applying the same rule one period earlier
-- and comparing with the revenue actually booked in the period held back.
select
    forecast_method,
    period_days,
    forecast_start_date,
    forecast_end_date,
    forecast_revenue,
    backtest_cutoff_date,
    backtest_predicted_revenue,
    backtest_actual_revenue,
    round(100 * backtest_error, 1) as backtest_error_pct
from {{ ref('rpt_insiders_revenue_forecast') }}
