-- The new-member profile of the period, province and communes.
-- Grain: one row per commune (NULL = province), dimension and category.
select *
from new_member_profile
where year = $year and quarter = $quarter
order by commune_code nulls first, dimension, members desc, category;
