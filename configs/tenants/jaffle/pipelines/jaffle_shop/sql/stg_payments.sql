-- Staging: one row per payment. The source keeps amounts in cents; from here on they are dollars.
SELECT
  id AS payment_id,
  order_id,
  payment_method,
  amount / 100 AS amount
FROM {{ ref('raw.payments') }}
