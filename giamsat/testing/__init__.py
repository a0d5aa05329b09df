"""Shared test building blocks: fixtures, scope checks and route inventories.

Test scaffolding lives here, outside every app: it may import any app, and no app's
runtime code imports it. Every app's tests use these so that each page and API route
gets the same checks, including "a user of province A can neither read nor change
province B's data".
"""
