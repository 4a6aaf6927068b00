"""The console: server-rendered pages and the locally served assets they and the API docs use."""
