"""Full-process tracking: pipeline, status, events, services (1131), contacts and reminders, handoffs."""
