-- Who reported for each quarter, and how (SPEC §4, §5).
-- Grain: one row per commune of `communes` and quarter of staging.quarters.
-- on_time / late describe the return in use; rejected when the commune sent files
-- for the period but none was accepted; missing when it sent none.

create table submission_status as
with

latest_rejected as (
    select
        commune_code,
        year,
        quarter,
        arg_max(submitted_on, (submitted_on, file_name)) as submitted_on,
        arg_max(file_name, (submitted_on, file_name)) as file_name
    from staging.ranked_files
    where status = 'rejected' and commune_code is not null and year is not null
    group by all
),

grid as (
    select
        communes.commune_code,
        communes.commune_name,
        quarters.year,
        quarters.quarter,
        quarters.quarter_end
    from communes
    cross join staging.quarters as quarters
)

select
    grid.commune_code,
    grid.commune_name,
    grid.year,
    grid.quarter,
    case
        when returns.file_id is not null and returns.submitted_on
            <= grid.quarter_end + (select deadline_days from staging.settings)::integer
            then 'on_time'
        when returns.file_id is not null then 'late'
        when latest_rejected.file_name is not null then 'rejected'
        else 'missing'
    end as status,
    coalesce(returns.submitted_on, latest_rejected.submitted_on::date) as submitted_on,
    coalesce(returns.file_name, latest_rejected.file_name) as file_name
from grid
left join staging.returns as returns
    on returns.commune_code = grid.commune_code
    and returns.year = grid.year
    and returns.quarter = grid.quarter
left join latest_rejected
    on latest_rejected.commune_code = grid.commune_code
    and latest_rejected.year = grid.year
    and latest_rejected.quarter = grid.quarter
order by grid.year, grid.quarter, grid.commune_code;
