-- Who has reported for one quarter ($year, $quarter): the `status` command.
-- Grain: one row per commune of `communes`.
-- submission_status covers only the quarters with an accepted return somewhere in the
-- province; before the first return of a quarter is accepted every commune is rejected
-- or missing, worked out here as submission_status does (latest rejected file).
with

in_quarter as (
    select *
    from submission_status
    where year = $year and quarter = $quarter
),

latest_rejected as (
    select
        commune_code,
        arg_max(submitted_on, (submitted_on, file_name)) as submitted_on,
        arg_max(file_name, (submitted_on, file_name)) as file_name
    from submissions
    where status = 'rejected' and year = $year and quarter = $quarter
        and commune_code is not null
    group by all
),

chosen as (
    select
        communes.commune_code,
        communes.commune_name,
        coalesce(
            in_quarter.status,
            case when latest_rejected.file_name is null then 'missing' else 'rejected' end
        ) as status,
        coalesce(in_quarter.submitted_on, latest_rejected.submitted_on) as submitted_on,
        coalesce(in_quarter.file_name, latest_rejected.file_name) as file_name
    from communes
    left join in_quarter using (commune_code)
    left join latest_rejected using (commune_code)
)

select
    chosen.commune_code,
    chosen.commune_name,
    chosen.status,
    chosen.submitted_on,
    chosen.file_name,
    submissions.errors,
    submissions.warnings
from chosen
left join submissions using (file_name)
order by chosen.commune_code;
