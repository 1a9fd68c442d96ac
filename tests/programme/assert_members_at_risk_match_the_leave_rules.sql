-- Rule: the list of members at risk holds exactly the members counted by the 'any' leave rule.
select
    criteria.customers_meeting,
    (select count(*) from {{ ref('rpt_insiders_members_at_risk') }}) as listed
from {{ ref('rpt_insiders_membership_criteria') }} as criteria
where
    criteria.rule_order = 8
    and criteria.customers_meeting
    != (select count(*) from {{ ref('rpt_insiders_members_at_risk') }})
