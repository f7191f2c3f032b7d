"""Machine learning, in plain scikit-learn (never Dagster; orchestration/defs/ml/ wires it into assets).

The conversion-probability model (docs/model.md): ``features`` (the point-in-time training set and
the leads to score, from the warehouse), ``train`` (candidates, time-ordered split, calibration,
the card), ``evaluate``, ``registry`` (versions, champion, safe loading), ``gate``, ``explain``
(reasons in words), ``scoring``, ``drift``, ``workflow`` (the steps the assets run), ``cli``
(``leadhouse-model``). Settings: ``config/model.yml`` (``config``).
"""
