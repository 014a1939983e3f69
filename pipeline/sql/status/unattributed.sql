-- Files that may belong to the quarter ($year, $quarter) but count for no commune of
-- `communes`: no readable commune code or period, or a code the province does not know.
-- Grain: one row per file.
select file_name
from submissions
where (year is null or (year = $year and quarter = $quarter))
    and (
        commune_code is null
        or year is null
        or commune_code not in (select commune_code from communes)
    )
order by file_name;
