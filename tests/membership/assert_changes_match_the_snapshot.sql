-- Rule: whoever joined or left at a run has a snapshot period starting at that run, with the
-- Insiders flag the change says (the snapshot and the run table tell the same story). A member
-- the run no longer sees (the file was fixed and their lines went; segment_after is null) has
-- no new period: the snapshot records the customers a run places, and keeps their last one.
with

changes as (
    select * from {{ ref('insiders_membership_changes') }}
),

history as (
    select * from {{ ref('insiders_membership_history') }}
)

select
    changes.as_of_date,
    changes.customer_id,
    changes.change_type
from changes
left join history
    on
        changes.customer_id = history.customer_id
        and changes.as_of_date = history.valid_from
        and history.is_insider = (changes.change_type = 'joined')
where
    history.customer_id is null
    and changes.segment_after is not null
