"""Reports: text for people, JSON for scripts, SARIF for code scanning."""

FORMATS = ("text", "json", "sarif", "github")
