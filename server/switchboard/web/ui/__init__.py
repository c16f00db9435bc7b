"""The admin web UI: server-rendered pages for editors and reviewers under /ui.

Pages change the rules only through the proposal service, like the API: every save is a
commit on the user's open proposal, and nothing goes live without approval and merge.
`setup.UiApp` holds what the pages share; `setup.ui_router` lists the routes.
"""
