-- The year of each cell's latest admission on record up to the period.
-- Grain: one row per commune and cell with an admission.
select commune_code, cell_code, max(year(admitted_on)) as latest_year
from admissions
where year * 10 + quarter <= $key
group by all
order by all;
