with

customers as (
    select * from {{ ref('customers') }}
),

totals as (
    select
        count(*) as all_customers,
        sum(gross_revenue) as all_revenue
    from customers
),

per_segment as (
    select
        cluster_id,
        segment,
        bool_and(cluster_id = 1) as is_insider_segment,
        count(*) as customers,
        sum(gross_revenue) as gross_revenue,
        avg(gross_revenue) as mean_gross_revenue,
        median(gross_revenue) as median_gross_revenue,
        avg(recency_days) as mean_recency_days,
        median(recency_days) as median_recency_days,
        avg(frequency) as mean_frequency,
        median(frequency) as median_frequency,
        avg(invoice_count) as mean_invoice_count,
        median(invoice_count) as median_invoice_count,
        avg(line_count) as mean_line_count,
        median(line_count) as median_line_count,
        avg(returned_items) as mean_returned_items,
        median(returned_items) as median_returned_items,
        avg(avg_order_value) as mean_avg_order_value,
        median(avg_order_value) as median_avg_order_value,
        median(return_rate) as median_return_rate
    from customers
    group by cluster_id, segment
),

final as (
    select
        cast(per_segment.cluster_id as bigint) as cluster_id,
        cast(per_segment.segment as {{ dbt.type_string() }}) as segment,
        per_segment.is_insider_segment,
        cast(per_segment.customers as bigint) as customers,
        cast(per_segment.customers as double) / totals.all_customers as customer_share,
        cast(per_segment.gross_revenue as double) as gross_revenue,
        cast(per_segment.gross_revenue / totals.all_revenue as double) as revenue_share,
        cast(per_segment.mean_gross_revenue as double) as mean_gross_revenue,
        cast(per_segment.median_gross_revenue as double) as median_gross_revenue,
        cast(per_segment.mean_recency_days as double) as mean_recency_days,
        cast(per_segment.median_recency_days as double) as median_recency_days,
        cast(per_segment.mean_frequency as double) as mean_frequency,
        cast(per_segment.median_frequency as double) as median_frequency,
        cast(per_segment.mean_invoice_count as double) as mean_invoice_count,
        cast(per_segment.median_invoice_count as double) as median_invoice_count,
        cast(per_segment.mean_line_count as double) as mean_line_count,
        cast(per_segment.median_line_count as double) as median_line_count,
        cast(per_segment.mean_returned_items as double) as mean_returned_items,
        cast(per_segment.median_returned_items as double) as median_returned_items,
        cast(per_segment.mean_avg_order_value as double) as mean_avg_order_value,
        cast(per_segment.median_avg_order_value as double) as median_avg_order_value,
        -- the segment in one sentence, for a marketer: size, weight, and its median customer
        cast(
            cast(per_segment.customers as {{ dbt.type_string() }}) || ' customers ('
            || {{ fixed_number('100 * per_segment.customers / totals.all_customers') }}
            || '% of customers, '
            || {{ fixed_number('100 * per_segment.gross_revenue / totals.all_revenue') }}
            || '% of revenue). The typical one bought '
            || {{ fixed_number('per_segment.median_invoice_count') }} || ' time(s) for £'
            || {{ grouped_number('per_segment.median_gross_revenue') }} || ' in all, last '
            || {{ fixed_number('per_segment.median_recency_days') }} || ' days ago, and sent back '
            || {{ fixed_number('100 * coalesce(per_segment.median_return_rate, 0)') }}
            || '% of the items.'
            as {{ dbt.type_string() }}
        ) as description
    from per_segment
    cross join totals
)

select * from final
