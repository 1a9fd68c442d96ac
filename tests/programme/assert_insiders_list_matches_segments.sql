-- Rule: the programme list, the Insiders profile and the summary count the same customers,
-- those labelled is_insider.
with

counts as (
    select
        (
            select count(*) from {{ ref('customer_segments') }}
            where is_insider
        ) as labelled,
        (select count(*) from {{ ref('insiders') }}) as listed,
        (
            select max(customers) from {{ ref('segment_profiles') }}
            where is_insider_segment
        ) as profiled,
        (select max(insider_count) from {{ ref('rpt_insiders_summary') }}) as summarised
)

select * from counts
where listed != labelled or profiled != labelled or summarised != labelled
