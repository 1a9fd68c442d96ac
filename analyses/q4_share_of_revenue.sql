-- Question 4: what share of revenue do the Insiders bring?
-- Against the revenue of identified customers, and against all purchase revenue (guest
-- purchases, lines without a customer id, included).
select
    insider_revenue,
    customer_revenue,
    round(100 * insider_revenue_share, 1) as share_of_customer_revenue_pct,
    all_revenue,
    round(100 * insider_share_of_all_revenue, 1) as share_of_all_revenue_pct
from {{ ref('rpt_insiders_summary') }}
