-- Rule: the control group is the stated share of the members (rounded), drawn from members only.
with

members as (
    select
        count(*) as member_count,
        count(*) filter (where is_control_group) as control_count
    from {{ ref('insiders') }}
)

select * from members
where control_count != round(member_count * {{ var('insiders_control_share') }})
