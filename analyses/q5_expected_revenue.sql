-- Question 5: what revenue can we expect from the Insiders next period?
-- Method: the customer-value model (BG/NBD + Gamma-Gamma, model customer_value): the sum of the
-- members' expected revenue over the next forecast_period_days (var, default 90), with a 95%
-- interval. Its back-test over all customers sits beside the run rate's and the average daily
-- rate's (model customer_value_backtest has one row per method).
select
    forecast_method,
    period_days,
    forecast_start_date,
    forecast_end_date,
    forecast_revenue,
    forecast_revenue_low,
    forecast_revenue_high,
    run_rate_forecast_revenue,
    round(100 * backtest_error, 1) as backtest_error_pct,
    round(backtest_spearman, 2) as backtest_spearman,
    round(100 * run_rate_backtest_error, 1) as run_rate_backtest_error_pct,
    round(run_rate_backtest_spearman, 2) as run_rate_backtest_spearman,
    round(100 * average_daily_backtest_error, 1) as average_daily_backtest_error_pct,
    round(average_daily_backtest_spearman, 2) as average_daily_backtest_spearman
from {{ ref('rpt_insiders_revenue_forecast') }}
