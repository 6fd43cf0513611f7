"""Persistence: the tables, and per aggregate its table mapping, repository and reader.

``tasks/``, ``users/``, ``projects/`` each hold ``table.py`` (the SQLModel table
and its explicit mapping), ``repository.py`` (aggregates in and out of a unit
of work) and ``reader.py`` (read models for queries). Shared: ``repository``
(the repository base), ``json_rows`` (how rows are written), ``reads`` (how
readers run statements), ``keyset`` (pages), ``unit_of_work``, ``schema`` and
``migrations``. Reaching the database is ``infrastructure.database``'s job.
"""
