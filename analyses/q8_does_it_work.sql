-- Question 8: how do we tell that the programme works?
-- A control group of members (insiders.is_control_group, drawn by md5 of the customer id and a
-- seed) gets none of the benefits. The groups should look alike today (standardised
-- difference near 0); after a period, compare revenue per customer between them. The minimum
-- detectable uplift says how large an effect one period can show.
select
    programme_group,
    customers,
    mean_gross_revenue,
    mean_period_revenue,
    standardised_difference,
    round(100 * minimum_detectable_uplift) as minimum_detectable_uplift_pct,
    control_seed
from {{ ref('rpt_insiders_control_group') }}
order by programme_group desc
