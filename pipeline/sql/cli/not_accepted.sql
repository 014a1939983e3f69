-- Files not accepted, with their first error (report --verbose): those of the quarter
-- reported ($year, $quarter) and those naming no readable period.
-- Grain: one row per rejected or superseded file.
select
    submissions.file_name,
    submissions.status,
    submissions.errors,
    submissions.warnings,
    (
        select problems.message
        from problems
        where problems.file_name = submissions.file_name and problems.severity = 'error'
        order by problems.row nulls first, problems.cell
        limit 1
    ) as first_error
from submissions
where submissions.status <> 'accepted'
    and (
        submissions.year is null
        or (submissions.year = $year and submissions.quarter = $quarter)
    )
order by submissions.status, submissions.file_name;
