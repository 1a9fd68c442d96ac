with

lines_as_of as (
    select * from {{ ref('int_invoice_lines_as_of') }}
),

lines_in_window as (
    select * from lines_as_of
    where customer_id is not null
),

purchases as (
    select * from lines_in_window
    where is_purchase
),

returns as (
    select * from lines_in_window
    where quantity < 0
),

purchase_totals as (
    select
        customer_id,
        sum(line_revenue) as gross_revenue,
        count(distinct invoice_id) as invoice_count,
        sum(quantity) as items_count,
        count(*) as line_count,
        count(distinct stock_code) as distinct_products,
        -- the exact sum, then one division in double: the same bits on every engine
        cast(sum(line_revenue) as double) / count(*) as avg_ticket,
        count(distinct invoiced_on) as purchase_day_count,
        min(invoiced_on) as first_purchase_date,
        max(invoiced_on) as last_purchase_date,
        any_value(reference_date) as reference_date
    from purchases
    group by customer_id
),

return_totals as (
    select
        customer_id,
        -sum(quantity) as returned_items
    from returns
    group by customer_id
),

country_ranked as (
    select
        customer_id,
        country,
        row_number() over (
            partition by customer_id
            order by count(*) desc, country asc
        ) as country_rank
    from purchases
    group by customer_id, country
),

final as (
    select
        purchase_totals.customer_id,
        country_ranked.country,
        cast(purchase_totals.gross_revenue as double) as gross_revenue,
        cast(
            {{ days_between(
                'purchase_totals.last_purchase_date', 'purchase_totals.reference_date'
            ) }} as integer
        ) as recency_days,
        purchase_totals.invoice_count,
        cast(purchase_totals.items_count as bigint) as items_count,
        purchase_totals.line_count,
        purchase_totals.distinct_products,
        cast(purchase_totals.avg_ticket as double) as avg_ticket,
        cast(purchase_totals.gross_revenue as double) / purchase_totals.invoice_count
            as avg_order_value,
        -- the mean gap between consecutive distinct purchase days is the span over the gaps
        case
            when purchase_totals.purchase_day_count > 1
                then cast(
                    {{ days_between(
                        'purchase_totals.first_purchase_date', 'purchase_totals.last_purchase_date'
                    ) }} as double
                ) / (purchase_totals.purchase_day_count - 1)
        end as avg_days_between_purchases,
        purchase_totals.invoice_count / cast(
            {{ days_between(
                'purchase_totals.first_purchase_date', 'purchase_totals.last_purchase_date'
            ) }} + 1 as double
        ) as frequency,
        cast(coalesce(return_totals.returned_items, 0) as bigint) as returned_items,
        -- the share of the items bought that came back: returns as a habit, not as a volume
        coalesce(return_totals.returned_items, 0) / cast(
            purchase_totals.items_count + coalesce(return_totals.returned_items, 0) as double
        ) as return_rate,
        cast(purchase_totals.items_count as double) / purchase_totals.invoice_count
            as avg_basket_size,
        -- revenue is invoices x lines per invoice x items per line x price: the two middle
        -- terms tell a big basket (many products) from a bulk one (many of each)
        cast(purchase_totals.line_count as double) / purchase_totals.invoice_count
            as avg_lines_per_invoice,
        cast(purchase_totals.items_count as double) / purchase_totals.line_count
            as avg_items_per_line,
        cast(purchase_totals.distinct_products as double) / purchase_totals.invoice_count
            as avg_unique_basket_size,
        purchase_totals.first_purchase_date,
        purchase_totals.last_purchase_date
    from purchase_totals
    inner join country_ranked
        on
            purchase_totals.customer_id = country_ranked.customer_id
            and country_ranked.country_rank = 1
    left join return_totals
        on purchase_totals.customer_id = return_totals.customer_id
)

select * from final
