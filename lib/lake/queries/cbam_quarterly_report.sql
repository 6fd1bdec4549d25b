-- CBAM quarterly report: imported mass, embedded emissions and certificates per quarter, CN code and origin country
SELECT
  quarter,
  cn_code,
  country_of_origin,
  count(*) AS import_lines,
  sum(quantity_t) AS quantity_t,
  sum(direct_tco2e) AS direct_tco2e,
  sum(indirect_tco2e) AS indirect_tco2e,
  sum(total_tco2e) AS total_tco2e,
  sum(certificates_tco2e) AS certificates_tco2e,
  sum(cost_eur) AS cost_eur
FROM cbam_import_lines
WHERE tenant_id IN (?)
GROUP BY quarter, cn_code, country_of_origin
ORDER BY quarter, cn_code, country_of_origin
