with

summary as (
    select * from {{ ref('rpt_insiders_summary') }}
),

vs_rest as (
    select * from {{ ref('rpt_insiders_vs_rest') }}
),

forecast as (
    select * from {{ ref('rpt_insiders_revenue_forecast') }}
),

criteria as (
    select * from {{ ref('rpt_insiders_membership_criteria') }}
),

uplift as (
    select
        max(median_uplift) filter (where feature = 'gross_revenue') as revenue_uplift,
        max(insiders_median) filter (where feature = 'gross_revenue') as insiders_revenue,
        max(rest_median) filter (where feature = 'gross_revenue') as rest_revenue,
        max(insiders_median) filter (where feature = 'frequency') as insiders_frequency,
        max(rest_median) filter (where feature = 'frequency') as rest_frequency,
        max(insiders_median) filter (where feature = 'invoice_count') as insiders_invoices,
        max(rest_median) filter (where feature = 'invoice_count') as rest_invoices,
        max(insiders_median) filter (where feature = 'recency_days') as insiders_recency,
        max(rest_median) filter (where feature = 'recency_days') as rest_recency,
        max(insiders_mean) filter (where feature = 'returned_items') as insiders_returns,
        max(rest_mean) filter (where feature = 'returned_items') as rest_returns
    from vs_rest
),

join_rules as (
    select
        max(threshold) filter (where rule_order = 1) as min_revenue,
        max(threshold) filter (where rule_order = 2) as min_invoices,
        max(threshold) filter (where rule_order = 3) as max_recency,
        max(customers_meeting) filter (where rule_order = 4) as candidates,
        max(threshold) filter (where rule_order = 7) as min_p_alive,
        max(customers_meeting) filter (where rule_order = 8) as at_risk
    from criteria
),

control_summary as (
    select
        max(customers) filter (where programme_group = 'control') as control_customers,
        max(customers) filter (where programme_group = 'programme') as programme_customers,
        max(minimum_detectable_uplift) as minimum_detectable_uplift,
        max(control_seed) as control_seed
    from {{ ref('rpt_insiders_control_group') }}
),

action_list as (
    select string_agg(segment || ': ' || recommended_action, ' | ' order by cluster_id) as actions
    from {{ ref('rpt_segment_actions') }}
),

