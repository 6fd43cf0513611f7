"""Who may act in which workspace, in SQL: workspaces, made by operators, and their API keys.

A package of its own, beside ``workspaces`` (the scope, the isolation and the
tables that every repository builds on), so that those stay below everything.
"""
