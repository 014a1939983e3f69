-- Rejected files sent after the return in use: the earlier accepted return stays in use.
-- (A rejected file sent before the return in use was corrected by it and is not news;
-- "after" as staging.rejected_after_use orders files.)
-- Grain: one row per rejected file.
select
    rejected.commune_code,
    rejected.file_name as rejected_file,
    rejected.submitted_on as rejected_submitted_on,
    status.file_name as file_in_use,
    status.submitted_on as in_use_submitted_on
from submissions as rejected
inner join submission_status as status
    on status.commune_code = rejected.commune_code
    and status.year = rejected.year and status.quarter = rejected.quarter
where rejected.status = 'rejected'
    and rejected.year = $year and rejected.quarter = $quarter
    and status.status in ('on_time', 'late')
    and rejected.file_name in (select file_name from staging.rejected_after_use)
order by rejected.commune_code, rejected.file_name;
