"""Review reminders: when each rules file is due for review, and telling its owner in time.

- `due.compute_reviews`: due dates and states from file metadata (pure).
- `plan.plan_for`: the files, time zone and snippet triggers of one approved revision.
- `service.ReminderService`: the scheduled jobs (daily reminders, weekly digest).
- `notify`: e-mail through an SMTP relay and Slack/Teams webhooks.
- `marking.mark_reviewed`: a proposal that marks a file reviewed.
"""
