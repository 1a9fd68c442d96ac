-- Rule: at every run, members = members at the previous run + joined - left.
with

runs as (
    select * from {{ ref('insiders_membership_runs') }}
),

changes as (
    select * from {{ ref('insiders_membership_changes') }}
),

members as (
    select
        as_of_date,
        count(*) filter (where is_insider) as member_count
    from runs
    group by as_of_date
),

moves as (
    select
        as_of_date,
        count(*) filter (where change_type = 'joined') as joined_count,
        count(*) filter (where change_type = 'left') as left_count
    from changes
    group by as_of_date
),

balance as (
    select
        members.as_of_date,
        members.member_count,
        lag(members.member_count) over (order by members.as_of_date) as previous_member_count,
        coalesce(moves.joined_count, 0) as joined_count,
        coalesce(moves.left_count, 0) as left_count
    from members
    left join moves
        on members.as_of_date = moves.as_of_date
)

select * from balance
where
    previous_member_count is not null
    and member_count != previous_member_count + joined_count - left_count
