"""The demo history (泉港区, two years), kept out of the production command path: ``scene`` (where, when, who, and
the runner), ``quangang`` (the county's main line), ``inspections`` and ``hazards`` (strands woven in by date), and
``loader`` (into an empty store). It runs through the same service layer as the API."""
