-- Question 1: who is eligible for the Insiders programme?
-- The members are the customers the clustering puts in the top segment (cluster 1, the highest
-- mean gross revenue). The list, best customers first; is_control_group marks the members held
-- back to measure the programme (question 8).
select
    revenue_rank,
    customer_id,
    country,
    gross_revenue,
    recency_days,
    frequency,
    invoice_count,
    is_control_group
from {{ ref('insiders') }}
order by revenue_rank
