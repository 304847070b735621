"""Plaintext reference of group purchasing: the oracle every private version is tested
against. All money in integer nano-dollars.

- `plan_costs`, `optimum`, `wfa`: one user's plan costs, its offline optimum (DP with
  backtracking, brute force) and the online work-function algorithm.
- `two_state`, `compensation`: the social two-state rule and the compensations, exactly
  what the private protocol computes (its twins are `protocols.energy.private.two_state`
  and `.compensation`).
- `mechanism`: the mechanism over all plans with the subset search.
- `outcome_costs`, `report`: what users pay under each variant (for the benchmark).
- `cli`: ``python -m protocols.energy.reference --scenario FILE|table2 [--scheme ...] [--json OUT]``.
"""
