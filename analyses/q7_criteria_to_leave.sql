-- Question 7: what are the criteria to leave the Insiders?
-- A member leaves when inactive for more than insiders_max_recency_days days, or after more
-- than insiders_grace_runs runs in a row outside the top segment; these early warnings say who
-- is drifting out, beside the customer-value model's chance that the member still buys
-- (p_alive below insiders_min_p_alive). The last row counts the members who show any warning
-- today; rpt_insiders_members_at_risk lists them.
select
    rule_text,
    feature,
    comparison,
    threshold,
    customers_meeting
from {{ ref('rpt_insiders_membership_criteria') }}
where criterion = 'leave'
order by rule_order
