-- Rule: exactly one segment is the Insiders, and it is cluster 1 (the highest mean revenue).
with

insiders_segments as (
    select
        count(*) as segment_count,
        min(cluster_id) as cluster_id
    from {{ ref('segment_profiles') }}
    where segment = 'Insiders'
)

select * from insiders_segments
where segment_count != 1 or cluster_id != 1
