-- Result cache hit ratio of completed executions, per agent
SELECT
  agent_id,
  count(*) AS completed,
  count_if(served_from_cache) AS cache_hits,
  CAST(count_if(served_from_cache) AS double) / count(*) AS hit_ratio
FROM executions
WHERE tenant_id IN (?) AND status = 'COMPLETED'
GROUP BY agent_id
ORDER BY agent_id
