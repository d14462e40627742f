-- Staging: one row per customer, with the source's column names made explicit.
SELECT
  id AS customer_id,
  first_name,
  last_name
FROM {{ ref('raw.customers') }}
