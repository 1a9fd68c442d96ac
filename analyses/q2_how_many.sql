-- Question 2: how many customers will be part of the group?
select
    insider_count,
    customer_count,
    round(100 * insider_share, 1) as insider_share_pct
from {{ ref('rpt_insiders_summary') }}
