{#- The snapshot of customer_segments, read as periods: one row per customer and period in a
    segment, from the run that placed them there to the run that moved them (null: current). -#}
with

snapshot as (
    select * from {{ ref('customer_segments_snapshot') }}
),

final as (
    select
        cast(customer_id as bigint) as customer_id,
        cast(segment as varchar) as segment,
        cast(is_insider as boolean) as is_insider,
        cast(dbt_valid_from as date) as valid_from,
        cast(dbt_valid_to as date) as valid_to,
        dbt_valid_to is null as is_current
    from snapshot
)

select * from final
