"""Local users of the admin UI: login names, e-mail addresses, roles and password hashes.

`store.UserStore` reads the users file (JSON, in the data directory); `passwords` hashes and
checks passwords with Argon2id; `switchboard users` manages the file.
"""
