-- Question 6: what are the criteria to join the Insiders?
-- A customer joins at a monthly run that places them in the top segment, having bought in the
-- last insiders_max_recency_days days; the thresholds below approximate that segment in words
-- a customer can be told (what nine members in ten meet). The last row counts the
-- customers outside the programme who meet all three today.
select
    rule_text,
    feature,
    comparison,
    threshold,
    customers_meeting
from {{ ref('rpt_insiders_membership_criteria') }}
where criterion = 'join'
order by rule_order
