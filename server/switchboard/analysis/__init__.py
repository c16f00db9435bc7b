"""Review aids for rules: static analysis of a revision, and the impact preview of a change.

    from switchboard.analysis.repo import analyze_repo
    report = analyze_repo("rules", "HEAD", against="main")   # Analysis: findings, guarantees

    from switchboard.analysis.impact import impact
    preview = impact(live, proposed, items, source="store")  # Impact: from -> to, danger

The analysis reasons over conditions (analyze, cubes, world); the preview replays inquiries
through the engine's own `decide` (replay_items, replay_data, replay_run, impact).
"""
