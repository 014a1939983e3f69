-- Every file received for the period, by commune, with its own verdict and problems;
-- a commune that sent nothing has one row without a file.
-- Grain: one row per file (or per commune without a file).
select
    communes.commune_code,
    communes.commune_name,
    status.status as commune_status,
    files.file_name,
    files.status as file_status,
    files.submitted_on,
    files.errors,
    files.warnings
from communes
inner join submission_status as status
    on status.commune_code = communes.commune_code
    and status.year = $year and status.quarter = $quarter
left join submissions as files
    on files.commune_code = communes.commune_code
    and files.year = $year and files.quarter = $quarter
order by communes.commune_code, files.submitted_on, files.file_name;
