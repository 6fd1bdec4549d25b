-- Execution SLO per agent: outcomes, failure rate (FAILED or TIMED_OUT over all terminal) and end-to-end latency
SELECT
  agent_id,
  count(*) AS executions,
  count_if(status = 'COMPLETED') AS completed,
  count_if(status = 'FAILED') AS failed,
  count_if(status = 'TIMED_OUT') AS timed_out,
  count_if(status = 'CANCELLED') AS cancelled,
  CAST(count_if(status IN ('FAILED', 'TIMED_OUT')) AS double) / count(*) AS failure_rate,
  avg(duration_ms) AS avg_duration_ms,
  approx_percentile(duration_ms, 0.5) AS p50_duration_ms,
  approx_percentile(duration_ms, 0.95) AS p95_duration_ms,
  max(duration_ms) AS max_duration_ms
FROM executions
WHERE tenant_id IN (?)
GROUP BY agent_id
ORDER BY agent_id
