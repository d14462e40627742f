-- Revenue per store and day, for the days (partitions) this run covers.
-- @partition_start and @partition_end are DATEs bound by the engine for each partition: [start, end).
-- @min_amount is a pipeline parameter. Values are always bound as query parameters, never
-- pasted into the SQL text.
SELECT
  order_date,
  store_id,
  COUNT(*) AS order_count,
  SUM(amount) AS revenue,
  ROUND(AVG(amount), 2) AS avg_order_value
FROM {{ ref('raw.orders') }}
WHERE order_date >= @partition_start
  AND order_date < @partition_end
  AND amount >= @min_amount
GROUP BY order_date, store_id
