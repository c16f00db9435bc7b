"""Operating the server: Prometheus metrics (`metrics`) and structured JSON logs (`logging`)."""
