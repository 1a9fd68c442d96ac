{#- One row per customer: the features, the segment, the programme membership and the predicted
    value (customer_value) side by side.
    Where the other marts, and analysts, start. The control group is drawn here, among the
    members: a reproducible share (var insiders_control_share) ordered by
    md5(customer_id || var insiders_control_seed) is held out of the programme's benefits. -#}
with

features as (
    select * from {{ ref('customer_features') }}
),

segments as (
    select * from {{ ref('customer_segments') }}
),

customer_value as (
    select * from {{ ref('customer_value') }}
),

joined as (
    select
        features.*,
        segments.cluster_id,
        segments.segment,
        segments.is_insider,
        segments.runs_outside_insiders,
        segments.map_x,
        segments.map_y,
        segments.as_of_date,
        customer_value.p_alive,
        customer_value.expected_purchases_next_period,
        customer_value.expected_revenue_next_period,
        customer_value.expected_revenue_365d,
        customer_value.value_tier
    from segments
    inner join features
        on segments.customer_id = features.customer_id
    left join customer_value
        on segments.customer_id = customer_value.customer_id
),

control_draw as (
    select
        customer_id,
        row_number() over (
            order by
                md5(
                    cast(customer_id as {{ dbt.type_string() }})
                    || '-' || '{{ var("insiders_control_seed") }}'
                ),
                customer_id
        ) as draw_order,
        count(*) over () as member_count
    from joined
    where is_insider
),

final as (
    select
        joined.*,
        coalesce(
            control_draw.draw_order <= round(
                control_draw.member_count * {{ var('insiders_control_share') }}
            ),
            false
        ) as is_control_group
    from joined
    left join control_draw
        on joined.customer_id = control_draw.customer_id
    -- customer_segments' order: sums over the table add up in the same order every build
    order by joined.customer_id
)

select * from final
