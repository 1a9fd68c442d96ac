-- Question 1: who is eligible for the Insiders programme?
-- The answer in words is the row question_number = 1 of rpt_insiders_answers; the
-- figures behind it: insiders (see its description in the docs).
select * from {{ ref('insiders') }}
order by revenue_rank
