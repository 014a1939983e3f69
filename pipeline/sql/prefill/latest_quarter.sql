-- The latest quarter with an accepted return (templates are for the one after).
select year, quarter from cells order by year desc, quarter desc limit 1;
