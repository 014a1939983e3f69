-- Each commune's standing for the quarter ($year, $quarter), as its message tells it:
-- its status and the return in use (or, when rejected, its latest rejected file).
-- Grain: one row per commune of `communes`.
select
    status.commune_code,
    status.commune_name,
    status.status,
    status.submitted_on,
    status.file_name,
    submissions.sha256,
    submissions.errors,
    submissions.warnings
from submission_status as status
left join submissions using (file_name)
where status.year = $year and status.quarter = $quarter
order by status.commune_code;
