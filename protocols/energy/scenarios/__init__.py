"""Energy scenarios: the file format's loader and validator (:mod:`.loader`), the built-in
scenarios shipped as JSON beside it (``table2``), and a generator of realistic scenarios
from BDEW household load profiles and a clear-sky PV model (:mod:`.generate`,
``python -m protocols.energy.scenarios.generate``)."""
