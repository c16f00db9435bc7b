"""Reference channel gateways: e-mail (SMTP in, relay out), voice and SMS (Twilio webhooks)
and a JSON chat webhook. Each runs as its own process and talks to Switchboard only through
the public HTTP API (`client.SwitchboardClient`), as any other client would.
"""
