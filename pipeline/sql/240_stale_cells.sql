-- Cells without a new member for the configured number of years (SPEC §6), from the
-- cells' figures (staging.cell_quarters). A cell with no admission on record at all is
-- stale with years_without_admission NULL.
-- Grain: one row per stale cell of a return in use.

create table stale_cells as
select
    commune_code,
    year,
    quarter,
    cell_code,
    cell_name,
    last_admission_year,
    years_without_admission
from staging.cell_quarters
where
    years_without_admission is null
    or years_without_admission >= (select stale_years from staging.settings)
order by year, quarter, commune_code, cell_code;
