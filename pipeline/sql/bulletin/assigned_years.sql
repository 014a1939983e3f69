-- Attendances of the assigned committee members at their cells' meetings, year by year, as
-- the province reports "Project 16": the meetings attended and per member (a member is a
-- name within a commune). The period's year counts its quarters up to the period: so far
-- this year. Grain: one row per year with reported attendance, up to the period's.
select
    year,
    max(quarter) as to_quarter,
    sum(meetings_attended)::integer as attendances,
    count(distinct (commune_code, assigned_member))::integer as members,
    sum(meetings_attended) / count(distinct (commune_code, assigned_member)) as per_member
from assigned_members
where meetings_attended is not null
    and (year < $year or (year = $year and quarter <= $quarter))
group by year
order by year;
