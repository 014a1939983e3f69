-- Files whose commune or period could not be read: nobody's return until fixed.
-- Grain: one row per file.
select
    file_name,
    errors,
    warnings
from submissions
where commune_code is null or year is null
order by file_name;
