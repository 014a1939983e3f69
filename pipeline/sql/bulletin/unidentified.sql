-- Files whose commune or period could not be read: nobody's return until fixed, each with
-- the first error that says why (a web page saved as .xls: "save it as an Excel workbook").
-- Grain: one row per file.
select
    submissions.file_name,
    submissions.errors,
    submissions.warnings,
    (
        select problems.message
        from problems
        where problems.file_name = submissions.file_name and problems.severity = 'error'
        order by
            problems.sheet is not null,
            list_position(['Info', 'Cells', 'Meetings', 'Admissions'], problems.sheet),
            problems."row" nulls first,
            problems.cell
        limit 1
    ) as first_error
from submissions
where submissions.commune_code is null or submissions.year is null
order by submissions.file_name;
