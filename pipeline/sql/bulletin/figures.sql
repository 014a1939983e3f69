-- The figures to verify of the period (SPEC §4a): the plausibility warnings of the returns
-- in use, with the two figures each compared, the commune's sheet as its workbook names it.
-- Grain: one row per warning; by cluster as the province table orders them, then commune
-- name, then as the commune reads them.
select
    communes.commune_code,
    communes.commune_name,
    communes.cluster,
    found.rule,
    found.sheet,
    case found.sheet
        when 'Cells' then files.cells_sheet
        when 'Meetings' then files.meetings_sheet
    end as sheet_name,
    found.cell,
    found.cell_code,
    found.cell_name,
    found.figure,
    found.compared,
    found.admitted,
    found.message
from staging.plausibility as found
inner join communes using (commune_code)
inner join staging.files as files using (file_name)
where found.year = $year and found.quarter = $quarter
order by
    communes.cluster nulls last,
    communes.commune_name,
    communes.commune_code,
    found.position;
