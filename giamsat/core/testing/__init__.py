"""Shared test building blocks: fixtures, scope checks and route inventories.

Every app's tests use these so that each page and API route gets the same checks,
including "a user of province A can neither read nor change province B's data".
"""
