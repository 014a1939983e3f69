-- The commune committee members assigned to cells ("Project 16", SPEC §6): the cells each
-- guides and the meetings of those cells they attended. Only returns that name assigned
-- members count; meetings_attended is NULL where the return has no attended column.
-- Grain: one row per commune, year, quarter and assigned member.

create table assigned_members as
select
    commune_code,
    year,
    quarter,
    assigned_member,
    count(*)::integer as cells,
    sum(months_met)::integer as meetings_held,
    sum(meetings_assigned_present)::integer as meetings_attended,
    100.0 * sum(meetings_assigned_present) / nullif(sum(months_met), 0) as attendance_pct
from staging.cell_quarters
where assigned_member is not null
group by all
order by year, quarter, commune_code, assigned_member;
