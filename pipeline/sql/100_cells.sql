-- The party cells of the returns in use.
-- Grain: one row per commune, year, quarter and cell.

create table cells as
select
    returns.commune_code,
    returns.year,
    returns.quarter,
    rows.cell_code::varchar as cell_code,
    rows.cell_name::varchar as cell_name,
    rows.cell_type::varchar as cell_type,
    rows.official_members::integer as official_members,
    rows.probationary_members::integer as probationary_members,
    rows.last_admission_year::integer as last_admission_year,
    -- NULL: none assigned, or a return without the column (cell_meetings tells them apart)
    rows.assigned_member::varchar as assigned_member
from staging.cells as rows
inner join staging.returns as returns using (file_id)
order by returns.commune_code, returns.year, returns.quarter, rows.cell_code;
