-- Question 5: what revenue can we expect from the Insiders next period?
-- The answer in words is the row question_number = 5 of rpt_insiders_answers; the
-- figures behind it: rpt_insiders_revenue_forecast (see its description in the docs).
select * from {{ ref('rpt_insiders_revenue_forecast') }}
