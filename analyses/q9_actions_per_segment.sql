-- Question 9: which actions fit each segment?
-- The rule reads the segment's profile (recent, high revenue, one-off, high returns, each
-- against all customers' medians) and picks the action; see rpt_segment_actions in the docs.
select
    cluster_id,
    segment,
    customers,
    round(100 * revenue_share, 1) as revenue_share_pct,
    rationale,
    recommended_action
from {{ ref('rpt_segment_actions') }}
order by cluster_id
