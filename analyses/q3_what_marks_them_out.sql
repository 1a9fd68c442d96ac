-- Question 3: what marks the Insiders out compared with the other customers?
-- For each feature, the median among Insiders and among the rest, and the uplift
-- (Insiders / rest - 1; null when the rest's median is 0, as for returned items).
-- frequency is the study's invoices per day of buying span: a one-off buyer scores 1.
select
    feature,
    insiders_median,
    rest_median,
    round(100 * median_uplift) as median_uplift_pct,
    insiders_mean,
    rest_mean
from {{ ref('rpt_insiders_vs_rest') }}
order by feature_order
