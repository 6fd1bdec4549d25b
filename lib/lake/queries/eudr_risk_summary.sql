-- EUDR risk summary by commodity and country of production: checks, outcomes, plots and mass
SELECT
  commodity,
  country_of_production,
  risk_level,
  count(*) AS checks,
  count_if(outcome = 'negligible_risk') AS negligible_risk,
  count_if(outcome = 'non_compliant') AS non_compliant,
  count_if(outcome = 'out_of_scope') AS out_of_scope,
  sum(checks_failed) AS failed_check_items,
  sum(plots) AS plots,
  sum(net_mass_kg) AS net_mass_kg
FROM eudr_checks
WHERE tenant_id IN (?)
GROUP BY commodity, country_of_production, risk_level
ORDER BY commodity, country_of_production, risk_level
