-- Daily sales per store for one partition.
select order_date, store_id, sum(amount) as total
from {{ ref('raw.orders') }}
where order_date >= @partition_start and order_date < @partition_end
  and amount > @min_amount and store_id = 42
group by order_date, store_id
