-- Each commune's cells as of its latest accepted return at or before the period.
-- Grain: one row per commune and cell.
select
    commune_code, year, quarter, cell_code, cell_name, cell_type,
    official_members, probationary_members, last_admission_year, assigned_member
from cells
where year * 10 + quarter <= $key
qualify dense_rank() over (
    partition by commune_code order by year desc, quarter desc
) = 1
order by commune_code, cell_code;
