"""Group purchasing of energy plans (seed: group-purchasing-spdz-zkp, §2 and §7.1; spec:
docs/specs/energy.md). All money in integer nano-dollars, in the reference and the private
protocol alike, so their results compare exactly.

- `model`: plans, periods, users, scenarios.
- `scenarios/`: the scenario file's loader and validator, the built-in ``table2``, and the
  generator of realistic scenarios (``python -m protocols.energy.scenarios.generate``).
- `reference/`: the plaintext oracle (plan costs, optimum, WFA, the two-state rule,
  compensations, the mechanism; ``python -m protocols.energy.reference``).
- `utility_operator/`: commits the bills and publishes the signed root
  (``python -m protocols.energy.utility_operator``).
- `private/`: the SPDZ + ZKP protocol, module for module the twin of `reference/` where a
  twin exists.
- `run`: the private protocol's command line (``python -m protocols.energy.run``).
"""
