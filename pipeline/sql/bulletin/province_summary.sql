-- The province row of the period. Grain: one row.
select *
from province_summary
where year = $year and quarter = $quarter;
