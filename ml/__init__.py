"""Machine learning, in plain scikit-learn (never Dagster; orchestration/ wires it into assets).

What will live here: the training set (built from the marts), training, evaluation, and access to
the model registry (``models/``, ``LEADHOUSE_MODEL_DIR``) through which models are saved and loaded.
"""
