-- Daily sales per store for one partition.
select order_date, store_id, sum(amount) as total,
  regexp_extract(max(order_id), r"^(\w+)-") as prefix
from {{ ref('raw.orders') }}
where order_date >= @partition_start and order_date < @partition_end
  and amount > @min_amount
group by order_date, store_id
