"""Rate limit counters: fixed windows in Redis (every worker and instance) or in memory."""
