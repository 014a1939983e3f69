-- Problems of the files sent for the period that are not superseded.
-- Grain: one row per problem, in reading order.
select
    submissions.commune_code,
    submissions.status,
    problems.*
from problems
inner join submissions using (file_name)
where submissions.year = $year and submissions.quarter = $quarter
    and submissions.status <> 'superseded'
order by submissions.commune_code, problems.file_name;
