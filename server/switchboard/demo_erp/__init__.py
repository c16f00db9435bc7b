"""The demo ERP: an invented SQLite database made from a seed, and a JSON facade over it.

`database.build_database` creates it, `api.create_app` / `api.serve` serve it; README.md beside
this file lists the tables and the well-known records the tests and the docs use.
"""
