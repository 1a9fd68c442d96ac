-- Rule: the programme list and the summary count the same customers, the members labelled
-- is_insider; the Insiders profile counts the customers of the Insiders segment (cluster 1);
-- the customers mart carries the same labels.
with

counts as (
    select
        (
            select count(*) from {{ ref('customer_segments') }}
            where is_insider
        ) as labelled,
        (
            select count(*) from {{ ref('customer_segments') }}
            where cluster_id = 1
        ) as in_segment,
        (select count(*) from {{ ref('insiders') }}) as listed,
        (
            select count(*) from {{ ref('customers') }}
            where is_insider
        ) as in_customers,
        (
            select max(customers) from {{ ref('segment_profiles') }}
            where is_insider_segment
        ) as profiled,
        (select max(insider_count) from {{ ref('rpt_insiders_summary') }}) as summarised
)

select * from counts
where
    listed != labelled
    or profiled != in_segment
    or summarised != labelled
    or in_customers != labelled
