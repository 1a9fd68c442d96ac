-- Question 4: what share of revenue do the Insiders bring?
-- The answer in words is the row question_number = 4 of rpt_insiders_answers; the
-- figures behind it: rpt_insiders_summary (see its description in the docs).
select * from {{ ref('rpt_insiders_summary') }}
