-- Rule: a customer's periods follow each other: each ends where the next starts, and only the
-- last one is open.
with

history as (
    select * from {{ ref('insiders_membership_history') }}
),

ordered as (
    select
        customer_id,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by customer_id order by valid_from) as next_valid_from
    from history
)

select * from ordered
where
    valid_to is distinct from next_valid_from
    or valid_to <= valid_from