answers as (
    select
        1 as question_number,
        'Who is eligible for the Insiders programme?' as question,
        'Every customer the clustering puts in the top segment (cluster 1, the highest mean '
        || 'revenue) who bought in the last {{ var("insiders_max_recency_days") }} days: '
        || format('{:,}', summary.insider_count) || ' customers, listed in '
        || 'the insiders model by revenue rank; the smallest member revenue is £'
        || format('{:,.0f}', summary.insider_min_revenue) || '.' as answer,
        cast(summary.insider_count as double) as figure,
        'customers' as figure_unit,
        'insiders' as source_model
    from summary
    union all
    select
        2 as question_number,
        'How many customers will be part of the group?' as question,
        format('{:,}', summary.insider_count) || ' of ' || format('{:,}', summary.customer_count)
        || ' customers (' || format('{:.1f}', 100 * summary.insider_share) || '%).' as answer,
        summary.insider_share as figure,
        'share of customers' as figure_unit,
        'rpt_insiders_summary' as source_model
    from summary
    union all
    select
        3 as question_number,
        'What are the main characteristics of these customers?' as question,
        'Median revenue £' || format('{:,.0f}', uplift.insiders_revenue) || ' against £'
        || format('{:,.0f}', uplift.rest_revenue) || ' for the rest ('
        || format('{:+.0f}', 100 * uplift.revenue_uplift) || '%); median '
        || format('{:g}', uplift.insiders_invoices) || ' invoices against '
        || format('{:g}', uplift.rest_invoices) || ' (the study''s frequency, invoices per day '
        || 'of buying span: ' || format('{:.3f}', uplift.insiders_frequency) || ' against '
        || format('{:.3f}', uplift.rest_frequency) || ', a one-off buyer scoring 1); '
        || 'last purchase '
        || format('{:g}', uplift.insiders_recency) || ' days ago against '
        || format('{:g}', uplift.rest_recency) || '; on average '
        || format('{:.1f}', uplift.insiders_returns) || ' items returned against '
        || format('{:.1f}', uplift.rest_returns) || '.' as answer,
        uplift.revenue_uplift as figure,
        'median revenue uplift' as figure_unit,
        'rpt_insiders_vs_rest' as source_model
    from uplift
    union all
    select
        4 as question_number,
        'What share of revenue do the Insiders bring?' as question,
        format('{:.1f}', 100 * summary.insider_revenue_share) || '% of the revenue from '
        || 'identified customers (£' || format('{:,.0f}', summary.insider_revenue) || ' of £'
        || format('{:,.0f}', summary.customer_revenue) || '); '
        || format('{:.1f}', 100 * summary.insider_share_of_all_revenue)
        || '% of all revenue, guest purchases included.' as answer,
        summary.insider_revenue_share as figure,
        'share of customer revenue' as figure_unit,
        'rpt_insiders_summary' as source_model
    from summary
    union all
    select
        5 as question_number,
        'What revenue can we expect from the Insiders next period?' as question,
        '£' || format('{:,.0f}', forecast.forecast_revenue) || ' (95% interval £'
        || format('{:,.0f}', forecast.forecast_revenue_low) || ' to £'
        || format('{:,.0f}', forecast.forecast_revenue_high) || ') from '
        || strftime(forecast.forecast_start_date, '%Y-%m-%d') || ' to '
        || strftime(forecast.forecast_end_date, '%Y-%m-%d') || ', the sum of the '
        || format('{:,}', forecast.insiders) || ' members'' expected revenue ('
        || forecast.forecast_method || '; the run rate would say £'
        || format('{:,.0f}', forecast.run_rate_forecast_revenue) || '). '
        || coalesce(
            'Back-tested over all customers on the held-back period '
            || strftime(forecast.backtest_start_date, '%Y-%m-%d') || ' to '
            || strftime(forecast.backtest_end_date, '%Y-%m-%d') || ': predicted £'
            || format('{:,.0f}', forecast.backtest_predicted_revenue) || ', actual £'
            || format('{:,.0f}', forecast.backtest_actual_revenue) || ' (error '
            || format('{:+.1f}', 100 * forecast.backtest_error) || '%, Spearman '
            || format('{:.2f}', forecast.backtest_spearman) || '); run rate '
            || format('{:+.1f}', 100 * forecast.run_rate_backtest_error) || '% (Spearman '
            || format('{:.2f}', forecast.run_rate_backtest_spearman) || '), average daily rate '
            || format('{:+.1f}', 100 * forecast.average_daily_backtest_error) || '% (Spearman '
            || format('{:.2f}', forecast.average_daily_backtest_spearman) || ').',
            'No back-test yet: the data is shorter than two periods of '
            || forecast.period_days || ' days.'
        ) as answer,
        forecast.forecast_revenue as figure,
        'GBP' as figure_unit,
        'rpt_insiders_revenue_forecast' as source_model
    from forecast
    union all
    select
        6 as question_number,
        'What are the criteria to join the Insiders?' as question,
        'Being placed in the top segment by the monthly run, having bought in the last '
        || '{{ var("insiders_max_recency_days") }} days; in plain terms, revenue of at '
        || 'least £' || format('{:,.0f}', join_rules.min_revenue) || ', at least '
        || format('{:g}', join_rules.min_invoices) || ' invoices and a purchase in the last '
        || format('{:.0f}', join_rules.max_recency) || ' days (what nine members in ten '
        || 'meet). Customers outside the programme meeting all three today: '
        || format('{:,}', join_rules.candidates) || '.' as answer,
        cast(join_rules.candidates as double) as figure,
        'candidates' as figure_unit,
        'rpt_insiders_membership_criteria' as source_model
    from join_rules
    union all
    select
        7 as question_number,
        'What are the criteria to leave the Insiders?' as question,
        'No purchase for more than {{ var("insiders_max_recency_days") }} days (out at the next '
        || 'monthly run), or more than {{ var("insiders_grace_runs") }} monthly run(s) in a row '
        || 'outside the top segment; the early warnings are no purchase for more '
        || 'than ' || format('{:.0f}', join_rules.max_recency) || ' days, revenue below £'
        || format('{:,.0f}', join_rules.min_revenue) || ' or a chance below '
        || format('{:.0f}', 100 * join_rules.min_p_alive) || '% that the member still buys '
        || '(p_alive, customer_value). Members showing a warning today (listed in '
        || 'rpt_insiders_members_at_risk): '
        || format('{:,}', join_rules.at_risk) || '.' as answer,
        cast(join_rules.at_risk as double) as figure,
        'members at risk' as figure_unit,
        'rpt_insiders_membership_criteria' as source_model
    from join_rules
    union all
    select
        8 as question_number,
        'How do we tell that the programme works?' as question,
        'Hold out a control group of eligible customers drawn by md5(customer_id, seed '
        || control_summary.control_seed
        || '): '
        || format('{:,}', coalesce(control_summary.control_customers, 0))
        || ' control against ' || format('{:,}', coalesce(control_summary.programme_customers, 0))
        || ' members. Compare revenue per customer over the next period; '
        || coalesce(
            'with these numbers an uplift of '
            || format('{:.0f}', 100 * control_summary.minimum_detectable_uplift)
            || '% or more is detectable (5% test, 80% power).',
            'the groups are still too small for any uplift to be detectable.'
        ) as answer,
        control_summary.minimum_detectable_uplift as figure,
        'minimum detectable uplift' as figure_unit,
        'rpt_insiders_control_group' as source_model
    from control_summary
    union all
    select
        9 as question_number,
        'Which actions fit each segment?' as question,
        action_list.actions as answer,
        cast(summary.segment_count as double) as figure,
        'segments' as figure_unit,
        'rpt_segment_actions' as source_model
    from action_list
    cross join summary
),

final as (
    select
        cast(question_number as integer) as question_number,
        cast(question as varchar) as question,
        cast(answer as varchar) as answer,
        cast(figure as double) as figure,
        cast(figure_unit as varchar) as figure_unit,
        cast(source_model as varchar) as source_model
    from answers
)

select * from final
