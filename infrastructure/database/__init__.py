"""Reaching the database: URLs per driver, engines and pools, pooler safety, pings,
retries, and what a failure means. Nothing here knows a table."""
