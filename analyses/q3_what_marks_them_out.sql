-- Question 3: what marks the Insiders out compared with the other customers?
-- The answer in words is the row question_number = 3 of rpt_insiders_answers; the
-- figures behind it: rpt_insiders_vs_rest (see its description in the docs).
select * from {{ ref('rpt_insiders_vs_rest') }}
order by feature_order
