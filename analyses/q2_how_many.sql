-- Question 2: how many customers will be part of the group?
-- The answer in words is the row question_number = 2 of rpt_insiders_answers; the
-- figures behind it: rpt_insiders_summary (see its description in the docs).
select * from {{ ref('rpt_insiders_summary') }}
