-- Cells without a new member for the configured number of years (SPEC §6).
-- Grain: one row per stale cell of a return in use. A cell with no admission on
-- record at all is stale with years_without_admission NULL.

create table stale_cells as
with

admitted as (
    select
        commune_code,
        cell_code,
        year(admitted_on) as admitted_year,
        quarter(admitted_on) as admitted_quarter
    from admissions
),

latest as (
    select
        cells.commune_code,
        cells.year,
        cells.quarter,
        cells.cell_code,
        cells.cell_name,
        cells.last_admission_year,
        -- only admissions up to this quarter count: a later one does not refresh the past
        max(admitted.admitted_year) as latest_admitted_year
    from cells
    left join admitted
        on admitted.commune_code = cells.commune_code
        and admitted.cell_code = cells.cell_code
        and admitted.admitted_year * 4 + admitted.admitted_quarter
            <= cells.year * 4 + cells.quarter
    group by all
),

measured as (
    select
        *,
        (year - greatest(last_admission_year, latest_admitted_year))::integer
            as years_without_admission
    from latest
)

select
    commune_code,
    year,
    quarter,
    cell_code,
    cell_name,
    last_admission_year,
    years_without_admission
from measured
where
    years_without_admission is null
    or years_without_admission >= (select stale_years from staging.settings)
order by year, quarter, commune_code, cell_code;
