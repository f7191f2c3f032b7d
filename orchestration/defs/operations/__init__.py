"""Operations: the job that refreshes the warehouse (``jobs.py``), and the schedule
(``schedules.py``) and landing-folder sensor (``sensors.py``) that start it."""
