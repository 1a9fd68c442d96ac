-- Rule: the segments' shares of customers and of revenue each add up to 1.
with

totals as (
    select
        sum(customer_share) as customer_share,
        sum(revenue_share) as revenue_share
    from {{ ref('segment_profiles') }}
)

select * from totals
where abs(customer_share - 1) > 1e-9 or abs(revenue_share - 1) > 1e-9
