-- Emissions (kg CO2e) by GHG scope and month of activity, with the number of line items
SELECT
  scope,
  CAST(date_trunc('month', activity_date) AS date) AS month,
  count(*) AS line_items,
  sum(co2e_kg) AS co2e_kg
FROM emission_results
WHERE tenant_id IN (?)
GROUP BY scope, CAST(date_trunc('month', activity_date) AS date)
ORDER BY month, scope
