-- Question 9: which actions fit each segment?
-- The answer in words is the row question_number = 9 of rpt_insiders_answers; the
-- figures behind it: rpt_segment_actions (see its description in the docs).
select * from {{ ref('rpt_segment_actions') }}
order by cluster_id
