-- What each commune still has to fix for the period: the problems of its return in use and
-- of rejected files it sent after it (or of every rejected file, when none is in use),
-- with each sheet named as the clerk's workbook names it. The plausibility warnings are
-- the figures to verify (figures.sql), not listed here.
-- Grain: one row per problem: errors first, then in reading order.
with

in_use as (
    select commune_code, file_name, submitted_on
    from submission_status
    where year = $year and quarter = $quarter and status in ('on_time', 'late')
),

pending as (
    select submissions.commune_code, submissions.file_name, submissions.status
    from submissions
    left join in_use using (commune_code)
    where submissions.year = $year and submissions.quarter = $quarter
        and (
            submissions.file_name = in_use.file_name
            or (
                submissions.status = 'rejected'
                and (
                    in_use.file_name is null
                    or submissions.file_name in (select file_name from staging.rejected_after_use)
                )
            )
        )
)

select
    pending.commune_code,
    pending.status,
    problems.*,
    -- NULL when the workbook has no such sheet (a missing sheet)
    case problems.sheet
        when 'Info' then files.info_sheet
        when 'Cells' then files.cells_sheet
        when 'Meetings' then files.meetings_sheet
        when 'Admissions' then files.admissions_sheet
    end as sheet_name
from problems
inner join pending using (file_name)
inner join staging.files as files using (file_name)
where problems.rule not in (select rule from staging.plausibility)
order by
    pending.commune_code,
    problems.severity = 'warning',
    problems.file_name,
    list_position(['Info', 'Cells', 'Meetings', 'Admissions'], problems.sheet) nulls first,
    problems."row" nulls first,
    problems.cell,
    problems.rule,
    problems.value;
