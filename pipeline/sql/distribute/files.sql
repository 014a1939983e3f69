-- The files each commune sent for the quarter ($year, $quarter) that have problems (their
-- feedback workbooks go with its message), each with a fingerprint of its problems (a
-- new fingerprint is new feedback) and whether it is a rejected file sent after the
-- return in use. Grain: one row per file.
select
    submissions.commune_code,
    submissions.file_name,
    submissions.sha256,
    submissions.status,
    submissions.submitted_on,
    submissions.errors,
    submissions.warnings,
    submissions.file_name in (select file_name from staging.rejected_after_use) as after_in_use,
    md5(string_agg(
        concat_ws('|', problems.rule, problems.sheet, problems.cell, problems.value),
        '\n' order by problems.rule, problems.sheet, problems.cell, problems.value
    )) as problems_digest
from submissions
inner join problems using (file_name)
where submissions.year = $year and submissions.quarter = $quarter
    and submissions.commune_code is not null
group by all
order by submissions.commune_code, submissions.submitted_on, submissions.file_name;
