-- Staging: one row per order.
SELECT
  id AS order_id,
  user_id AS customer_id,
  order_date,
  status
FROM {{ ref('raw.orders') }}
