"""Driven adapters that turn a request's credentials into its caller."""
