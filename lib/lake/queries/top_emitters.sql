-- Top 20 emitting sites and activities (kg CO2e), largest first
SELECT
  coalesce(site, '(unspecified)') AS site,
  activity,
  scope,
  count(*) AS line_items,
  sum(co2e_kg) AS co2e_kg
FROM emission_results
WHERE tenant_id IN (?)
GROUP BY coalesce(site, '(unspecified)'), activity, scope
ORDER BY co2e_kg DESC, site, activity, scope
LIMIT 20
