-- Files of the raw folder that name no commune or no readable period: the board is told
-- how many (they belong to no commune and no quarter). Grain: one row.
select count(*)::integer as files
from submissions
where commune_code is null or year is null;
