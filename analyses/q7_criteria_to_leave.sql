-- Question 7: what are the criteria to leave the Insiders?
-- The answer in words is the row question_number = 7 of rpt_insiders_answers; the
-- figures behind it: rpt_insiders_membership_criteria (see its description in the docs).
select * from {{ ref('rpt_insiders_membership_criteria') }}
where criterion = 'leave'
order by rule_order
