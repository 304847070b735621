"""``python -m protocols.energy.reference``: the plaintext decision (see :mod:`.cli`)."""
import sys

from protocols.energy.reference.cli import main

sys.exit(main())
