-- Page views and distinct visitors per page and day.
SELECT
  CAST(event_time AS DATE) AS event_date,
  page,
  COUNT(*) AS views,
  COUNT(DISTINCT user_id) AS visitors
FROM {{ ref('raw.events') }}
WHERE event_type = 'page_view'
GROUP BY event_date, page
