-- Usage per tenant and month for cost allocation over the tenants bound to its parameter: executions, run time, bytes in and out, line items
SELECT
  tenant_id,
  substr(dt, 1, 7) AS month,
  count(*) AS executions,
  count_if(status = 'COMPLETED') AS completed,
  sum(duration_ms) AS duration_ms,
  sum(input_bytes) AS input_bytes,
  sum(output_bytes) AS output_bytes,
  sum(line_items) AS line_items
FROM executions
WHERE tenant_id IN (?)
GROUP BY tenant_id, substr(dt, 1, 7)
ORDER BY tenant_id, month
