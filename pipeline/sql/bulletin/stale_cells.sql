-- Stale cells of the period with their commune. Grain: one row per stale cell.
select
    communes.commune_name,
    stale_cells.*
from stale_cells
inner join communes using (commune_code)
where stale_cells.year = $year and stale_cells.quarter = $quarter
order by stale_cells.years_without_admission desc nulls first, communes.commune_name,
    stale_cells.cell_code;
