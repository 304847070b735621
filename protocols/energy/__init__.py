"""Group purchasing of energy plans (seed: group-purchasing-spdz-zkp, §2 and §7.1; spec: specs/energy.md).

Plaintext reference, all money in integer nano-dollars:
- `model`, `scenario`: plans, periods, users; the scenario file with field-naming validation.
- `plan_costs`, `offline`, `wfa`: one user's plan selection, its offline optimum (DP with
  backtracking, brute force) and the online work-function algorithm (seed and textbook rules).
- `two_state`, `compensation`: the social rule and the compensations the private protocol computes
  (`two_state_inputs`, `two_state_update`, `two_state_slots`, `decide_join`, `compute_compensation`).
- `mechanism`: the §2.5 mechanism over all plans (step 2, step 3a subset search).
- `reference`: ``python -m protocols.energy.reference --scenario FILE|table2 [--scheme ...] [--json OUT]``.
- `load_profiles`, `pv_model`, `generate_scenario`: realistic scenarios from BDEW H0 (demandlib) and a
  clear-sky PV model; the built-in `scenarios/table2.json` was made by ``--preset table2``.
- `outcome_costs`, `report`: what users pay under each variant (for the benchmark).
"""
