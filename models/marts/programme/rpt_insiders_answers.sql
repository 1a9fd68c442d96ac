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
    select
        {{ ordered_string_agg("segment || ': ' || recommended_action", "' | '", 'cluster_id') }}
            as actions
    from {{ ref('rpt_segment_actions') }}
),

answers as (
    select
        1 as question_number,
        'Who is eligible for the Insiders programme?' as question,
        'Every customer the clustering puts in the top segment (cluster 1, the highest mean '
        || 'revenue) who bought in the last {{ var("insiders_max_recency_days") }} days: '
        || {{ grouped_number('summary.insider_count') }} || ' customers, listed in '
        || 'the insiders model by revenue rank; the smallest member revenue is £'
        || {{ grouped_number('summary.insider_min_revenue') }} || '.' as answer,
        cast(summary.insider_count as double) as figure,
        'customers' as figure_unit,
        'insiders' as source_model
    from summary
    union all
    select
        2 as question_number,
        'How many customers will be part of the group?' as question,
        {{ grouped_number('summary.insider_count') }} || ' of '
        || {{ grouped_number('summary.customer_count') }} || ' customers ('
        || {{ fixed_number('100 * summary.insider_share', 1) }} || '%).' as answer,
        summary.insider_share as figure,
        'share of customers' as figure_unit,
        'rpt_insiders_summary' as source_model
    from summary
    union all
    select
        3 as question_number,
        'What are the main characteristics of these customers?' as question,
        'Median revenue £' || {{ grouped_number('uplift.insiders_revenue') }} || ' against £'
        || {{ grouped_number('uplift.rest_revenue') }} || ' for the rest ('
        || {{ fixed_number('100 * uplift.revenue_uplift', signed=true) }} || '%); median '
        || {{ short_number('uplift.insiders_invoices') }} || ' invoices against '
        || {{ short_number('uplift.rest_invoices') }}
        || ' (the study''s frequency, invoices per day of buying span: '
        || {{ fixed_number('uplift.insiders_frequency', 3) }} || ' against '
        || {{ fixed_number('uplift.rest_frequency', 3) }} || ', a one-off buyer scoring 1); '
        || 'last purchase '
        || {{ short_number('uplift.insiders_recency') }} || ' days ago against '
        || {{ short_number('uplift.rest_recency') }} || '; on average '
        || {{ fixed_number('uplift.insiders_returns', 1) }} || ' items returned against '
        || {{ fixed_number('uplift.rest_returns', 1) }} || '.' as answer,
        uplift.revenue_uplift as figure,
        'median revenue uplift' as figure_unit,
        'rpt_insiders_vs_rest' as source_model
    from uplift
    union all
    select
        4 as question_number,
        'What share of revenue do the Insiders bring?' as question,
        {{ fixed_number('100 * summary.insider_revenue_share', 1) }} || '% of the revenue from '
        || 'identified customers (£' || {{ grouped_number('summary.insider_revenue') }} || ' of £'
        || {{ grouped_number('summary.customer_revenue') }} || '); '
        || {{ fixed_number('100 * summary.insider_share_of_all_revenue', 1) }}
        || '% of all revenue, guest purchases included.' as answer,
        summary.insider_revenue_share as figure,
        'share of customer revenue' as figure_unit,
        'rpt_insiders_summary' as source_model
    from summary
    union all
    select
        5 as question_number,
        'What revenue can we expect from the Insiders next period?' as question,
        '£' || {{ grouped_number('forecast.forecast_revenue') }} || ' (95% interval £'
        || {{ grouped_number('forecast.forecast_revenue_low') }} || ' to £'
        || {{ grouped_number('forecast.forecast_revenue_high') }} || ') from '
        || cast(forecast.forecast_start_date as {{ dbt.type_string() }}) || ' to '
        || cast(forecast.forecast_end_date as {{ dbt.type_string() }}) || ', the sum of the '
        || {{ grouped_number('forecast.insiders') }} || ' members'' expected revenue ('
        || forecast.forecast_method || '; the run rate would say £'
        || {{ grouped_number('forecast.run_rate_forecast_revenue') }} || '). '
        || coalesce(
            'Back-tested over all customers on the held-back period '
            || cast(forecast.backtest_start_date as {{ dbt.type_string() }}) || ' to '
            || cast(forecast.backtest_end_date as {{ dbt.type_string() }}) || ': predicted £'
            || {{ grouped_number('forecast.backtest_predicted_revenue') }} || ', actual £'
            || {{ grouped_number('forecast.backtest_actual_revenue') }} || ' (error '
            || {{ fixed_number('100 * forecast.backtest_error', 1, signed=true) }} || '%, Spearman '
            || {{ fixed_number('forecast.backtest_spearman', 2) }} || '); run rate '
            || {{ fixed_number('100 * forecast.run_rate_backtest_error', 1, signed=true) }}
            || '% (Spearman '
            || {{ fixed_number('forecast.run_rate_backtest_spearman', 2) }}
            || '), average daily rate '
            || {{ fixed_number('100 * forecast.average_daily_backtest_error', 1, signed=true) }}
            || '% (Spearman '
            || {{ fixed_number('forecast.average_daily_backtest_spearman', 2) }} || ').',
            'No back-test yet: the data is shorter than two periods of '
            || cast(forecast.period_days as {{ dbt.type_string() }}) || ' days.'
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
        || 'least £' || {{ grouped_number('join_rules.min_revenue') }} || ', at least '
        || {{ short_number('join_rules.min_invoices') }} || ' invoices and a purchase in the last '
        || {{ fixed_number('join_rules.max_recency') }} || ' days (what nine members in ten '
        || 'meet). Customers outside the programme meeting all three today: '
        || {{ grouped_number('join_rules.candidates') }} || '.' as answer,
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
        || 'than ' || {{ fixed_number('join_rules.max_recency') }} || ' days, revenue below £'
        || {{ grouped_number('join_rules.min_revenue') }} || ' or a chance below '
        || {{ fixed_number('100 * join_rules.min_p_alive') }} || '% that the member still buys '
        || '(p_alive, customer_value). Members showing a warning today (listed in '
        || 'rpt_insiders_members_at_risk): '
        || {{ grouped_number('join_rules.at_risk') }} || '.' as answer,
        cast(join_rules.at_risk as double) as figure,
        'members at risk' as figure_unit,
        'rpt_insiders_membership_criteria' as source_model
    from join_rules
    union all
    select
        8 as question_number,
        'How do we tell that the programme works?' as question,
        'Hold out a control group of eligible customers drawn by md5(customer_id, seed '
        || cast(control_summary.control_seed as {{ dbt.type_string() }})
        || '): '
        || {{ grouped_number('coalesce(control_summary.control_customers, 0)') }}
        || ' control against '
        || {{ grouped_number('coalesce(control_summary.programme_customers, 0)') }}
        || ' members. Compare revenue per customer over the next period; '
        || coalesce(
            'with these numbers an uplift of '
            || {{ fixed_number('100 * control_summary.minimum_detectable_uplift') }}
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
        cast(question as {{ dbt.type_string() }}) as question,
        cast(answer as {{ dbt.type_string() }}) as answer,
        cast(figure as double) as figure,
        cast(figure_unit as {{ dbt.type_string() }}) as figure_unit,
        cast(source_model as {{ dbt.type_string() }}) as source_model
    from answers
)

select * from final
