"""Planning: dispatch of work orders to technicians.

The dispatch core works without the database: `instance` (the data and costs), `greedy` (the
baseline), `optimiser` (CP-SAT), `validation` (an independent check of any plan) and `generate`
(random instances for the benchmark and the tests).
"""
