-- Question 8: how do we tell that the programme works?
-- The answer in words is the row question_number = 8 of rpt_insiders_answers; the
-- figures behind it: rpt_insiders_control_group (see its description in the docs).
select * from {{ ref('rpt_insiders_control_group') }}
order by programme_group desc
