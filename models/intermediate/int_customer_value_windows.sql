{#- The inputs of the customer-value model, per calibration window and customer, in days:
    frequency (repeat purchase days), recency (first to last purchase day), T (first purchase
    day to the window's cutoff) and monetary_value (mean revenue of the repeat purchase days),
    as Fader, Hardie & Lee define them. A purchase day is a day with at least one purchase line;
    its revenue is the sum of that day's lines. Window `forecast` ends at the reference date;
    window `backtest` ends forecast_period_days earlier and carries what each customer then
    bought in the period held back, beside the baselines' inputs. -#}
{%- set period_days = var('forecast_period_days') %}

with

cleaned as (
    select * from {{ ref('int_invoice_lines_as_of') }}
),

reference as (
    select max(reference_date) as reference_date from cleaned
),

windows as (
    select
        'forecast' as calibration,
        reference_date as cutoff_date,
        reference_date
    from reference
    union all
    select
        'backtest' as calibration,
        reference_date - {{ period_days }} as cutoff_date,
        reference_date
    from reference
),

purchase_days as (
    select
        cleaned.customer_id,
        cleaned.invoiced_on as purchased_on,
        sum(cleaned.line_revenue) as day_revenue
    from cleaned
    cross join reference
    where
        cleaned.customer_id is not null
        and cleaned.is_purchase
        and cleaned.invoiced_on <= reference.reference_date
    group by cleaned.customer_id, cleaned.invoiced_on
),

per_customer as (
    select
        windows.calibration,
        windows.cutoff_date,
        purchase_days.customer_id,
        count(*) filter (
            where purchase_days.purchased_on <= windows.cutoff_date
        ) as purchase_day_count,
        min(purchase_days.purchased_on) as first_purchase_date,
        max(purchase_days.purchased_on) filter (
            where purchase_days.purchased_on <= windows.cutoff_date
        ) as last_purchase_date,
        sum(purchase_days.day_revenue) filter (
            where purchase_days.purchased_on <= windows.cutoff_date
        ) as revenue_to_date,
        min_by(purchase_days.day_revenue, purchase_days.purchased_on) as first_day_revenue,
        coalesce(sum(purchase_days.day_revenue) filter (
            where purchase_days.purchased_on > windows.cutoff_date - {{ period_days }}
            and purchase_days.purchased_on <= windows.cutoff_date
        ), 0) as revenue_last_period,
        coalesce(sum(purchase_days.day_revenue) filter (
            where purchase_days.purchased_on > windows.cutoff_date
        ), 0) as revenue_after_cutoff
    from windows
    inner join purchase_days
        on windows.reference_date >= purchase_days.purchased_on
    group by windows.calibration, windows.cutoff_date, purchase_days.customer_id
    having min(purchase_days.purchased_on) <= windows.cutoff_date
),

final as (
    select
        cast(calibration as {{ dbt.type_string() }}) as calibration,
        cast(cutoff_date as date) as cutoff_date,
        cast(customer_id as bigint) as customer_id,
        cast(purchase_day_count - 1 as integer) as frequency,
        cast({{ days_between('first_purchase_date', 'last_purchase_date') }} as integer) as recency,
        cast({{ days_between('first_purchase_date', 'cutoff_date') }} as integer)
            as {{ adapter.quote('T') }},  -- noqa: RF06
        -- divided in double (Spark would divide the decimals to 6 places)
        cast(revenue_to_date - first_day_revenue as double)
        / nullif(purchase_day_count - 1, 0) as monetary_value,
        cast(first_purchase_date as date) as first_purchase_date,
        cast(last_purchase_date as date) as last_purchase_date,
        cast(revenue_to_date as double) as revenue_to_date,
        cast(revenue_last_period as double) as revenue_last_period,
        -- the revenue of the period held back: known for the backtest window only
        cast(
            case when calibration = 'backtest' then revenue_after_cutoff end as double
        ) as revenue_next_period
    from per_customer
)

select * from final
