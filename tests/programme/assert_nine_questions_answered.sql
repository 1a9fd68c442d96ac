-- Rule: each of the nine questions has exactly one answer.
with

answered as (
    select count(distinct question_number) as questions
    from {{ ref('rpt_insiders_answers') }}
    where answer is not null
)

select * from answered
where questions != 9
