"""``python -m protocols.energy.utility_operator``: see :mod:`.cli`."""
import sys

from protocols.energy.utility_operator.cli import main

sys.exit(main())
