-- Daily sales per store for one partition.
select cast(order_date as string) as order_date, store_id, sum(amount) as total
from {{ ref('raw.orders') }}
where order_date >= @partition_start and order_date < @partition_end
  and amount > @min_amount
group by 1, store_id
